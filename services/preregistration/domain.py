"""Pre-registration (预告登记, 民法典 221, 条例 14, CQ 61) and pre-mortgage (预抵押, CQ 62) rules."""

from __future__ import annotations

from enum import StrEnum

from deedflow.type.v1.reasons import Reason
from shared.errors import FailedPrecondition


class RightState(StrEnum):
    PENDING = "PENDING"
    IN_FORCE = "IN_FORCE"
    CONVERTED = "CONVERTED"
    CANCELLED = "CANCELLED"
    LAPSED = "LAPSED"
    ABANDONED = "ABANDONED"


def check_in_force(state: RightState, what: str, reason: Reason) -> None:
    if state is not RightState.IN_FORCE:
        raise FailedPrecondition(
            reason, f"the {what} is {state.value.lower().replace('_', ' ')}, not in force"
        )
