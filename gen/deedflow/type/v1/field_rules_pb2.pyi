from google.protobuf import descriptor_pb2 as _descriptor_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class IdentifierFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    IDENTIFIER_FORMAT_UNSPECIFIED: _ClassVar[IdentifierFormat]
    IDENTIFIER_FORMAT_UNIT_NUMBER: _ClassVar[IdentifierFormat]
    IDENTIFIER_FORMAT_RESIDENT_ID: _ClassVar[IdentifierFormat]
    IDENTIFIER_FORMAT_USCC: _ClassVar[IdentifierFormat]
    IDENTIFIER_FORMAT_UUID: _ClassVar[IdentifierFormat]
    IDENTIFIER_FORMAT_BUILDING_NUMBER: _ClassVar[IdentifierFormat]
    IDENTIFIER_FORMAT_AUTHORITY_CODE: _ClassVar[IdentifierFormat]
IDENTIFIER_FORMAT_UNSPECIFIED: IdentifierFormat
IDENTIFIER_FORMAT_UNIT_NUMBER: IdentifierFormat
IDENTIFIER_FORMAT_RESIDENT_ID: IdentifierFormat
IDENTIFIER_FORMAT_USCC: IdentifierFormat
IDENTIFIER_FORMAT_UUID: IdentifierFormat
IDENTIFIER_FORMAT_BUILDING_NUMBER: IdentifierFormat
IDENTIFIER_FORMAT_AUTHORITY_CODE: IdentifierFormat
FIELD_FIELD_NUMBER: _ClassVar[int]
field: _descriptor.FieldDescriptor

class FieldRules(_message.Message):
    __slots__ = ("format", "required", "max_len", "max_items", "min", "max")
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_FIELD_NUMBER: _ClassVar[int]
    MAX_LEN_FIELD_NUMBER: _ClassVar[int]
    MAX_ITEMS_FIELD_NUMBER: _ClassVar[int]
    MIN_FIELD_NUMBER: _ClassVar[int]
    MAX_FIELD_NUMBER: _ClassVar[int]
    format: IdentifierFormat
    required: bool
    max_len: int
    max_items: int
    min: int
    max: int
    def __init__(self, format: _Optional[_Union[IdentifierFormat, str]] = ..., required: _Optional[bool] = ..., max_len: _Optional[int] = ..., max_items: _Optional[int] = ..., min: _Optional[int] = ..., max: _Optional[int] = ...) -> None: ...
