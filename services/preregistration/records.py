"""The pre-registration office's rights (预告登记 and 预购商品房抵押预告登记) as its tables hold them."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from shared.records import table


@table("preregistration", "preregistration")
@dataclass(frozen=True, slots=True)
class Preregistration:
    """A pre-registration of a filed contract's buyers' claim to the unit (预告登记)."""

    TABLE: ClassVar[str] = "preregistration"

    id: uuid.UUID
    unit_number: str
    contract: str
    filing_number: str
    holders: bytes
    developer: bytes
    state: str
    case_number: str
    proof_number: str
    entry: str
    register_time: dt.datetime | None
    update_time: dt.datetime


@table("preregistration", "premortgage")
@dataclass(frozen=True, slots=True)
class Premortgage:
    """A pre-mortgage (预抵押) of the lending bank on a pre-registration."""

    TABLE: ClassVar[str] = "premortgage"

    id: uuid.UUID
    unit_number: str
    preregistration_id: uuid.UUID
    bank_uscc: str
    loan: bytes
    mortgagors: bytes
    state: str
    case_number: str
    proof_number: str
    entry: str
    register_time: dt.datetime | None
    update_time: dt.datetime


# Either right, where the office treats them alike (loading, entering, abandoning).
Right = Preregistration | Premortgage
RightT = TypeVar("RightT", Preregistration, Premortgage)
