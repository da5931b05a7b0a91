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

class PreregistrationState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PREREGISTRATION_STATE_UNSPECIFIED: _ClassVar[PreregistrationState]
    PREREGISTRATION_STATE_PENDING: _ClassVar[PreregistrationState]
    PREREGISTRATION_STATE_IN_FORCE: _ClassVar[PreregistrationState]
    PREREGISTRATION_STATE_CONVERTED: _ClassVar[PreregistrationState]
    PREREGISTRATION_STATE_CANCELLED: _ClassVar[PreregistrationState]
    PREREGISTRATION_STATE_LAPSED: _ClassVar[PreregistrationState]
    PREREGISTRATION_STATE_ABANDONED: _ClassVar[PreregistrationState]
PREREGISTRATION_STATE_UNSPECIFIED: PreregistrationState
PREREGISTRATION_STATE_PENDING: PreregistrationState
PREREGISTRATION_STATE_IN_FORCE: PreregistrationState
PREREGISTRATION_STATE_CONVERTED: PreregistrationState
PREREGISTRATION_STATE_CANCELLED: PreregistrationState
PREREGISTRATION_STATE_LAPSED: PreregistrationState
PREREGISTRATION_STATE_ABANDONED: PreregistrationState

class Preregistration(_message.Message):
    __slots__ = ("name", "unit_number", "contract", "filing_number", "holders", "developer", "state", "registry_case", "proof_number", "entry", "register_time", "lapse_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_FIELD_NUMBER: _ClassVar[int]
    FILING_NUMBER_FIELD_NUMBER: _ClassVar[int]
    HOLDERS_FIELD_NUMBER: _ClassVar[int]
    DEVELOPER_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REGISTRY_CASE_FIELD_NUMBER: _ClassVar[int]
    PROOF_NUMBER_FIELD_NUMBER: _ClassVar[int]
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    REGISTER_TIME_FIELD_NUMBER: _ClassVar[int]
    LAPSE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    unit_number: str
    contract: str
    filing_number: str
    holders: _containers.RepeatedCompositeFieldContainer[_parties_pb2.Buyer]
    developer: _parties_pb2.Organization
    state: PreregistrationState
    registry_case: str
    proof_number: str
    entry: str
    register_time: _timestamp_pb2.Timestamp
    lapse_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., unit_number: _Optional[str] = ..., contract: _Optional[str] = ..., filing_number: _Optional[str] = ..., holders: _Optional[_Iterable[_Union[_parties_pb2.Buyer, _Mapping]]] = ..., developer: _Optional[_Union[_parties_pb2.Organization, _Mapping]] = ..., state: _Optional[_Union[PreregistrationState, str]] = ..., registry_case: _Optional[str] = ..., proof_number: _Optional[str] = ..., entry: _Optional[str] = ..., register_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., lapse_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Premortgage(_message.Message):
    __slots__ = ("name", "unit_number", "preregistration", "loan", "mortgagors", "state", "registry_case", "proof_number", "entry", "register_time", "lapse_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    PREREGISTRATION_FIELD_NUMBER: _ClassVar[int]
    LOAN_FIELD_NUMBER: _ClassVar[int]
    MORTGAGORS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REGISTRY_CASE_FIELD_NUMBER: _ClassVar[int]
    PROOF_NUMBER_FIELD_NUMBER: _ClassVar[int]
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    REGISTER_TIME_FIELD_NUMBER: _ClassVar[int]
    LAPSE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    unit_number: str
    preregistration: str
    loan: _parties_pb2.Loan
    mortgagors: _containers.RepeatedCompositeFieldContainer[_parties_pb2.Buyer]
    state: PreregistrationState
    registry_case: str
    proof_number: str
    entry: str
    register_time: _timestamp_pb2.Timestamp
    lapse_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., unit_number: _Optional[str] = ..., preregistration: _Optional[str] = ..., loan: _Optional[_Union[_parties_pb2.Loan, _Mapping]] = ..., mortgagors: _Optional[_Iterable[_Union[_parties_pb2.Buyer, _Mapping]]] = ..., state: _Optional[_Union[PreregistrationState, str]] = ..., registry_case: _Optional[str] = ..., proof_number: _Optional[str] = ..., entry: _Optional[str] = ..., register_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., lapse_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class LodgePreregistrationRequest(_message.Message):
    __slots__ = ("request_id", "unit_number", "contract", "holders", "developer", "auto_register", "buyer_signatures")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_FIELD_NUMBER: _ClassVar[int]
    HOLDERS_FIELD_NUMBER: _ClassVar[int]
    DEVELOPER_FIELD_NUMBER: _ClassVar[int]
    AUTO_REGISTER_FIELD_NUMBER: _ClassVar[int]
    BUYER_SIGNATURES_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    unit_number: str
    contract: str
    holders: _containers.RepeatedCompositeFieldContainer[_parties_pb2.Buyer]
    developer: _parties_pb2.Organization
    auto_register: bool
    buyer_signatures: _containers.RepeatedCompositeFieldContainer[_parties_pb2.Signature]
    def __init__(self, request_id: _Optional[str] = ..., unit_number: _Optional[str] = ..., contract: _Optional[str] = ..., holders: _Optional[_Iterable[_Union[_parties_pb2.Buyer, _Mapping]]] = ..., developer: _Optional[_Union[_parties_pb2.Organization, _Mapping]] = ..., auto_register: _Optional[bool] = ..., buyer_signatures: _Optional[_Iterable[_Union[_parties_pb2.Signature, _Mapping]]] = ...) -> None: ...

class LodgePreregistrationResponse(_message.Message):
    __slots__ = ("preregistration", "case_record")
    PREREGISTRATION_FIELD_NUMBER: _ClassVar[int]
    CASE_RECORD_FIELD_NUMBER: _ClassVar[int]
    preregistration: Preregistration
    case_record: _casework_service_pb2.Case
    def __init__(self, preregistration: _Optional[_Union[Preregistration, _Mapping]] = ..., case_record: _Optional[_Union[_casework_service_pb2.Case, _Mapping]] = ...) -> None: ...

class LodgePremortgageRequest(_message.Message):
    __slots__ = ("request_id", "preregistration", "loan", "auto_register", "mortgagor_signatures")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    PREREGISTRATION_FIELD_NUMBER: _ClassVar[int]
    LOAN_FIELD_NUMBER: _ClassVar[int]
    AUTO_REGISTER_FIELD_NUMBER: _ClassVar[int]
    MORTGAGOR_SIGNATURES_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    preregistration: str
    loan: _parties_pb2.Loan
    auto_register: bool
    mortgagor_signatures: _containers.RepeatedCompositeFieldContainer[_parties_pb2.Signature]
    def __init__(self, request_id: _Optional[str] = ..., preregistration: _Optional[str] = ..., loan: _Optional[_Union[_parties_pb2.Loan, _Mapping]] = ..., auto_register: _Optional[bool] = ..., mortgagor_signatures: _Optional[_Iterable[_Union[_parties_pb2.Signature, _Mapping]]] = ...) -> None: ...

class LodgePremortgageResponse(_message.Message):
    __slots__ = ("premortgage", "case_record")
    PREMORTGAGE_FIELD_NUMBER: _ClassVar[int]
    CASE_RECORD_FIELD_NUMBER: _ClassVar[int]
    premortgage: Premortgage
    case_record: _casework_service_pb2.Case
    def __init__(self, premortgage: _Optional[_Union[Premortgage, _Mapping]] = ..., case_record: _Optional[_Union[_casework_service_pb2.Case, _Mapping]] = ...) -> None: ...

class GetPreregistrationRequest(_message.Message):
    __slots__ = ("name", "with_document", "as_recorded")
    NAME_FIELD_NUMBER: _ClassVar[int]
    WITH_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    AS_RECORDED_FIELD_NUMBER: _ClassVar[int]
    name: str
    with_document: bool
    as_recorded: bool
    def __init__(self, name: _Optional[str] = ..., with_document: _Optional[bool] = ..., as_recorded: _Optional[bool] = ...) -> None: ...

class GetPreregistrationResponse(_message.Message):
    __slots__ = ("preregistration", "proof_document")
    PREREGISTRATION_FIELD_NUMBER: _ClassVar[int]
    PROOF_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    preregistration: Preregistration
    proof_document: _document_pb2.SignedDocument
    def __init__(self, preregistration: _Optional[_Union[Preregistration, _Mapping]] = ..., proof_document: _Optional[_Union[_document_pb2.SignedDocument, _Mapping]] = ...) -> None: ...

class GetPremortgageRequest(_message.Message):
    __slots__ = ("name", "with_document", "as_recorded")
    NAME_FIELD_NUMBER: _ClassVar[int]
    WITH_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    AS_RECORDED_FIELD_NUMBER: _ClassVar[int]
    name: str
    with_document: bool
    as_recorded: bool
    def __init__(self, name: _Optional[str] = ..., with_document: _Optional[bool] = ..., as_recorded: _Optional[bool] = ...) -> None: ...

class GetPremortgageResponse(_message.Message):
    __slots__ = ("premortgage", "proof_document")
    PREMORTGAGE_FIELD_NUMBER: _ClassVar[int]
    PROOF_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    premortgage: Premortgage
    proof_document: _document_pb2.SignedDocument
    def __init__(self, premortgage: _Optional[_Union[Premortgage, _Mapping]] = ..., proof_document: _Optional[_Union[_document_pb2.SignedDocument, _Mapping]] = ...) -> None: ...

class CancelPreregistrationRequest(_message.Message):
    __slots__ = ("request_id", "name", "joint", "court_ruling")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    JOINT_FIELD_NUMBER: _ClassVar[int]
    COURT_RULING_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    joint: _parties_pb2.JointConsent
    court_ruling: _parties_pb2.CourtRuling
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ..., joint: _Optional[_Union[_parties_pb2.JointConsent, _Mapping]] = ..., court_ruling: _Optional[_Union[_parties_pb2.CourtRuling, _Mapping]] = ...) -> None: ...

class CancelPreregistrationResponse(_message.Message):
    __slots__ = ("preregistration",)
    PREREGISTRATION_FIELD_NUMBER: _ClassVar[int]
    preregistration: Preregistration
    def __init__(self, preregistration: _Optional[_Union[Preregistration, _Mapping]] = ...) -> None: ...

class ReleasePremortgageRequest(_message.Message):
    __slots__ = ("request_id", "name", "mortgagee_consent", "court_ruling")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    MORTGAGEE_CONSENT_FIELD_NUMBER: _ClassVar[int]
    COURT_RULING_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    mortgagee_consent: _parties_pb2.Signature
    court_ruling: _parties_pb2.CourtRuling
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ..., mortgagee_consent: _Optional[_Union[_parties_pb2.Signature, _Mapping]] = ..., court_ruling: _Optional[_Union[_parties_pb2.CourtRuling, _Mapping]] = ...) -> None: ...

class ReleasePremortgageResponse(_message.Message):
    __slots__ = ("premortgage",)
    PREMORTGAGE_FIELD_NUMBER: _ClassVar[int]
    premortgage: Premortgage
    def __init__(self, premortgage: _Optional[_Union[Premortgage, _Mapping]] = ...) -> None: ...

class MarkManyConvertedRequest(_message.Message):
    __slots__ = ("requests",)
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[MarkConvertedRequest]
    def __init__(self, requests: _Optional[_Iterable[_Union[MarkConvertedRequest, _Mapping]]] = ...) -> None: ...

class MarkConvertedOutcome(_message.Message):
    __slots__ = ("response", "error")
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    response: MarkConvertedResponse
    error: _status_pb2.Status
    def __init__(self, response: _Optional[_Union[MarkConvertedResponse, _Mapping]] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ...) -> None: ...

class MarkManyConvertedResponse(_message.Message):
    __slots__ = ("outcomes",)
    OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    outcomes: _containers.RepeatedCompositeFieldContainer[MarkConvertedOutcome]
    def __init__(self, outcomes: _Optional[_Iterable[_Union[MarkConvertedOutcome, _Mapping]]] = ...) -> None: ...

class MarkConvertedRequest(_message.Message):
    __slots__ = ("request_id", "preregistration", "transfer_case")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    PREREGISTRATION_FIELD_NUMBER: _ClassVar[int]
    TRANSFER_CASE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    preregistration: str
    transfer_case: str
    def __init__(self, request_id: _Optional[str] = ..., preregistration: _Optional[str] = ..., transfer_case: _Optional[str] = ...) -> None: ...

class MarkConvertedResponse(_message.Message):
    __slots__ = ("preregistration", "premortgage")
    PREREGISTRATION_FIELD_NUMBER: _ClassVar[int]
    PREMORTGAGE_FIELD_NUMBER: _ClassVar[int]
    preregistration: Preregistration
    premortgage: Premortgage
    def __init__(self, preregistration: _Optional[_Union[Preregistration, _Mapping]] = ..., premortgage: _Optional[_Union[Premortgage, _Mapping]] = ...) -> None: ...

class GetPreregistrationsRequest(_message.Message):
    __slots__ = ("requests",)
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[GetPreregistrationRequest]
    def __init__(self, requests: _Optional[_Iterable[_Union[GetPreregistrationRequest, _Mapping]]] = ...) -> None: ...

class GetPreregistrationOutcome(_message.Message):
    __slots__ = ("response", "error")
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    response: GetPreregistrationResponse
    error: _status_pb2.Status
    def __init__(self, response: _Optional[_Union[GetPreregistrationResponse, _Mapping]] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ...) -> None: ...

class GetPreregistrationsResponse(_message.Message):
    __slots__ = ("outcomes",)
    OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    outcomes: _containers.RepeatedCompositeFieldContainer[GetPreregistrationOutcome]
    def __init__(self, outcomes: _Optional[_Iterable[_Union[GetPreregistrationOutcome, _Mapping]]] = ...) -> None: ...

class GetPremortgagesRequest(_message.Message):
    __slots__ = ("requests",)
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[GetPremortgageRequest]
    def __init__(self, requests: _Optional[_Iterable[_Union[GetPremortgageRequest, _Mapping]]] = ...) -> None: ...

class GetPremortgageOutcome(_message.Message):
    __slots__ = ("response", "error")
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    response: GetPremortgageResponse
    error: _status_pb2.Status
    def __init__(self, response: _Optional[_Union[GetPremortgageResponse, _Mapping]] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ...) -> None: ...

class GetPremortgagesResponse(_message.Message):
    __slots__ = ("outcomes",)
    OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    outcomes: _containers.RepeatedCompositeFieldContainer[GetPremortgageOutcome]
    def __init__(self, outcomes: _Optional[_Iterable[_Union[GetPremortgageOutcome, _Mapping]]] = ...) -> None: ...
