"""What a typed record costs: a purchase's row (its 22 columns, as the table holds them) read
as asyncpg returns it, then made a typed record three ways: shared/records.typed (a frozen
dataclass, by column name), the dataclass from the row unpacked, and a pydantic model. Printed
per row, against the floor of fetching the rows themselves in the same run.

    .venv/bin/python -m bench.records [--rows 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import time
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
import pydantic

from services.orchestrator.records import Purchase
from shared.config import Settings
from shared.db import plain_url
from shared.pg import start_embedded, stop_embedded
from shared.records import typed

PurchaseModel = pydantic.create_model(
    "PurchaseModel",
    **{name: (hint, ...) for name, hint in typing.get_type_hints(Purchase).items()},
    __module__=__name__,
)

ROWS = """
SELECT gen_random_uuid() AS id, '91500112MA5U0DF01L' AS developer_uscc, '' AS bank_uscc,
       '500112001002GB00001F0001' AS building_number, '500112001002GB00001F00010101' AS unit_number,
       '\\x0a0b'::bytea AS filing, 'FILING' AS state, g::bigint AS version, now() AS due_at,
       NULL::text AS leased_by, NULL::timestamptz AS lease_until, NULL::bytea AS problem,
       '\\x'::bytea AS documents, NULL::bytea AS cancellation, now() AS create_time,
       now() AS update_time, NULL::timestamptz AS handover_time, NULL::bytea AS terms_sha256,
       NULL::text AS contract, NULL::bytea AS unit, 0::bigint AS tax_words, '' AS trace_context
FROM generate_series(1, $1) g
"""


def _per_row(rows: list[asyncpg.Record], make: Callable[[asyncpg.Record], Any]) -> float:
    """Microseconds a row, best of three."""
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        for row in rows:
            make(row)
        best = min(best, time.perf_counter() - began)
    return best / len(rows) * 1e6


async def measure(url: str, count: int) -> None:
    connection = await asyncpg.connect(plain_url(url))
    try:
        began = time.perf_counter()
        rows = await connection.fetch(ROWS, count)
        fetched = (time.perf_counter() - began) / count * 1e6
    finally:
        await connection.close()
    figures = {
        "fetching the rows (the floor)": fetched,
        "raw: three columns by name": _per_row(rows, lambda r: (r["id"], r["state"], r["version"])),
        "shared.records.typed (dataclass)": _per_row(rows, lambda r: typed(Purchase, r)),
        "dataclass from the row unpacked": _per_row(rows, lambda r: Purchase(**r)),
        "pydantic model_validate": _per_row(rows, lambda r: PurchaseModel.model_validate(dict(r))),
    }
    print(f"{count} purchase rows of {len(dataclasses.fields(Purchase))} columns, microseconds a row:")
    for name, value in figures.items():
        print(f"  {name:34s} {value:6.2f}  ({value / fetched:4.2f} x the floor)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    arguments = parser.parse_args()
    configured = Settings().database_url
    if configured:
        asyncio.run(measure(configured, arguments.rows))
        return
    pgdata = Path(".deedflow/pg-bench-records")
    url = start_embedded(pgdata)
    try:
        asyncio.run(measure(url, arguments.rows))
    finally:
        stop_embedded(pgdata)


if __name__ == "__main__":
    main()
