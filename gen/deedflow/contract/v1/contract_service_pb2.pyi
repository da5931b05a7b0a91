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

class UnitSaleState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    UNIT_SALE_STATE_UNSPECIFIED: _ClassVar[UnitSaleState]
    UNIT_SALE_STATE_ON_SALE: _ClassVar[UnitSaleState]
    UNIT_SALE_STATE_CONTRACTING: _ClassVar[UnitSaleState]
    UNIT_SALE_STATE_CONTRACTED: _ClassVar[UnitSaleState]
    UNIT_SALE_STATE_TRANSFERRED: _ClassVar[UnitSaleState]
    UNIT_SALE_STATE_RESTRICTED: _ClassVar[UnitSaleState]

class ContractState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONTRACT_STATE_UNSPECIFIED: _ClassVar[ContractState]
    CONTRACT_STATE_DRAFTED: _ClassVar[ContractState]
    CONTRACT_STATE_SIGNED: _ClassVar[ContractState]
    CONTRACT_STATE_FILED: _ClassVar[ContractState]
    CONTRACT_STATE_TRANSFERRED: _ClassVar[ContractState]
    CONTRACT_STATE_CANCELLED: _ClassVar[ContractState]
UNIT_SALE_STATE_UNSPECIFIED: UnitSaleState
UNIT_SALE_STATE_ON_SALE: UnitSaleState
UNIT_SALE_STATE_CONTRACTING: UnitSaleState
UNIT_SALE_STATE_CONTRACTED: UnitSaleState
UNIT_SALE_STATE_TRANSFERRED: UnitSaleState
UNIT_SALE_STATE_RESTRICTED: UnitSaleState
CONTRACT_STATE_UNSPECIFIED: ContractState
CONTRACT_STATE_DRAFTED: ContractState
CONTRACT_STATE_SIGNED: ContractState
CONTRACT_STATE_FILED: ContractState
CONTRACT_STATE_TRANSFERRED: ContractState
CONTRACT_STATE_CANCELLED: ContractState

class Project(_message.Message):
    __slots__ = ("name", "display_name", "presale_permit_number", "developer", "building_numbers", "permit_time", "create_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    PRESALE_PERMIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    DEVELOPER_FIELD_NUMBER: _ClassVar[int]
    BUILDING_NUMBERS_FIELD_NUMBER: _ClassVar[int]
    PERMIT_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    presale_permit_number: str
    developer: _parties_pb2.Organization
    building_numbers: _containers.RepeatedScalarFieldContainer[str]
    permit_time: _timestamp_pb2.Timestamp
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., presale_permit_number: _Optional[str] = ..., developer: _Optional[_Union[_parties_pb2.Organization, _Mapping]] = ..., building_numbers: _Optional[_Iterable[str]] = ..., permit_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Unit(_message.Message):
    __slots__ = ("name", "unit_number", "project", "room_label", "gross_area_dm2", "residential", "sale_state", "contract", "developer_uscc")
    NAME_FIELD_NUMBER: _ClassVar[int]
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ROOM_LABEL_FIELD_NUMBER: _ClassVar[int]
    GROSS_AREA_DM2_FIELD_NUMBER: _ClassVar[int]
    RESIDENTIAL_FIELD_NUMBER: _ClassVar[int]
    SALE_STATE_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_FIELD_NUMBER: _ClassVar[int]
    DEVELOPER_USCC_FIELD_NUMBER: _ClassVar[int]
    name: str
    unit_number: str
    project: str
    room_label: str
    gross_area_dm2: int
    residential: bool
    sale_state: UnitSaleState
    contract: str
    developer_uscc: str
    def __init__(self, name: _Optional[str] = ..., unit_number: _Optional[str] = ..., project: _Optional[str] = ..., room_label: _Optional[str] = ..., gross_area_dm2: _Optional[int] = ..., residential: _Optional[bool] = ..., sale_state: _Optional[_Union[UnitSaleState, str]] = ..., contract: _Optional[str] = ..., developer_uscc: _Optional[str] = ...) -> None: ...

class ProjectUnit(_message.Message):
    __slots__ = ("unit_number", "room_label", "gross_area_dm2", "residential")
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    ROOM_LABEL_FIELD_NUMBER: _ClassVar[int]
    GROSS_AREA_DM2_FIELD_NUMBER: _ClassVar[int]
    RESIDENTIAL_FIELD_NUMBER: _ClassVar[int]
    unit_number: str
    room_label: str
    gross_area_dm2: int
    residential: bool
    def __init__(self, unit_number: _Optional[str] = ..., room_label: _Optional[str] = ..., gross_area_dm2: _Optional[int] = ..., residential: _Optional[bool] = ...) -> None: ...

class CreateProjectRequest(_message.Message):
    __slots__ = ("request_id", "display_name", "presale_permit_number", "developer", "units", "permit_time")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    PRESALE_PERMIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    DEVELOPER_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    PERMIT_TIME_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    display_name: str
    presale_permit_number: str
    developer: _parties_pb2.Organization
    units: _containers.RepeatedCompositeFieldContainer[ProjectUnit]
    permit_time: _timestamp_pb2.Timestamp
    def __init__(self, request_id: _Optional[str] = ..., display_name: _Optional[str] = ..., presale_permit_number: _Optional[str] = ..., developer: _Optional[_Union[_parties_pb2.Organization, _Mapping]] = ..., units: _Optional[_Iterable[_Union[ProjectUnit, _Mapping]]] = ..., permit_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateProjectResponse(_message.Message):
    __slots__ = ("project",)
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    project: Project
    def __init__(self, project: _Optional[_Union[Project, _Mapping]] = ...) -> None: ...

class GetProjectRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetProjectResponse(_message.Message):
    __slots__ = ("project",)
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    project: Project
    def __init__(self, project: _Optional[_Union[Project, _Mapping]] = ...) -> None: ...

class ListUnitsRequest(_message.Message):
    __slots__ = ("project", "building_number", "sale_state", "page_size", "page_token")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    BUILDING_NUMBER_FIELD_NUMBER: _ClassVar[int]
    SALE_STATE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    project: str
    building_number: str
    sale_state: UnitSaleState
    page_size: int
    page_token: str
    def __init__(self, project: _Optional[str] = ..., building_number: _Optional[str] = ..., sale_state: _Optional[_Union[UnitSaleState, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListUnitsResponse(_message.Message):
    __slots__ = ("units", "next_page_token")
    UNITS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    units: _containers.RepeatedCompositeFieldContainer[Unit]
    next_page_token: str
    def __init__(self, units: _Optional[_Iterable[_Union[Unit, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetUnitRequest(_message.Message):
    __slots__ = ("unit_number",)
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    unit_number: str
    def __init__(self, unit_number: _Optional[str] = ...) -> None: ...

class GetUnitResponse(_message.Message):
    __slots__ = ("unit", "blocking_reasons")
    UNIT_FIELD_NUMBER: _ClassVar[int]
    BLOCKING_REASONS_FIELD_NUMBER: _ClassVar[int]
    unit: Unit
    blocking_reasons: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, unit: _Optional[_Union[Unit, _Mapping]] = ..., blocking_reasons: _Optional[_Iterable[str]] = ...) -> None: ...

class ContractTerms(_message.Message):
    __slots__ = ("unit_number", "developer", "buyers", "price_ex_vat_fen", "vat_fen", "gross_area_dm2", "delivery_time", "with_loan", "developer_reference", "loan", "co_ownership")
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    DEVELOPER_FIELD_NUMBER: _ClassVar[int]
    BUYERS_FIELD_NUMBER: _ClassVar[int]
    PRICE_EX_VAT_FEN_FIELD_NUMBER: _ClassVar[int]
    VAT_FEN_FIELD_NUMBER: _ClassVar[int]
    GROSS_AREA_DM2_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_TIME_FIELD_NUMBER: _ClassVar[int]
    WITH_LOAN_FIELD_NUMBER: _ClassVar[int]
    DEVELOPER_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    LOAN_FIELD_NUMBER: _ClassVar[int]
    CO_OWNERSHIP_FIELD_NUMBER: _ClassVar[int]
    unit_number: str
    developer: _parties_pb2.Organization
    buyers: _containers.RepeatedCompositeFieldContainer[_parties_pb2.Buyer]
    price_ex_vat_fen: int
    vat_fen: int
    gross_area_dm2: int
    delivery_time: _timestamp_pb2.Timestamp
    with_loan: bool
    developer_reference: str
    loan: _parties_pb2.Loan
    co_ownership: _parties_pb2.CoOwnership
    def __init__(self, unit_number: _Optional[str] = ..., developer: _Optional[_Union[_parties_pb2.Organization, _Mapping]] = ..., buyers: _Optional[_Iterable[_Union[_parties_pb2.Buyer, _Mapping]]] = ..., price_ex_vat_fen: _Optional[int] = ..., vat_fen: _Optional[int] = ..., gross_area_dm2: _Optional[int] = ..., delivery_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., with_loan: _Optional[bool] = ..., developer_reference: _Optional[str] = ..., loan: _Optional[_Union[_parties_pb2.Loan, _Mapping]] = ..., co_ownership: _Optional[_Union[_parties_pb2.CoOwnership, str]] = ...) -> None: ...

class SignatureEvidence(_message.Message):
    __slots__ = ("signature", "certificate_sha256", "digest", "verify_time")
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_SHA256_FIELD_NUMBER: _ClassVar[int]
    DIGEST_FIELD_NUMBER: _ClassVar[int]
    VERIFY_TIME_FIELD_NUMBER: _ClassVar[int]
    signature: _parties_pb2.Signature
    certificate_sha256: bytes
    digest: bytes
    verify_time: _timestamp_pb2.Timestamp
    def __init__(self, signature: _Optional[_Union[_parties_pb2.Signature, _Mapping]] = ..., certificate_sha256: _Optional[bytes] = ..., digest: _Optional[bytes] = ..., verify_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Contract(_message.Message):
    __slots__ = ("name", "terms", "state", "canonical_bytes", "digest", "signatures", "pending_signers", "filing_number", "file_time", "cancellation_basis", "create_time", "update_time", "filing_due_time", "filed_late")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TERMS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CANONICAL_BYTES_FIELD_NUMBER: _ClassVar[int]
    DIGEST_FIELD_NUMBER: _ClassVar[int]
    SIGNATURES_FIELD_NUMBER: _ClassVar[int]
    PENDING_SIGNERS_FIELD_NUMBER: _ClassVar[int]
    FILING_NUMBER_FIELD_NUMBER: _ClassVar[int]
    FILE_TIME_FIELD_NUMBER: _ClassVar[int]
    CANCELLATION_BASIS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    FILING_DUE_TIME_FIELD_NUMBER: _ClassVar[int]
    FILED_LATE_FIELD_NUMBER: _ClassVar[int]
    name: str
    terms: ContractTerms
    state: ContractState
    canonical_bytes: bytes
    digest: bytes
    signatures: _containers.RepeatedCompositeFieldContainer[SignatureEvidence]
    pending_signers: _containers.RepeatedScalarFieldContainer[str]
    filing_number: str
    file_time: _timestamp_pb2.Timestamp
    cancellation_basis: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    filing_due_time: _timestamp_pb2.Timestamp
    filed_late: bool
    def __init__(self, name: _Optional[str] = ..., terms: _Optional[_Union[ContractTerms, _Mapping]] = ..., state: _Optional[_Union[ContractState, str]] = ..., canonical_bytes: _Optional[bytes] = ..., digest: _Optional[bytes] = ..., signatures: _Optional[_Iterable[_Union[SignatureEvidence, _Mapping]]] = ..., pending_signers: _Optional[_Iterable[str]] = ..., filing_number: _Optional[str] = ..., file_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., cancellation_basis: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., filing_due_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., filed_late: _Optional[bool] = ...) -> None: ...

class CreateContractRequest(_message.Message):
    __slots__ = ("request_id", "terms", "signatures")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    TERMS_FIELD_NUMBER: _ClassVar[int]
    SIGNATURES_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    terms: ContractTerms
    signatures: _containers.RepeatedCompositeFieldContainer[_parties_pb2.Signature]
    def __init__(self, request_id: _Optional[str] = ..., terms: _Optional[_Union[ContractTerms, _Mapping]] = ..., signatures: _Optional[_Iterable[_Union[_parties_pb2.Signature, _Mapping]]] = ...) -> None: ...

class CreateContractResponse(_message.Message):
    __slots__ = ("contract",)
    CONTRACT_FIELD_NUMBER: _ClassVar[int]
    contract: Contract
    def __init__(self, contract: _Optional[_Union[Contract, _Mapping]] = ...) -> None: ...

class GetContractRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetContractResponse(_message.Message):
    __slots__ = ("contract",)
    CONTRACT_FIELD_NUMBER: _ClassVar[int]
    contract: Contract
    def __init__(self, contract: _Optional[_Union[Contract, _Mapping]] = ...) -> None: ...

class ListContractsRequest(_message.Message):
    __slots__ = ("project", "unit_number", "state", "page_size", "page_token")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    project: str
    unit_number: str
    state: ContractState
    page_size: int
    page_token: str
    def __init__(self, project: _Optional[str] = ..., unit_number: _Optional[str] = ..., state: _Optional[_Union[ContractState, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListContractsResponse(_message.Message):
    __slots__ = ("contracts", "next_page_token")
    CONTRACTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    contracts: _containers.RepeatedCompositeFieldContainer[Contract]
    next_page_token: str
    def __init__(self, contracts: _Optional[_Iterable[_Union[Contract, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class SignContractRequest(_message.Message):
    __slots__ = ("request_id", "name", "signature")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    signature: _parties_pb2.Signature
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ..., signature: _Optional[_Union[_parties_pb2.Signature, _Mapping]] = ...) -> None: ...

class SignContractResponse(_message.Message):
    __slots__ = ("contract",)
    CONTRACT_FIELD_NUMBER: _ClassVar[int]
    contract: Contract
    def __init__(self, contract: _Optional[_Union[Contract, _Mapping]] = ...) -> None: ...

class FileContractRequest(_message.Message):
    __slots__ = ("request_id", "name")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class FileContractResponse(_message.Message):
    __slots__ = ("contract",)
    CONTRACT_FIELD_NUMBER: _ClassVar[int]
    contract: Contract
    def __init__(self, contract: _Optional[_Union[Contract, _Mapping]] = ...) -> None: ...

class CancelContractRequest(_message.Message):
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

class CancelContractResponse(_message.Message):
    __slots__ = ("contract",)
    CONTRACT_FIELD_NUMBER: _ClassVar[int]
    contract: Contract
    def __init__(self, contract: _Optional[_Union[Contract, _Mapping]] = ...) -> None: ...

class MarkContractsTransferredRequest(_message.Message):
    __slots__ = ("requests",)
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[MarkContractTransferredRequest]
    def __init__(self, requests: _Optional[_Iterable[_Union[MarkContractTransferredRequest, _Mapping]]] = ...) -> None: ...

class MarkContractTransferredOutcome(_message.Message):
    __slots__ = ("response", "error")
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    response: MarkContractTransferredResponse
    error: _status_pb2.Status
    def __init__(self, response: _Optional[_Union[MarkContractTransferredResponse, _Mapping]] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ...) -> None: ...

class MarkContractsTransferredResponse(_message.Message):
    __slots__ = ("outcomes",)
    OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    outcomes: _containers.RepeatedCompositeFieldContainer[MarkContractTransferredOutcome]
    def __init__(self, outcomes: _Optional[_Iterable[_Union[MarkContractTransferredOutcome, _Mapping]]] = ...) -> None: ...

class MarkContractTransferredRequest(_message.Message):
    __slots__ = ("request_id", "name", "certificate_number")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    certificate_number: str
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ..., certificate_number: _Optional[str] = ...) -> None: ...

class MarkContractTransferredResponse(_message.Message):
    __slots__ = ("contract",)
    CONTRACT_FIELD_NUMBER: _ClassVar[int]
    contract: Contract
    def __init__(self, contract: _Optional[_Union[Contract, _Mapping]] = ...) -> None: ...

class GetContractsRequest(_message.Message):
    __slots__ = ("requests",)
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[GetContractRequest]
    def __init__(self, requests: _Optional[_Iterable[_Union[GetContractRequest, _Mapping]]] = ...) -> None: ...

class GetContractOutcome(_message.Message):
    __slots__ = ("response", "error")
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    response: GetContractResponse
    error: _status_pb2.Status
    def __init__(self, response: _Optional[_Union[GetContractResponse, _Mapping]] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ...) -> None: ...

class GetContractsResponse(_message.Message):
    __slots__ = ("outcomes",)
    OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    outcomes: _containers.RepeatedCompositeFieldContainer[GetContractOutcome]
    def __init__(self, outcomes: _Optional[_Iterable[_Union[GetContractOutcome, _Mapping]]] = ...) -> None: ...
