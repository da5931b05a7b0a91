"""The mortgage office's record (抵押权) as its table holds it."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from shared.records import table


@table("mortgage", "mortgage")
@dataclass(frozen=True, slots=True)
class Mortgage:
    """A mortgage lodged by a bank, from its case to its entry in the book and its discharge."""

    id: uuid.UUID
    unit_number: str
    bank_uscc: str
    loan: bytes
    mortgagors: bytes
    state: str
    case_number: str
    discharge_case_number: str
    proof_number: str
    entry: str
    priority_time: dt.datetime | None
    register_time: dt.datetime | None
    premortgage: str
    discharge_time: dt.datetime | None
    update_time: dt.datetime
