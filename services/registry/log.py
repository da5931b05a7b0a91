"""Each authority's book as a log: each entry and each state event of a unit is a leaf of the
book of the authority its number names, in leaf-index order, encoded canonically (sorted-key
JSON), so anyone can recompute the book's Merkle tree from the rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from shared.documents import canonical_json

ENTRY_COLUMNS = (
    "unit_number",
    "sequence",
    "kind",
    "holders",
    "share_basis_points",
    "amount_fen",
    "priority_time",
    "ruling_authority",
    "ruling_number",
    "expire_time",
    "related_sequence",
    "restricts_transfer",
    "note",
    "created_by_case",
    "entered_by",
    "entry_time",
    "leaf_index",
)
EVENT_COLUMNS = (
    "unit_number",
    "sequence",
    "event_sequence",
    "state",
    "case_name",
    "actor",
    "event_time",
    "ruling_authority",
    "ruling_number",
    "note",
    "leaf_index",
)
# Columns a later version added; a leaf names them only when set, so every leaf written before
# them encodes, and hashes, exactly as it did.
OPTIONAL_ENTRY_COLUMNS = ("covers_building", "carried_from")
OPTIONAL_EVENT_COLUMNS = ("expire_time", "carried_to")


def _value(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if isinstance(value, tuple):
        return list(value)
    return value


def encode(
    kind: str, row: asyncpg.Record | dict[str, Any], columns: tuple[str, ...], optional: tuple[str, ...] = ()
) -> bytes:
    record = {"type": kind, **{c: _value(row[c]) for c in columns}}
    record.update({c: _value(row[c]) for c in optional if row[c] is not None})
    return canonical_json(record)


# A row's book, as the unique indexes on (book, leaf_index) compute it (registry_0010).
BOOK_OF_ROW = "left(unit_number, 6)"


async def leaves(connection: asyncpg.Connection, authority: str, end: int, start: int = 0) -> list[bytes]:
    """The authority's book's leaves from index `start` up to (not including) `end`, in order."""
    entries = await connection.fetch(
        f"SELECT {', '.join(ENTRY_COLUMNS + OPTIONAL_ENTRY_COLUMNS)} FROM entry"
        f" WHERE {BOOK_OF_ROW} = $3 AND leaf_index >= $1 AND leaf_index < $2",
        start,
        end,
        authority,
    )
    events = await connection.fetch(
        f"SELECT {', '.join(EVENT_COLUMNS + OPTIONAL_EVENT_COLUMNS)} FROM entry_event"
        f" WHERE {BOOK_OF_ROW} = $3 AND leaf_index >= $1 AND leaf_index < $2",
        start,
        end,
        authority,
    )
    by_index = {r["leaf_index"]: encode("entry", r, ENTRY_COLUMNS, OPTIONAL_ENTRY_COLUMNS) for r in entries}
    by_index.update(
        {r["leaf_index"]: encode("event", r, EVENT_COLUMNS, OPTIONAL_EVENT_COLUMNS) for r in events}
    )
    return [by_index[i] for i in range(start, end)]


async def size(connection: asyncpg.Connection, authority: str) -> int:
    """How many leaves the authority's book holds (0 before its first entry)."""
    value: int = await connection.fetchval(
        "SELECT coalesce((SELECT size FROM book WHERE authority = $1), 0)", authority
    )
    return value


async def books(connection: asyncpg.Connection) -> list[str]:
    """The authorities that keep a book here, in code order."""
    return [authority for (authority,) in await connection.fetch("SELECT authority FROM book ORDER BY 1")]
