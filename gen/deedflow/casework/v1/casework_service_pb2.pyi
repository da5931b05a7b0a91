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

class CaseState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CASE_STATE_UNSPECIFIED: _ClassVar[CaseState]
    CASE_STATE_LODGED: _ClassVar[CaseState]
    CASE_STATE_REQUISITIONED: _ClassVar[CaseState]
    CASE_STATE_APPROVED: _ClassVar[CaseState]
    CASE_STATE_REGISTERED: _ClassVar[CaseState]
    CASE_STATE_ISSUED: _ClassVar[CaseState]
    CASE_STATE_WITHDRAWN: _ClassVar[CaseState]
    CASE_STATE_REFUSED: _ClassVar[CaseState]
    CASE_STATE_LAPSED: _ClassVar[CaseState]

class CaseKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CASE_KIND_UNSPECIFIED: _ClassVar[CaseKind]
    CASE_KIND_PREREGISTRATION: _ClassVar[CaseKind]
    CASE_KIND_PREMORTGAGE: _ClassVar[CaseKind]
    CASE_KIND_PREREGISTRATION_CANCELLATION: _ClassVar[CaseKind]
    CASE_KIND_PREMORTGAGE_RELEASE: _ClassVar[CaseKind]
    CASE_KIND_FIRST_REGISTRATION: _ClassVar[CaseKind]
    CASE_KIND_TRANSFER: _ClassVar[CaseKind]
    CASE_KIND_MORTGAGE: _ClassVar[CaseKind]
    CASE_KIND_MORTGAGE_DISCHARGE: _ClassVar[CaseKind]
CASE_STATE_UNSPECIFIED: CaseState
CASE_STATE_LODGED: CaseState
CASE_STATE_REQUISITIONED: CaseState
CASE_STATE_APPROVED: CaseState
CASE_STATE_REGISTERED: CaseState
CASE_STATE_ISSUED: CaseState
CASE_STATE_WITHDRAWN: CaseState
CASE_STATE_REFUSED: CaseState
CASE_STATE_LAPSED: CaseState
CASE_KIND_UNSPECIFIED: CaseKind
CASE_KIND_PREREGISTRATION: CaseKind
CASE_KIND_PREMORTGAGE: CaseKind
CASE_KIND_PREREGISTRATION_CANCELLATION: CaseKind
CASE_KIND_PREMORTGAGE_RELEASE: CaseKind
CASE_KIND_FIRST_REGISTRATION: CaseKind
CASE_KIND_TRANSFER: CaseKind
CASE_KIND_MORTGAGE: CaseKind
CASE_KIND_MORTGAGE_DISCHARGE: CaseKind

class Correction(_message.Message):
    __slots__ = ("subject", "description")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    subject: str
    description: str
    def __init__(self, subject: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class CaseEvent(_message.Message):
    __slots__ = ("state", "actor", "event_time", "notes")
    STATE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    EVENT_TIME_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    state: CaseState
    actor: str
    event_time: _timestamp_pb2.Timestamp
    notes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, state: _Optional[_Union[CaseState, str]] = ..., actor: _Optional[str] = ..., event_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., notes: _Optional[_Iterable[str]] = ...) -> None: ...

class Case(_message.Message):
    __slots__ = ("name", "case_number", "kind", "state", "unit_number", "applicants", "lodge_time", "time_limit_working_days", "due_time", "corrections", "refusal_reasons", "register_time", "entries", "document_number", "history", "update_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CASE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    APPLICANTS_FIELD_NUMBER: _ClassVar[int]
    LODGE_TIME_FIELD_NUMBER: _ClassVar[int]
    TIME_LIMIT_WORKING_DAYS_FIELD_NUMBER: _ClassVar[int]
    DUE_TIME_FIELD_NUMBER: _ClassVar[int]
    CORRECTIONS_FIELD_NUMBER: _ClassVar[int]
    REFUSAL_REASONS_FIELD_NUMBER: _ClassVar[int]
    REGISTER_TIME_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    case_number: str
    kind: CaseKind
    state: CaseState
    unit_number: str
    applicants: _containers.RepeatedScalarFieldContainer[str]
    lodge_time: _timestamp_pb2.Timestamp
    time_limit_working_days: int
    due_time: _timestamp_pb2.Timestamp
    corrections: _containers.RepeatedCompositeFieldContainer[Correction]
    refusal_reasons: _containers.RepeatedScalarFieldContainer[str]
    register_time: _timestamp_pb2.Timestamp
    entries: _containers.RepeatedScalarFieldContainer[str]
    document_number: str
    history: _containers.RepeatedCompositeFieldContainer[CaseEvent]
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., case_number: _Optional[str] = ..., kind: _Optional[_Union[CaseKind, str]] = ..., state: _Optional[_Union[CaseState, str]] = ..., unit_number: _Optional[str] = ..., applicants: _Optional[_Iterable[str]] = ..., lodge_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., time_limit_working_days: _Optional[int] = ..., due_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., corrections: _Optional[_Iterable[_Union[Correction, _Mapping]]] = ..., refusal_reasons: _Optional[_Iterable[str]] = ..., register_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., entries: _Optional[_Iterable[str]] = ..., document_number: _Optional[str] = ..., history: _Optional[_Iterable[_Union[CaseEvent, _Mapping]]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListCasesRequest(_message.Message):
    __slots__ = ("states", "kinds", "lodged_before", "unit_number", "page_size", "page_token")
    STATES_FIELD_NUMBER: _ClassVar[int]
    KINDS_FIELD_NUMBER: _ClassVar[int]
    LODGED_BEFORE_FIELD_NUMBER: _ClassVar[int]
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    states: _containers.RepeatedScalarFieldContainer[CaseState]
    kinds: _containers.RepeatedScalarFieldContainer[CaseKind]
    lodged_before: _timestamp_pb2.Timestamp
    unit_number: str
    page_size: int
    page_token: str
    def __init__(self, states: _Optional[_Iterable[_Union[CaseState, str]]] = ..., kinds: _Optional[_Iterable[_Union[CaseKind, str]]] = ..., lodged_before: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., unit_number: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListCasesResponse(_message.Message):
    __slots__ = ("cases", "next_page_token")
    CASES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    cases: _containers.RepeatedCompositeFieldContainer[Case]
    next_page_token: str
    def __init__(self, cases: _Optional[_Iterable[_Union[Case, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetCaseRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetCaseResponse(_message.Message):
    __slots__ = ("case_record",)
    CASE_RECORD_FIELD_NUMBER: _ClassVar[int]
    case_record: Case
    def __init__(self, case_record: _Optional[_Union[Case, _Mapping]] = ...) -> None: ...

class RequisitionCaseRequest(_message.Message):
    __slots__ = ("request_id", "name", "corrections")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CORRECTIONS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    corrections: _containers.RepeatedCompositeFieldContainer[Correction]
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ..., corrections: _Optional[_Iterable[_Union[Correction, _Mapping]]] = ...) -> None: ...

class RequisitionCaseResponse(_message.Message):
    __slots__ = ("case_record",)
    CASE_RECORD_FIELD_NUMBER: _ClassVar[int]
    case_record: Case
    def __init__(self, case_record: _Optional[_Union[Case, _Mapping]] = ...) -> None: ...

class ResubmitCaseRequest(_message.Message):
    __slots__ = ("request_id", "name", "answers")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ANSWERS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    answers: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ..., answers: _Optional[_Iterable[str]] = ...) -> None: ...

class ResubmitCaseResponse(_message.Message):
    __slots__ = ("case_record",)
    CASE_RECORD_FIELD_NUMBER: _ClassVar[int]
    case_record: Case
    def __init__(self, case_record: _Optional[_Union[Case, _Mapping]] = ...) -> None: ...

class ApproveCaseRequest(_message.Message):
    __slots__ = ("request_id", "name")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class ApproveCaseResponse(_message.Message):
    __slots__ = ("case_record",)
    CASE_RECORD_FIELD_NUMBER: _ClassVar[int]
    case_record: Case
    def __init__(self, case_record: _Optional[_Union[Case, _Mapping]] = ...) -> None: ...

class RegisterCaseRequest(_message.Message):
    __slots__ = ("request_id", "name")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class RegisterCaseResponse(_message.Message):
    __slots__ = ("case_record",)
    CASE_RECORD_FIELD_NUMBER: _ClassVar[int]
    case_record: Case
    def __init__(self, case_record: _Optional[_Union[Case, _Mapping]] = ...) -> None: ...

class RefuseCaseRequest(_message.Message):
    __slots__ = ("request_id", "name", "reasons")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    reasons: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ..., reasons: _Optional[_Iterable[str]] = ...) -> None: ...

class RefuseCaseResponse(_message.Message):
    __slots__ = ("case_record",)
    CASE_RECORD_FIELD_NUMBER: _ClassVar[int]
    case_record: Case
    def __init__(self, case_record: _Optional[_Union[Case, _Mapping]] = ...) -> None: ...

class WithdrawCaseRequest(_message.Message):
    __slots__ = ("request_id", "name")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class WithdrawCaseResponse(_message.Message):
    __slots__ = ("case_record",)
    CASE_RECORD_FIELD_NUMBER: _ClassVar[int]
    case_record: Case
    def __init__(self, case_record: _Optional[_Union[Case, _Mapping]] = ...) -> None: ...
