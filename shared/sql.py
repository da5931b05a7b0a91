"""Small SQL builders for the repositories: an INSERT from a dict of columns. Column names come
from code, never from a request; values are always bound parameters."""

from __future__ import annotations

import asyncpg


def insert_statement(table: str, columns: list[str], suffix: str = "") -> str:
    placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders}){suffix}"


async def insert_row(connection: asyncpg.Connection, table: str, row: dict, suffix: str = "") -> None:
    await connection.execute(insert_statement(table, list(row), suffix), *row.values())


async def insert_returning(connection: asyncpg.Connection, table: str, row: dict) -> asyncpg.Record:
    """Inserts the row; the row as written (defaults filled in)."""
    return await connection.fetchrow(insert_statement(table, list(row), " RETURNING *"), *row.values())
