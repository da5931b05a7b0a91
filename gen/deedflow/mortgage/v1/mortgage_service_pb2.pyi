import datetime

from deedflow.casework.v1 import casework_service_pb2 as _casework_service_pb2
from deedflow.registry.v1 import document_pb2 as _document_pb2
from deedflow.type.v1 import field_rules_pb2 as _field_rules_pb2
from deedflow.type.v1 import parties_pb2 as _parties_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.rpc import status_pb2 as _status_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class MortgageState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MORTGAGE_STATE_UNSPECIFIED: _ClassVar[MortgageState]
    MORTGAGE_STATE_LODGED: _ClassVar[MortgageState]
    MORTGAGE_STATE_REGISTERED: _ClassVar[MortgageState]
    MORTGAGE_STATE_DISCHARGED: _ClassVar[MortgageState]
    MORTGAGE_STATE_ABANDONED: _ClassVar[MortgageState]
MORTGAGE_STATE_UNSPECIFIED: MortgageState
MORTGAGE_STATE_LODGED: MortgageState
MORTGAGE_STATE_REGISTERED: MortgageState
MORTGAGE_STATE_DISCHARGED: MortgageState
MORTGAGE_STATE_ABANDONED: MortgageState

class Mortgage(_message.Message):
    __slots__ = ("name", "unit_number", "loan", "mortgagors", "state", "registry_case", "proof_number", "entry", "priority_time", "register_time", "premortgage", "discharge_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    LOAN_FIELD_NUMBER: _ClassVar[int]
    MORTGAGORS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REGISTRY_CASE_FIELD_NUMBER: _ClassVar[int]
    PROOF_NUMBER_FIELD_NUMBER: _ClassVar[int]
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_TIME_FIELD_NUMBER: _ClassVar[int]
    REGISTER_TIME_FIELD_NUMBER: _ClassVar[int]
    PREMORTGAGE_FIELD_NUMBER: _ClassVar[int]
    DISCHARGE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    unit_number: str
    loan: _parties_pb2.Loan
    mortgagors: _containers.RepeatedCompositeFieldContainer[_parties_pb2.Buyer]
    state: MortgageState
    registry_case: str
    proof_number: str
    entry: str
    priority_time: _timestamp_pb2.Timestamp
    register_time: _timestamp_pb2.Timestamp
    premortgage: str
    discharge_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., unit_number: _Optional[str] = ..., loan: _Optional[_Union[_parties_pb2.Loan, _Mapping]] = ..., mortgagors: _Optional[_Iterable[_Union[_parties_pb2.Buyer, _Mapping]]] = ..., state: _Optional[_Union[MortgageState, str]] = ..., registry_case: _Optional[str] = ..., proof_number: _Optional[str] = ..., entry: _Optional[str] = ..., priority_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., register_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., premortgage: _Optional[str] = ..., discharge_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class LodgeMortgageRequest(_message.Message):
    __slots__ = ("request_id", "unit_number", "loan", "mortgagors", "mortgagor_signatures", "auto_register")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    LOAN_FIELD_NUMBER: _ClassVar[int]
    MORTGAGORS_FIELD_NUMBER: _ClassVar[int]
    MORTGAGOR_SIGNATURES_FIELD_NUMBER: _ClassVar[int]
    AUTO_REGISTER_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    unit_number: str
    loan: _parties_pb2.Loan
    mortgagors: _containers.RepeatedCompositeFieldContainer[_parties_pb2.Buyer]
    mortgagor_signatures: _containers.RepeatedCompositeFieldContainer[_parties_pb2.Signature]
    auto_register: bool
    def __init__(self, request_id: _Optional[str] = ..., unit_number: _Optional[str] = ..., loan: _Optional[_Union[_parties_pb2.Loan, _Mapping]] = ..., mortgagors: _Optional[_Iterable[_Union[_parties_pb2.Buyer, _Mapping]]] = ..., mortgagor_signatures: _Optional[_Iterable[_Union[_parties_pb2.Signature, _Mapping]]] = ..., auto_register: _Optional[bool] = ...) -> None: ...

class LodgeMortgageResponse(_message.Message):
    __slots__ = ("mortgage", "case_record")
    MORTGAGE_FIELD_NUMBER: _ClassVar[int]
    CASE_RECORD_FIELD_NUMBER: _ClassVar[int]
    mortgage: Mortgage
    case_record: _casework_service_pb2.Case
    def __init__(self, mortgage: _Optional[_Union[Mortgage, _Mapping]] = ..., case_record: _Optional[_Union[_casework_service_pb2.Case, _Mapping]] = ...) -> None: ...

class RecordConvertedMortgagesRequest(_message.Message):
    __slots__ = ("requests",)
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[RecordConvertedMortgageRequest]
    def __init__(self, requests: _Optional[_Iterable[_Union[RecordConvertedMortgageRequest, _Mapping]]] = ...) -> None: ...

class RecordConvertedMortgageOutcome(_message.Message):
    __slots__ = ("response", "error")
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    response: RecordConvertedMortgageResponse
    error: _status_pb2.Status
    def __init__(self, response: _Optional[_Union[RecordConvertedMortgageResponse, _Mapping]] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ...) -> None: ...

class RecordConvertedMortgagesResponse(_message.Message):
    __slots__ = ("outcomes",)
    OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    outcomes: _containers.RepeatedCompositeFieldContainer[RecordConvertedMortgageOutcome]
    def __init__(self, outcomes: _Optional[_Iterable[_Union[RecordConvertedMortgageOutcome, _Mapping]]] = ...) -> None: ...

class RecordConvertedMortgageRequest(_message.Message):
    __slots__ = ("request_id", "unit_number", "premortgage", "entry", "loan", "mortgagors", "priority_time", "proof_number")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    PREMORTGAGE_FIELD_NUMBER: _ClassVar[int]
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    LOAN_FIELD_NUMBER: _ClassVar[int]
    MORTGAGORS_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_TIME_FIELD_NUMBER: _ClassVar[int]
    PROOF_NUMBER_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    unit_number: str
    premortgage: str
    entry: str
    loan: _parties_pb2.Loan
    mortgagors: _containers.RepeatedCompositeFieldContainer[_parties_pb2.Buyer]
    priority_time: _timestamp_pb2.Timestamp
    proof_number: str
    def __init__(self, request_id: _Optional[str] = ..., unit_number: _Optional[str] = ..., premortgage: _Optional[str] = ..., entry: _Optional[str] = ..., loan: _Optional[_Union[_parties_pb2.Loan, _Mapping]] = ..., mortgagors: _Optional[_Iterable[_Union[_parties_pb2.Buyer, _Mapping]]] = ..., priority_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., proof_number: _Optional[str] = ...) -> None: ...

class RecordConvertedMortgageResponse(_message.Message):
    __slots__ = ("mortgage",)
    MORTGAGE_FIELD_NUMBER: _ClassVar[int]
    mortgage: Mortgage
    def __init__(self, mortgage: _Optional[_Union[Mortgage, _Mapping]] = ...) -> None: ...

class GetMortgageRequest(_message.Message):
    __slots__ = ("name", "with_document")
    NAME_FIELD_NUMBER: _ClassVar[int]
    WITH_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    name: str
    with_document: bool
    def __init__(self, name: _Optional[str] = ..., with_document: _Optional[bool] = ...) -> None: ...

class GetMortgageResponse(_message.Message):
    __slots__ = ("mortgage", "proof_document")
    MORTGAGE_FIELD_NUMBER: _ClassVar[int]
    PROOF_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    mortgage: Mortgage
    proof_document: _document_pb2.SignedDocument
    def __init__(self, mortgage: _Optional[_Union[Mortgage, _Mapping]] = ..., proof_document: _Optional[_Union[_document_pb2.SignedDocument, _Mapping]] = ...) -> None: ...

class ListMortgagesRequest(_message.Message):
    __slots__ = ("unit_number", "mortgagee_uscc", "state", "page_size", "page_token")
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    MORTGAGEE_USCC_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    unit_number: str
    mortgagee_uscc: str
    state: MortgageState
    page_size: int
    page_token: str
    def __init__(self, unit_number: _Optional[str] = ..., mortgagee_uscc: _Optional[str] = ..., state: _Optional[_Union[MortgageState, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListMortgagesResponse(_message.Message):
    __slots__ = ("mortgages", "next_page_token")
    MORTGAGES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    mortgages: _containers.RepeatedCompositeFieldContainer[Mortgage]
    next_page_token: str
    def __init__(self, mortgages: _Optional[_Iterable[_Union[Mortgage, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DischargeMortgageRequest(_message.Message):
    __slots__ = ("request_id", "name", "settlement_reference", "auto_register")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SETTLEMENT_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    AUTO_REGISTER_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    settlement_reference: str
    auto_register: bool
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ..., settlement_reference: _Optional[str] = ..., auto_register: _Optional[bool] = ...) -> None: ...

class DischargeMortgageResponse(_message.Message):
    __slots__ = ("mortgage", "case_record")
    MORTGAGE_FIELD_NUMBER: _ClassVar[int]
    CASE_RECORD_FIELD_NUMBER: _ClassVar[int]
    mortgage: Mortgage
    case_record: _casework_service_pb2.Case
    def __init__(self, mortgage: _Optional[_Union[Mortgage, _Mapping]] = ..., case_record: _Optional[_Union[_casework_service_pb2.Case, _Mapping]] = ...) -> None: ...
