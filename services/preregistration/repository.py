"""SQL for pre-registrations and pre-mortgages. Never commits."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg

from shared.sql import insert_row, one_row


async def insert(connection: asyncpg.Connection, table: str, row: dict[str, Any]) -> None:
    """Raises asyncpg.UniqueViolationError when a live one exists already."""
    await insert_row(connection, table, row)


async def get(
    connection: asyncpg.Connection, table: str, right_id: uuid.UUID, lock: bool = False
) -> asyncpg.Record | None:
    suffix = " FOR UPDATE" if lock else ""
    return await connection.fetchrow(f"SELECT * FROM {table} WHERE id = $1{suffix}", right_id)


async def by_case(
    connection: asyncpg.Connection, table: str, case_number: str, lock: bool = False
) -> asyncpg.Record | None:
    suffix = " FOR UPDATE" if lock else ""
    return await connection.fetchrow(f"SELECT * FROM {table} WHERE case_number = $1{suffix}", case_number)


async def premortgage_banks(connection: asyncpg.Connection, preregistration_id: uuid.UUID) -> list[str]:
    """The banks that lodged a pre-mortgage on the pre-registration, whatever became of it."""
    rows = await connection.fetch(
        "SELECT DISTINCT bank_uscc FROM premortgage WHERE preregistration_id = $1", preregistration_id
    )
    return [row["bank_uscc"] for row in rows]


async def live_premortgage_of(
    connection: asyncpg.Connection, preregistration_id: uuid.UUID
) -> asyncpg.Record | None:
    return await connection.fetchrow(
        "SELECT * FROM premortgage WHERE preregistration_id = $1 AND state IN ('PENDING', 'IN_FORCE')",
        preregistration_id,
    )


async def update(
    connection: asyncpg.Connection, table: str, right_id: uuid.UUID, at: dt.datetime, **columns: Any
) -> asyncpg.Record:
    """The right as updated (which the caller has loaded, and holds locked)."""
    assignments = "".join(f", {name} = ${i}" for i, name in enumerate(columns, start=3))
    return await one_row(
        connection,
        f"UPDATE {table} SET update_time = $2{assignments} WHERE id = $1 RETURNING *",
        right_id,
        at,
        *columns.values(),
    )
