"""Who may call what: the per-RPC role table, in one place, enforced by one interceptor.

Object-level checks (a developer acts only on its own purchases, a bank only on its own
mortgages) stay in the services. A buyer's certificate binds the buyer's signing key; as an API
credential it only reads the buyer's own property certificate and mortgage proof (OWN_READERS).
"""

from __future__ import annotations

from collections.abc import Mapping

from shared.auth import Role

# Every outside role reads; what a reader sees of a record is narrowed in the services
# (shared/parties.py). Our services are listed where one of them reads (SERVICE_CALLS).
READERS = frozenset({Role.DEVELOPER, Role.BANK, Role.CLERK, Role.HOUSING, Role.TAX})
# The documents an owner holds: read by the owner too, with their buyer certificate.
OWN_READERS = READERS | {Role.BUYER}
SERVICE_READERS = READERS | {Role.SERVICE}
TAX_READERS = READERS - {Role.DEVELOPER}

POLICY: dict[str, frozenset[Role]] = {
    "/deedflow.contract.v1.ContractService/CreateProject": frozenset({Role.HOUSING}),
    "/deedflow.contract.v1.ContractService/GetProject": READERS,
    "/deedflow.contract.v1.ContractService/ListUnits": SERVICE_READERS,
    "/deedflow.contract.v1.ContractService/GetUnit": SERVICE_READERS,
    "/deedflow.contract.v1.ContractService/CreateContract": frozenset({Role.DEVELOPER, Role.SERVICE}),
    "/deedflow.contract.v1.ContractService/GetContract": SERVICE_READERS,
    "/deedflow.contract.v1.ContractService/GetContracts": frozenset({Role.SERVICE}),
    "/deedflow.contract.v1.ContractService/ListContracts": READERS,
    "/deedflow.contract.v1.ContractService/SignContract": frozenset({Role.DEVELOPER, Role.SERVICE}),
    "/deedflow.contract.v1.ContractService/FileContract": frozenset(
        {Role.DEVELOPER, Role.SERVICE, Role.HOUSING}
    ),
    "/deedflow.contract.v1.ContractService/CancelContract": frozenset(
        {Role.DEVELOPER, Role.SERVICE, Role.HOUSING, Role.CLERK}
    ),
    "/deedflow.contract.v1.ContractService/MarkContractTransferred": frozenset({Role.SERVICE}),
    "/deedflow.contract.v1.ContractService/MarkContractsTransferred": frozenset({Role.SERVICE}),
    # The feed narrows itself to the caller's own records (shared/events/servicer.py).
    "/deedflow.events.v1.EventService/ListEvents": frozenset({Role.DEVELOPER, Role.BANK, Role.CLERK}),
    "/deedflow.events.v1.EventService/WatchEvents": frozenset(
        {Role.DEVELOPER, Role.BANK, Role.CLERK, Role.SERVICE}
    ),
    "/deedflow.mortgage.v1.MortgageService/LodgeMortgage": frozenset({Role.BANK}),
    "/deedflow.mortgage.v1.MortgageService/RecordConvertedMortgage": frozenset({Role.SERVICE}),
    "/deedflow.mortgage.v1.MortgageService/RecordConvertedMortgages": frozenset({Role.SERVICE}),
    "/deedflow.mortgage.v1.MortgageService/GetMortgage": OWN_READERS,
    "/deedflow.mortgage.v1.MortgageService/ListMortgages": OWN_READERS,
    "/deedflow.mortgage.v1.MortgageService/DischargeMortgage": frozenset({Role.BANK}),
    "/deedflow.orchestrator.v1.PurchaseService/FilePurchase": frozenset({Role.DEVELOPER}),
    "/deedflow.orchestrator.v1.PurchaseService/GetPurchase": frozenset(
        {Role.DEVELOPER, Role.BANK, Role.CLERK}
    ),
    "/deedflow.orchestrator.v1.PurchaseService/ListPurchases": frozenset(
        {Role.DEVELOPER, Role.BANK, Role.CLERK}
    ),
    "/deedflow.orchestrator.v1.PurchaseService/WatchPurchase": frozenset(
        {Role.DEVELOPER, Role.BANK, Role.CLERK}
    ),
    "/deedflow.orchestrator.v1.PurchaseService/CompleteBuilding": frozenset({Role.DEVELOPER}),
    "/deedflow.orchestrator.v1.PurchaseService/GetBuildingCompletion": frozenset(
        {Role.DEVELOPER, Role.CLERK}
    ),
    "/deedflow.orchestrator.v1.PurchaseService/ConfirmHandover": frozenset({Role.DEVELOPER}),
    "/deedflow.orchestrator.v1.PurchaseService/CancelPurchase": frozenset({Role.DEVELOPER, Role.CLERK}),
    "/deedflow.orchestrator.v1.PurchaseService/ResumePurchase": frozenset({Role.CLERK}),
    "/deedflow.preregistration.v1.PreregistrationService/LodgePreregistration": frozenset(
        {Role.DEVELOPER, Role.SERVICE, Role.CLERK}
    ),
    "/deedflow.preregistration.v1.PreregistrationService/LodgePremortgage": frozenset(
        {Role.BANK, Role.SERVICE}
    ),
    "/deedflow.preregistration.v1.PreregistrationService/GetPreregistration": SERVICE_READERS,
    "/deedflow.preregistration.v1.PreregistrationService/GetPremortgage": SERVICE_READERS,
    "/deedflow.preregistration.v1.PreregistrationService/GetPreregistrations": frozenset({Role.SERVICE}),
    "/deedflow.preregistration.v1.PreregistrationService/GetPremortgages": frozenset({Role.SERVICE}),
    "/deedflow.preregistration.v1.PreregistrationService/CancelPreregistration": frozenset(
        {Role.DEVELOPER, Role.SERVICE, Role.CLERK}
    ),
    "/deedflow.preregistration.v1.PreregistrationService/ReleasePremortgage": frozenset(
        {Role.BANK, Role.SERVICE, Role.CLERK}
    ),
    "/deedflow.preregistration.v1.PreregistrationService/MarkConverted": frozenset({Role.SERVICE}),
    "/deedflow.preregistration.v1.PreregistrationService/MarkManyConverted": frozenset({Role.SERVICE}),
    "/deedflow.registry.v1.RegistryService/CreateBuilding": frozenset(
        {Role.SERVICE, Role.HOUSING, Role.CLERK}
    ),
    "/deedflow.registry.v1.RegistryService/GetUnit": SERVICE_READERS,
    "/deedflow.registry.v1.RegistryService/GetUnits": frozenset({Role.SERVICE}),
    "/deedflow.registry.v1.RegistryService/ListEntries": SERVICE_READERS,
    # Whether a unit may be disposed of to given beneficiaries tells who holds it: for officials
    # and our offices only, never an oracle for a party probing masked IDs.
    "/deedflow.registry.v1.RegistryService/CheckDisposal": frozenset(
        {Role.CLERK, Role.HOUSING, Role.TAX, Role.SERVICE}
    ),
    "/deedflow.registry.v1.RegistryService/CommitCase": frozenset({Role.SERVICE}),
    "/deedflow.registry.v1.RegistryService/CommitCases": frozenset({Role.SERVICE}),
    "/deedflow.registry.v1.RegistryService/RecordFirstRegistration": frozenset({Role.SERVICE}),
    "/deedflow.registry.v1.RegistryService/SeizeUnit": frozenset({Role.CLERK}),
    "/deedflow.registry.v1.RegistryService/ReleaseSeizure": frozenset({Role.CLERK}),
    "/deedflow.registry.v1.RegistryService/RenewSeizure": frozenset({Role.CLERK}),
    "/deedflow.registry.v1.RegistryService/AddObjection": frozenset({Role.CLERK}),
    "/deedflow.registry.v1.RegistryService/LiftObjection": frozenset({Role.CLERK}),
    "/deedflow.registry.v1.RegistryService/RequestCorrection": frozenset({Role.CLERK}),
    "/deedflow.registry.v1.RegistryService/ResolveCorrection": frozenset({Role.CLERK}),
    "/deedflow.registry.v1.RegistryService/RecordAgreement": frozenset({Role.CLERK}),
    "/deedflow.registry.v1.RegistryService/EraseHolder": frozenset({Role.CLERK}),
    "/deedflow.registry.v1.RegistryService/RotateBookKey": frozenset({Role.CLERK}),
    "/deedflow.registry.v1.RegistryService/ListBooks": READERS,
    "/deedflow.registry.v1.RegistryService/GetCheckpoint": READERS,
    # The leaf is the entry as stored, personal data and all: officials only. Parties get their
    # proofs inside the signed documents.
    "/deedflow.registry.v1.RegistryService/GetInclusionProof": frozenset({Role.CLERK}),
    "/deedflow.registry.v1.RegistryService/SealDocument": frozenset({Role.SERVICE}),
    "/deedflow.registry.v1.RegistryService/ListLeaves": frozenset({Role.CLERK}),
    "/deedflow.registry.v1.RegistryService/ListCheckpoints": READERS,
    "/deedflow.registry.v1.RegistryService/GetConsistencyProof": READERS,
    "/deedflow.tax.v1.TaxService/AssessDeedTax": frozenset({Role.SERVICE, Role.TAX}),
    "/deedflow.tax.v1.TaxService/ReassessDeedTax": frozenset({Role.SERVICE, Role.TAX}),
    # A deed-tax assessment names the buyers and their homes: for the tax office, the clerks, the
    # housing authority and the banks that collect the tax (any bank may), not for developers.
    "/deedflow.tax.v1.TaxService/GetAssessment": TAX_READERS,
    "/deedflow.tax.v1.TaxService/ListAssessments": TAX_READERS,
    "/deedflow.tax.v1.TaxService/RecordPayment": frozenset({Role.TAX, Role.BANK}),
    "/deedflow.tax.v1.TaxService/GetClearance": frozenset({Role.SERVICE, Role.TAX, Role.CLERK}),
    "/deedflow.tax.v1.TaxService/GetClearances": frozenset({Role.SERVICE}),
    "/deedflow.tax.v1.TaxService/RefundDeedTax": frozenset({Role.SERVICE, Role.TAX}),
    "/deedflow.tax.v1.TaxService/ConsumeClearance": frozenset({Role.SERVICE}),
    "/deedflow.tax.v1.TaxService/ConsumeClearances": frozenset({Role.SERVICE}),
    "/deedflow.tax.v1.TaxService/ReleaseClearance": frozenset({Role.SERVICE}),
    "/deedflow.tax.v1.TaxService/WatchClearances": frozenset({Role.SERVICE}),
    "/deedflow.transfer.v1.TransferService/LodgeFirstRegistration": frozenset({Role.DEVELOPER, Role.SERVICE}),
    "/deedflow.transfer.v1.TransferService/GetFirstRegistration": READERS,
    # The registry's own inspector (实地查看, CQ 21).
    "/deedflow.transfer.v1.TransferService/RecordSiteInspection": frozenset({Role.CLERK}),
    "/deedflow.transfer.v1.TransferService/LodgeTransfer": frozenset({Role.DEVELOPER, Role.SERVICE}),
    "/deedflow.transfer.v1.TransferService/LodgeTransfers": frozenset({Role.SERVICE}),
    "/deedflow.transfer.v1.TransferService/BatchLodgeTransfers": frozenset({Role.DEVELOPER, Role.SERVICE}),
    "/deedflow.transfer.v1.TransferService/GetTransfer": SERVICE_READERS,
    "/deedflow.transfer.v1.TransferService/GetCertificate": SERVICE_READERS | {Role.BUYER},
    "/deedflow.transfer.v1.TransferService/ListCertificates": OWN_READERS,
    "/deedflow.transfer.v1.TransferService/ReleaseCertificates": frozenset({Role.SERVICE}),
    "/deedflow.casework.v1.CaseworkService/ListCases": SERVICE_READERS,
    "/deedflow.casework.v1.CaseworkService/GetCase": READERS,
    "/deedflow.casework.v1.CaseworkService/RequisitionCase": frozenset({Role.CLERK}),
    "/deedflow.casework.v1.CaseworkService/ResubmitCase": frozenset({Role.CLERK, Role.DEVELOPER, Role.BANK}),
    "/deedflow.casework.v1.CaseworkService/ApproveCase": frozenset({Role.CLERK}),
    "/deedflow.casework.v1.CaseworkService/RegisterCase": frozenset({Role.CLERK}),
    "/deedflow.casework.v1.CaseworkService/RefuseCase": frozenset({Role.CLERK}),
    "/deedflow.casework.v1.CaseworkService/WithdrawCase": frozenset({Role.CLERK, Role.DEVELOPER, Role.BANK}),
}


def _rpcs(service: str, *methods: str) -> frozenset[str]:
    return frozenset(f"/deedflow.{service}/{m}" for m in methods)


# Our own services call only what their work needs: the saga's steps for the orchestrator, the
# checks and commits of a registration for the offices. A service certificate admits no more.
SERVICE_CALLS: dict[str, frozenset[str]] = {
    "orchestrator": _rpcs(
        "contract.v1.ContractService",
        "GetUnit",
        "ListUnits",
        "CreateContract",
        "SignContract",
        "FileContract",
        "CancelContract",
    )
    | _rpcs(
        "preregistration.v1.PreregistrationService",
        "LodgePreregistration",
        "LodgePremortgage",
        "CancelPreregistration",
        "ReleasePremortgage",
    )
    | _rpcs(
        "tax.v1.TaxService",
        "AssessDeedTax",
        "ReassessDeedTax",
        "GetClearance",
        "RefundDeedTax",
        "WatchClearances",
    )
    | _rpcs(
        "transfer.v1.TransferService",
        "LodgeFirstRegistration",
        "LodgeTransfer",
        "LodgeTransfers",
        "BatchLodgeTransfers",
        "GetTransfer",
        "GetCertificate",
        "ReleaseCertificates",
    )
    # The mortgage office's discharges, relayed into the purchase office's feed.
    | _rpcs("events.v1.EventService", "WatchEvents"),
    "contract": _rpcs("registry.v1.RegistryService", "CreateBuilding", "CheckDisposal"),
    "preregistration": _rpcs("contract.v1.ContractService", "GetContract")
    | _rpcs("registry.v1.RegistryService", "CheckDisposal", "CommitCase", "ListEntries", "SealDocument")
    | _rpcs("casework.v1.CaseworkService", "ListCases"),
    "transfer": _rpcs(
        "contract.v1.ContractService",
        "MarkContractTransferred",
        "MarkContractsTransferred",
        "ListUnits",
        "GetContract",
        "GetContracts",
    )
    | _rpcs("mortgage.v1.MortgageService", "RecordConvertedMortgage", "RecordConvertedMortgages")
    | _rpcs(
        "preregistration.v1.PreregistrationService",
        "GetPreregistration",
        "GetPreregistrations",
        "GetPremortgage",
        "GetPremortgages",
        "MarkConverted",
        "MarkManyConverted",
    )
    | _rpcs(
        "registry.v1.RegistryService",
        "CheckDisposal",
        "CommitCase",
        "CommitCases",
        "GetUnit",
        "GetUnits",
        "ListEntries",
        "RecordFirstRegistration",
        "SealDocument",
    )
    | _rpcs(
        "tax.v1.TaxService",
        "GetClearance",
        "GetClearances",
        "ConsumeClearance",
        "ConsumeClearances",
        "ReleaseClearance",
    ),
    "mortgage": _rpcs(
        "registry.v1.RegistryService",
        "CheckDisposal",
        "CommitCase",
        "GetUnit",
        "GetUnits",
        "ListEntries",
        "SealDocument",
    ),
    "tax": _rpcs("contract.v1.ContractService", "GetContract"),
    "registry": frozenset(),
}

# Infrastructure every authenticated caller may use.
OPEN_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")


Policy = Mapping[str, frozenset[Role]]


def allowed(method: str, role: Role, policy: Policy = POLICY) -> bool:
    """Whether the role may call the method; an RPC missing from the table is denied."""
    if method.startswith(OPEN_PREFIXES):
        return True
    return role in policy.get(method, frozenset())


def service_may_call(service: str, method: str, calls: Mapping[str, frozenset[str]] = SERVICE_CALLS) -> bool:
    """Whether our service `service` may call the method (beyond its role admitting it)."""
    return method.startswith(OPEN_PREFIXES) or method in calls.get(service, frozenset())
