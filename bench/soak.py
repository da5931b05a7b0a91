"""The nemesis soak: launch day and a building's handover while a nemesis kills services.

    .venv/bin/python -m bench.soak --buyers 400 --flats 100 --units 200 --kill-every 3

Every service runs as its own process (tests/chaos/cluster.py) on a private embedded PostgreSQL,
and a supervisor starts again whatever dies. Launch day (buyers racing for flats, each filing
once) and a building of `units` financed purchases (filed, paid, completed and handed over) run
side by side while the nemesis SIGKILLs a service `kill-every` seconds after the last one it
killed is serving again, going round all seven in shuffled rounds. (A fixed period would, on a
machine slow to start a process, keep some office down nearly all the time: the soak would
measure the machine's start-up time, not the system.) Two blows land at fixed points, however
fast the machine: PostgreSQL is stopped immediately (pg_ctl -m immediate) and started again once
the building's purchases are paid, and the transfer office is killed as the building's first
certificate appears. The clients behave as a careful integrator: the same request id on every
retry. When both flows are done, every invariant of tools/invariants.py is checked. Prints the
services killed, PostgreSQL restarts, purchases by outcome, double sales and invariant
violations.
"""

from __future__ import annotations

import os

# gRPC notes at INFO that this process spawns service processes while its channels are open.
os.environ.setdefault("GRPC_VERBOSITY", "ERROR")

import argparse
import asyncio
import random
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import grpc

from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from shared.catalog import SERVICE_NAMES
from shared.db import plain_url
from shared.pg import start_embedded, stop_embedded
from shared.pki import Pki, ensure_dev_pki
from tests.chaos.client import (
    AWAITING,
    READY,
    Desks,
    desks,
    file,
    hand_over,
    pay,
    persist,
    presale,
    rid,
    watch_until,
)
from tests.chaos.cluster import Cluster, crash_postgres
from tools import invariants

LAUNCH_BUILDING = "500112001002GB09990F0001"
HANDOVER_BUILDING = "500112001002GB09991F0001"


@dataclass
class Figures:
    seconds: float = 0.0
    killed: Counter = field(default_factory=Counter)
    postgres_restarts: int = 0
    filed: int = 0
    refused_at_the_door: int = 0
    launch_outcomes: Counter = field(default_factory=Counter)
    handover_outcomes: Counter = field(default_factory=Counter)
    double_sales: int = 0
    violations: list[invariants.Violation] = field(default_factory=list)

    def lines(self) -> list[str]:
        killed = ", ".join(f"{name} {n}" for name, n in sorted(self.killed.items())) or "none"
        return [
            f"soak: {self.seconds:.1f} s; services killed {sum(self.killed.values())} ({killed});"
            f" PostgreSQL crashed and restarted {self.postgres_restarts} time(s)",
            f"  launch day: {self.filed} filings accepted, {self.refused_at_the_door} refused at the door"
            f" (flat taken); outcomes {dict(self.launch_outcomes)}",
            f"  handover: {dict(self.handover_outcomes)}",
            f"  double sales: {self.double_sales}; invariant violations: {len(self.violations)}",
            *(f"    {v}" for v in self.violations),
        ]


async def _launch_day(d: Desks, pki: Pki, buyers: int, flats: int, figures: Figures) -> None:
    """Buyers race for flats: each buyer files once for a flat picked at random."""
    units = await presale(d, LAUNCH_BUILDING, flats)
    chosen = random.Random(7)
    gate = asyncio.Semaphore(32)

    async def buyer() -> None:
        async with gate:
            try:
                purchase, _ = await file(d, pki, chosen.choice(units), with_loan=chosen.random() < 0.5)
            except grpc.aio.AioRpcError as exc:
                if exc.code() != grpc.StatusCode.FAILED_PRECONDITION:
                    raise
                figures.refused_at_the_door += 1
                return
            figures.filed += 1
        ended = await watch_until(d.developer, purchase.name, AWAITING, pb.PURCHASE_STATE_REJECTED)
        figures.launch_outcomes[pb.PurchaseState.Name(ended.state).removeprefix("PURCHASE_STATE_")] += 1

    await asyncio.gather(*(buyer() for _ in range(buyers)))


async def _nemesis(cluster: Cluster, every: float, figures: Figures) -> None:
    """Kills a service `every` seconds after every service serves again, going round all seven
    in a shuffled order, again and again."""
    chosen = random.Random(11)
    victims: list[str] = []
    while True:
        await cluster.until_whole()
        await asyncio.sleep(every)
        if not victims:
            victims = chosen.sample(SERVICE_NAMES, len(SERVICE_NAMES))
        victim = victims.pop()
        if victim in cluster.dead():
            continue
        await cluster.kill(victim)
        figures.killed[victim] += 1


async def _handover(
    d: Desks, pki: Pki, cluster: Cluster, pgdata: Path, url: str, units: int, figures: Figures
) -> list[pb.Purchase]:
    """A building's financed purchases to handover; PostgreSQL crashes once they are paid, the
    transfer office dies as the first certificate appears."""
    numbers = await presale(d, HANDOVER_BUILDING, units)
    filed = [p for p, _ in await asyncio.gather(*(file(d, pki, unit) for unit in numbers))]
    waiting = await asyncio.gather(*(watch_until(d.developer, p.name, AWAITING) for p in filed))
    await asyncio.gather(*(pay(d, p) for p in waiting))
    await asyncio.to_thread(crash_postgres, pgdata, url)
    figures.postgres_restarts += 1
    first = asyncio.Event()

    async def handed_over(name: str) -> pb.Purchase:
        ready = await watch_until(d.developer, name, READY)
        if not first.is_set():
            first.set()
            await cluster.kill("transfer")
            figures.killed["transfer"] += 1
        return await hand_over(d, name) if ready.state == READY else ready

    outcomes = [asyncio.create_task(handed_over(p.name)) for p in filed]
    await persist(
        d.developer.CompleteBuilding,
        pb.CompleteBuildingRequest(
            request_id=rid(), building_number=HANDOVER_BUILDING, completion_record_number="渝建竣备SOAK"
        ),
    )
    return list(await asyncio.gather(*outcomes))


async def _double_sales(url: str) -> int:
    connection = await asyncpg.connect(plain_url(url))
    try:
        return await connection.fetchval(
            "SELECT count(*) FROM (SELECT unit_number FROM contract.contract WHERE state <> 'CANCELLED'"
            " GROUP BY unit_number HAVING count(*) > 1) doubled"
        )
    finally:
        await connection.close()


async def soak(home: Path, buyers: int, flats: int, units: int, kill_every: float) -> Figures:
    figures = Figures()
    pgdata = home / "pg"
    url = start_embedded(pgdata)
    pki = ensure_dev_pki(home / "pki")
    cluster = Cluster(home / "cluster", url, pki.root)
    began = time.perf_counter()
    try:
        await cluster.start()
        supervisor = asyncio.create_task(cluster.supervise())
        nemesis = asyncio.create_task(_nemesis(cluster, kill_every, figures))
        try:
            async with desks(cluster.addresses, pki) as d:
                _, handed = await asyncio.gather(
                    _launch_day(d, pki, buyers, flats, figures),
                    _handover(d, pki, cluster, pgdata, url, units, figures),
                )
            figures.handover_outcomes.update(
                pb.PurchaseState.Name(p.state).removeprefix("PURCHASE_STATE_") for p in handed
            )
        finally:
            nemesis.cancel()
            await asyncio.gather(nemesis, return_exceptions=True)
            supervisor.cancel()
            await asyncio.gather(supervisor, return_exceptions=True)
            await cluster.stop()
        figures.seconds = time.perf_counter() - began
        figures.double_sales = await _double_sales(url)
        # Launch day's purchases wait for their building, which nobody completes here.
        figures.violations = await invariants.check(url, allow_waiting=True)
    finally:
        stop_embedded(pgdata)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--buyers", type=int, default=400)
    parser.add_argument("--flats", type=int, default=100)
    parser.add_argument("--units", type=int, default=200, help="flats of the building handed over")
    parser.add_argument(
        "--kill-every", type=float, default=3.0, help="seconds from every service serving to the next kill"
    )
    arguments = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="deedflow-soak-"))
    figures = asyncio.run(
        soak(home, arguments.buyers, arguments.flats, arguments.units, arguments.kill_every)
    )
    print("\n".join(figures.lines()))
    print(f"  (run folder with every service's log: {home})")
    raise SystemExit(1 if figures.violations or figures.double_sales else 0)


if __name__ == "__main__":
    main()
