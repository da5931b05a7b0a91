"""The purchase office's records (购房业务 and its saga's steps, a building's completion) as its
tables hold them."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from shared.records import table


@table("orchestrator", "purchase")
@dataclass(frozen=True, slots=True)
class Purchase:
    """A purchase filed once: its filing, where its saga stands, its documents and its lease."""

    id: uuid.UUID
    developer_uscc: str
    bank_uscc: str
    building_number: str
    unit_number: str
    filing: bytes
    state: str
    version: int
    due_at: dt.datetime | None
    leased_by: str | None
    lease_until: dt.datetime | None
    problem: bytes | None
    documents: bytes
    cancellation: bytes | None
    create_time: dt.datetime
    update_time: dt.datetime
    handover_time: dt.datetime | None
    terms_sha256: bytes | None
    contract: str | None
    unit: bytes | None
    tax_words: int
    trace_context: str


@table("orchestrator", "purchase_step")
@dataclass(frozen=True, slots=True)
class PurchaseStep:
    """One step of a purchase's saga, forward or compensating, as last recorded."""

    purchase_id: uuid.UUID
    kind: str
    direction: str
    state: str
    start_time: dt.datetime | None
    end_time: dt.datetime | None
    attempts: int
    last_error: bytes | None
    next_attempt_time: dt.datetime | None
    worker: str
    unexplained_failures: int
    generation: int
    # The exact request of the step's call, recorded before it was sent (None: no call yet).
    intent: bytes | None


@table("orchestrator", "building_completion")
@dataclass(frozen=True, slots=True)
class BuildingCompletion:
    """A building declared completed (竣工) and first-registered."""

    building_number: str
    request: bytes
    first_registration_case: str
    first_registration_time: dt.datetime
    create_time: dt.datetime
