"""SQL for pre-registrations and pre-mortgages. Never commits."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

import asyncpg

from services.preregistration.records import Premortgage, Right, RightT
from shared.records import typed, typed_or_none
from shared.sql import insert_row, one_row


async def insert(connection: asyncpg.Connection, right: Right) -> None:
    """Raises asyncpg.UniqueViolationError when a live one exists already."""
    await insert_row(connection, right.TABLE, dataclasses.asdict(right))


async def get(
    connection: asyncpg.Connection, kind: type[RightT], right_id: uuid.UUID, lock: bool = False
) -> RightT | None:
    suffix = " FOR UPDATE" if lock else ""
    row = await connection.fetchrow(f"SELECT * FROM {kind.TABLE} WHERE id = $1{suffix}", right_id)
    return typed_or_none(kind, row)


async def by_case(
    connection: asyncpg.Connection, kind: type[RightT], case_number: str, lock: bool = False
) -> RightT | None:
    suffix = " FOR UPDATE" if lock else ""
    row = await connection.fetchrow(f"SELECT * FROM {kind.TABLE} WHERE case_number = $1{suffix}", case_number)
    return typed_or_none(kind, row)


async def premortgage_banks(connection: asyncpg.Connection, preregistration_id: uuid.UUID) -> list[str]:
    """The banks that lodged a pre-mortgage on the pre-registration, whatever became of it."""
    rows = await connection.fetch(
        "SELECT DISTINCT bank_uscc FROM premortgage WHERE preregistration_id = $1", preregistration_id
    )
    return [bank for (bank,) in rows]


async def live_premortgage_of(
    connection: asyncpg.Connection, preregistration_id: uuid.UUID
) -> Premortgage | None:
    row = await connection.fetchrow(
        "SELECT * FROM premortgage WHERE preregistration_id = $1 AND state IN ('PENDING', 'IN_FORCE')",
        preregistration_id,
    )
    return typed_or_none(Premortgage, row)


async def standing_premortgage_of(
    connection: asyncpg.Connection, preregistration_id: uuid.UUID
) -> Premortgage | None:
    """The pre-mortgage in force on the pre-registration, or the one a transfer converted."""
    row = await connection.fetchrow(
        "SELECT * FROM premortgage WHERE preregistration_id = $1 AND state IN ('IN_FORCE', 'CONVERTED')"
        " ORDER BY update_time DESC LIMIT 1",
        preregistration_id,
    )
    return typed_or_none(Premortgage, row)


async def update(
    connection: asyncpg.Connection, kind: type[RightT], right_id: uuid.UUID, at: dt.datetime, **columns: Any
) -> RightT:
    """The right as updated (which the caller has loaded, and holds locked)."""
    assignments = "".join(f", {name} = ${i}" for i, name in enumerate(columns, start=3))
    row = await one_row(
        connection,
        f"UPDATE {kind.TABLE} SET update_time = $2{assignments} WHERE id = $1 RETURNING *",
        right_id,
        at,
        *columns.values(),
    )
    return typed(kind, row)
