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

class AssessmentState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ASSESSMENT_STATE_UNSPECIFIED: _ClassVar[AssessmentState]
    ASSESSMENT_STATE_ASSESSED: _ClassVar[AssessmentState]
    ASSESSMENT_STATE_PAID: _ClassVar[AssessmentState]
    ASSESSMENT_STATE_CONSUMED: _ClassVar[AssessmentState]
    ASSESSMENT_STATE_REFUNDED: _ClassVar[AssessmentState]
    ASSESSMENT_STATE_VOIDED: _ClassVar[AssessmentState]
ASSESSMENT_STATE_UNSPECIFIED: AssessmentState
ASSESSMENT_STATE_ASSESSED: AssessmentState
ASSESSMENT_STATE_PAID: AssessmentState
ASSESSMENT_STATE_CONSUMED: AssessmentState
ASSESSMENT_STATE_REFUNDED: AssessmentState
ASSESSMENT_STATE_VOIDED: AssessmentState

class WatchClearancesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class WatchClearancesResponse(_message.Message):
    __slots__ = ("contract", "resync")
    CONTRACT_FIELD_NUMBER: _ClassVar[int]
    RESYNC_FIELD_NUMBER: _ClassVar[int]
    contract: str
    resync: bool
    def __init__(self, contract: _Optional[str] = ..., resync: _Optional[bool] = ...) -> None: ...

class Assessment(_message.Message):
    __slots__ = ("name", "contract", "unit_number", "buyers", "price_ex_vat_fen", "gross_area_dm2", "home_count", "residential", "rate_basis_points", "tax_fen", "rate_basis", "state", "clearance_number", "payments", "assess_time", "update_time", "transfer_case", "paid_fen", "reassessments", "declaration_sha256", "lending_bank")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_FIELD_NUMBER: _ClassVar[int]
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    BUYERS_FIELD_NUMBER: _ClassVar[int]
    PRICE_EX_VAT_FEN_FIELD_NUMBER: _ClassVar[int]
    GROSS_AREA_DM2_FIELD_NUMBER: _ClassVar[int]
    HOME_COUNT_FIELD_NUMBER: _ClassVar[int]
    RESIDENTIAL_FIELD_NUMBER: _ClassVar[int]
    RATE_BASIS_POINTS_FIELD_NUMBER: _ClassVar[int]
    TAX_FEN_FIELD_NUMBER: _ClassVar[int]
    RATE_BASIS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CLEARANCE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    PAYMENTS_FIELD_NUMBER: _ClassVar[int]
    ASSESS_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    TRANSFER_CASE_FIELD_NUMBER: _ClassVar[int]
    PAID_FEN_FIELD_NUMBER: _ClassVar[int]
    REASSESSMENTS_FIELD_NUMBER: _ClassVar[int]
    DECLARATION_SHA256_FIELD_NUMBER: _ClassVar[int]
    LENDING_BANK_FIELD_NUMBER: _ClassVar[int]
    name: str
    contract: str
    unit_number: str
    buyers: _containers.RepeatedCompositeFieldContainer[_parties_pb2.Buyer]
    price_ex_vat_fen: int
    gross_area_dm2: int
    home_count: _parties_pb2.HomeCount
    residential: bool
    rate_basis_points: int
    tax_fen: int
    rate_basis: str
    state: AssessmentState
    clearance_number: str
    payments: _containers.RepeatedCompositeFieldContainer[Payment]
    assess_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    transfer_case: str
    paid_fen: int
    reassessments: _containers.RepeatedCompositeFieldContainer[Reassessment]
    declaration_sha256: bytes
    lending_bank: str
    def __init__(self, name: _Optional[str] = ..., contract: _Optional[str] = ..., unit_number: _Optional[str] = ..., buyers: _Optional[_Iterable[_Union[_parties_pb2.Buyer, _Mapping]]] = ..., price_ex_vat_fen: _Optional[int] = ..., gross_area_dm2: _Optional[int] = ..., home_count: _Optional[_Union[_parties_pb2.HomeCount, str]] = ..., residential: _Optional[bool] = ..., rate_basis_points: _Optional[int] = ..., tax_fen: _Optional[int] = ..., rate_basis: _Optional[str] = ..., state: _Optional[_Union[AssessmentState, str]] = ..., clearance_number: _Optional[str] = ..., payments: _Optional[_Iterable[_Union[Payment, _Mapping]]] = ..., assess_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., transfer_case: _Optional[str] = ..., paid_fen: _Optional[int] = ..., reassessments: _Optional[_Iterable[_Union[Reassessment, _Mapping]]] = ..., declaration_sha256: _Optional[bytes] = ..., lending_bank: _Optional[str] = ...) -> None: ...

class Reassessment(_message.Message):
    __slots__ = ("gross_area_dm2", "price_ex_vat_fen", "tax_fen_before", "tax_fen_after", "reason", "reassess_time")
    GROSS_AREA_DM2_FIELD_NUMBER: _ClassVar[int]
    PRICE_EX_VAT_FEN_FIELD_NUMBER: _ClassVar[int]
    TAX_FEN_BEFORE_FIELD_NUMBER: _ClassVar[int]
    TAX_FEN_AFTER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REASSESS_TIME_FIELD_NUMBER: _ClassVar[int]
    gross_area_dm2: int
    price_ex_vat_fen: int
    tax_fen_before: int
    tax_fen_after: int
    reason: str
    reassess_time: _timestamp_pb2.Timestamp
    def __init__(self, gross_area_dm2: _Optional[int] = ..., price_ex_vat_fen: _Optional[int] = ..., tax_fen_before: _Optional[int] = ..., tax_fen_after: _Optional[int] = ..., reason: _Optional[str] = ..., reassess_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ReassessDeedTaxRequest(_message.Message):
    __slots__ = ("request_id", "assessment", "gross_area_dm2", "price_ex_vat_fen", "reason")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ASSESSMENT_FIELD_NUMBER: _ClassVar[int]
    GROSS_AREA_DM2_FIELD_NUMBER: _ClassVar[int]
    PRICE_EX_VAT_FEN_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    assessment: str
    gross_area_dm2: int
    price_ex_vat_fen: int
    reason: str
    def __init__(self, request_id: _Optional[str] = ..., assessment: _Optional[str] = ..., gross_area_dm2: _Optional[int] = ..., price_ex_vat_fen: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class ReassessDeedTaxResponse(_message.Message):
    __slots__ = ("assessment",)
    ASSESSMENT_FIELD_NUMBER: _ClassVar[int]
    assessment: Assessment
    def __init__(self, assessment: _Optional[_Union[Assessment, _Mapping]] = ...) -> None: ...

class Payment(_message.Message):
    __slots__ = ("payment_reference", "amount_fen", "paid_time", "recorded_by")
    PAYMENT_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    PAID_TIME_FIELD_NUMBER: _ClassVar[int]
    RECORDED_BY_FIELD_NUMBER: _ClassVar[int]
    payment_reference: str
    amount_fen: int
    paid_time: _timestamp_pb2.Timestamp
    recorded_by: str
    def __init__(self, payment_reference: _Optional[str] = ..., amount_fen: _Optional[int] = ..., paid_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., recorded_by: _Optional[str] = ...) -> None: ...

class AssessDeedTaxRequest(_message.Message):
    __slots__ = ("request_id", "contract", "unit_number", "buyers", "price_ex_vat_fen", "gross_area_dm2", "home_count", "residential")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_FIELD_NUMBER: _ClassVar[int]
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    BUYERS_FIELD_NUMBER: _ClassVar[int]
    PRICE_EX_VAT_FEN_FIELD_NUMBER: _ClassVar[int]
    GROSS_AREA_DM2_FIELD_NUMBER: _ClassVar[int]
    HOME_COUNT_FIELD_NUMBER: _ClassVar[int]
    RESIDENTIAL_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    contract: str
    unit_number: str
    buyers: _containers.RepeatedCompositeFieldContainer[_parties_pb2.Buyer]
    price_ex_vat_fen: int
    gross_area_dm2: int
    home_count: _parties_pb2.HomeCount
    residential: bool
    def __init__(self, request_id: _Optional[str] = ..., contract: _Optional[str] = ..., unit_number: _Optional[str] = ..., buyers: _Optional[_Iterable[_Union[_parties_pb2.Buyer, _Mapping]]] = ..., price_ex_vat_fen: _Optional[int] = ..., gross_area_dm2: _Optional[int] = ..., home_count: _Optional[_Union[_parties_pb2.HomeCount, str]] = ..., residential: _Optional[bool] = ...) -> None: ...

class AssessDeedTaxResponse(_message.Message):
    __slots__ = ("assessment",)
    ASSESSMENT_FIELD_NUMBER: _ClassVar[int]
    assessment: Assessment
    def __init__(self, assessment: _Optional[_Union[Assessment, _Mapping]] = ...) -> None: ...

class GetAssessmentRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetAssessmentResponse(_message.Message):
    __slots__ = ("assessment",)
    ASSESSMENT_FIELD_NUMBER: _ClassVar[int]
    assessment: Assessment
    def __init__(self, assessment: _Optional[_Union[Assessment, _Mapping]] = ...) -> None: ...

class ListAssessmentsRequest(_message.Message):
    __slots__ = ("contract", "state", "page_size", "page_token")
    CONTRACT_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    contract: str
    state: AssessmentState
    page_size: int
    page_token: str
    def __init__(self, contract: _Optional[str] = ..., state: _Optional[_Union[AssessmentState, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAssessmentsResponse(_message.Message):
    __slots__ = ("assessments", "next_page_token")
    ASSESSMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    assessments: _containers.RepeatedCompositeFieldContainer[Assessment]
    next_page_token: str
    def __init__(self, assessments: _Optional[_Iterable[_Union[Assessment, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class RecordPaymentRequest(_message.Message):
    __slots__ = ("request_id", "assessment", "payment")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ASSESSMENT_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    assessment: str
    payment: Payment
    def __init__(self, request_id: _Optional[str] = ..., assessment: _Optional[str] = ..., payment: _Optional[_Union[Payment, _Mapping]] = ...) -> None: ...

class RecordPaymentResponse(_message.Message):
    __slots__ = ("assessment",)
    ASSESSMENT_FIELD_NUMBER: _ClassVar[int]
    assessment: Assessment
    def __init__(self, assessment: _Optional[_Union[Assessment, _Mapping]] = ...) -> None: ...

class GetClearanceRequest(_message.Message):
    __slots__ = ("contract",)
    CONTRACT_FIELD_NUMBER: _ClassVar[int]
    contract: str
    def __init__(self, contract: _Optional[str] = ...) -> None: ...

class Clearance(_message.Message):
    __slots__ = ("clearance_number", "contract", "unit_number", "tax_fen", "paid_time", "paid_by")
    CLEARANCE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_FIELD_NUMBER: _ClassVar[int]
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    TAX_FEN_FIELD_NUMBER: _ClassVar[int]
    PAID_TIME_FIELD_NUMBER: _ClassVar[int]
    PAID_BY_FIELD_NUMBER: _ClassVar[int]
    clearance_number: str
    contract: str
    unit_number: str
    tax_fen: int
    paid_time: _timestamp_pb2.Timestamp
    paid_by: str
    def __init__(self, clearance_number: _Optional[str] = ..., contract: _Optional[str] = ..., unit_number: _Optional[str] = ..., tax_fen: _Optional[int] = ..., paid_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., paid_by: _Optional[str] = ...) -> None: ...

class GetClearanceResponse(_message.Message):
    __slots__ = ("clearance",)
    CLEARANCE_FIELD_NUMBER: _ClassVar[int]
    clearance: Clearance
    def __init__(self, clearance: _Optional[_Union[Clearance, _Mapping]] = ...) -> None: ...

class RefundDeedTaxRequest(_message.Message):
    __slots__ = ("request_id", "assessment", "reason")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ASSESSMENT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    assessment: str
    reason: str
    def __init__(self, request_id: _Optional[str] = ..., assessment: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class RefundDeedTaxResponse(_message.Message):
    __slots__ = ("assessment", "refund_fen")
    ASSESSMENT_FIELD_NUMBER: _ClassVar[int]
    REFUND_FEN_FIELD_NUMBER: _ClassVar[int]
    assessment: Assessment
    refund_fen: int
    def __init__(self, assessment: _Optional[_Union[Assessment, _Mapping]] = ..., refund_fen: _Optional[int] = ...) -> None: ...

class ConsumeClearancesRequest(_message.Message):
    __slots__ = ("requests",)
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[ConsumeClearanceRequest]
    def __init__(self, requests: _Optional[_Iterable[_Union[ConsumeClearanceRequest, _Mapping]]] = ...) -> None: ...

class ConsumeClearanceOutcome(_message.Message):
    __slots__ = ("response", "error")
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    response: ConsumeClearanceResponse
    error: _status_pb2.Status
    def __init__(self, response: _Optional[_Union[ConsumeClearanceResponse, _Mapping]] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ...) -> None: ...

class ConsumeClearancesResponse(_message.Message):
    __slots__ = ("outcomes",)
    OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    outcomes: _containers.RepeatedCompositeFieldContainer[ConsumeClearanceOutcome]
    def __init__(self, outcomes: _Optional[_Iterable[_Union[ConsumeClearanceOutcome, _Mapping]]] = ...) -> None: ...

class ConsumeClearanceRequest(_message.Message):
    __slots__ = ("request_id", "clearance_number", "transfer_case")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CLEARANCE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    TRANSFER_CASE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    clearance_number: str
    transfer_case: str
    def __init__(self, request_id: _Optional[str] = ..., clearance_number: _Optional[str] = ..., transfer_case: _Optional[str] = ...) -> None: ...

class ConsumeClearanceResponse(_message.Message):
    __slots__ = ("assessment",)
    ASSESSMENT_FIELD_NUMBER: _ClassVar[int]
    assessment: Assessment
    def __init__(self, assessment: _Optional[_Union[Assessment, _Mapping]] = ...) -> None: ...

class ReleaseClearanceRequest(_message.Message):
    __slots__ = ("request_id", "clearance_number", "transfer_case")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CLEARANCE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    TRANSFER_CASE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    clearance_number: str
    transfer_case: str
    def __init__(self, request_id: _Optional[str] = ..., clearance_number: _Optional[str] = ..., transfer_case: _Optional[str] = ...) -> None: ...

class ReleaseClearanceResponse(_message.Message):
    __slots__ = ("assessment",)
    ASSESSMENT_FIELD_NUMBER: _ClassVar[int]
    assessment: Assessment
    def __init__(self, assessment: _Optional[_Union[Assessment, _Mapping]] = ...) -> None: ...

class GetClearancesRequest(_message.Message):
    __slots__ = ("requests",)
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[GetClearanceRequest]
    def __init__(self, requests: _Optional[_Iterable[_Union[GetClearanceRequest, _Mapping]]] = ...) -> None: ...

class GetClearanceOutcome(_message.Message):
    __slots__ = ("response", "error")
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    response: GetClearanceResponse
    error: _status_pb2.Status
    def __init__(self, response: _Optional[_Union[GetClearanceResponse, _Mapping]] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ...) -> None: ...

class GetClearancesResponse(_message.Message):
    __slots__ = ("outcomes",)
    OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    outcomes: _containers.RepeatedCompositeFieldContainer[GetClearanceOutcome]
    def __init__(self, outcomes: _Optional[_Iterable[_Union[GetClearanceOutcome, _Mapping]]] = ...) -> None: ...
