import datetime

from deedflow.type.v1 import field_rules_pb2 as _field_rules_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class HomeCount(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HOME_COUNT_UNSPECIFIED: _ClassVar[HomeCount]
    HOME_COUNT_ONLY: _ClassVar[HomeCount]
    HOME_COUNT_SECOND: _ClassVar[HomeCount]
    HOME_COUNT_THIRD_OR_LATER: _ClassVar[HomeCount]

class CoOwnership(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CO_OWNERSHIP_UNSPECIFIED: _ClassVar[CoOwnership]
    CO_OWNERSHIP_SOLE: _ClassVar[CoOwnership]
    CO_OWNERSHIP_BY_SHARES: _ClassVar[CoOwnership]
    CO_OWNERSHIP_JOINT: _ClassVar[CoOwnership]

class SignatureAlgorithm(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SIGNATURE_ALGORITHM_UNSPECIFIED: _ClassVar[SignatureAlgorithm]
    SIGNATURE_ALGORITHM_ECDSA_P256_SHA256: _ClassVar[SignatureAlgorithm]
    SIGNATURE_ALGORITHM_ED25519: _ClassVar[SignatureAlgorithm]
HOME_COUNT_UNSPECIFIED: HomeCount
HOME_COUNT_ONLY: HomeCount
HOME_COUNT_SECOND: HomeCount
HOME_COUNT_THIRD_OR_LATER: HomeCount
CO_OWNERSHIP_UNSPECIFIED: CoOwnership
CO_OWNERSHIP_SOLE: CoOwnership
CO_OWNERSHIP_BY_SHARES: CoOwnership
CO_OWNERSHIP_JOINT: CoOwnership
SIGNATURE_ALGORITHM_UNSPECIFIED: SignatureAlgorithm
SIGNATURE_ALGORITHM_ECDSA_P256_SHA256: SignatureAlgorithm
SIGNATURE_ALGORITHM_ED25519: SignatureAlgorithm

class Buyer(_message.Message):
    __slots__ = ("name", "resident_id", "share_basis_points", "home_count", "guardian")
    NAME_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    SHARE_BASIS_POINTS_FIELD_NUMBER: _ClassVar[int]
    HOME_COUNT_FIELD_NUMBER: _ClassVar[int]
    GUARDIAN_FIELD_NUMBER: _ClassVar[int]
    name: str
    resident_id: str
    share_basis_points: int
    home_count: HomeCount
    guardian: Guardian
    def __init__(self, name: _Optional[str] = ..., resident_id: _Optional[str] = ..., share_basis_points: _Optional[int] = ..., home_count: _Optional[_Union[HomeCount, str]] = ..., guardian: _Optional[_Union[Guardian, _Mapping]] = ...) -> None: ...

class Guardian(_message.Message):
    __slots__ = ("name", "resident_id", "relationship")
    NAME_FIELD_NUMBER: _ClassVar[int]
    RESIDENT_ID_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIP_FIELD_NUMBER: _ClassVar[int]
    name: str
    resident_id: str
    relationship: str
    def __init__(self, name: _Optional[str] = ..., resident_id: _Optional[str] = ..., relationship: _Optional[str] = ...) -> None: ...

class Organization(_message.Message):
    __slots__ = ("name", "uscc")
    NAME_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    name: str
    uscc: str
    def __init__(self, name: _Optional[str] = ..., uscc: _Optional[str] = ...) -> None: ...

class Signature(_message.Message):
    __slots__ = ("signer", "algorithm", "signature", "certificate_pem", "sign_time")
    SIGNER_FIELD_NUMBER: _ClassVar[int]
    ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_PEM_FIELD_NUMBER: _ClassVar[int]
    SIGN_TIME_FIELD_NUMBER: _ClassVar[int]
    signer: str
    algorithm: SignatureAlgorithm
    signature: bytes
    certificate_pem: str
    sign_time: _timestamp_pb2.Timestamp
    def __init__(self, signer: _Optional[str] = ..., algorithm: _Optional[_Union[SignatureAlgorithm, str]] = ..., signature: _Optional[bytes] = ..., certificate_pem: _Optional[str] = ..., sign_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CourtRuling(_message.Message):
    __slots__ = ("authority", "ruling_number", "ruling_time", "document_sha256")
    AUTHORITY_FIELD_NUMBER: _ClassVar[int]
    RULING_NUMBER_FIELD_NUMBER: _ClassVar[int]
    RULING_TIME_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_SHA256_FIELD_NUMBER: _ClassVar[int]
    authority: str
    ruling_number: str
    ruling_time: _timestamp_pb2.Timestamp
    document_sha256: bytes
    def __init__(self, authority: _Optional[str] = ..., ruling_number: _Optional[str] = ..., ruling_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., document_sha256: _Optional[bytes] = ...) -> None: ...

class Loan(_message.Message):
    __slots__ = ("bank", "amount_fen", "term_months", "mortgage_contract_number", "bank_signature")
    BANK_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    TERM_MONTHS_FIELD_NUMBER: _ClassVar[int]
    MORTGAGE_CONTRACT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    BANK_SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    bank: Organization
    amount_fen: int
    term_months: int
    mortgage_contract_number: str
    bank_signature: Signature
    def __init__(self, bank: _Optional[_Union[Organization, _Mapping]] = ..., amount_fen: _Optional[int] = ..., term_months: _Optional[int] = ..., mortgage_contract_number: _Optional[str] = ..., bank_signature: _Optional[_Union[Signature, _Mapping]] = ...) -> None: ...

class JointConsent(_message.Message):
    __slots__ = ("signatures",)
    SIGNATURES_FIELD_NUMBER: _ClassVar[int]
    signatures: _containers.RepeatedCompositeFieldContainer[Signature]
    def __init__(self, signatures: _Optional[_Iterable[_Union[Signature, _Mapping]]] = ...) -> None: ...
