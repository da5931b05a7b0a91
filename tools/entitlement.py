"""Whose object each RPC acts on and who may act: one stated rule per RPC, beside the role table
(shared/policy.py) and the checks that enforce it (shared/parties.py, shared/permits.py).
docs/authorization.md is generated from this table and the role table, and a test holds the
two together; the entitlement matrix test tries every mutating RPC as every other party."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """Whose object it is and who may act on it; what a caller who may not is told."""

    rule: str
    refusal: str


_STRANGER = "NOT_FOUND to a developer or bank not a party"
_OFFICIAL = "PERMISSION_DENIED (`ROLE_NOT_ALLOWED`) to any other role"
_OTHER_BANK = f"NOT_FOUND to another bank; {_OFFICIAL}"


def _r(rule: str, refusal: str = _STRANGER) -> Rule:
    return Rule(rule, refusal)


_CASEWORK = {
    "ListCases": _r("cases the caller applied for (officials: all)", "others' cases are left out"),
    "GetCase": _r("a case the caller applied for (officials: any)"),
    "RequisitionCase": _r("clerks only (条例 17)", _OFFICIAL),
    "ResubmitCase": _r("a clerk, or an applicant of the case answering its requisition"),
    "ApproveCase": _r("clerks only", _OFFICIAL),
    "RegisterCase": _r("clerks only (条例 21)", _OFFICIAL),
    "RefuseCase": _r("clerks only, with written reasons (条例 22)", _OFFICIAL),
    "WithdrawCase": _r("a clerk, or an applicant of the case"),
}

RULES: dict[str, Rule] = {
    **{f"/deedflow.casework.v1.CaseworkService/{m}": rule for m, rule in _CASEWORK.items()},
    "/deedflow.contract.v1.ContractService/CreateProject": _r(
        "the housing authority issues the permit", _OFFICIAL
    ),
    "/deedflow.contract.v1.ContractService/GetProject": _r("a permit is public"),
    "/deedflow.contract.v1.ContractService/ListUnits": _r(
        "the building table is public; which contract holds a unit only to its developer"
    ),
    "/deedflow.contract.v1.ContractService/GetUnit": _r(
        "the unit is public; its contract's name only to its developer and officials"
    ),
    "/deedflow.contract.v1.ContractService/CreateContract": _r(
        "the developer holding the unit's presale permit, in its own name",
        "PERMISSION_DENIED `DEVELOPER_MISMATCH` for another's name",
    ),
    "/deedflow.contract.v1.ContractService/GetContract": _r("the contract's developer"),
    "/deedflow.contract.v1.ContractService/GetContracts": _r(
        "our own offices only, as GetContract for each", _OFFICIAL
    ),
    "/deedflow.contract.v1.ContractService/ListContracts": _r(
        "the caller's own contracts; page tokens sealed to caller and query", "others' are left out"
    ),
    "/deedflow.contract.v1.ContractService/SignContract": _r(
        "the contract's developer submits; each signature must come from the named party's certificate"
    ),
    "/deedflow.contract.v1.ContractService/FileContract": _r(
        "the contract's developer, or the housing authority"
    ),
    "/deedflow.contract.v1.ContractService/CancelContract": _r(
        "the contract's developer with every party's signed consent; by court ruling only a clerk",
        "NOT_FOUND to a stranger; PERMISSION_DENIED `RULING_NEEDS_CLERK` for a party's ruling",
    ),
    "/deedflow.contract.v1.ContractService/MarkContractsTransferred": _r(
        "as MarkContractTransferred", _OFFICIAL
    ),
    "/deedflow.contract.v1.ContractService/MarkContractTransferred": _r("the transfer office", _OFFICIAL),
    "/deedflow.events.v1.EventService/ListEvents": _r(
        "the events of the caller's own records: a developer's purchases, a bank's loans and mortgages;"
        " officials and our offices the whole feed",
        "others' are left out",
    ),
    "/deedflow.events.v1.EventService/WatchEvents": _r(
        "as ListEvents; at most 16 streams per caller",
        "others' are left out; RESOURCE_EXHAUSTED `TOO_MANY_WATCHES`",
    ),
    "/deedflow.mortgage.v1.MortgageService/LodgeMortgage": _r(
        "the loan's bank, with every mortgagor's signature over the mortgage statement",
        "PERMISSION_DENIED `BANK_MISMATCH`; FAILED_PRECONDITION `MORTGAGOR_CONSENT_MISSING`",
    ),
    "/deedflow.mortgage.v1.MortgageService/RecordConvertedMortgages": _r(
        "as RecordConvertedMortgage", _OFFICIAL
    ),
    "/deedflow.mortgage.v1.MortgageService/RecordConvertedMortgage": _r("the transfer office", _OFFICIAL),
    "/deedflow.mortgage.v1.MortgageService/GetMortgage": _r(
        "the mortgagee bank; each mortgagor (the owner) with their buyer certificate"
    ),
    "/deedflow.mortgage.v1.MortgageService/ListMortgages": _r(
        "a bank its own mortgages, a mortgagor the mortgages of its flat", "others' are left out"
    ),
    "/deedflow.mortgage.v1.MortgageService/DischargeMortgage": _r("the mortgagee bank"),
    "/deedflow.orchestrator.v1.PurchaseService/FilePurchase": _r(
        "the seller, in its own name; the loan's bank signs its slot with its own certificate",
        "PERMISSION_DENIED `DEVELOPER_MISMATCH`, `CERTIFICATE_OF_ANOTHER_PARTY`",
    ),
    "/deedflow.orchestrator.v1.PurchaseService/GetPurchase": _r("the purchase's developer and lending bank"),
    "/deedflow.orchestrator.v1.PurchaseService/ListPurchases": _r(
        "the caller's own purchases", "others' are left out"
    ),
    "/deedflow.orchestrator.v1.PurchaseService/WatchPurchase": _r(
        "the purchase's developer and lending bank; at most 1000 streams per caller (a building's units)",
        "NOT_FOUND to a stranger; RESOURCE_EXHAUSTED `TOO_MANY_WATCHES`",
    ),
    "/deedflow.orchestrator.v1.PurchaseService/CompleteBuilding": _r(
        "the developer holding the building's permit"
    ),
    "/deedflow.orchestrator.v1.PurchaseService/GetBuildingCompletion": _r(
        "the developer holding the building's permit, and clerks"
    ),
    "/deedflow.orchestrator.v1.PurchaseService/ConfirmHandover": _r("the purchase's developer"),
    "/deedflow.orchestrator.v1.PurchaseService/CancelPurchase": _r(
        "the purchase's developer with every party's consent verified at the door; by court ruling a clerk",
        "NOT_FOUND to a stranger; PERMISSION_DENIED `RULING_NEEDS_CLERK` for a party's ruling",
    ),
    "/deedflow.orchestrator.v1.PurchaseService/ResumePurchase": _r("clerks only", _OFFICIAL),
    "/deedflow.preregistration.v1.PreregistrationService/LodgePreregistration": _r(
        "the developer of the filed contract, for its buyers; or a clerk lodging the buyers' own"
        " application with every buyer's signature (CQ 61 ¶2)",
        "NOT_FOUND to another developer; FAILED_PRECONDITION `BUYER_APPLICATION_UNSIGNED`",
    ),
    "/deedflow.preregistration.v1.PreregistrationService/LodgePremortgage": _r(
        "the loan's bank, with every holder's signature over the mortgage statement",
        "PERMISSION_DENIED `BANK_MISMATCH`; FAILED_PRECONDITION `MORTGAGOR_CONSENT_MISSING`",
    ),
    "/deedflow.preregistration.v1.PreregistrationService/GetPreregistration": _r(
        "the contract's developer and each bank that lodged a pre-mortgage on it"
    ),
    "/deedflow.preregistration.v1.PreregistrationService/GetPremortgage": _r(
        "the mortgagee bank and the developer of the pre-registration it stands on"
    ),
    "/deedflow.preregistration.v1.PreregistrationService/GetPreregistrations": _r(
        "our own offices only, as GetPreregistration for each", _OFFICIAL
    ),
    "/deedflow.preregistration.v1.PreregistrationService/GetPremortgages": _r(
        "our own offices only, as GetPremortgage for each", _OFFICIAL
    ),
    "/deedflow.preregistration.v1.PreregistrationService/CancelPreregistration": _r(
        "the developer with every holder's consent; by court ruling a clerk",
        "NOT_FOUND to a stranger; PERMISSION_DENIED `RULING_NEEDS_CLERK` for a party's ruling",
    ),
    "/deedflow.preregistration.v1.PreregistrationService/ReleasePremortgage": _r(
        "the mortgagee bank with its signed consent; by court ruling a clerk",
        "NOT_FOUND to a stranger; PERMISSION_DENIED `RULING_NEEDS_CLERK` for a party's ruling",
    ),
    "/deedflow.preregistration.v1.PreregistrationService/MarkManyConverted": _r(
        "as MarkConverted", _OFFICIAL
    ),
    "/deedflow.preregistration.v1.PreregistrationService/MarkConverted": _r("the transfer office", _OFFICIAL),
    "/deedflow.registry.v1.RegistryService/CreateBuilding": _r(
        "the contract office and officials", _OFFICIAL
    ),
    "/deedflow.registry.v1.RegistryService/GetUnit": _r(
        "the book is open to interested parties; buyers' IDs masked for non-officials (条例 28)"
    ),
    "/deedflow.registry.v1.RegistryService/GetUnits": _r(
        "our own offices only, as GetUnit for each", _OFFICIAL
    ),
    "/deedflow.registry.v1.RegistryService/ListEntries": _r("as GetUnit"),
    "/deedflow.registry.v1.RegistryService/CheckDisposal": _r(
        "officials and the offices only (no oracle for probing IDs); at most 20 beneficiaries", _OFFICIAL
    ),
    "/deedflow.registry.v1.RegistryService/CommitCase": _r("the registration offices only", _OFFICIAL),
    "/deedflow.registry.v1.RegistryService/CommitCases": _r("as CommitCase", _OFFICIAL),
    "/deedflow.registry.v1.RegistryService/RecordFirstRegistration": _r(
        "the transfer office only", _OFFICIAL
    ),
    "/deedflow.registry.v1.RegistryService/SeizeUnit": _r("clerks, entering a court's ruling", _OFFICIAL),
    "/deedflow.registry.v1.RegistryService/RenewSeizure": _r("clerks, entering a court's renewal", _OFFICIAL),
    "/deedflow.registry.v1.RegistryService/ReleaseSeizure": _r(
        "clerks, entering a court's ruling", _OFFICIAL
    ),
    "/deedflow.registry.v1.RegistryService/AddObjection": _r("clerks only (条例 19)", _OFFICIAL),
    "/deedflow.registry.v1.RegistryService/LiftObjection": _r("clerks only", _OFFICIAL),
    "/deedflow.registry.v1.RegistryService/RequestCorrection": _r("clerks only", _OFFICIAL),
    "/deedflow.registry.v1.RegistryService/ResolveCorrection": _r("clerks only", _OFFICIAL),
    "/deedflow.registry.v1.RegistryService/RecordAgreement": _r("clerks only", _OFFICIAL),
    "/deedflow.registry.v1.RegistryService/RotateBookKey": _r(
        "clerks only: the registration authority's act on its own book", _OFFICIAL
    ),
    "/deedflow.registry.v1.RegistryService/EraseHolder": _r(
        "clerks only, where the law allows (个人信息保护法 47)", _OFFICIAL
    ),
    "/deedflow.registry.v1.RegistryService/ListBooks": _r("the books, their sizes and keys are public"),
    "/deedflow.registry.v1.RegistryService/GetCheckpoint": _r("checkpoints are public (signed tree heads)"),
    "/deedflow.registry.v1.RegistryService/GetInclusionProof": _r(
        "clerks (a leaf of a book begun before registry_0011 names holders; the public read path is"
        " `deedflow tiles`, which serves only leaves that name no one)",
        _OFFICIAL,
    ),
    "/deedflow.registry.v1.RegistryService/SealDocument": _r("the offices only", _OFFICIAL),
    "/deedflow.registry.v1.RegistryService/ListLeaves": _r(
        "clerks (as GetInclusionProof; the public read path is `deedflow tiles`)", _OFFICIAL
    ),
    "/deedflow.registry.v1.RegistryService/ListCheckpoints": _r("checkpoints are public"),
    "/deedflow.registry.v1.RegistryService/GetConsistencyProof": _r("proofs are public (hashes only)"),
    "/deedflow.tax.v1.TaxService/AssessDeedTax": _r("the tax office and the orchestrator", _OFFICIAL),
    "/deedflow.tax.v1.TaxService/ReassessDeedTax": _r("the tax office and the orchestrator", _OFFICIAL),
    "/deedflow.tax.v1.TaxService/GetAssessment": _r(
        "the bank lending on the contract and the tax bureau's collecting agents"
        " (DEEDFLOW_TAX_COLLECTING_BANKS), buyers' IDs masked; officials whole",
        _OTHER_BANK,
    ),
    "/deedflow.tax.v1.TaxService/ListAssessments": _r("as GetAssessment", _OFFICIAL),
    "/deedflow.tax.v1.TaxService/RecordPayment": _r(
        "the bank lending on the contract, the tax bureau's collecting agents, and the tax"
        " bureau; the payment keeps who recorded it",
        _OTHER_BANK,
    ),
    "/deedflow.tax.v1.TaxService/GetClearance": _r("officials and the offices", _OFFICIAL),
    "/deedflow.tax.v1.TaxService/GetClearances": _r(
        "our own offices only, as GetClearance for each", _OFFICIAL
    ),
    "/deedflow.tax.v1.TaxService/RefundDeedTax": _r("the tax office and the orchestrator", _OFFICIAL),
    "/deedflow.tax.v1.TaxService/ConsumeClearances": _r("as ConsumeClearance", _OFFICIAL),
    "/deedflow.tax.v1.TaxService/ConsumeClearance": _r("the transfer office", _OFFICIAL),
    "/deedflow.tax.v1.TaxService/ReleaseClearance": _r("the transfer office", _OFFICIAL),
    "/deedflow.tax.v1.TaxService/WatchClearances": _r(
        "the orchestrator: contract names only, as their tax is paid", _OFFICIAL
    ),
    "/deedflow.transfer.v1.TransferService/LodgeFirstRegistration": _r(
        "the developer holding the building's permit, in its own name"
    ),
    "/deedflow.transfer.v1.TransferService/GetFirstRegistration": _r("a first registration is public"),
    "/deedflow.transfer.v1.TransferService/RecordSiteInspection": _r(
        "clerks only: the registry's own inspector (CQ 21)", _OFFICIAL
    ),
    "/deedflow.transfer.v1.TransferService/LodgeTransfer": _r(
        "the developer of the pre-registered sale, to that pre-registration's holders",
        "NOT_FOUND to a stranger; FAILED_PRECONDITION `TRANSFEREES_NOT_HOLDERS`",
    ),
    "/deedflow.transfer.v1.TransferService/LodgeTransfers": _r(
        "the platform's own services, as LodgeTransfer for each request", _OFFICIAL
    ),
    "/deedflow.transfer.v1.TransferService/BatchLodgeTransfers": _r("as LodgeTransfer, for each application"),
    "/deedflow.transfer.v1.TransferService/GetTransfer": _r("the seller and officials"),
    "/deedflow.transfer.v1.TransferService/GetCertificate": _r(
        "officials; the seller until the certificate is released at handover (交房即交证); each owner"
        " named on it, with their buyer certificate",
        "NOT_FOUND to anyone else (the seller too, after handover)",
    ),
    "/deedflow.transfer.v1.TransferService/ListCertificates": _r(
        "as GetCertificate, for each certificate", "others' are left out"
    ),
    "/deedflow.transfer.v1.TransferService/ReleaseCertificates": _r(
        "the orchestrator, as the developer confirms the handover", _OFFICIAL
    ),
}
