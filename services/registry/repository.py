"""SQL for the book. Never commits: the service layer owns the transaction."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import asyncpg

from services.registry.domain import (
    Entry,
    EntryKind,
    EntryState,
    NewEntry,
    Ruling,
    StateEvent,
    UnitFacts,
)
from services.registry.records import BuildingRow, EntryEventRow, EntryRow, UnitRow
from shared.commitments import new_salt
from shared.records import typed, typed_all, typed_or_none


def _ruling(authority: str, number: str) -> Ruling | None:
    return Ruling(authority, number) if authority or number else None


async def insert_building(connection: asyncpg.Connection, building_number: str) -> None:
    await connection.execute(
        "INSERT INTO building (building_number) VALUES ($1) ON CONFLICT DO NOTHING", building_number
    )


async def find_units(connection: asyncpg.Connection, unit_numbers: list[str]) -> dict[str, UnitFacts]:
    rows = await connection.fetch(
        "SELECT *, NULL::bigint AS surveyed_area_dm2 FROM unit WHERE unit_number = ANY($1::text[])",
        unit_numbers,
    )
    return {facts.unit_number: facts for facts in map(_facts, rows)}


async def insert_unit(connection: asyncpg.Connection, facts: UnitFacts) -> None:
    await connection.execute(
        "INSERT INTO unit (unit_number, building_number, address, gross_area_dm2, use, presale_unit_number)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        facts.unit_number,
        facts.building_number,
        facts.address,
        facts.gross_area_dm2,
        facts.use,
        facts.presale_unit_number,
    )


# A unit's facts with its surveyed area, once the survey is recorded.
_WITH_SURVEY = (
    "SELECT u.*, s.gross_area_dm2 AS surveyed_area_dm2"
    " FROM unit u LEFT JOIN unit_survey s USING (unit_number)"
)


async def record_survey(
    connection: asyncpg.Connection, unit_number: str, gross_area_dm2: int, case: str, at: dt.datetime
) -> None:
    await connection.execute(
        "INSERT INTO unit_survey (unit_number, gross_area_dm2, registry_case, record_time)"
        " VALUES ($1, $2, $3, $4)",
        unit_number,
        gross_area_dm2,
        case,
        at,
    )


def _facts(row: asyncpg.Record) -> UnitFacts:
    unit = typed(UnitRow, row)
    return UnitFacts(
        unit.unit_number,
        unit.building_number,
        unit.address,
        unit.gross_area_dm2,
        unit.use,
        unit.presale_unit_number,
        unit.surveyed_area_dm2,
        unit.renumbered_to or "",
    )


async def lock_unit(connection: asyncpg.Connection, unit_number: str) -> UnitFacts | None:
    """The unit's facts, with its row locked so that one unit's book changes one case at a time."""
    row = await connection.fetchrow(f"{_WITH_SURVEY} WHERE u.unit_number = $1 FOR UPDATE OF u", unit_number)
    return _facts(row) if row else None


async def lock_units(connection: asyncpg.Connection, unit_numbers: list[str]) -> dict[str, UnitFacts]:
    """`lock_unit` for many units in one statement, locked in unit-number order (so two batches
    sharing units wait on each other rather than deadlock); a unit not in the book is absent."""
    rows = await connection.fetch(
        f"{_WITH_SURVEY} WHERE u.unit_number = ANY($1::text[]) ORDER BY u.unit_number FOR UPDATE OF u",
        unit_numbers,
    )
    return {facts.unit_number: facts for facts in map(_facts, rows)}


async def read_units(connection: asyncpg.Connection, unit_numbers: list[str]) -> dict[str, UnitFacts]:
    """The facts of these units (with their surveyed areas) in one statement; absent: not in the book."""
    rows = await connection.fetch(f"{_WITH_SURVEY} WHERE u.unit_number = ANY($1::text[])", unit_numbers)
    return {facts.unit_number: facts for facts in map(_facts, rows)}


async def read_unit(connection: asyncpg.Connection, unit_number: str) -> UnitFacts | None:
    row = await connection.fetchrow(f"{_WITH_SURVEY} WHERE u.unit_number = $1", unit_number)
    return _facts(row) if row else None


async def lock_building(connection: asyncpg.Connection, building_number: str) -> BuildingRow | None:
    row = await connection.fetchrow(
        "SELECT * FROM building WHERE building_number = $1 FOR UPDATE", building_number
    )
    return typed_or_none(BuildingRow, row)


async def first_registration_time(connection: asyncpg.Connection, building_number: str) -> dt.datetime | None:
    value: dt.datetime | None = await connection.fetchval(
        "SELECT first_registration_time FROM building WHERE building_number = $1", building_number
    )
    return value


async def units_of_building(connection: asyncpg.Connection, building_number: str) -> list[str]:
    """The building's units as the book now numbers them (without presale units since renumbered)."""
    rows = await connection.fetch(
        "SELECT unit_number FROM unit WHERE building_number = $1 AND renumbered_to IS NULL"
        " ORDER BY unit_number",
        building_number,
    )
    return [unit_number for (unit_number,) in rows]


async def renumber(connection: asyncpg.Connection, facts: UnitFacts, presale_unit_number: str) -> None:
    """Enters the as-built unit `facts` surveyed from a presale unit, and marks that presale unit
    as renumbered to it."""
    await insert_unit(connection, facts)
    await connection.execute(
        "UPDATE unit SET renumbered_to = $2 WHERE unit_number = $1", presale_unit_number, facts.unit_number
    )


async def mark_first_registered(
    connection: asyncpg.Connection, building_number: str, at: dt.datetime, case: str, common_parts: list[str]
) -> None:
    await connection.execute(
        "UPDATE building SET first_registration_time = $2, first_registration_case = $3, common_parts = $4"
        " WHERE building_number = $1",
        building_number,
        at,
        case,
        common_parts,
    )


async def entries_of(connection: asyncpg.Connection, unit_numbers: list[str]) -> dict[str, list[Entry]]:
    """Every entry of these units with its whole event history."""
    entry_rows = await connection.fetch(
        "SELECT * FROM entry WHERE unit_number = ANY($1::text[]) ORDER BY unit_number, sequence", unit_numbers
    )
    event_rows = await connection.fetch(
        "SELECT * FROM entry_event WHERE unit_number = ANY($1::text[])"
        " ORDER BY unit_number, sequence, event_sequence",
        unit_numbers,
    )
    events: dict[tuple[str, int], list[StateEvent]] = defaultdict(list)
    for event in typed_all(EntryEventRow, event_rows):
        events[(event.unit_number, event.sequence)].append(
            StateEvent(
                EntryState(event.state),
                event.case_name,
                event.actor,
                event.event_time,
                _ruling(event.ruling_authority, event.ruling_number),
                event.note,
                event.expire_time,
                event.carried_to or "",
            )
        )
    found: dict[str, list[Entry]] = defaultdict(list)
    for row in typed_all(EntryRow, entry_rows):
        found[row.unit_number].append(
            Entry(
                unit_number=row.unit_number,
                sequence=row.sequence,
                kind=EntryKind(row.kind),
                holders=tuple(row.holders),
                shares=tuple(row.share_basis_points),
                amount_fen=row.amount_fen,
                priority_time=row.priority_time,
                created_by_case=row.created_by_case,
                entered_by=row.entered_by,
                entry_time=row.entry_time,
                leaf_index=row.leaf_index,
                events=tuple(events[(row.unit_number, row.sequence)]),
                ruling=_ruling(row.ruling_authority, row.ruling_number),
                expire_time=row.expire_time,
                related_sequence=row.related_sequence,
                restricts_transfer=row.restricts_transfer,
                note=row.note,
                covers_building=bool(row.covers_building),
                carried_from=row.carried_from or "",
            )
        )
    return found


async def allocate_leaves(connection: asyncpg.Connection, authority: str, count: int) -> int:
    """Reserves `count` consecutive leaf indices in the authority's book; returns the first. The
    book's row lock it takes is held until commit, which keeps the book gapless and in commit
    order; other authorities' books are other rows, so their commits never wait on this one."""
    value: int = await connection.fetchval(
        "INSERT INTO book (authority, size) VALUES ($1, $2)"
        " ON CONFLICT (authority) DO UPDATE SET size = book.size + EXCLUDED.size RETURNING size - $2",
        authority,
        count,
    )
    return value


def entry_row(
    unit_number: str,
    sequence: int,
    new: NewEntry,
    priority_time: dt.datetime,
    case: str,
    actor: str,
    at: dt.datetime,
    leaf_index: int,
) -> tuple[Any, ...]:
    """An entry's row, for insert_entries."""
    return (
        unit_number,
        sequence,
        new.kind.value,
        list(new.holders),
        list(new.shares),
        new.amount_fen,
        priority_time,
        new.ruling.authority if new.ruling else "",
        new.ruling.ruling_number if new.ruling else "",
        new.expire_time,
        new.related_sequence,
        new.restricts_transfer,
        new.note,
        case,
        actor,
        at,
        leaf_index,
        True if new.covers_building else None,
        new.carried_from or None,
        new_salt(),
    )


def event_row(
    unit_number: str, sequence: int, event_sequence: int, event: StateEvent, leaf_index: int
) -> tuple[Any, ...]:
    """A state event's row, for insert_events."""
    return (
        unit_number,
        sequence,
        event_sequence,
        event.state.value,
        event.case,
        event.actor,
        event.time,
        event.ruling.authority if event.ruling else "",
        event.ruling.ruling_number if event.ruling else "",
        event.note,
        leaf_index,
        event.expire_time,
        event.carried_to or None,
        new_salt(),
    )


# Rows are written as one array of the table's own row type: one statement for a whole batch's
# entries (one execution a row, pipelined, cost PostgreSQL about nine executions a unit at a
# handover). entry_row and event_row give the columns in the table's order, which that type keeps.
_ENTRY_COLUMNS = (
    "unit_number, sequence, kind, holders, share_basis_points, amount_fen, priority_time,"
    " ruling_authority, ruling_number, expire_time, related_sequence, restricts_transfer, note,"
    " created_by_case, entered_by, entry_time, leaf_index, covers_building, carried_from, salt"
)
_EVENT_COLUMNS = (
    "unit_number, sequence, event_sequence, state, case_name, actor, event_time, ruling_authority,"
    " ruling_number, note, leaf_index, expire_time, carried_to, salt"
)


async def insert_entries(connection: asyncpg.Connection, rows: list[tuple[Any, ...]]) -> None:
    """Entries (entry_row), in one statement."""
    await connection.execute(
        f"INSERT INTO entry ({_ENTRY_COLUMNS}) SELECT {_ENTRY_COLUMNS} FROM unnest($1::entry[])", rows
    )


async def insert_events(connection: asyncpg.Connection, rows: list[tuple[Any, ...]]) -> None:
    """State events (event_row), in one statement; their entries are in already."""
    await connection.execute(
        f"INSERT INTO entry_event ({_EVENT_COLUMNS}) SELECT {_EVENT_COLUMNS} FROM unnest($1::entry_event[])",
        rows,
    )
