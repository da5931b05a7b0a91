"""The register at scale: one authority's synthetic book grown to each size (10k, 100k, 1M
entries by default), written straight into the registry's tables as real leaves, each with its
stored hash and the perfect subtrees above it (services/registry/tree.py), then, at each size, the time of:

- an inclusion proof and a consistency proof (the registry's own Book methods, O(log n) reads);
- a checkpoint over 100 new leaves (O(new leaves));
- a full audit: every leaf read back, re-encoded and hashed into the root (O(n), the auditor's
  walk, and what every proof and checkpoint cost before the tree was stored);

beside the floor of the same run (one `SELECT 1` round trip to the same PostgreSQL), with how
many stored nodes a proof reads. Uses DATABASE_URL, or the embedded PostgreSQL.

    .venv/bin/python -m bench.book_scale --sizes 10000 100000 1000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable

import asyncpg
import uvloop
from cryptography.hazmat.primitives.asymmetric import ed25519

from services.registry import log, tree
from services.registry.books import BookKeys, Books
from services.registry.service import Book
from shared import merkle
from shared.clock import SystemClock
from shared.commitments import new_salt
from shared.config import Settings
from shared.db import Database, plain_url, with_database
from shared.journal import Journal
from shared.migrate import migrate
from shared.pg import database_url

BUILDING = "500112001002GB09997F0001"
AUTHORITY = BUILDING[:6]
ENTRIES_PER_UNIT = 1_000
CHUNK = 20_000
SAMPLES = 200
# The columns the bench writes: the leaf's, and the salt its commitments are made under.
COLUMNS = (*log.ENTRY_COLUMNS, "salt")


def _entry(index: int, at: dt.datetime) -> tuple:
    """The row of synthetic entry `index` (an objection-like entry on one of the units), in the
    order of the book's own columns (services/registry/log.py)."""
    row = {
        "unit_number": f"{BUILDING}{index // ENTRIES_PER_UNIT + 1:04d}",
        "sequence": index % ENTRIES_PER_UNIT + 1,
        "kind": "OBJECTION",
        "holders": ["organizations/91500105MA5U0DF02K"],
        "share_basis_points": [10000],
        "amount_fen": 0,
        "priority_time": at,
        "ruling_authority": "",
        "ruling_number": "",
        "expire_time": None,
        "related_sequence": None,
        "restricts_transfer": False,
        "note": f"异议（合成）{index}",
        "created_by_case": "cases/bench",
        "entered_by": "deedflow://service/bench",
        "entry_time": at,
        "leaf_index": index,
        "salt": new_salt(),
    }
    return tuple(row[column] for column in COLUMNS)


async def grow(database: Database, end: int) -> int:
    """Appends synthetic entries up to `end` leaves as the registry would: rows, log head and
    tree, a chunk per transaction. The book's size after."""
    at = dt.datetime.now(dt.UTC)
    async with database.transaction() as connection:
        start = await log.size(connection, AUTHORITY)
        units = range(start // ENTRIES_PER_UNIT, (end - 1) // ENTRIES_PER_UNIT + 1)
        await connection.executemany(
            "INSERT INTO unit (unit_number, building_number, address, gross_area_dm2, use)"
            " VALUES ($1, $2, '渝北区示例路（合成）', 9000, '住宅') ON CONFLICT DO NOTHING",
            [(f"{BUILDING}{u + 1:04d}", BUILDING) for u in units],
        )
    for first in range(start, end, CHUNK):
        upto = min(end, first + CHUNK)
        async with database.transaction() as connection:
            await connection.copy_records_to_table(
                "entry", records=[_entry(i, at) for i in range(first, upto)], columns=COLUMNS
            )
            await connection.execute(
                "INSERT INTO book VALUES ($1, $2) ON CONFLICT (authority) DO UPDATE SET size = $2",
                AUTHORITY,
                upto,
            )
            leaves = await log.leaves(connection, AUTHORITY, upto, first)
            await tree.extend(connection, AUTHORITY, first, [merkle.leaf_hash(leaf) for leaf in leaves])
    return max(start, end)


async def timed(samples: int, work: Callable[[], Awaitable[object]]) -> list[float]:
    """Milliseconds of each of `samples` runs of `work`."""
    times = []
    for _ in range(samples):
        began = time.perf_counter()
        await work()
        times.append((time.perf_counter() - began) * 1000)
    return times


def _figures(name: str, times: list[float], floor_ms: float) -> str:
    ordered = sorted(times)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    return f"  {name:<34} p50 {p50:8.2f} ms  p99 {p99:8.2f} ms  ({p50 / floor_ms:6.1f} x floor)"


async def measure(book: Book, database: Database, size: int) -> None:
    async with database.transaction() as connection:
        floor = await timed(SAMPLES, lambda: connection.fetchval("SELECT 1"))
        floor_ms = statistics.median(floor)
        await book.books.checkpoint(connection, AUTHORITY)
    print(f"book of {size:,} leaves; floor (SELECT 1 round trip) p50 {floor_ms:.3f} ms")

    async def inclusion():
        index = random.randrange(size)
        unit = f"{BUILDING}{index // ENTRIES_PER_UNIT + 1:04d}"
        async with database.transaction() as connection:
            await book.books.inclusion(connection, unit, index % ENTRIES_PER_UNIT + 1, 0)

    async def consistency():
        async with database.transaction() as connection:
            await book.books.consistency(connection, AUTHORITY, random.randrange(1, size), size)

    print(_figures("inclusion proof", await timed(SAMPLES, inclusion), floor_ms))
    print(_figures("consistency proof", await timed(SAMPLES, consistency), floor_ms))
    nodes = {n for a, b in merkle.inclusion_ranges(size // 3, size) for n in merkle.perfect_nodes(a, b)}
    print(f"  {'nodes an inclusion proof reads':<34} {len(nodes)} (log2 n = {size.bit_length()})")

    checkpoints = []
    grown = size
    for _ in range(5):
        grown = await grow(database, grown + 100)
        began = time.perf_counter()
        async with database.transaction() as connection:
            await book.books.checkpoint(connection, AUTHORITY)
        checkpoints.append((time.perf_counter() - began) * 1000)
    print(_figures("checkpoint over 100 new leaves", checkpoints, floor_ms))

    began = time.perf_counter()
    async with database.transaction() as connection:
        total = await log.size(connection, AUTHORITY)
        hashes = []
        for first in range(0, total, CHUNK):
            hashes.extend(
                merkle.leaf_hash(leaf)
                for leaf in await log.leaves(connection, AUTHORITY, min(total, first + CHUNK), first)
            )
        root = merkle.root(hashes)
        assert root == await tree.root(connection, AUTHORITY, total)
    audit_ms = (time.perf_counter() - began) * 1000
    print(_figures("full audit (read, rehash: O(n))", [audit_ms], floor_ms))


async def run(sizes: list[int]) -> None:
    server_url = database_url(Settings())
    name = f"deedflow_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(plain_url(server_url))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = with_database(server_url, name)
    database = None
    try:
        await migrate(url, "registry")
        database = await Database.connect(url, "registry")
        key = ed25519.Ed25519PrivateKey.generate()
        clock = SystemClock()
        book = Book(
            Journal(database, clock, "registry", "bench"), Books(BookKeys(lambda _: key), clock, 16_384)
        )
        async with database.transaction() as connection:
            await connection.execute("INSERT INTO building (building_number) VALUES ($1)", BUILDING)
        for target in sorted(sizes):
            began = time.perf_counter()
            size = await grow(database, target)
            print(f"grew the book to {size:,} entries in {time.perf_counter() - began:.1f} s")
            await measure(book, database, size)
    finally:
        if database is not None:
            await database.close()
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args()
    uvloop.run(run(args.sizes))


if __name__ == "__main__":
    main()
