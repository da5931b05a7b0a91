"""Two districts against one: the register keeps one book per registration authority, so the
appends of two buildings in different districts go to two books and never wait for each other's
head, where two buildings of one district share one. Two measurements, each case against the
other in the same run:

- the register alone: the registry's own code (Book.commit_case, in this process) entering
  pre-registrations of two buildings from many concurrent transactions on a fresh database, as
  launch day does; cases a second, commit p50/p99, and the time appends waited for their book;
- the whole flow: two handovers at once, each case on a stack of its own (every service its own
  OS process): CompleteBuilding -> every certificate, and the registry's book waits
  (deedflow_registry_book_wait_seconds, by authority) over filing and over the handover.

    .venv/bin/python -m bench.districts --units 250 --cases 2000
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import time
import uuid
from dataclasses import dataclass, field

import asyncpg
from cryptography.hazmat.primitives.asymmetric import ed25519

from bench.handover import Handed, hand_over
from bench.launch_day import quantile
from bench.stack import running_stack, samples
from services.registry.books import BookKeys, Books
from services.registry.domain import Disposal, EntryKind, NewEntry, UnitFacts
from services.registry.service import Book, CaseToCommit
from shared.clock import SystemClock
from shared.config import Settings
from shared.db import Database, plain_url, with_database
from shared.districts import DISTRICTS
from shared.journal import Journal
from shared.migrate import migrate
from shared.pg import database_url

# Each case: two buildings, in one district or in two.
CASES = {
    "one district (渝北区 twice)": ["500112001002GB09101F0001", "500112001002GB09102F0001"],
    "two districts (渝北区, 江北区)": ["500112001002GB09103F0001", "500105001002GB09104F0001"],
}
BUYER = "buyers/11010519491231002X"
# Concurrent transactions entering cases in the register-alone measurement (launch day's filings
# keep about this many in flight).
CONCURRENCY = 32


@dataclass
class Entered:
    seconds: float = 0.0
    commits_ms: list[float] = field(default_factory=list)
    waits: dict[str, list[float]] = field(default_factory=dict)


async def register_alone(server_url: str, buildings: list[str], cases: int) -> Entered:
    """`cases` pre-registrations, half in each building, entered by CONCURRENCY transactions at once
    through the registry's own Book, on a fresh database."""
    name = f"deedflow_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(plain_url(server_url))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = with_database(server_url, name)
    entered = Entered()
    database = None
    try:
        await migrate(url, "registry")
        database = await Database.connect(url, "registry", max_size=CONCURRENCY)
        key = ed25519.Ed25519PrivateKey.generate()
        clock = SystemClock()

        def waited(authority: str, seconds: float) -> None:
            entered.waits.setdefault(authority, []).append(seconds)

        book = Book(
            Journal(database, clock, "registry", "bench"),
            Books(BookKeys(lambda _: key), clock, 16_384, waited),
        )
        units = [f"{buildings[i % 2]}{i // 2 // 20 + 1:02d}{i // 2 % 20 + 1:02d}" for i in range(cases)]
        async with database.transaction() as connection:
            for building in buildings:
                facts = [
                    UnitFacts(u, building, "示例路1号（合成）", 9000, "住宅", "")
                    for u in units
                    if u.startswith(building)
                ]
                await book.create_building(connection, building, facts)
        queue = iter(units)

        async def worker() -> None:
            for unit in queue:
                case = CaseToCommit(
                    unit,
                    f"cases/BENCH{uuid.uuid4().hex[:10]}",
                    Disposal.PREREGISTRATION,
                    [BUYER],
                    [NewEntry(EntryKind.PREREGISTRATION, (BUYER,), (10000,))],
                    [],
                )
                began = time.perf_counter()
                async with database.transaction() as connection:
                    await book.commit_case(
                        connection, dt.datetime.now(dt.UTC), case, "deedflow://service/bench"
                    )
                entered.commits_ms.append((time.perf_counter() - began) * 1000)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        entered.seconds = time.perf_counter() - began
    finally:
        if database is not None:
            await database.close()
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()
    return entered


def book_waits(settings: Settings) -> dict[str, tuple[float, float]]:
    """(appends, seconds waited) so far, by authority, from the registry's metrics."""
    waits: dict[str, list[float]] = {}
    for sample in samples(settings, "registry"):
        if sample.name.startswith("deedflow_registry_book_wait_seconds_"):
            counts = waits.setdefault(sample.labels["authority"], [0.0, 0.0])
            if sample.name.endswith("_count"):
                counts[0] = sample.value
            elif sample.name.endswith("_sum"):
                counts[1] = sample.value
    return {authority: (count, seconds) for authority, (count, seconds) in waits.items()}


def _print_waits(phase: str, before: dict, after: dict) -> None:
    for authority in sorted(after):
        count = after[authority][0] - before.get(authority, (0.0, 0.0))[0]
        seconds = after[authority][1] - before.get(authority, (0.0, 0.0))[1]
        print(
            f"    {phase}, book {authority} {DISTRICTS[authority]}: {count:.0f} appends waited"
            f" {seconds:.2f} s in all, {seconds / max(count, 1) * 1000:.2f} ms each"
        )


async def whole_flow(buildings: list[str], units: int, concurrency: int) -> Handed:
    with running_stack() as (settings, pki):
        filed: dict = {}

        async def note_filing_waits() -> None:
            filed.update(book_waits(settings))

        handed = await hand_over(settings, pki, buildings, units, concurrency, during=note_filing_waits)
        _print_waits("filing", {}, filed)
        _print_waits("handover", filed, book_waits(settings))
        return handed


async def run(units: int, cases: int, concurrency: int) -> None:
    print(f"the register alone: {cases} pre-registrations from {CONCURRENCY} transactions at once")
    alone = {}
    for label, buildings in CASES.items():
        entered = await register_alone(database_url(Settings()), buildings, cases)
        alone[label] = entered
        waits = ", ".join(
            f"{authority} {statistics.mean(w) * 1000:.2f} ms"
            for authority, w in sorted(entered.waits.items())
        )
        print(
            f"  {label}: {cases / entered.seconds:.0f} cases/s;"
            f" commit p50 {statistics.median(entered.commits_ms):.1f} ms"
            f" p99 {quantile(entered.commits_ms, 0.99):.1f} ms; mean wait for the book's head: {waits}"
        )
    one, two = alone.values()
    print(f"  two districts against one: {one.seconds / two.seconds:.2f} x the cases a second")
    print(f"the whole flow: two buildings of {units} units each, completed at once")
    flows = {}
    for label, buildings in CASES.items():
        print(f"  {label}:")
        handed = await whole_flow(buildings, units, concurrency)
        flows[label] = handed
        print(
            f"    CompleteBuilding -> every certificate ready: {handed.seconds:.2f} s"
            f" ({handed.seconds / handed.units * 1000:.1f} ms per unit);"
            f" filed and paid in {handed.prepared:.1f} s"
        )
    same, apart = flows.values()
    print(
        f"  two districts against one: {apart.seconds:.2f} s against {same.seconds:.2f} s"
        " to every certificate"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--units", type=int, default=250, help="Units in each building (the whole flow).")
    parser.add_argument("--cases", type=int, default=2000, help="Cases entered (the register alone).")
    parser.add_argument("--filing-concurrency", type=int, default=32)
    args = parser.parse_args()
    asyncio.run(run(args.units, args.cases, args.filing_concurrency))


if __name__ == "__main__":
    main()
