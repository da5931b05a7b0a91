"""Each authority's book as a log: each entry and each state event of a unit is a leaf of the
book of the authority its number names, in leaf-index order, encoded canonically (sorted-key
JSON), so anyone holding the rows can recompute the book's Merkle tree. A leaf names no person:
its holders and particulars are commitments under the row's salt (shared/commitments.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import asyncpg

from shared.commitments import (
    ENTRY_PARTICULARS,
    EVENT_PARTICULARS,
    holder_commitment,
    particulars_commitment,
)
from shared.documents import COMMITTED, canonical_json

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
    kind: str,
    row: asyncpg.Record | dict[str, Any],
    columns: tuple[str, ...],
    optional: tuple[str, ...] = (),
    particulars: tuple[str, ...] = (),
) -> bytes:
    """The leaf of a row. A row with no salt was entered before leaves held commitments, and
    encodes, and hashes, as it was entered (its book began before registry_0011)."""
    salt: bytes | None = row["salt"]
    if salt is None:
        record = {"type": kind, **{c: _value(row[c]) for c in columns}}
    else:
        public = [c for c in columns if c not in particulars and c != "holders"]
        record = {"type": kind, "v": COMMITTED, **{c: _value(row[c]) for c in public}}
        if "holders" in columns:
            record["holders"] = [holder_commitment(salt, i, h).hex() for i, h in enumerate(row["holders"])]
        hidden = canonical_json({c: _value(row[c]) for c in particulars})
        record["particulars"] = particulars_commitment(salt, hidden).hex()
    record.update({c: _value(row[c]) for c in optional if row[c] is not None})
    return canonical_json(record)


def encode_entry(row: asyncpg.Record | dict[str, Any]) -> bytes:
    return encode("entry", row, ENTRY_COLUMNS, OPTIONAL_ENTRY_COLUMNS, ENTRY_PARTICULARS)


def encode_event(row: asyncpg.Record | dict[str, Any]) -> bytes:
    return encode("event", row, EVENT_COLUMNS, OPTIONAL_EVENT_COLUMNS, EVENT_PARTICULARS)


# A row of the book with the encoding of its kind.
Row = tuple[asyncpg.Record, Callable[[asyncpg.Record | dict[str, Any]], bytes]]

# A row's book, as the unique indexes on (book, leaf_index) compute it (registry_0010).
BOOK_OF_ROW = "left(unit_number, 6)"


async def _rows(connection: asyncpg.Connection, authority: str, end: int, start: int) -> list[Row]:
    """The rows of leaves start..end-1 of the authority's book, each with its encoder, in order."""
    entries = await connection.fetch(
        f"SELECT {', '.join(ENTRY_COLUMNS + OPTIONAL_ENTRY_COLUMNS)}, salt FROM entry"
        f" WHERE {BOOK_OF_ROW} = $3 AND leaf_index >= $1 AND leaf_index < $2",
        start,
        end,
        authority,
    )
    events = await connection.fetch(
        f"SELECT {', '.join(EVENT_COLUMNS + OPTIONAL_EVENT_COLUMNS)}, salt FROM entry_event"
        f" WHERE {BOOK_OF_ROW} = $3 AND leaf_index >= $1 AND leaf_index < $2",
        start,
        end,
        authority,
    )
    by_index: dict[int, Row] = {r["leaf_index"]: (r, encode_entry) for r in entries}
    by_index.update({r["leaf_index"]: (r, encode_event) for r in events})
    return [by_index[i] for i in range(start, end)]


async def leaves(connection: asyncpg.Connection, authority: str, end: int, start: int = 0) -> list[bytes]:
    """The authority's book's leaves from index `start` up to (not including) `end`, in order."""
    return [encoder(row) for row, encoder in await _rows(connection, authority, end, start)]


async def public_leaves(
    connection: asyncpg.Connection, authority: str, end: int, start: int = 0
) -> list[bytes] | None:
    """`leaves`, or None when one of them was entered before leaves held commitments and names
    its holders in the clear: such a leaf is not for publication."""
    rows = await _rows(connection, authority, end, start)
    if any(row["salt"] is None for row, _ in rows):
        return None
    return [encoder(row) for row, encoder in rows]


async def leaves_as_entered(
    connection: asyncpg.Connection, authority: str, end: int, start: int = 0
) -> list[tuple[bytes, int]]:
    """`leaves`, each with the size of what was entered with it: the leaf with its committed
    fields in the clear, as the book's size limit bounds it (the office keeps those fields)."""
    return [
        (encoder(row), len(encoder({**row, "salt": None})))
        for row, encoder in await _rows(connection, authority, end, start)
    ]


async def size(connection: asyncpg.Connection, authority: str) -> int:
    """How many leaves the authority's book holds (0 before its first entry)."""
    value: int = await connection.fetchval(
        "SELECT coalesce((SELECT size FROM book WHERE authority = $1), 0)", authority
    )
    return value


async def books(connection: asyncpg.Connection) -> list[str]:
    """The authorities that keep a book here, in code order."""
    return [authority for (authority,) in await connection.fetch("SELECT authority FROM book ORDER BY 1")]
