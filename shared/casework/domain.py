"""The case lifecycle (条例 15-22, SOLA): lodged (受理) -> [requisitioned (补正) <-> lodged] ->
approved (审核) -> registered (登簿) -> issued (发证); withdrawn only before 登簿, refused with
written reasons, lapsed. Pure rules; no I/O."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from deedflow.type.v1.reasons import Reason
from shared.errors import FailedPrecondition, FieldViolation, InvalidArgument


class CaseState(StrEnum):
    LODGED = "LODGED"
    REQUISITIONED = "REQUISITIONED"
    APPROVED = "APPROVED"
    REGISTERED = "REGISTERED"
    ISSUED = "ISSUED"
    WITHDRAWN = "WITHDRAWN"
    REFUSED = "REFUSED"
    LAPSED = "LAPSED"


class CaseKind(StrEnum):
    PREREGISTRATION = "PREREGISTRATION"
    PREMORTGAGE = "PREMORTGAGE"
    PREREGISTRATION_CANCELLATION = "PREREGISTRATION_CANCELLATION"
    PREMORTGAGE_RELEASE = "PREMORTGAGE_RELEASE"
    FIRST_REGISTRATION = "FIRST_REGISTRATION"
    TRANSFER = "TRANSFER"
    MORTGAGE = "MORTGAGE"
    MORTGAGE_DISCHARGE = "MORTGAGE_DISCHARGE"


OPEN = frozenset({CaseState.LODGED, CaseState.REQUISITIONED, CaseState.APPROVED})
CLOSED = frozenset({CaseState.WITHDRAWN, CaseState.REFUSED, CaseState.LAPSED})
ENTERED = frozenset({CaseState.REGISTERED, CaseState.ISSUED})

# Statutory processing limits in working days (CQ 25), counted from the day after lodging:
# ownership first registration and transfer 15; mortgage first registration 7 and its
# cancellation (注销) 5; pre-registrations (预告, 预抵押) and their cancellation 5.
TIME_LIMIT_WORKING_DAYS = {
    CaseKind.PREREGISTRATION: 5,
    CaseKind.PREMORTGAGE: 5,
    CaseKind.PREREGISTRATION_CANCELLATION: 5,
    CaseKind.PREMORTGAGE_RELEASE: 5,
    CaseKind.FIRST_REGISTRATION: 15,
    CaseKind.TRANSFER: 15,
    CaseKind.MORTGAGE: 7,
    CaseKind.MORTGAGE_DISCHARGE: 5,
}


# How long an applicant has to answer a requisition before the application lapses (practice;
# the time is not counted toward the case's limit, CQ 25 ¶2).
REQUISITION_ANSWER_PERIOD = dt.timedelta(days=30)


def check_requisition(state: CaseState, corrections: int, requisitioned_before: bool) -> None:
    """条例 17 and CQ 20: every correction is asked for at once, in one written requisition; a case
    whose answer is still wrong is refused, not requisitioned again."""
    if corrections == 0:
        raise InvalidArgument([FieldViolation("corrections", "list every correction needed (条例 17)")])
    if state is not CaseState.LODGED:
        raise FailedPrecondition(Reason.CASE_NOT_LODGED, f"the case is {state.value.lower()}, not lodged")
    if requisitioned_before:
        raise FailedPrecondition(
            Reason.REQUISITION_ALREADY_MADE,
            "every correction is asked for at once (条例 17); refuse the case if the answer falls short",
        )


def answer_due(requisition_time: dt.datetime) -> dt.datetime:
    return requisition_time + REQUISITION_ANSWER_PERIOD


def check_resubmit(state: CaseState, requisition_time: dt.datetime | None, at: dt.datetime) -> None:
    if state is CaseState.LAPSED or (
        state is CaseState.REQUISITIONED
        and requisition_time is not None
        and at > answer_due(requisition_time)
    ):
        raise FailedPrecondition(
            Reason.CASE_LAPSED, "the requisition went unanswered and the application lapsed; apply anew"
        )
    if state is not CaseState.REQUISITIONED:
        raise FailedPrecondition(
            Reason.CASE_NOT_REQUISITIONED, f"the case is {state.value.lower()}, not requisitioned"
        )


def check_approve(state: CaseState) -> None:
    if state is not CaseState.LODGED:
        raise FailedPrecondition(Reason.CASE_NOT_LODGED, f"the case is {state.value.lower()}, not lodged")


def _check_not_entering(entering: uuid.UUID | None) -> None:
    if entering is not None:
        raise FailedPrecondition(
            Reason.CASE_BEING_REGISTERED,
            "the case is being entered in the book; it stands or falls by that",
            {"operation": str(entering)},
        )


def check_register(state: CaseState, entering: uuid.UUID | None) -> None:
    if state is not CaseState.APPROVED:
        raise FailedPrecondition(Reason.CASE_NOT_APPROVED, f"the case is {state.value.lower()}, not approved")
    _check_not_entering(entering)


def check_close(state: CaseState, entering: uuid.UUID | None) -> None:
    """Refusing and withdrawing end a case only before 登簿 (条例 15, 22), and not while it is being
    entered: the book may already hold it."""
    if state in ENTERED:
        raise FailedPrecondition(Reason.CASE_ALREADY_REGISTERED, "the case is entered in the book; it stands")
    if state in CLOSED:
        raise FailedPrecondition(Reason.CASE_CLOSED, f"the case is already {state.value.lower()}")
    _check_not_entering(entering)
