"""Every typed record (shared/records.py) against the table it mirrors, in the migrated database:
the same columns, each of the Python type its SQL type reads as, optional exactly where the
column is nullable. A migration that adds a column, or a record that misreads one, fails here
before a repository hands out a wrong row."""

from __future__ import annotations

import datetime as dt
import importlib
import types
import typing
import uuid
from pathlib import Path

import asyncpg
import pytest

from shared.db import plain_url
from shared.records import TABLES, columns

SERVICES = Path(__file__).resolve().parents[2] / "services"
for _records in sorted(SERVICES.glob("*/records.py")):
    importlib.import_module(f"services.{_records.parent.name}.records")
for _shared in ("shared.casework.records", "shared.journal"):
    importlib.import_module(_shared)

READS_AS = {
    "uuid": uuid.UUID,
    "text": str,
    "bytea": bytes,
    "bigint": int,
    "integer": int,
    "smallint": int,
    "boolean": bool,
    "timestamp with time zone": dt.datetime,
    "date": dt.date,
    # No codec is set for jsonb: it reads as its JSON text.
    "jsonb": str,
    "ARRAY of _text": list[str],
    "ARRAY of _int4": list[int],
}


def _sql_type(column: asyncpg.Record) -> str:
    """The column's type as READS_AS names it: an array with its element type."""
    if column["data_type"] == "ARRAY":
        return f"ARRAY of {column['udt_name']}"
    return column["data_type"]


def _declared(cls: type) -> dict[str, tuple[type, bool]]:
    """Each field's type, and whether it may be None."""
    found = {}
    hints = typing.get_type_hints(cls)
    for name in columns(cls):
        hint = hints[name]
        arguments = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
        concrete = [a for a in arguments if a is not type(None)]
        found[name] = (concrete[0], len(concrete) < len(arguments))
    return found


def test_records_are_registered():
    assert TABLES, "no record class is registered"


@pytest.mark.parametrize("schema_table", sorted(TABLES), ids=".".join)
async def test_a_record_mirrors_its_table(services, database_url, schema_table):
    schema, table = schema_table
    connection = await asyncpg.connect(plain_url(database_url))
    try:
        rows = await connection.fetch(
            "SELECT column_name, data_type, udt_name, is_nullable FROM information_schema.columns"
            " WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
            schema,
            table,
        )
    finally:
        await connection.close()
    in_table = {r["column_name"]: (READS_AS[_sql_type(r)], r["is_nullable"] == "YES") for r in rows}
    record = TABLES[schema_table]
    assert list(columns(record)) == list(in_table)
    assert _declared(record) == in_table
