"""A registry case (登记案件) and its history as each office that keeps cases holds them."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from shared.records import table

# The offices that keep registry cases, each in its own schema with the same tables.
CASE_OFFICES = ("preregistration", "transfer", "mortgage")


@dataclass(frozen=True, slots=True)
class RegistryCase:
    """An application for registration, from its lodging to its close (条例 16-22)."""

    case_number: str
    kind: str
    state: str
    unit_number: str
    applicants: list[str]
    subject: str
    lodge_time: dt.datetime
    time_limit_working_days: int
    due_time: dt.datetime
    # JSON text: the requisition's corrections (补正材料).
    corrections: str
    refusal_reasons: list[str]
    register_time: dt.datetime | None
    entries: list[str]
    document_number: str
    update_time: dt.datetime
    register_operation: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class CaseEvent:
    """One move of a case, in order."""

    case_number: str
    event_sequence: int
    state: str
    actor: str
    event_time: dt.datetime
    notes: list[str]


for _office in CASE_OFFICES:
    table(_office, "registry_case")(RegistryCase)
    table(_office, "case_event")(CaseEvent)
