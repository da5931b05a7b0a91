"""Small SQL builders for the repositories: an INSERT from a dict of columns. Column names come
from code, never from a request; values are always bound parameters."""

from __future__ import annotations

from typing import Any

import asyncpg


def insert_statement(table: str, columns: list[str], suffix: str = "") -> str:
    placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders}){suffix}"


async def insert_row(
    connection: asyncpg.Connection, table: str, row: dict[str, Any], suffix: str = ""
) -> None:
    await connection.execute(insert_statement(table, list(row), suffix), *row.values())


async def one_row(connection: asyncpg.Connection, query: str, *args: object) -> asyncpg.Record:
    """The row of a statement that always yields one (an aggregate, a RETURNING of a row it
    inserted, a left join onto a one-row table)."""
    row = await connection.fetchrow(query, *args)
    if row is None:
        raise RuntimeError(f"a statement that always yields a row yielded none: {query[:80]}")
    return row


async def insert_returning(connection: asyncpg.Connection, table: str, row: dict[str, Any]) -> asyncpg.Record:
    """Inserts the row; the row as written (defaults filled in)."""
    return await one_row(connection, insert_statement(table, list(row), " RETURNING *"), *row.values())
