import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Checkpoint(_message.Message):
    __slots__ = ("tree_size", "root_hash", "checkpoint_time", "signature", "key_id", "authority")
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    ROOT_HASH_FIELD_NUMBER: _ClassVar[int]
    CHECKPOINT_TIME_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    AUTHORITY_FIELD_NUMBER: _ClassVar[int]
    tree_size: int
    root_hash: bytes
    checkpoint_time: _timestamp_pb2.Timestamp
    signature: bytes
    key_id: bytes
    authority: str
    def __init__(self, tree_size: _Optional[int] = ..., root_hash: _Optional[bytes] = ..., checkpoint_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., signature: _Optional[bytes] = ..., key_id: _Optional[bytes] = ..., authority: _Optional[str] = ...) -> None: ...

class SignedDocument(_message.Message):
    __slots__ = ("content", "leaf", "leaf_index", "audit_path", "checkpoint", "seal", "holder_openings", "checkpoint_note")
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    LEAF_FIELD_NUMBER: _ClassVar[int]
    LEAF_INDEX_FIELD_NUMBER: _ClassVar[int]
    AUDIT_PATH_FIELD_NUMBER: _ClassVar[int]
    CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    SEAL_FIELD_NUMBER: _ClassVar[int]
    HOLDER_OPENINGS_FIELD_NUMBER: _ClassVar[int]
    CHECKPOINT_NOTE_FIELD_NUMBER: _ClassVar[int]
    content: bytes
    leaf: bytes
    leaf_index: int
    audit_path: _containers.RepeatedScalarFieldContainer[bytes]
    checkpoint: Checkpoint
    seal: bytes
    holder_openings: _containers.RepeatedScalarFieldContainer[bytes]
    checkpoint_note: str
    def __init__(self, content: _Optional[bytes] = ..., leaf: _Optional[bytes] = ..., leaf_index: _Optional[int] = ..., audit_path: _Optional[_Iterable[bytes]] = ..., checkpoint: _Optional[_Union[Checkpoint, _Mapping]] = ..., seal: _Optional[bytes] = ..., holder_openings: _Optional[_Iterable[bytes]] = ..., checkpoint_note: _Optional[str] = ...) -> None: ...
