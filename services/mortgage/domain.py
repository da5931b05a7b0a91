"""Mortgage (抵押权, 民法典 394-424) rules: who may mortgage a unit and who may discharge it."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from deedflow.type.v1.reasons import Reason
from shared.auth import Caller
from shared.errors import FailedPrecondition
from shared.parties import is_holder, is_party


class MortgageState(StrEnum):
    LODGED = "LODGED"
    REGISTERED = "REGISTERED"
    DISCHARGED = "DISCHARGED"
    ABANDONED = "ABANDONED"


def check_mortgagors_own(owner_sets: list[set[str]], mortgagors: set[str]) -> None:
    """The mortgagors must be the unit's registered owners (民法典 395)."""
    if not owner_sets:
        raise FailedPrecondition(Reason.OWNERSHIP_MISSING, "the unit has no registered owner to mortgage it")
    if mortgagors not in owner_sets:
        raise FailedPrecondition(
            Reason.MORTGAGOR_NOT_OWNER, "the mortgagors are not the unit's registered owners"
        )


def may_read_mortgage(who: Caller, bank: str, mortgagors: Iterable[str]) -> bool:
    """Who reads a mortgage and its proof (不动产登记证明): officials, the mortgagee bank, and each
    mortgagor (the owner) with the buyer certificate of their own key."""
    return is_party(who, banks=[bank]) or is_holder(who, mortgagors)


def check_dischargeable(state: MortgageState) -> None:
    if state is not MortgageState.REGISTERED:
        raise FailedPrecondition(
            Reason.MORTGAGE_NOT_REGISTERED, f"the mortgage is {state.value.lower()}, not registered"
        )
