"""The purchase saga, declared: its forward steps in order, which apply, the pivot, and the
compensations that undo the steps before it, in the order they run."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from services.orchestrator import steps
from services.orchestrator.domain import StepKind


@dataclass(frozen=True)
class Step:
    kind: StepKind
    forward: Callable[[steps.Context], Awaitable[steps.Wait | None]]
    applies: Callable[[pb.PurchaseFiling], bool] = lambda filing: True


def _with_loan(filing: pb.PurchaseFiling) -> bool:
    return filing.HasField("loan")


FORWARD: tuple[Step, ...] = (
    Step(StepKind.CONTRACT_SIGNED, steps.sign_contract),
    Step(StepKind.CONTRACT_FILED, steps.file_contract),
    Step(StepKind.TAX_ASSESSED, steps.assess_tax),
    Step(StepKind.PREREGISTERED, steps.preregister),
    Step(StepKind.PREMORTGAGED, steps.premortgage, _with_loan),
    # Steps that only read (the clearance; what the transfer's answer may have left out) record
    # no intent: only a call made by Context.send does.
    Step(StepKind.TAX_PAID, steps.tax_paid),
    Step(StepKind.BUILDING_FIRST_REGISTERED, steps.building_first_registered),
    Step(StepKind.TAX_SETTLED, steps.settle_tax),
    Step(StepKind.TRANSFERRED, steps.transfer),
    Step(StepKind.MORTGAGE_RECORDED, steps.mortgage_recorded, _with_loan),
    Step(StepKind.CERTIFICATE_READY, steps.certificate_ready),
    Step(StepKind.HANDED_OVER, steps.handed_over),
)

# Once this step has started, a purchase only moves forward.
PIVOT = StepKind.TRANSFERRED

# Compensations, in the order they run: release the pre-mortgage (with the bank's consent),
# cancel the pre-registration, cancel the filing (the unit goes back on sale), refund the tax.
COMPENSATIONS: tuple[tuple[StepKind, Callable[[steps.Context], Awaitable[None]]], ...] = (
    (StepKind.PREMORTGAGED, steps.release_premortgage),
    (StepKind.PREREGISTERED, steps.cancel_preregistration),
    (StepKind.CONTRACT_SIGNED, steps.cancel_contract),
    (StepKind.TAX_ASSESSED, steps.refund_tax),
)
