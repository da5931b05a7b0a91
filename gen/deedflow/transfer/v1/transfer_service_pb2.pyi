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

class SiteInspectionOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SITE_INSPECTION_OUTCOME_UNSPECIFIED: _ClassVar[SiteInspectionOutcome]
    SITE_INSPECTION_OUTCOME_AS_DESCRIBED: _ClassVar[SiteInspectionOutcome]
    SITE_INSPECTION_OUTCOME_NOT_AS_DESCRIBED: _ClassVar[SiteInspectionOutcome]

class RegistrationState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REGISTRATION_STATE_UNSPECIFIED: _ClassVar[RegistrationState]
    REGISTRATION_STATE_LODGED: _ClassVar[RegistrationState]
    REGISTRATION_STATE_REGISTERED: _ClassVar[RegistrationState]
    REGISTRATION_STATE_ABANDONED: _ClassVar[RegistrationState]
SITE_INSPECTION_OUTCOME_UNSPECIFIED: SiteInspectionOutcome
SITE_INSPECTION_OUTCOME_AS_DESCRIBED: SiteInspectionOutcome
SITE_INSPECTION_OUTCOME_NOT_AS_DESCRIBED: SiteInspectionOutcome
REGISTRATION_STATE_UNSPECIFIED: RegistrationState
REGISTRATION_STATE_LODGED: RegistrationState
REGISTRATION_STATE_REGISTERED: RegistrationState
REGISTRATION_STATE_ABANDONED: RegistrationState

class AsBuiltUnit(_message.Message):
    __slots__ = ("presale_unit_number", "unit_number", "gross_area_dm2", "use")
    PRESALE_UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    GROSS_AREA_DM2_FIELD_NUMBER: _ClassVar[int]
    USE_FIELD_NUMBER: _ClassVar[int]
    presale_unit_number: str
    unit_number: str
    gross_area_dm2: int
    use: str
    def __init__(self, presale_unit_number: _Optional[str] = ..., unit_number: _Optional[str] = ..., gross_area_dm2: _Optional[int] = ..., use: _Optional[str] = ...) -> None: ...

class CompletionAcceptance(_message.Message):
    __slots__ = ("record_number", "accept_time", "survey_report_number")
    RECORD_NUMBER_FIELD_NUMBER: _ClassVar[int]
    ACCEPT_TIME_FIELD_NUMBER: _ClassVar[int]
    SURVEY_REPORT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    record_number: str
    accept_time: _timestamp_pb2.Timestamp
    survey_report_number: str
    def __init__(self, record_number: _Optional[str] = ..., accept_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., survey_report_number: _Optional[str] = ...) -> None: ...

class SiteInspection(_message.Message):
    __slots__ = ("name", "building_number", "outcome", "findings", "inspector", "inspect_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    BUILDING_NUMBER_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    FINDINGS_FIELD_NUMBER: _ClassVar[int]
    INSPECTOR_FIELD_NUMBER: _ClassVar[int]
    INSPECT_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    building_number: str
    outcome: SiteInspectionOutcome
    findings: str
    inspector: str
    inspect_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., building_number: _Optional[str] = ..., outcome: _Optional[_Union[SiteInspectionOutcome, str]] = ..., findings: _Optional[str] = ..., inspector: _Optional[str] = ..., inspect_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RecordSiteInspectionRequest(_message.Message):
    __slots__ = ("request_id", "building_number", "outcome", "findings")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    BUILDING_NUMBER_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    FINDINGS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    building_number: str
    outcome: SiteInspectionOutcome
    findings: str
    def __init__(self, request_id: _Optional[str] = ..., building_number: _Optional[str] = ..., outcome: _Optional[_Union[SiteInspectionOutcome, str]] = ..., findings: _Optional[str] = ...) -> None: ...

class RecordSiteInspectionResponse(_message.Message):
    __slots__ = ("site_inspection",)
    SITE_INSPECTION_FIELD_NUMBER: _ClassVar[int]
    site_inspection: SiteInspection
    def __init__(self, site_inspection: _Optional[_Union[SiteInspection, _Mapping]] = ...) -> None: ...

class FirstRegistration(_message.Message):
    __slots__ = ("name", "building_number", "developer", "completion", "units", "common_parts", "state", "registry_case", "register_time", "site_inspection")
    NAME_FIELD_NUMBER: _ClassVar[int]
    BUILDING_NUMBER_FIELD_NUMBER: _ClassVar[int]
    DEVELOPER_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    COMMON_PARTS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REGISTRY_CASE_FIELD_NUMBER: _ClassVar[int]
    REGISTER_TIME_FIELD_NUMBER: _ClassVar[int]
    SITE_INSPECTION_FIELD_NUMBER: _ClassVar[int]
    name: str
    building_number: str
    developer: _parties_pb2.Organization
    completion: CompletionAcceptance
    units: _containers.RepeatedCompositeFieldContainer[AsBuiltUnit]
    common_parts: _containers.RepeatedScalarFieldContainer[str]
    state: RegistrationState
    registry_case: str
    register_time: _timestamp_pb2.Timestamp
    site_inspection: SiteInspection
    def __init__(self, name: _Optional[str] = ..., building_number: _Optional[str] = ..., developer: _Optional[_Union[_parties_pb2.Organization, _Mapping]] = ..., completion: _Optional[_Union[CompletionAcceptance, _Mapping]] = ..., units: _Optional[_Iterable[_Union[AsBuiltUnit, _Mapping]]] = ..., common_parts: _Optional[_Iterable[str]] = ..., state: _Optional[_Union[RegistrationState, str]] = ..., registry_case: _Optional[str] = ..., register_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., site_inspection: _Optional[_Union[SiteInspection, _Mapping]] = ...) -> None: ...

class LodgeFirstRegistrationRequest(_message.Message):
    __slots__ = ("request_id", "building_number", "developer", "completion", "units", "common_parts", "auto_register")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    BUILDING_NUMBER_FIELD_NUMBER: _ClassVar[int]
    DEVELOPER_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    COMMON_PARTS_FIELD_NUMBER: _ClassVar[int]
    AUTO_REGISTER_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    building_number: str
    developer: _parties_pb2.Organization
    completion: CompletionAcceptance
    units: _containers.RepeatedCompositeFieldContainer[AsBuiltUnit]
    common_parts: _containers.RepeatedScalarFieldContainer[str]
    auto_register: bool
    def __init__(self, request_id: _Optional[str] = ..., building_number: _Optional[str] = ..., developer: _Optional[_Union[_parties_pb2.Organization, _Mapping]] = ..., completion: _Optional[_Union[CompletionAcceptance, _Mapping]] = ..., units: _Optional[_Iterable[_Union[AsBuiltUnit, _Mapping]]] = ..., common_parts: _Optional[_Iterable[str]] = ..., auto_register: _Optional[bool] = ...) -> None: ...

class LodgeFirstRegistrationResponse(_message.Message):
    __slots__ = ("first_registration", "case_record")
    FIRST_REGISTRATION_FIELD_NUMBER: _ClassVar[int]
    CASE_RECORD_FIELD_NUMBER: _ClassVar[int]
    first_registration: FirstRegistration
    case_record: _casework_service_pb2.Case
    def __init__(self, first_registration: _Optional[_Union[FirstRegistration, _Mapping]] = ..., case_record: _Optional[_Union[_casework_service_pb2.Case, _Mapping]] = ...) -> None: ...

class GetFirstRegistrationRequest(_message.Message):
    __slots__ = ("building_number",)
    BUILDING_NUMBER_FIELD_NUMBER: _ClassVar[int]
    building_number: str
    def __init__(self, building_number: _Optional[str] = ...) -> None: ...

class GetFirstRegistrationResponse(_message.Message):
    __slots__ = ("first_registration",)
    FIRST_REGISTRATION_FIELD_NUMBER: _ClassVar[int]
    first_registration: FirstRegistration
    def __init__(self, first_registration: _Optional[_Union[FirstRegistration, _Mapping]] = ...) -> None: ...

class TransferApplication(_message.Message):
    __slots__ = ("unit_number", "contract", "preregistration", "premortgage", "buyers", "developer", "certificate_per_owner", "co_ownership")
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_FIELD_NUMBER: _ClassVar[int]
    PREREGISTRATION_FIELD_NUMBER: _ClassVar[int]
    PREMORTGAGE_FIELD_NUMBER: _ClassVar[int]
    BUYERS_FIELD_NUMBER: _ClassVar[int]
    DEVELOPER_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_PER_OWNER_FIELD_NUMBER: _ClassVar[int]
    CO_OWNERSHIP_FIELD_NUMBER: _ClassVar[int]
    unit_number: str
    contract: str
    preregistration: str
    premortgage: str
    buyers: _containers.RepeatedCompositeFieldContainer[_parties_pb2.Buyer]
    developer: _parties_pb2.Organization
    certificate_per_owner: bool
    co_ownership: _parties_pb2.CoOwnership
    def __init__(self, unit_number: _Optional[str] = ..., contract: _Optional[str] = ..., preregistration: _Optional[str] = ..., premortgage: _Optional[str] = ..., buyers: _Optional[_Iterable[_Union[_parties_pb2.Buyer, _Mapping]]] = ..., developer: _Optional[_Union[_parties_pb2.Organization, _Mapping]] = ..., certificate_per_owner: _Optional[bool] = ..., co_ownership: _Optional[_Union[_parties_pb2.CoOwnership, str]] = ...) -> None: ...

class Transfer(_message.Message):
    __slots__ = ("name", "application", "state", "registry_case", "ownership_entry", "mortgage_entry", "mortgage_priority_time", "certificates", "mortgage_proof_number", "register_time", "fee_fen")
    NAME_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REGISTRY_CASE_FIELD_NUMBER: _ClassVar[int]
    OWNERSHIP_ENTRY_FIELD_NUMBER: _ClassVar[int]
    MORTGAGE_ENTRY_FIELD_NUMBER: _ClassVar[int]
    MORTGAGE_PRIORITY_TIME_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATES_FIELD_NUMBER: _ClassVar[int]
    MORTGAGE_PROOF_NUMBER_FIELD_NUMBER: _ClassVar[int]
    REGISTER_TIME_FIELD_NUMBER: _ClassVar[int]
    FEE_FEN_FIELD_NUMBER: _ClassVar[int]
    name: str
    application: TransferApplication
    state: RegistrationState
    registry_case: str
    ownership_entry: str
    mortgage_entry: str
    mortgage_priority_time: _timestamp_pb2.Timestamp
    certificates: _containers.RepeatedScalarFieldContainer[str]
    mortgage_proof_number: str
    register_time: _timestamp_pb2.Timestamp
    fee_fen: int
    def __init__(self, name: _Optional[str] = ..., application: _Optional[_Union[TransferApplication, _Mapping]] = ..., state: _Optional[_Union[RegistrationState, str]] = ..., registry_case: _Optional[str] = ..., ownership_entry: _Optional[str] = ..., mortgage_entry: _Optional[str] = ..., mortgage_priority_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., certificates: _Optional[_Iterable[str]] = ..., mortgage_proof_number: _Optional[str] = ..., register_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., fee_fen: _Optional[int] = ...) -> None: ...

class LodgeTransferRequest(_message.Message):
    __slots__ = ("request_id", "application", "auto_register")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    APPLICATION_FIELD_NUMBER: _ClassVar[int]
    AUTO_REGISTER_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    application: TransferApplication
    auto_register: bool
    def __init__(self, request_id: _Optional[str] = ..., application: _Optional[_Union[TransferApplication, _Mapping]] = ..., auto_register: _Optional[bool] = ...) -> None: ...

class LodgeTransferResponse(_message.Message):
    __slots__ = ("transfer", "case_record")
    TRANSFER_FIELD_NUMBER: _ClassVar[int]
    CASE_RECORD_FIELD_NUMBER: _ClassVar[int]
    transfer: Transfer
    case_record: _casework_service_pb2.Case
    def __init__(self, transfer: _Optional[_Union[Transfer, _Mapping]] = ..., case_record: _Optional[_Union[_casework_service_pb2.Case, _Mapping]] = ...) -> None: ...

class LodgeTransfersRequest(_message.Message):
    __slots__ = ("requests",)
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[LodgeTransferRequest]
    def __init__(self, requests: _Optional[_Iterable[_Union[LodgeTransferRequest, _Mapping]]] = ...) -> None: ...

class LodgeTransferOutcome(_message.Message):
    __slots__ = ("response", "error")
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    response: LodgeTransferResponse
    error: _status_pb2.Status
    def __init__(self, response: _Optional[_Union[LodgeTransferResponse, _Mapping]] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ...) -> None: ...

class LodgeTransfersResponse(_message.Message):
    __slots__ = ("outcomes",)
    OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    outcomes: _containers.RepeatedCompositeFieldContainer[LodgeTransferOutcome]
    def __init__(self, outcomes: _Optional[_Iterable[_Union[LodgeTransferOutcome, _Mapping]]] = ...) -> None: ...

class BatchLodgeTransfersRequest(_message.Message):
    __slots__ = ("request_id", "building_number", "applications", "auto_register")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    BUILDING_NUMBER_FIELD_NUMBER: _ClassVar[int]
    APPLICATIONS_FIELD_NUMBER: _ClassVar[int]
    AUTO_REGISTER_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    building_number: str
    applications: _containers.RepeatedCompositeFieldContainer[TransferApplication]
    auto_register: bool
    def __init__(self, request_id: _Optional[str] = ..., building_number: _Optional[str] = ..., applications: _Optional[_Iterable[_Union[TransferApplication, _Mapping]]] = ..., auto_register: _Optional[bool] = ...) -> None: ...

class TransferOutcome(_message.Message):
    __slots__ = ("unit_number", "transfer", "error")
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    TRANSFER_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    unit_number: str
    transfer: Transfer
    error: _status_pb2.Status
    def __init__(self, unit_number: _Optional[str] = ..., transfer: _Optional[_Union[Transfer, _Mapping]] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ...) -> None: ...

class BatchLodgeTransfersResponse(_message.Message):
    __slots__ = ("outcomes",)
    OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    outcomes: _containers.RepeatedCompositeFieldContainer[TransferOutcome]
    def __init__(self, outcomes: _Optional[_Iterable[_Union[TransferOutcome, _Mapping]]] = ...) -> None: ...

class GetTransferRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetTransferResponse(_message.Message):
    __slots__ = ("transfer",)
    TRANSFER_FIELD_NUMBER: _ClassVar[int]
    transfer: Transfer
    def __init__(self, transfer: _Optional[_Union[Transfer, _Mapping]] = ...) -> None: ...

class Certificate(_message.Message):
    __slots__ = ("name", "certificate_number", "unit_number", "owners", "address", "gross_area_dm2", "use", "right_type", "right_source", "encumbrances", "entry", "register_time", "issue_time", "co_ownership", "corrections", "right_nature", "release_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    OWNERS_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    GROSS_AREA_DM2_FIELD_NUMBER: _ClassVar[int]
    USE_FIELD_NUMBER: _ClassVar[int]
    RIGHT_TYPE_FIELD_NUMBER: _ClassVar[int]
    RIGHT_SOURCE_FIELD_NUMBER: _ClassVar[int]
    ENCUMBRANCES_FIELD_NUMBER: _ClassVar[int]
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    REGISTER_TIME_FIELD_NUMBER: _ClassVar[int]
    ISSUE_TIME_FIELD_NUMBER: _ClassVar[int]
    CO_OWNERSHIP_FIELD_NUMBER: _ClassVar[int]
    CORRECTIONS_FIELD_NUMBER: _ClassVar[int]
    RIGHT_NATURE_FIELD_NUMBER: _ClassVar[int]
    RELEASE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    certificate_number: str
    unit_number: str
    owners: _containers.RepeatedCompositeFieldContainer[_parties_pb2.Buyer]
    address: str
    gross_area_dm2: int
    use: str
    right_type: str
    right_source: str
    encumbrances: _containers.RepeatedScalarFieldContainer[str]
    entry: str
    register_time: _timestamp_pb2.Timestamp
    issue_time: _timestamp_pb2.Timestamp
    co_ownership: _parties_pb2.CoOwnership
    corrections: _containers.RepeatedScalarFieldContainer[str]
    right_nature: str
    release_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., certificate_number: _Optional[str] = ..., unit_number: _Optional[str] = ..., owners: _Optional[_Iterable[_Union[_parties_pb2.Buyer, _Mapping]]] = ..., address: _Optional[str] = ..., gross_area_dm2: _Optional[int] = ..., use: _Optional[str] = ..., right_type: _Optional[str] = ..., right_source: _Optional[str] = ..., encumbrances: _Optional[_Iterable[str]] = ..., entry: _Optional[str] = ..., register_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., issue_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., co_ownership: _Optional[_Union[_parties_pb2.CoOwnership, str]] = ..., corrections: _Optional[_Iterable[str]] = ..., right_nature: _Optional[str] = ..., release_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetCertificateRequest(_message.Message):
    __slots__ = ("name", "with_document")
    NAME_FIELD_NUMBER: _ClassVar[int]
    WITH_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    name: str
    with_document: bool
    def __init__(self, name: _Optional[str] = ..., with_document: _Optional[bool] = ...) -> None: ...

class GetCertificateResponse(_message.Message):
    __slots__ = ("certificate", "document")
    CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    certificate: Certificate
    document: _document_pb2.SignedDocument
    def __init__(self, certificate: _Optional[_Union[Certificate, _Mapping]] = ..., document: _Optional[_Union[_document_pb2.SignedDocument, _Mapping]] = ...) -> None: ...

class ListCertificatesRequest(_message.Message):
    __slots__ = ("unit_number", "page_size", "page_token")
    UNIT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    unit_number: str
    page_size: int
    page_token: str
    def __init__(self, unit_number: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListCertificatesResponse(_message.Message):
    __slots__ = ("certificates", "next_page_token")
    CERTIFICATES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    certificates: _containers.RepeatedCompositeFieldContainer[Certificate]
    next_page_token: str
    def __init__(self, certificates: _Optional[_Iterable[_Union[Certificate, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ReleaseCertificatesRequest(_message.Message):
    __slots__ = ("request_id", "transfer", "release_time")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    TRANSFER_FIELD_NUMBER: _ClassVar[int]
    RELEASE_TIME_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    transfer: str
    release_time: _timestamp_pb2.Timestamp
    def __init__(self, request_id: _Optional[str] = ..., transfer: _Optional[str] = ..., release_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ReleaseCertificatesResponse(_message.Message):
    __slots__ = ("certificates",)
    CERTIFICATES_FIELD_NUMBER: _ClassVar[int]
    certificates: _containers.RepeatedCompositeFieldContainer[Certificate]
    def __init__(self, certificates: _Optional[_Iterable[_Union[Certificate, _Mapping]]] = ...) -> None: ...
