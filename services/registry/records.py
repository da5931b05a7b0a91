"""The register's rows (登记簿: units, entries and their state events) as its tables hold them;
the repository makes the book's domain records (UnitFacts, Entry) from them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shared.records import table


@table("registry", "building")
@dataclass(frozen=True, slots=True)
class BuildingRow:
    """A building of the book, first-registered once (首次登记)."""

    building_number: str
    first_registration_time: dt.datetime | None
    first_registration_case: str | None
    common_parts: list[str]
    create_time: dt.datetime


@dataclass(frozen=True, slots=True)
class UnitRow:
    """A unit of the book (`unit`), with the as-built area its survey recorded, if any (not a
    table: the unit joined to its survey)."""

    unit_number: str
    building_number: str
    address: str
    gross_area_dm2: int
    use: str
    presale_unit_number: str
    renumbered_to: str | None
    surveyed_area_dm2: int | None


@table("registry", "entry")
@dataclass(frozen=True, slots=True)
class EntryRow:
    """An entry of the book as first entered (its later moves are EntryEventRows)."""

    unit_number: str
    sequence: int
    kind: str
    holders: list[str]
    share_basis_points: list[int]
    amount_fen: int
    priority_time: dt.datetime
    ruling_authority: str
    ruling_number: str
    expire_time: dt.datetime | None
    related_sequence: int | None
    restricts_transfer: bool
    note: str
    created_by_case: str
    entered_by: str
    entry_time: dt.datetime
    leaf_index: int
    covers_building: bool | None
    carried_from: str | None
    # What the leaf's commitments are made under (None: entered before leaves held them).
    salt: bytes | None


@table("registry", "entry_event")
@dataclass(frozen=True, slots=True)
class EntryEventRow:
    """A move of an entry to a state, in order."""

    unit_number: str
    sequence: int
    event_sequence: int
    state: str
    case_name: str
    actor: str
    event_time: dt.datetime
    ruling_authority: str
    ruling_number: str
    note: str
    leaf_index: int
    expire_time: dt.datetime | None
    carried_to: str | None
    # What the leaf's commitments are made under (None: entered before leaves held them).
    salt: bytes | None


@table("registry", "checkpoint")
@dataclass(frozen=True, slots=True)
class CheckpointRow:
    """A checkpoint the registry signed over an authority's book (C2SP tlog-checkpoint)."""

    authority: str
    tree_size: int
    root_hash: bytes
    checkpoint_time: dt.datetime
    signature: bytes
    key_id: bytes
    # The same checkpoint as the C2SP note signed with it (None: signed before registry_0012).
    note: str | None
