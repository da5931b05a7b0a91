import datetime

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

class EntryKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ENTRY_KIND_UNSPECIFIED: _ClassVar[EntryKind]
    ENTRY_KIND_OWNERSHIP: _ClassVar[EntryKind]
    ENTRY_KIND_PREREGISTRATION: _ClassVar[EntryKind]
    ENTRY_KIND_PREMORTGAGE: _ClassVar[EntryKind]
    ENTRY_KIND_MORTGAGE: _ClassVar[EntryKind]
    ENTRY_KIND_SEIZURE: _ClassVar[EntryKind]
    ENTRY_KIND_PRE_SEIZURE: _ClassVar[EntryKind]
    ENTRY_KIND_OBJECTION: _ClassVar[EntryKind]
    ENTRY_KIND_CORRECTION: _ClassVar[EntryKind]
    ENTRY_KIND_AGREEMENT: _ClassVar[EntryKind]

class EntryState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ENTRY_STATE_UNSPECIFIED: _ClassVar[EntryState]
    ENTRY_STATE_PENDING: _ClassVar[EntryState]
    ENTRY_STATE_CURRENT: _ClassVar[EntryState]
    ENTRY_STATE_HISTORIC: _ClassVar[EntryState]

class Disposal(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DISPOSAL_UNSPECIFIED: _ClassVar[Disposal]
    DISPOSAL_CONTRACT: _ClassVar[Disposal]
    DISPOSAL_PREREGISTRATION: _ClassVar[Disposal]
    DISPOSAL_PREMORTGAGE: _ClassVar[Disposal]
    DISPOSAL_FIRST_REGISTRATION: _ClassVar[Disposal]
    DISPOSAL_TRANSFER: _ClassVar[Disposal]
    DISPOSAL_MORTGAGE: _ClassVar[Disposal]
    DISPOSAL_CANCELLATION: _ClassVar[Disposal]
ENTRY_KIND_UNSPECIFIED: EntryKind
ENTRY_KIND_OWNERSHIP: EntryKind
ENTRY_KIND_PREREGISTRATION: EntryKind
ENTRY_KIND_PREMORTGAGE: EntryKind
ENTRY_KIND_MORTGAGE: EntryKind
ENTRY_KIND_SEIZURE: EntryKind
ENTRY_KIND_PRE_SEIZURE: EntryKind
ENTRY_KIND_OBJECTION: EntryKind
ENTRY_KIND_CORRECTION: EntryKind
ENTRY_KIND_AGREEMENT: EntryKind
ENTRY_STATE_UNSPECIFIED: EntryState
ENTRY_STATE_PENDING: EntryState
ENTRY_STATE_CURRENT: EntryState
ENTRY_STATE_HISTORIC: EntryState
DISPOSAL_UNSPECIFIED: Disposal
DISPOSAL_CONTRACT: Disposal
DISPOSAL_PREREGISTRATION: Disposal
DISPOSAL_PREMORTGAGE: Disposal
DISPOSAL_FIRST_REGISTRATION: Disposal
DISPOSAL_TRANSFER: Disposal
DISPOSAL_MORTGAGE: Disposal
DISPOSAL_CANCELLATION: Disposal

class UnitFacts(_message.Message):
    __slots__ = ("unit_number", "address", "gross_area_dm2", "use", "presale_unit_number", "surveyed_area_dm2", "renumbered_to")
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    GROSS_AREA_DM2_FIELD_NUMBER: _ClassVar[int]
    USE_FIELD_NUMBER: _ClassVar[int]
    PRESALE_UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    SURVEYED_AREA_DM2_FIELD_NUMBER: _ClassVar[int]
    RENUMBERED_TO_FIELD_NUMBER: _ClassVar[int]
    unit_number: str
    address: str
    gross_area_dm2: int
    use: str
    presale_unit_number: str
    surveyed_area_dm2: int
    renumbered_to: str
    def __init__(self, unit_number: _Optional[str] = ..., address: _Optional[str] = ..., gross_area_dm2: _Optional[int] = ..., use: _Optional[str] = ..., presale_unit_number: _Optional[str] = ..., surveyed_area_dm2: _Optional[int] = ..., renumbered_to: _Optional[str] = ...) -> None: ...

class Entry(_message.Message):
    __slots__ = ("name", "unit_number", "sequence", "kind", "state", "holders", "share_basis_points", "amount_fen", "priority_time", "ruling", "expire_time", "queue_position", "created_by_case", "ended_by_case", "entered_by", "entry_time", "end_time", "related_entry", "note", "leaf_index", "covers_building", "carried_from", "carried_to")
    NAME_FIELD_NUMBER: _ClassVar[int]
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    HOLDERS_FIELD_NUMBER: _ClassVar[int]
    SHARE_BASIS_POINTS_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_TIME_FIELD_NUMBER: _ClassVar[int]
    RULING_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    QUEUE_POSITION_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_CASE_FIELD_NUMBER: _ClassVar[int]
    ENDED_BY_CASE_FIELD_NUMBER: _ClassVar[int]
    ENTERED_BY_FIELD_NUMBER: _ClassVar[int]
    ENTRY_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    RELATED_ENTRY_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    LEAF_INDEX_FIELD_NUMBER: _ClassVar[int]
    COVERS_BUILDING_FIELD_NUMBER: _ClassVar[int]
    CARRIED_FROM_FIELD_NUMBER: _ClassVar[int]
    CARRIED_TO_FIELD_NUMBER: _ClassVar[int]
    name: str
    unit_number: str
    sequence: int
    kind: EntryKind
    state: EntryState
    holders: _containers.RepeatedScalarFieldContainer[str]
    share_basis_points: _containers.RepeatedScalarFieldContainer[int]
    amount_fen: int
    priority_time: _timestamp_pb2.Timestamp
    ruling: _parties_pb2.CourtRuling
    expire_time: _timestamp_pb2.Timestamp
    queue_position: int
    created_by_case: str
    ended_by_case: str
    entered_by: str
    entry_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    related_entry: str
    note: str
    leaf_index: int
    covers_building: bool
    carried_from: str
    carried_to: str
    def __init__(self, name: _Optional[str] = ..., unit_number: _Optional[str] = ..., sequence: _Optional[int] = ..., kind: _Optional[_Union[EntryKind, str]] = ..., state: _Optional[_Union[EntryState, str]] = ..., holders: _Optional[_Iterable[str]] = ..., share_basis_points: _Optional[_Iterable[int]] = ..., amount_fen: _Optional[int] = ..., priority_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ruling: _Optional[_Union[_parties_pb2.CourtRuling, _Mapping]] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., queue_position: _Optional[int] = ..., created_by_case: _Optional[str] = ..., ended_by_case: _Optional[str] = ..., entered_by: _Optional[str] = ..., entry_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., related_entry: _Optional[str] = ..., note: _Optional[str] = ..., leaf_index: _Optional[int] = ..., covers_building: _Optional[bool] = ..., carried_from: _Optional[str] = ..., carried_to: _Optional[str] = ...) -> None: ...

class Unit(_message.Message):
    __slots__ = ("name", "facts", "building_number", "first_registered", "first_registration_time", "entries", "as_of_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    FACTS_FIELD_NUMBER: _ClassVar[int]
    BUILDING_NUMBER_FIELD_NUMBER: _ClassVar[int]
    FIRST_REGISTERED_FIELD_NUMBER: _ClassVar[int]
    FIRST_REGISTRATION_TIME_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    AS_OF_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    facts: UnitFacts
    building_number: str
    first_registered: bool
    first_registration_time: _timestamp_pb2.Timestamp
    entries: _containers.RepeatedCompositeFieldContainer[Entry]
    as_of_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., facts: _Optional[_Union[UnitFacts, _Mapping]] = ..., building_number: _Optional[str] = ..., first_registered: _Optional[bool] = ..., first_registration_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., entries: _Optional[_Iterable[_Union[Entry, _Mapping]]] = ..., as_of_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateBuildingRequest(_message.Message):
    __slots__ = ("request_id", "building_number", "units")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    BUILDING_NUMBER_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    building_number: str
    units: _containers.RepeatedCompositeFieldContainer[UnitFacts]
    def __init__(self, request_id: _Optional[str] = ..., building_number: _Optional[str] = ..., units: _Optional[_Iterable[_Union[UnitFacts, _Mapping]]] = ...) -> None: ...

class CreateBuildingResponse(_message.Message):
    __slots__ = ("units",)
    UNITS_FIELD_NUMBER: _ClassVar[int]
    units: _containers.RepeatedCompositeFieldContainer[Unit]
    def __init__(self, units: _Optional[_Iterable[_Union[Unit, _Mapping]]] = ...) -> None: ...

class GetUnitRequest(_message.Message):
    __slots__ = ("unit_number", "as_of_time", "with_history")
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    AS_OF_TIME_FIELD_NUMBER: _ClassVar[int]
    WITH_HISTORY_FIELD_NUMBER: _ClassVar[int]
    unit_number: str
    as_of_time: _timestamp_pb2.Timestamp
    with_history: bool
    def __init__(self, unit_number: _Optional[str] = ..., as_of_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., with_history: _Optional[bool] = ...) -> None: ...

class GetUnitResponse(_message.Message):
    __slots__ = ("unit",)
    UNIT_FIELD_NUMBER: _ClassVar[int]
    unit: Unit
    def __init__(self, unit: _Optional[_Union[Unit, _Mapping]] = ...) -> None: ...

class GetUnitsRequest(_message.Message):
    __slots__ = ("requests",)
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[GetUnitRequest]
    def __init__(self, requests: _Optional[_Iterable[_Union[GetUnitRequest, _Mapping]]] = ...) -> None: ...

class GetUnitOutcome(_message.Message):
    __slots__ = ("response", "error")
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    response: GetUnitResponse
    error: _status_pb2.Status
    def __init__(self, response: _Optional[_Union[GetUnitResponse, _Mapping]] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ...) -> None: ...

class GetUnitsResponse(_message.Message):
    __slots__ = ("outcomes",)
    OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    outcomes: _containers.RepeatedCompositeFieldContainer[GetUnitOutcome]
    def __init__(self, outcomes: _Optional[_Iterable[_Union[GetUnitOutcome, _Mapping]]] = ...) -> None: ...

class ListEntriesRequest(_message.Message):
    __slots__ = ("unit_number", "as_of_time", "page_size", "page_token")
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    AS_OF_TIME_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    unit_number: str
    as_of_time: _timestamp_pb2.Timestamp
    page_size: int
    page_token: str
    def __init__(self, unit_number: _Optional[str] = ..., as_of_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListEntriesResponse(_message.Message):
    __slots__ = ("entries", "next_page_token")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[Entry]
    next_page_token: str
    def __init__(self, entries: _Optional[_Iterable[_Union[Entry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CheckDisposalRequest(_message.Message):
    __slots__ = ("unit_number", "disposal", "beneficiaries", "application_time")
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    DISPOSAL_FIELD_NUMBER: _ClassVar[int]
    BENEFICIARIES_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_TIME_FIELD_NUMBER: _ClassVar[int]
    unit_number: str
    disposal: Disposal
    beneficiaries: _containers.RepeatedScalarFieldContainer[str]
    application_time: _timestamp_pb2.Timestamp
    def __init__(self, unit_number: _Optional[str] = ..., disposal: _Optional[_Union[Disposal, str]] = ..., beneficiaries: _Optional[_Iterable[str]] = ..., application_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Restriction(_message.Message):
    __slots__ = ("reason", "entry", "legal_basis")
    REASON_FIELD_NUMBER: _ClassVar[int]
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    LEGAL_BASIS_FIELD_NUMBER: _ClassVar[int]
    reason: str
    entry: str
    legal_basis: str
    def __init__(self, reason: _Optional[str] = ..., entry: _Optional[str] = ..., legal_basis: _Optional[str] = ...) -> None: ...

class CheckDisposalResponse(_message.Message):
    __slots__ = ("allowed", "restrictions")
    ALLOWED_FIELD_NUMBER: _ClassVar[int]
    RESTRICTIONS_FIELD_NUMBER: _ClassVar[int]
    allowed: bool
    restrictions: _containers.RepeatedCompositeFieldContainer[Restriction]
    def __init__(self, allowed: _Optional[bool] = ..., restrictions: _Optional[_Iterable[_Union[Restriction, _Mapping]]] = ...) -> None: ...

class NewEntry(_message.Message):
    __slots__ = ("kind", "holders", "share_basis_points", "amount_fen", "priority_time", "related_entry", "note")
    KIND_FIELD_NUMBER: _ClassVar[int]
    HOLDERS_FIELD_NUMBER: _ClassVar[int]
    SHARE_BASIS_POINTS_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_TIME_FIELD_NUMBER: _ClassVar[int]
    RELATED_ENTRY_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    kind: EntryKind
    holders: _containers.RepeatedScalarFieldContainer[str]
    share_basis_points: _containers.RepeatedScalarFieldContainer[int]
    amount_fen: int
    priority_time: _timestamp_pb2.Timestamp
    related_entry: str
    note: str
    def __init__(self, kind: _Optional[_Union[EntryKind, str]] = ..., holders: _Optional[_Iterable[str]] = ..., share_basis_points: _Optional[_Iterable[int]] = ..., amount_fen: _Optional[int] = ..., priority_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., related_entry: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class CommitCaseRequest(_message.Message):
    __slots__ = ("request_id", "unit_number", "registry_case", "disposal", "beneficiaries", "new_entries", "ended_entries", "issue_certificates", "issue_proofs", "ruling", "application_time")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    REGISTRY_CASE_FIELD_NUMBER: _ClassVar[int]
    DISPOSAL_FIELD_NUMBER: _ClassVar[int]
    BENEFICIARIES_FIELD_NUMBER: _ClassVar[int]
    NEW_ENTRIES_FIELD_NUMBER: _ClassVar[int]
    ENDED_ENTRIES_FIELD_NUMBER: _ClassVar[int]
    ISSUE_CERTIFICATES_FIELD_NUMBER: _ClassVar[int]
    ISSUE_PROOFS_FIELD_NUMBER: _ClassVar[int]
    RULING_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_TIME_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    unit_number: str
    registry_case: str
    disposal: Disposal
    beneficiaries: _containers.RepeatedScalarFieldContainer[str]
    new_entries: _containers.RepeatedCompositeFieldContainer[NewEntry]
    ended_entries: _containers.RepeatedScalarFieldContainer[str]
    issue_certificates: int
    issue_proofs: int
    ruling: _parties_pb2.CourtRuling
    application_time: _timestamp_pb2.Timestamp
    def __init__(self, request_id: _Optional[str] = ..., unit_number: _Optional[str] = ..., registry_case: _Optional[str] = ..., disposal: _Optional[_Union[Disposal, str]] = ..., beneficiaries: _Optional[_Iterable[str]] = ..., new_entries: _Optional[_Iterable[_Union[NewEntry, _Mapping]]] = ..., ended_entries: _Optional[_Iterable[str]] = ..., issue_certificates: _Optional[int] = ..., issue_proofs: _Optional[int] = ..., ruling: _Optional[_Union[_parties_pb2.CourtRuling, _Mapping]] = ..., application_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CommitCaseResponse(_message.Message):
    __slots__ = ("entries", "register_time", "certificate_numbers", "proof_numbers")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    REGISTER_TIME_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_NUMBERS_FIELD_NUMBER: _ClassVar[int]
    PROOF_NUMBERS_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[Entry]
    register_time: _timestamp_pb2.Timestamp
    certificate_numbers: _containers.RepeatedScalarFieldContainer[str]
    proof_numbers: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, entries: _Optional[_Iterable[_Union[Entry, _Mapping]]] = ..., register_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., certificate_numbers: _Optional[_Iterable[str]] = ..., proof_numbers: _Optional[_Iterable[str]] = ...) -> None: ...

class CommitCasesRequest(_message.Message):
    __slots__ = ("requests",)
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[CommitCaseRequest]
    def __init__(self, requests: _Optional[_Iterable[_Union[CommitCaseRequest, _Mapping]]] = ...) -> None: ...

class CommitCaseOutcome(_message.Message):
    __slots__ = ("response", "error")
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    response: CommitCaseResponse
    error: _status_pb2.Status
    def __init__(self, response: _Optional[_Union[CommitCaseResponse, _Mapping]] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ...) -> None: ...

class CommitCasesResponse(_message.Message):
    __slots__ = ("outcomes",)
    OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    outcomes: _containers.RepeatedCompositeFieldContainer[CommitCaseOutcome]
    def __init__(self, outcomes: _Optional[_Iterable[_Union[CommitCaseOutcome, _Mapping]]] = ...) -> None: ...

class RecordFirstRegistrationRequest(_message.Message):
    __slots__ = ("request_id", "building_number", "registry_case", "owner", "unit_numbers", "common_parts", "surveyed_areas", "renumbered")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    BUILDING_NUMBER_FIELD_NUMBER: _ClassVar[int]
    REGISTRY_CASE_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    UNIT_NUMBERS_FIELD_NUMBER: _ClassVar[int]
    COMMON_PARTS_FIELD_NUMBER: _ClassVar[int]
    SURVEYED_AREAS_FIELD_NUMBER: _ClassVar[int]
    RENUMBERED_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    building_number: str
    registry_case: str
    owner: str
    unit_numbers: _containers.RepeatedScalarFieldContainer[str]
    common_parts: _containers.RepeatedScalarFieldContainer[str]
    surveyed_areas: _containers.RepeatedCompositeFieldContainer[SurveyedArea]
    renumbered: _containers.RepeatedCompositeFieldContainer[Renumbering]
    def __init__(self, request_id: _Optional[str] = ..., building_number: _Optional[str] = ..., registry_case: _Optional[str] = ..., owner: _Optional[str] = ..., unit_numbers: _Optional[_Iterable[str]] = ..., common_parts: _Optional[_Iterable[str]] = ..., surveyed_areas: _Optional[_Iterable[_Union[SurveyedArea, _Mapping]]] = ..., renumbered: _Optional[_Iterable[_Union[Renumbering, _Mapping]]] = ...) -> None: ...

class Renumbering(_message.Message):
    __slots__ = ("presale_unit_number", "unit_number")
    PRESALE_UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    presale_unit_number: str
    unit_number: str
    def __init__(self, presale_unit_number: _Optional[str] = ..., unit_number: _Optional[str] = ...) -> None: ...

class SurveyedArea(_message.Message):
    __slots__ = ("unit_number", "gross_area_dm2")
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    GROSS_AREA_DM2_FIELD_NUMBER: _ClassVar[int]
    unit_number: str
    gross_area_dm2: int
    def __init__(self, unit_number: _Optional[str] = ..., gross_area_dm2: _Optional[int] = ...) -> None: ...

class RecordFirstRegistrationResponse(_message.Message):
    __slots__ = ("entries", "register_time")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    REGISTER_TIME_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[Entry]
    register_time: _timestamp_pb2.Timestamp
    def __init__(self, entries: _Optional[_Iterable[_Union[Entry, _Mapping]]] = ..., register_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SeizeUnitRequest(_message.Message):
    __slots__ = ("request_id", "unit_number", "ruling", "pre_seizure", "start_time", "end_time", "debtor", "whole_building")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    RULING_FIELD_NUMBER: _ClassVar[int]
    PRE_SEIZURE_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    DEBTOR_FIELD_NUMBER: _ClassVar[int]
    WHOLE_BUILDING_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    unit_number: str
    ruling: _parties_pb2.CourtRuling
    pre_seizure: bool
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    debtor: str
    whole_building: bool
    def __init__(self, request_id: _Optional[str] = ..., unit_number: _Optional[str] = ..., ruling: _Optional[_Union[_parties_pb2.CourtRuling, _Mapping]] = ..., pre_seizure: _Optional[bool] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., debtor: _Optional[str] = ..., whole_building: _Optional[bool] = ...) -> None: ...

class RenewSeizureRequest(_message.Message):
    __slots__ = ("request_id", "entry", "ruling", "end_time")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    RULING_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    entry: str
    ruling: _parties_pb2.CourtRuling
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, request_id: _Optional[str] = ..., entry: _Optional[str] = ..., ruling: _Optional[_Union[_parties_pb2.CourtRuling, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RenewSeizureResponse(_message.Message):
    __slots__ = ("entry",)
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    entry: Entry
    def __init__(self, entry: _Optional[_Union[Entry, _Mapping]] = ...) -> None: ...

class SeizeUnitResponse(_message.Message):
    __slots__ = ("entry",)
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    entry: Entry
    def __init__(self, entry: _Optional[_Union[Entry, _Mapping]] = ...) -> None: ...

class ReleaseSeizureRequest(_message.Message):
    __slots__ = ("request_id", "entry", "ruling")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    RULING_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    entry: str
    ruling: _parties_pb2.CourtRuling
    def __init__(self, request_id: _Optional[str] = ..., entry: _Optional[str] = ..., ruling: _Optional[_Union[_parties_pb2.CourtRuling, _Mapping]] = ...) -> None: ...

class ReleaseSeizureResponse(_message.Message):
    __slots__ = ("released", "promoted")
    RELEASED_FIELD_NUMBER: _ClassVar[int]
    PROMOTED_FIELD_NUMBER: _ClassVar[int]
    released: Entry
    promoted: Entry
    def __init__(self, released: _Optional[_Union[Entry, _Mapping]] = ..., promoted: _Optional[_Union[Entry, _Mapping]] = ...) -> None: ...

class AddObjectionRequest(_message.Message):
    __slots__ = ("request_id", "unit_number", "objector", "related_entry", "grounds")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    OBJECTOR_FIELD_NUMBER: _ClassVar[int]
    RELATED_ENTRY_FIELD_NUMBER: _ClassVar[int]
    GROUNDS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    unit_number: str
    objector: str
    related_entry: str
    grounds: str
    def __init__(self, request_id: _Optional[str] = ..., unit_number: _Optional[str] = ..., objector: _Optional[str] = ..., related_entry: _Optional[str] = ..., grounds: _Optional[str] = ...) -> None: ...

class AddObjectionResponse(_message.Message):
    __slots__ = ("entry",)
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    entry: Entry
    def __init__(self, entry: _Optional[_Union[Entry, _Mapping]] = ...) -> None: ...

class RotateBookKeyRequest(_message.Message):
    __slots__ = ("request_id", "authority", "retiring_key_id")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    AUTHORITY_FIELD_NUMBER: _ClassVar[int]
    RETIRING_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    authority: str
    retiring_key_id: bytes
    def __init__(self, request_id: _Optional[str] = ..., authority: _Optional[str] = ..., retiring_key_id: _Optional[bytes] = ...) -> None: ...

class BookKeyRange(_message.Message):
    __slots__ = ("verifier_key", "first_size", "last_size")
    VERIFIER_KEY_FIELD_NUMBER: _ClassVar[int]
    FIRST_SIZE_FIELD_NUMBER: _ClassVar[int]
    LAST_SIZE_FIELD_NUMBER: _ClassVar[int]
    verifier_key: str
    first_size: int
    last_size: int
    def __init__(self, verifier_key: _Optional[str] = ..., first_size: _Optional[int] = ..., last_size: _Optional[int] = ...) -> None: ...

class RotateBookKeyResponse(_message.Message):
    __slots__ = ("checkpoint", "note", "keys")
    CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    KEYS_FIELD_NUMBER: _ClassVar[int]
    checkpoint: _document_pb2.Checkpoint
    note: str
    keys: _containers.RepeatedCompositeFieldContainer[BookKeyRange]
    def __init__(self, checkpoint: _Optional[_Union[_document_pb2.Checkpoint, _Mapping]] = ..., note: _Optional[str] = ..., keys: _Optional[_Iterable[_Union[BookKeyRange, _Mapping]]] = ...) -> None: ...

class EraseHolderRequest(_message.Message):
    __slots__ = ("request_id", "holder", "legal_basis")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    HOLDER_FIELD_NUMBER: _ClassVar[int]
    LEGAL_BASIS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    holder: str
    legal_basis: str
    def __init__(self, request_id: _Optional[str] = ..., holder: _Optional[str] = ..., legal_basis: _Optional[str] = ...) -> None: ...

class EraseHolderResponse(_message.Message):
    __slots__ = ("entries",)
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, entries: _Optional[_Iterable[str]] = ...) -> None: ...

class LiftObjectionRequest(_message.Message):
    __slots__ = ("request_id", "entry", "lawsuit")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    LAWSUIT_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    entry: str
    lawsuit: _parties_pb2.CourtRuling
    def __init__(self, request_id: _Optional[str] = ..., entry: _Optional[str] = ..., lawsuit: _Optional[_Union[_parties_pb2.CourtRuling, _Mapping]] = ...) -> None: ...

class LiftObjectionResponse(_message.Message):
    __slots__ = ("entry",)
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    entry: Entry
    def __init__(self, entry: _Optional[_Union[Entry, _Mapping]] = ...) -> None: ...

class RequestCorrectionRequest(_message.Message):
    __slots__ = ("request_id", "entry", "grounds")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    GROUNDS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    entry: str
    grounds: str
    def __init__(self, request_id: _Optional[str] = ..., entry: _Optional[str] = ..., grounds: _Optional[str] = ...) -> None: ...

class RequestCorrectionResponse(_message.Message):
    __slots__ = ("entry",)
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    entry: Entry
    def __init__(self, entry: _Optional[_Union[Entry, _Mapping]] = ...) -> None: ...

class ResolveCorrectionRequest(_message.Message):
    __slots__ = ("request_id", "correction", "corrected")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CORRECTION_FIELD_NUMBER: _ClassVar[int]
    CORRECTED_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    correction: str
    corrected: NewEntry
    def __init__(self, request_id: _Optional[str] = ..., correction: _Optional[str] = ..., corrected: _Optional[_Union[NewEntry, _Mapping]] = ...) -> None: ...

class ResolveCorrectionResponse(_message.Message):
    __slots__ = ("entries",)
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[Entry]
    def __init__(self, entries: _Optional[_Iterable[_Union[Entry, _Mapping]]] = ...) -> None: ...

class RecordAgreementRequest(_message.Message):
    __slots__ = ("request_id", "unit_number", "related_entry", "restricts_transfer", "terms")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    RELATED_ENTRY_FIELD_NUMBER: _ClassVar[int]
    RESTRICTS_TRANSFER_FIELD_NUMBER: _ClassVar[int]
    TERMS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    unit_number: str
    related_entry: str
    restricts_transfer: bool
    terms: str
    def __init__(self, request_id: _Optional[str] = ..., unit_number: _Optional[str] = ..., related_entry: _Optional[str] = ..., restricts_transfer: _Optional[bool] = ..., terms: _Optional[str] = ...) -> None: ...

class RecordAgreementResponse(_message.Message):
    __slots__ = ("entry",)
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    entry: Entry
    def __init__(self, entry: _Optional[_Union[Entry, _Mapping]] = ...) -> None: ...

class ListBooksRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class BookSummary(_message.Message):
    __slots__ = ("authority", "district", "tree_size", "signed_tree_size", "public_key", "verifier_key", "witness_alarms")
    AUTHORITY_FIELD_NUMBER: _ClassVar[int]
    DISTRICT_FIELD_NUMBER: _ClassVar[int]
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    SIGNED_TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    VERIFIER_KEY_FIELD_NUMBER: _ClassVar[int]
    WITNESS_ALARMS_FIELD_NUMBER: _ClassVar[int]
    authority: str
    district: str
    tree_size: int
    signed_tree_size: int
    public_key: bytes
    verifier_key: str
    witness_alarms: int
    def __init__(self, authority: _Optional[str] = ..., district: _Optional[str] = ..., tree_size: _Optional[int] = ..., signed_tree_size: _Optional[int] = ..., public_key: _Optional[bytes] = ..., verifier_key: _Optional[str] = ..., witness_alarms: _Optional[int] = ...) -> None: ...

class ListBooksResponse(_message.Message):
    __slots__ = ("books",)
    BOOKS_FIELD_NUMBER: _ClassVar[int]
    books: _containers.RepeatedCompositeFieldContainer[BookSummary]
    def __init__(self, books: _Optional[_Iterable[_Union[BookSummary, _Mapping]]] = ...) -> None: ...

class GetCheckpointRequest(_message.Message):
    __slots__ = ("authority",)
    AUTHORITY_FIELD_NUMBER: _ClassVar[int]
    authority: str
    def __init__(self, authority: _Optional[str] = ...) -> None: ...

class GetCheckpointResponse(_message.Message):
    __slots__ = ("checkpoint", "public_key", "note", "verifier_key")
    CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    VERIFIER_KEY_FIELD_NUMBER: _ClassVar[int]
    checkpoint: _document_pb2.Checkpoint
    public_key: bytes
    note: str
    verifier_key: str
    def __init__(self, checkpoint: _Optional[_Union[_document_pb2.Checkpoint, _Mapping]] = ..., public_key: _Optional[bytes] = ..., note: _Optional[str] = ..., verifier_key: _Optional[str] = ...) -> None: ...

class GetInclusionProofRequest(_message.Message):
    __slots__ = ("entry", "tree_size")
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    entry: str
    tree_size: int
    def __init__(self, entry: _Optional[str] = ..., tree_size: _Optional[int] = ...) -> None: ...

class GetInclusionProofResponse(_message.Message):
    __slots__ = ("leaf_index", "tree_size", "audit_path", "leaf", "checkpoint")
    LEAF_INDEX_FIELD_NUMBER: _ClassVar[int]
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    AUDIT_PATH_FIELD_NUMBER: _ClassVar[int]
    LEAF_FIELD_NUMBER: _ClassVar[int]
    CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    leaf_index: int
    tree_size: int
    audit_path: _containers.RepeatedScalarFieldContainer[bytes]
    leaf: bytes
    checkpoint: _document_pb2.Checkpoint
    def __init__(self, leaf_index: _Optional[int] = ..., tree_size: _Optional[int] = ..., audit_path: _Optional[_Iterable[bytes]] = ..., leaf: _Optional[bytes] = ..., checkpoint: _Optional[_Union[_document_pb2.Checkpoint, _Mapping]] = ...) -> None: ...

class GetConsistencyProofRequest(_message.Message):
    __slots__ = ("first_tree_size", "second_tree_size", "authority")
    FIRST_TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    SECOND_TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    AUTHORITY_FIELD_NUMBER: _ClassVar[int]
    first_tree_size: int
    second_tree_size: int
    authority: str
    def __init__(self, first_tree_size: _Optional[int] = ..., second_tree_size: _Optional[int] = ..., authority: _Optional[str] = ...) -> None: ...

class GetConsistencyProofResponse(_message.Message):
    __slots__ = ("proof",)
    PROOF_FIELD_NUMBER: _ClassVar[int]
    proof: _containers.RepeatedScalarFieldContainer[bytes]
    def __init__(self, proof: _Optional[_Iterable[bytes]] = ...) -> None: ...

class SealDocumentRequest(_message.Message):
    __slots__ = ("entry", "kind", "number", "body")
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    entry: str
    kind: str
    number: str
    body: bytes
    def __init__(self, entry: _Optional[str] = ..., kind: _Optional[str] = ..., number: _Optional[str] = ..., body: _Optional[bytes] = ...) -> None: ...

class SealDocumentResponse(_message.Message):
    __slots__ = ("document",)
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    document: _document_pb2.SignedDocument
    def __init__(self, document: _Optional[_Union[_document_pb2.SignedDocument, _Mapping]] = ...) -> None: ...

class ListLeavesRequest(_message.Message):
    __slots__ = ("start_index", "page_size", "authority")
    START_INDEX_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    AUTHORITY_FIELD_NUMBER: _ClassVar[int]
    start_index: int
    page_size: int
    authority: str
    def __init__(self, start_index: _Optional[int] = ..., page_size: _Optional[int] = ..., authority: _Optional[str] = ...) -> None: ...

class ListLeavesResponse(_message.Message):
    __slots__ = ("leaves", "tree_size")
    LEAVES_FIELD_NUMBER: _ClassVar[int]
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    leaves: _containers.RepeatedScalarFieldContainer[bytes]
    tree_size: int
    def __init__(self, leaves: _Optional[_Iterable[bytes]] = ..., tree_size: _Optional[int] = ...) -> None: ...

class ListCheckpointsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "authority")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    AUTHORITY_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    authority: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., authority: _Optional[str] = ...) -> None: ...

class ListCheckpointsResponse(_message.Message):
    __slots__ = ("checkpoints", "next_page_token", "public_key")
    CHECKPOINTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    checkpoints: _containers.RepeatedCompositeFieldContainer[_document_pb2.Checkpoint]
    next_page_token: str
    public_key: bytes
    def __init__(self, checkpoints: _Optional[_Iterable[_Union[_document_pb2.Checkpoint, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., public_key: _Optional[bytes] = ...) -> None: ...
