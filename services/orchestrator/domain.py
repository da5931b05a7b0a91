"""The purchase (一件事) and its saga's rules: states, steps, what a filing must contain. Pure; no I/O."""

from __future__ import annotations

from enum import StrEnum

from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.type.v1 import parties_pb2
from shared import co_ownership
from shared.errors import FieldViolation


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
    TAX_SETTLED = "TAX_SETTLED"


class StepState(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    WAITING = "WAITING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    COMPENSATING = "COMPENSATING"
    COMPENSATED = "COMPENSATED"
    SKIPPED = "SKIPPED"


# The steps that wait for the tax office: its word that a contract is paid wakes them.
TAX_STEPS = frozenset({StepKind.TAX_PAID, StepKind.TAX_SETTLED})

# The purchase's state while each forward step is the one under way.
STATE_DURING = {
    StepKind.CONTRACT_SIGNED: PurchaseState.FILING,
    StepKind.CONTRACT_FILED: PurchaseState.FILING,
    StepKind.TAX_ASSESSED: PurchaseState.FILING,
    StepKind.PREREGISTERED: PurchaseState.FILING,
    StepKind.PREMORTGAGED: PurchaseState.FILING,
    StepKind.TAX_PAID: PurchaseState.AWAITING_COMPLETION,
    StepKind.BUILDING_FIRST_REGISTERED: PurchaseState.AWAITING_COMPLETION,
    StepKind.TAX_SETTLED: PurchaseState.AWAITING_COMPLETION,
    StepKind.TRANSFERRED: PurchaseState.TRANSFERRING,
    StepKind.MORTGAGE_RECORDED: PurchaseState.TRANSFERRING,
    StepKind.CERTIFICATE_READY: PurchaseState.TRANSFERRING,
    StepKind.HANDED_OVER: PurchaseState.CERTIFICATE_READY,
}


def filing_violations(filing: pb.PurchaseFiling) -> list[FieldViolation]:
    """What a filing must hold beyond its field formats: buyers with whole shares and every
    party's signature, and a loan with its amount and the bank's signature."""
    found = co_ownership.violations(filing.buyers, filing.co_ownership, "filing")
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


def home_count_for_tax(filing: pb.PurchaseFiling) -> parties_pb2.HomeCount:
    """The family with the most homes sets the rate (the stricter reading of 公告2024年第16号)."""
    return max(b.home_count for b in filing.buyers)


# 商品房销售管理办法 20 and the model contract GF-2014-0171: the area difference settled on the
# real area within ±3 %; beyond it the buyer may rescind.
AREA_TOLERANCE_PERCENT = 3


def _half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half away from zero, in integers (denominator > 0)."""
    sign = -1 if numerator < 0 else 1
    return sign * ((abs(numerator) * 2 + denominator) // (denominator * 2))


def settled_tax_base(price_ex_vat_fen: int, vat_fen: int, adjustment_fen: int) -> int:
    """The VAT-exclusive price after the area settlement (契税法 4: the tax base excludes VAT): the
    settlement adjusts the price with VAT, so only its VAT-exclusive share moves the base."""
    total = price_ex_vat_fen + vat_fen
    return price_ex_vat_fen + _half_up(adjustment_fen * price_ex_vat_fen, total)


def area_settlement(price_fen: int, contract_area_dm2: int, surveyed_area_dm2: int) -> pb.AreaSettlement:
    """The price adjustment for the as-built area, as the model contract settles it unless the
    parties agreed otherwise (商品房销售管理办法 20):

    - |difference| <= 3 %: the price follows the real area (price x difference / contract area);
    - beyond +3 %: the buyer pays for the first 3 % only, the developer bears the rest;
    - beyond -3 %: the developer refunds the first 3 % and double the price of the rest;

    and beyond ±3 % the buyer may rescind. Amounts in fen, rounded half away from zero."""
    difference = surveyed_area_dm2 - contract_area_dm2
    tolerance_exceeded = 100 * abs(difference) > AREA_TOLERANCE_PERCENT * contract_area_dm2
    if not tolerance_exceeded:
        adjustment = _half_up(price_fen * difference, contract_area_dm2)
    elif difference > 0:
        adjustment = _half_up(price_fen * AREA_TOLERANCE_PERCENT, 100)
    else:
        # 3 % refunded once and the area beyond it twice: 2|d| - 3 % of the contract area.
        refunded_area_x100 = 200 * abs(difference) - AREA_TOLERANCE_PERCENT * contract_area_dm2
        adjustment = -_half_up(price_fen * refunded_area_x100, 100 * contract_area_dm2)
    ratio = abs(difference) * 10_000 // contract_area_dm2
    return pb.AreaSettlement(
        contract_area_dm2=contract_area_dm2,
        surveyed_area_dm2=surveyed_area_dm2,
        difference_basis_points=ratio if difference >= 0 else -ratio,
        price_adjustment_fen=adjustment,
        rescission_offered=tolerance_exceeded,
    )
