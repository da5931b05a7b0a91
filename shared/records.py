"""Typed records: a table's row as a frozen dataclass, built from an asyncpg row by column name.

A repository returns these, never the driver's rows, so the code that reads a row is checked by
the type checker (a misspelt column is an error before it runs) and a reader sees what a row holds.
Each class is registered with the table it mirrors; tests/integration/test_records.py holds every
class to its table's columns, names and nullability, in a migrated database.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import asyncpg

RecordT = TypeVar("RecordT")
# (schema, table) -> the record class mirroring it.
TABLES: dict[tuple[str, str], type[Any]] = {}


def table(schema: str, name: str) -> Callable[[type[RecordT]], type[RecordT]]:
    """Registers the class as the record of `schema.name` (every column, none other)."""

    def register(cls: type[RecordT]) -> type[RecordT]:
        TABLES[(schema, name)] = cls
        return cls

    return register


# Each record class's columns, worked out once.
_COLUMNS: dict[type[Any], tuple[str, ...]] = {}


def columns(cls: type[Any]) -> tuple[str, ...]:
    """The record's columns, in the order it declares them."""
    found = _COLUMNS.get(cls)
    if found is None:
        found = _COLUMNS[cls] = tuple(field.name for field in dataclasses.fields(cls))
    return found


def typed(cls: type[RecordT], row: asyncpg.Record) -> RecordT:
    """The row as `cls`: its columns by name (a row may carry more, from a join; they are left)."""
    # Positional, in the record's own order (what `columns` gives): a third cheaper than by keyword.
    return cls(*[row[column] for column in columns(cls)])


def typed_or_none(cls: type[RecordT], row: asyncpg.Record | None) -> RecordT | None:
    return None if row is None else typed(cls, row)


def typed_all(cls: type[RecordT], rows: Iterable[asyncpg.Record]) -> list[RecordT]:
    return [typed(cls, row) for row in rows]
