"""The purchase (一件事) and its saga's rules: states, steps, what a filing must contain. Pure; no I/O."""

from __future__ import annotations

from enum import StrEnum

from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from shared.errors import FieldViolation

FULL_SHARE = 10_000


class PurchaseState(StrEnum):
    FILING = "FILING"
    AWAITING_COMPLETION = "AWAITING_COMPLETION"
    TRANSFERRING = "TRANSFERRING"
    CERTIFICATE_READY = "CERTIFICATE_READY"
    HANDED_OVER = "HANDED_OVER"
    CANCELLING = "CANCELLING"
    CANCELLED = "CANCELLED"
    PARKED = "PARKED"
    REJECTED = "REJECTED"


class StepKind(StrEnum):
    CONTRACT_SIGNED = "CONTRACT_SIGNED"
    CONTRACT_FILED = "CONTRACT_FILED"
    TAX_ASSESSED = "TAX_ASSESSED"
    PREREGISTERED = "PREREGISTERED"
    PREMORTGAGED = "PREMORTGAGED"
    TAX_PAID = "TAX_PAID"
    BUILDING_FIRST_REGISTERED = "BUILDING_FIRST_REGISTERED"
    TRANSFERRED = "TRANSFERRED"
    MORTGAGE_RECORDED = "MORTGAGE_RECORDED"
    CERTIFICATE_READY = "CERTIFICATE_READY"
    HANDED_OVER = "HANDED_OVER"


class StepState(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    WAITING = "WAITING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    COMPENSATING = "COMPENSATING"
    COMPENSATED = "COMPENSATED"
    SKIPPED = "SKIPPED"


# The purchase's state while each forward step is the one under way.
STATE_DURING = {
    StepKind.CONTRACT_SIGNED: PurchaseState.FILING,
    StepKind.CONTRACT_FILED: PurchaseState.FILING,
    StepKind.TAX_ASSESSED: PurchaseState.FILING,
    StepKind.PREREGISTERED: PurchaseState.FILING,
    StepKind.PREMORTGAGED: PurchaseState.FILING,
    StepKind.TAX_PAID: PurchaseState.AWAITING_COMPLETION,
    StepKind.BUILDING_FIRST_REGISTERED: PurchaseState.AWAITING_COMPLETION,
    StepKind.TRANSFERRED: PurchaseState.TRANSFERRING,
    StepKind.MORTGAGE_RECORDED: PurchaseState.TRANSFERRING,
    StepKind.CERTIFICATE_READY: PurchaseState.TRANSFERRING,
    StepKind.HANDED_OVER: PurchaseState.CERTIFICATE_READY,
}


def filing_violations(filing: pb.PurchaseFiling) -> list[FieldViolation]:
    """What a filing must hold beyond its field formats: buyers with whole shares and every
    party's signature, and a loan with its amount and the bank's signature."""
    found = []
    if not filing.buyers:
        found.append(FieldViolation("filing.buyers", "at least one buyer is required"))
    total = sum(b.share_basis_points for b in filing.buyers)
    if filing.buyers and total != FULL_SHARE:
        found.append(FieldViolation("filing.buyers", f"shares sum to {total} basis points, not {FULL_SHARE}"))
    for i, buyer in enumerate(filing.buyers):
        if buyer.home_count == 0:
            found.append(FieldViolation(f"filing.buyers[{i}].home_count", "is required for the deed tax"))
    signed = {s.signer for s in filing.signatures}
    needed = [f"organizations/{filing.developer.uscc}", *(f"buyers/{b.resident_id}" for b in filing.buyers)]
    for party in needed:
        if party not in signed:
            found.append(FieldViolation("filing.signatures", f"the signature of {party} is missing"))
    if filing.price_ex_vat_fen <= 0:
        found.append(FieldViolation("filing.price_ex_vat_fen", "must be positive"))
    if filing.gross_area_dm2 <= 0:
        found.append(FieldViolation("filing.gross_area_dm2", "must be positive"))
    if filing.HasField("loan"):
        if filing.loan.amount_fen <= 0:
            found.append(FieldViolation("filing.loan.amount_fen", "must be positive"))
        if not filing.loan.HasField("bank_signature"):
            found.append(FieldViolation("filing.loan.bank_signature", "the bank signs the mortgage contract"))
    return found


def home_count_for_tax(filing: pb.PurchaseFiling) -> int:
    """The family with the most homes sets the rate (the stricter reading of 公告2024年第16号)."""
    return max(b.home_count for b in filing.buyers)
