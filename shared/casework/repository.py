"""SQL for registry cases and their history. Never commits."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import asyncpg

from shared.casework.records import CaseEvent, RegistryCase
from shared.records import typed, typed_all, typed_or_none
from shared.sql import insert_returning, one_row


async def insert_case(
    connection: asyncpg.Connection, row: dict[str, Any], states: list[str], actor: str, at: dt.datetime
) -> tuple[RegistryCase, list[CaseEvent]]:
    """A new case with its first events (in `states`' order), as the rows written."""
    case_row = typed(RegistryCase, await insert_returning(connection, "registry_case", row))
    return case_row, await add_events(connection, case_row.case_number, [(s, []) for s in states], actor, at)


async def case(connection: asyncpg.Connection, case_number: str, lock: bool = False) -> RegistryCase | None:
    suffix = " FOR UPDATE" if lock else ""
    row = await connection.fetchrow(
        f"SELECT * FROM registry_case WHERE case_number = $1{suffix}", case_number
    )
    return typed_or_none(RegistryCase, row)


async def events(connection: asyncpg.Connection, case_number: str) -> list[CaseEvent]:
    rows = await connection.fetch(
        "SELECT * FROM case_event WHERE case_number = $1 ORDER BY event_sequence", case_number
    )
    return typed_all(CaseEvent, rows)


async def add_event(
    connection: asyncpg.Connection,
    case_number: str,
    state: str,
    actor: str,
    at: dt.datetime,
    notes: list[str],
) -> None:
    await add_events(connection, case_number, [(state, notes)], actor, at)


async def add_events(
    connection: asyncpg.Connection,
    case_number: str,
    moves: list[tuple[str, list[str]]],
    actor: str,
    at: dt.datetime,
) -> list[CaseEvent]:
    """The case's next events, in order (each a state and its notes), in one statement; the rows."""
    rows = await connection.fetch(
        """
        INSERT INTO case_event (case_number, event_sequence, state, actor, event_time, notes)
        SELECT $1, (SELECT coalesce(max(event_sequence), 0) FROM case_event WHERE case_number = $1) + n,
               e->>'state', $3, $4, ARRAY(SELECT jsonb_array_elements_text(e->'notes'))
        FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS m(e, n)
        RETURNING *
        """,
        case_number,
        json.dumps([{"state": state, "notes": list(notes)} for state, notes in moves], ensure_ascii=False),
        actor,
        at,
    )
    return sorted(typed_all(CaseEvent, rows), key=lambda e: e.event_sequence)


async def update_case(
    connection: asyncpg.Connection, case_number: str, at: dt.datetime, **columns: Any
) -> RegistryCase:
    """Sets the case's columns; the row as updated."""
    if "corrections" in columns:
        columns["corrections"] = json.dumps(columns["corrections"], ensure_ascii=False)
    assignments = "".join(f", {name} = ${i}" for i, name in enumerate(columns, start=3))
    row = await one_row(
        connection,
        f"UPDATE registry_case SET update_time = $2{assignments} WHERE case_number = $1 RETURNING *",
        case_number,
        at,
        *columns.values(),
    )
    return typed(RegistryCase, row)


async def list_cases(
    connection: asyncpg.Connection,
    states: list[str],
    kinds: list[str],
    lodged_before: dt.datetime | None,
    unit_number: str,
    after: str,
    limit: int,
) -> list[RegistryCase]:
    """Oldest first: the queue order."""
    rows = await connection.fetch(
        """
        SELECT * FROM registry_case
        WHERE state = ANY($1::text[]) AND (cardinality($2::text[]) = 0 OR kind = ANY($2::text[]))
          AND ($3::timestamptz IS NULL OR lodge_time < $3) AND ($4 = '' OR unit_number = $4)
          AND (lodge_time, case_number) > (
              SELECT coalesce(max(lodge_time), '-infinity'), coalesce(max(case_number), '')
              FROM registry_case WHERE case_number = $5)
        ORDER BY lodge_time, case_number LIMIT $6
        """,
        states,
        kinds,
        lodged_before,
        unit_number,
        after,
        limit,
    )
    return typed_all(RegistryCase, rows)


async def requisition_times(connection: asyncpg.Connection, case_number: str) -> list[dt.datetime]:
    """When the case was requisitioned (补正), oldest first."""
    rows = await connection.fetch(
        "SELECT event_time FROM case_event WHERE case_number = $1 AND state = 'REQUISITIONED'"
        " ORDER BY event_sequence",
        case_number,
    )
    return [event_time for (event_time,) in rows]


async def unanswered_requisitions(
    connection: asyncpg.Connection, requisitioned_before: dt.datetime
) -> list[str]:
    """Cases still waiting for an answer to a requisition made before the given time."""
    rows = await connection.fetch(
        "SELECT c.case_number FROM registry_case c WHERE c.state = 'REQUISITIONED' AND ("
        " SELECT max(e.event_time) FROM case_event e"
        " WHERE e.case_number = c.case_number AND e.state = 'REQUISITIONED') < $1"
        " ORDER BY c.case_number LIMIT 100",
        requisitioned_before,
    )
    return [case_number for (case_number,) in rows]
