"""A rehearsal of the scaled-out deployment on one machine (docs/scale-out.md): three PostgreSQL
servers (embedded, each its own data directory) with the offices spread over them, and two
replicas of every service, each its own OS process, every address naming both replicas (gRPC
round robin with health checks). Launch day files and pays every sale of two buildings in two
districts at once; both buildings are then completed, and while their certificates are being
made one replica of every service is killed with SIGKILL. Every purchase must reach its
certificate, and the invariants (tools/invariants.py, over the three servers) must hold.

    make rehearsal        (.venv/bin/python -m bench.rehearsal --units 100)

Exits 1 if a purchase did not reach its certificate or an invariant does not hold.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg

from bench.handover import hand_over
from bench.launch_day import quantile
from shared.catalog import SERVICE_NAMES
from shared.config import Settings
from shared.db import plain_url
from shared.pg import start_embedded, stop_embedded
from shared.pki import ensure_dev_pki
from tests.chaos.cluster import free_port
from tests.chaos.processes import ServiceProcess
from tests.support import OFFICE_SERVERS
from tools.invariants import check_offices

BUILDINGS = ["500112001002GB09201F0001", "500105001002GB09202F0001"]
SERVERS = 3
# Short leases, so that what a killed replica held (saga steps, journal operations) is taken over
# by its twin within seconds rather than the production default.
LEASES = {"DEEDFLOW_DURABLE_LEASE_SECONDS": "2"}


@contextlib.contextmanager
def postgres_servers(root: Path) -> Iterator[list[str]]:
    """SERVERS embedded PostgreSQL servers, stopped on the way out."""
    folders = [root / f"pg{i}" for i in range(SERVERS)]
    try:
        yield [start_embedded(folder) for folder in folders]
    finally:
        for folder in folders:
            stop_embedded(folder)


async def print_register_footprint(url: str, purchases: int) -> None:
    """The register's leaves and bytes (tables, indexes, TOAST) a purchase carried to handover: the
    figure a capacity plan's storage rests on."""
    connection = await asyncpg.connect(plain_url(url))
    try:
        leaves = await connection.fetchval("SELECT sum(size) FROM registry.book")
        size = await connection.fetchval(
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'registry' AND c.relkind = 'r'"
        )
    finally:
        await connection.close()
    print(
        f"  the register: {leaves / purchases:.1f} leaves and {size / purchases / 1024:.1f} KB"
        f" (rows, indexes, tree) a purchase, {purchases} purchases to certificate"
    )


async def rehearse(units: int, concurrency: int) -> int:
    root = Path(tempfile.mkdtemp(prefix="deedflow-rehearsal-"))
    pki = ensure_dev_pki(root / "pki")
    with postgres_servers(root) as servers:
        urls = {service: servers[OFFICE_SERVERS[service]] for service in SERVICE_NAMES}
        ports = {service: (free_port(), free_port()) for service in SERVICE_NAMES}
        addresses = {s: f"ipv4:127.0.0.1:{a},127.0.0.1:{b}" for s, (a, b) in ports.items()}
        print(f"rehearsal in {root}: {SERVERS} PostgreSQL servers; offices on them: {OFFICE_SERVERS}")
        began = time.perf_counter()
        replicas = await asyncio.gather(
            *(
                asyncio.to_thread(
                    ServiceProcess,
                    service,
                    root / f"{service}-{replica}",
                    urls[service],
                    addresses,
                    pki.root,
                    port=ports[service][replica],
                    env=LEASES,
                )
                for service in SERVICE_NAMES
                for replica in (0, 1)
            )
        )
        print(
            f"  {len(replicas)} service processes (two of each) serving"
            f" in {time.perf_counter() - began:.1f} s"
        )
        victims = replicas[::2]

        async def kill_one_of_each() -> None:
            for victim in victims:
                victim.kill()
            print(f"  killed with SIGKILL mid-handover: {', '.join(f'{v.name}:{v.port}' for v in victims)}")

        try:
            settings = Settings(home=root / "client", pki_dir=pki.root, addresses=addresses)
            handed = await hand_over(settings, pki, BUILDINGS, units, concurrency, during=kill_one_of_each)
        finally:
            for process in replicas:
                process.stop()
        filing = handed.filing_ms
        print(
            f"  launch day: {handed.units} sales filed at concurrency {concurrency}, FilePurchase p50"
            f" {statistics.median(filing):.0f} ms p99 {quantile(filing, 0.99):.0f} ms;"
            f" filed and paid in {handed.prepared:.1f} s"
        )
        print(
            f"  handover of {len(BUILDINGS)} buildings in two districts, one replica of each service"
            f" killed: every certificate ready {handed.seconds:.1f} s after completion"
        )
        violations = await check_offices(urls)
        await print_register_footprint(urls["registry"], handed.units)
    for violation in violations:
        print(f"  VIOLATION {violation}")
    print(f"  invariants over the {SERVERS} servers: {len(violations)} violations")
    return 1 if violations else 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--units", type=int, default=100, help="Sales in each of the two buildings.")
    parser.add_argument("--filing-concurrency", type=int, default=32)
    args = parser.parse_args()
    sys.exit(asyncio.run(rehearse(args.units, args.filing_concurrency)))


if __name__ == "__main__":
    main()
