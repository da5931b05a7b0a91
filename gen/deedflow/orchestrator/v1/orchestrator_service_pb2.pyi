import datetime

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

class PurchaseState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PURCHASE_STATE_UNSPECIFIED: _ClassVar[PurchaseState]
    PURCHASE_STATE_FILING: _ClassVar[PurchaseState]
    PURCHASE_STATE_AWAITING_COMPLETION: _ClassVar[PurchaseState]
    PURCHASE_STATE_TRANSFERRING: _ClassVar[PurchaseState]
    PURCHASE_STATE_CERTIFICATE_READY: _ClassVar[PurchaseState]
    PURCHASE_STATE_HANDED_OVER: _ClassVar[PurchaseState]
    PURCHASE_STATE_CANCELLING: _ClassVar[PurchaseState]
    PURCHASE_STATE_CANCELLED: _ClassVar[PurchaseState]
    PURCHASE_STATE_PARKED: _ClassVar[PurchaseState]
    PURCHASE_STATE_REJECTED: _ClassVar[PurchaseState]

class StepKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STEP_KIND_UNSPECIFIED: _ClassVar[StepKind]
    STEP_KIND_CONTRACT_SIGNED: _ClassVar[StepKind]
    STEP_KIND_CONTRACT_FILED: _ClassVar[StepKind]
    STEP_KIND_TAX_ASSESSED: _ClassVar[StepKind]
    STEP_KIND_PREREGISTERED: _ClassVar[StepKind]
    STEP_KIND_PREMORTGAGED: _ClassVar[StepKind]
    STEP_KIND_TAX_PAID: _ClassVar[StepKind]
    STEP_KIND_BUILDING_FIRST_REGISTERED: _ClassVar[StepKind]
    STEP_KIND_TRANSFERRED: _ClassVar[StepKind]
    STEP_KIND_MORTGAGE_RECORDED: _ClassVar[StepKind]
    STEP_KIND_CERTIFICATE_READY: _ClassVar[StepKind]
    STEP_KIND_HANDED_OVER: _ClassVar[StepKind]
    STEP_KIND_TAX_SETTLED: _ClassVar[StepKind]

class StepState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STEP_STATE_UNSPECIFIED: _ClassVar[StepState]
    STEP_STATE_PENDING: _ClassVar[StepState]
    STEP_STATE_RUNNING: _ClassVar[StepState]
    STEP_STATE_WAITING: _ClassVar[StepState]
    STEP_STATE_SUCCEEDED: _ClassVar[StepState]
    STEP_STATE_FAILED: _ClassVar[StepState]
    STEP_STATE_COMPENSATING: _ClassVar[StepState]
    STEP_STATE_COMPENSATED: _ClassVar[StepState]
    STEP_STATE_SKIPPED: _ClassVar[StepState]
PURCHASE_STATE_UNSPECIFIED: PurchaseState
PURCHASE_STATE_FILING: PurchaseState
PURCHASE_STATE_AWAITING_COMPLETION: PurchaseState
PURCHASE_STATE_TRANSFERRING: PurchaseState
PURCHASE_STATE_CERTIFICATE_READY: PurchaseState
PURCHASE_STATE_HANDED_OVER: PurchaseState
PURCHASE_STATE_CANCELLING: PurchaseState
PURCHASE_STATE_CANCELLED: PurchaseState
PURCHASE_STATE_PARKED: PurchaseState
PURCHASE_STATE_REJECTED: PurchaseState
STEP_KIND_UNSPECIFIED: StepKind
STEP_KIND_CONTRACT_SIGNED: StepKind
STEP_KIND_CONTRACT_FILED: StepKind
STEP_KIND_TAX_ASSESSED: StepKind
STEP_KIND_PREREGISTERED: StepKind
STEP_KIND_PREMORTGAGED: StepKind
STEP_KIND_TAX_PAID: StepKind
STEP_KIND_BUILDING_FIRST_REGISTERED: StepKind
STEP_KIND_TRANSFERRED: StepKind
STEP_KIND_MORTGAGE_RECORDED: StepKind
STEP_KIND_CERTIFICATE_READY: StepKind
STEP_KIND_HANDED_OVER: StepKind
STEP_KIND_TAX_SETTLED: StepKind
STEP_STATE_UNSPECIFIED: StepState
STEP_STATE_PENDING: StepState
STEP_STATE_RUNNING: StepState
STEP_STATE_WAITING: StepState
STEP_STATE_SUCCEEDED: StepState
STEP_STATE_FAILED: StepState
STEP_STATE_COMPENSATING: StepState
STEP_STATE_COMPENSATED: StepState
STEP_STATE_SKIPPED: StepState

class PurchaseStep(_message.Message):
    __slots__ = ("kind", "state", "start_time", "end_time", "attempts", "last_error", "next_attempt_time")
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    NEXT_ATTEMPT_TIME_FIELD_NUMBER: _ClassVar[int]
    kind: StepKind
    state: StepState
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    attempts: int
    last_error: _status_pb2.Status
    next_attempt_time: _timestamp_pb2.Timestamp
    def __init__(self, kind: _Optional[_Union[StepKind, str]] = ..., state: _Optional[_Union[StepState, str]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., attempts: _Optional[int] = ..., last_error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ..., next_attempt_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PurchaseDocuments(_message.Message):
    __slots__ = ("contract", "filing_number", "tax_assessment", "tax_fen", "tax_clearance_number", "preregistration_proof_number", "premortgage_proof_number", "certificate_numbers", "mortgage_proof_number", "preregistration", "premortgage", "transfer", "area_settlement", "tax_paid_by")
    CONTRACT_FIELD_NUMBER: _ClassVar[int]
    FILING_NUMBER_FIELD_NUMBER: _ClassVar[int]
    TAX_ASSESSMENT_FIELD_NUMBER: _ClassVar[int]
    TAX_FEN_FIELD_NUMBER: _ClassVar[int]
    TAX_CLEARANCE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    PREREGISTRATION_PROOF_NUMBER_FIELD_NUMBER: _ClassVar[int]
    PREMORTGAGE_PROOF_NUMBER_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_NUMBERS_FIELD_NUMBER: _ClassVar[int]
    MORTGAGE_PROOF_NUMBER_FIELD_NUMBER: _ClassVar[int]
    PREREGISTRATION_FIELD_NUMBER: _ClassVar[int]
    PREMORTGAGE_FIELD_NUMBER: _ClassVar[int]
    TRANSFER_FIELD_NUMBER: _ClassVar[int]
    AREA_SETTLEMENT_FIELD_NUMBER: _ClassVar[int]
    TAX_PAID_BY_FIELD_NUMBER: _ClassVar[int]
    contract: str
    filing_number: str
    tax_assessment: str
    tax_fen: int
    tax_clearance_number: str
    preregistration_proof_number: str
    premortgage_proof_number: str
    certificate_numbers: _containers.RepeatedScalarFieldContainer[str]
    mortgage_proof_number: str
    preregistration: str
    premortgage: str
    transfer: str
    area_settlement: AreaSettlement
    tax_paid_by: str
    def __init__(self, contract: _Optional[str] = ..., filing_number: _Optional[str] = ..., tax_assessment: _Optional[str] = ..., tax_fen: _Optional[int] = ..., tax_clearance_number: _Optional[str] = ..., preregistration_proof_number: _Optional[str] = ..., premortgage_proof_number: _Optional[str] = ..., certificate_numbers: _Optional[_Iterable[str]] = ..., mortgage_proof_number: _Optional[str] = ..., preregistration: _Optional[str] = ..., premortgage: _Optional[str] = ..., transfer: _Optional[str] = ..., area_settlement: _Optional[_Union[AreaSettlement, _Mapping]] = ..., tax_paid_by: _Optional[str] = ...) -> None: ...

class AreaSettlement(_message.Message):
    __slots__ = ("contract_area_dm2", "surveyed_area_dm2", "difference_basis_points", "price_adjustment_fen", "rescission_offered")
    CONTRACT_AREA_DM2_FIELD_NUMBER: _ClassVar[int]
    SURVEYED_AREA_DM2_FIELD_NUMBER: _ClassVar[int]
    DIFFERENCE_BASIS_POINTS_FIELD_NUMBER: _ClassVar[int]
    PRICE_ADJUSTMENT_FEN_FIELD_NUMBER: _ClassVar[int]
    RESCISSION_OFFERED_FIELD_NUMBER: _ClassVar[int]
    contract_area_dm2: int
    surveyed_area_dm2: int
    difference_basis_points: int
    price_adjustment_fen: int
    rescission_offered: bool
    def __init__(self, contract_area_dm2: _Optional[int] = ..., surveyed_area_dm2: _Optional[int] = ..., difference_basis_points: _Optional[int] = ..., price_adjustment_fen: _Optional[int] = ..., rescission_offered: _Optional[bool] = ...) -> None: ...

class PurchaseFiling(_message.Message):
    __slots__ = ("unit_number", "project", "developer", "buyers", "price_ex_vat_fen", "vat_fen", "gross_area_dm2", "delivery_time", "developer_reference", "signatures", "loan", "co_ownership", "certificate_per_owner")
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    DEVELOPER_FIELD_NUMBER: _ClassVar[int]
    BUYERS_FIELD_NUMBER: _ClassVar[int]
    PRICE_EX_VAT_FEN_FIELD_NUMBER: _ClassVar[int]
    VAT_FEN_FIELD_NUMBER: _ClassVar[int]
    GROSS_AREA_DM2_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_TIME_FIELD_NUMBER: _ClassVar[int]
    DEVELOPER_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    SIGNATURES_FIELD_NUMBER: _ClassVar[int]
    LOAN_FIELD_NUMBER: _ClassVar[int]
    CO_OWNERSHIP_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_PER_OWNER_FIELD_NUMBER: _ClassVar[int]
    unit_number: str
    project: str
    developer: _parties_pb2.Organization
    buyers: _containers.RepeatedCompositeFieldContainer[_parties_pb2.Buyer]
    price_ex_vat_fen: int
    vat_fen: int
    gross_area_dm2: int
    delivery_time: _timestamp_pb2.Timestamp
    developer_reference: str
    signatures: _containers.RepeatedCompositeFieldContainer[_parties_pb2.Signature]
    loan: _parties_pb2.Loan
    co_ownership: _parties_pb2.CoOwnership
    certificate_per_owner: bool
    def __init__(self, unit_number: _Optional[str] = ..., project: _Optional[str] = ..., developer: _Optional[_Union[_parties_pb2.Organization, _Mapping]] = ..., buyers: _Optional[_Iterable[_Union[_parties_pb2.Buyer, _Mapping]]] = ..., price_ex_vat_fen: _Optional[int] = ..., vat_fen: _Optional[int] = ..., gross_area_dm2: _Optional[int] = ..., delivery_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., developer_reference: _Optional[str] = ..., signatures: _Optional[_Iterable[_Union[_parties_pb2.Signature, _Mapping]]] = ..., loan: _Optional[_Union[_parties_pb2.Loan, _Mapping]] = ..., co_ownership: _Optional[_Union[_parties_pb2.CoOwnership, str]] = ..., certificate_per_owner: _Optional[bool] = ...) -> None: ...

class Purchase(_message.Message):
    __slots__ = ("name", "filing", "state", "steps", "documents", "version", "problem", "building_number", "create_time", "update_time", "handover_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    FILING_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    PROBLEM_FIELD_NUMBER: _ClassVar[int]
    BUILDING_NUMBER_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    HANDOVER_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    filing: PurchaseFiling
    state: PurchaseState
    steps: _containers.RepeatedCompositeFieldContainer[PurchaseStep]
    documents: PurchaseDocuments
    version: int
    problem: _status_pb2.Status
    building_number: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    handover_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., filing: _Optional[_Union[PurchaseFiling, _Mapping]] = ..., state: _Optional[_Union[PurchaseState, str]] = ..., steps: _Optional[_Iterable[_Union[PurchaseStep, _Mapping]]] = ..., documents: _Optional[_Union[PurchaseDocuments, _Mapping]] = ..., version: _Optional[int] = ..., problem: _Optional[_Union[_status_pb2.Status, _Mapping]] = ..., building_number: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., handover_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class FilePurchaseRequest(_message.Message):
    __slots__ = ("request_id", "filing")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    FILING_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    filing: PurchaseFiling
    def __init__(self, request_id: _Optional[str] = ..., filing: _Optional[_Union[PurchaseFiling, _Mapping]] = ...) -> None: ...

class FilePurchaseResponse(_message.Message):
    __slots__ = ("purchase",)
    PURCHASE_FIELD_NUMBER: _ClassVar[int]
    purchase: Purchase
    def __init__(self, purchase: _Optional[_Union[Purchase, _Mapping]] = ...) -> None: ...

class GetPurchaseRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetPurchaseResponse(_message.Message):
    __slots__ = ("purchase",)
    PURCHASE_FIELD_NUMBER: _ClassVar[int]
    purchase: Purchase
    def __init__(self, purchase: _Optional[_Union[Purchase, _Mapping]] = ...) -> None: ...

class ListPurchasesRequest(_message.Message):
    __slots__ = ("developer_uscc", "building_number", "state", "page_size", "page_token")
    DEVELOPER_USCC_FIELD_NUMBER: _ClassVar[int]
    BUILDING_NUMBER_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    developer_uscc: str
    building_number: str
    state: PurchaseState
    page_size: int
    page_token: str
    def __init__(self, developer_uscc: _Optional[str] = ..., building_number: _Optional[str] = ..., state: _Optional[_Union[PurchaseState, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListPurchasesResponse(_message.Message):
    __slots__ = ("purchases", "next_page_token")
    PURCHASES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    purchases: _containers.RepeatedCompositeFieldContainer[Purchase]
    next_page_token: str
    def __init__(self, purchases: _Optional[_Iterable[_Union[Purchase, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class WatchPurchaseRequest(_message.Message):
    __slots__ = ("name", "after_version")
    NAME_FIELD_NUMBER: _ClassVar[int]
    AFTER_VERSION_FIELD_NUMBER: _ClassVar[int]
    name: str
    after_version: int
    def __init__(self, name: _Optional[str] = ..., after_version: _Optional[int] = ...) -> None: ...

class WatchPurchaseResponse(_message.Message):
    __slots__ = ("purchase",)
    PURCHASE_FIELD_NUMBER: _ClassVar[int]
    purchase: Purchase
    def __init__(self, purchase: _Optional[_Union[Purchase, _Mapping]] = ...) -> None: ...

class BuildingCompletion(_message.Message):
    __slots__ = ("name", "building_number", "first_registration_case", "first_registration_time", "outcomes", "create_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    BUILDING_NUMBER_FIELD_NUMBER: _ClassVar[int]
    FIRST_REGISTRATION_CASE_FIELD_NUMBER: _ClassVar[int]
    FIRST_REGISTRATION_TIME_FIELD_NUMBER: _ClassVar[int]
    OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    building_number: str
    first_registration_case: str
    first_registration_time: _timestamp_pb2.Timestamp
    outcomes: _containers.RepeatedCompositeFieldContainer[UnitOutcome]
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., building_number: _Optional[str] = ..., first_registration_case: _Optional[str] = ..., first_registration_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., outcomes: _Optional[_Iterable[_Union[UnitOutcome, _Mapping]]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class UnitOutcome(_message.Message):
    __slots__ = ("unit_number", "purchase", "state", "error")
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    PURCHASE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    unit_number: str
    purchase: str
    state: PurchaseState
    error: _status_pb2.Status
    def __init__(self, unit_number: _Optional[str] = ..., purchase: _Optional[str] = ..., state: _Optional[_Union[PurchaseState, str]] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ...) -> None: ...

class SurveyedUnit(_message.Message):
    __slots__ = ("presale_unit_number", "unit_number", "gross_area_dm2")
    PRESALE_UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    GROSS_AREA_DM2_FIELD_NUMBER: _ClassVar[int]
    presale_unit_number: str
    unit_number: str
    gross_area_dm2: int
    def __init__(self, presale_unit_number: _Optional[str] = ..., unit_number: _Optional[str] = ..., gross_area_dm2: _Optional[int] = ...) -> None: ...

class CompleteBuildingRequest(_message.Message):
    __slots__ = ("request_id", "building_number", "completion_record_number", "accept_time", "survey", "common_parts")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    BUILDING_NUMBER_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_RECORD_NUMBER_FIELD_NUMBER: _ClassVar[int]
    ACCEPT_TIME_FIELD_NUMBER: _ClassVar[int]
    SURVEY_FIELD_NUMBER: _ClassVar[int]
    COMMON_PARTS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    building_number: str
    completion_record_number: str
    accept_time: _timestamp_pb2.Timestamp
    survey: _containers.RepeatedCompositeFieldContainer[SurveyedUnit]
    common_parts: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, request_id: _Optional[str] = ..., building_number: _Optional[str] = ..., completion_record_number: _Optional[str] = ..., accept_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., survey: _Optional[_Iterable[_Union[SurveyedUnit, _Mapping]]] = ..., common_parts: _Optional[_Iterable[str]] = ...) -> None: ...

class CompleteBuildingResponse(_message.Message):
    __slots__ = ("completion",)
    COMPLETION_FIELD_NUMBER: _ClassVar[int]
    completion: BuildingCompletion
    def __init__(self, completion: _Optional[_Union[BuildingCompletion, _Mapping]] = ...) -> None: ...

class GetBuildingCompletionRequest(_message.Message):
    __slots__ = ("building_number",)
    BUILDING_NUMBER_FIELD_NUMBER: _ClassVar[int]
    building_number: str
    def __init__(self, building_number: _Optional[str] = ...) -> None: ...

class GetBuildingCompletionResponse(_message.Message):
    __slots__ = ("completion",)
    COMPLETION_FIELD_NUMBER: _ClassVar[int]
    completion: BuildingCompletion
    def __init__(self, completion: _Optional[_Union[BuildingCompletion, _Mapping]] = ...) -> None: ...

class ConfirmHandoverRequest(_message.Message):
    __slots__ = ("request_id", "name", "handover_time")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    HANDOVER_TIME_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    handover_time: _timestamp_pb2.Timestamp
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ..., handover_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ConfirmHandoverResponse(_message.Message):
    __slots__ = ("purchase",)
    PURCHASE_FIELD_NUMBER: _ClassVar[int]
    purchase: Purchase
    def __init__(self, purchase: _Optional[_Union[Purchase, _Mapping]] = ...) -> None: ...

class CancelPurchaseRequest(_message.Message):
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

class CancelPurchaseResponse(_message.Message):
    __slots__ = ("purchase",)
    PURCHASE_FIELD_NUMBER: _ClassVar[int]
    purchase: Purchase
    def __init__(self, purchase: _Optional[_Union[Purchase, _Mapping]] = ...) -> None: ...

class ResumePurchaseRequest(_message.Message):
    __slots__ = ("request_id", "name", "note", "withdraw_cancellation")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    WITHDRAW_CANCELLATION_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    note: str
    withdraw_cancellation: bool
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ..., note: _Optional[str] = ..., withdraw_cancellation: _Optional[bool] = ...) -> None: ...

class ResumePurchaseResponse(_message.Message):
    __slots__ = ("purchase",)
    PURCHASE_FIELD_NUMBER: _ClassVar[int]
    purchase: Purchase
    def __init__(self, purchase: _Optional[_Union[Purchase, _Mapping]] = ...) -> None: ...
