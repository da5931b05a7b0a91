"""A rehearsal of the scaled-out deployment on one machine (docs/scale-out.md): three PostgreSQL
servers (embedded, each its own data directory) with the offices spread over them, and two
replicas of every service, each its own OS process, every address naming both replicas (gRPC
round robin with health checks). Launch day files and pays every sale of two buildings in two
districts at once; both buildings are then completed, and while their certificates are being
made one replica of every service is killed with SIGKILL. Every purchase must reach its
certificate, and the invariants (tools/invariants.py, over the three servers) must hold. Three
witnesses (`deedflow witness`) cosign the books' checkpoints; a certificate of each building is
then sealed and must verify with two of their cosignatures.

    make rehearsal        (.venv/bin/python -m bench.rehearsal --units 100)

Exits 1 if a purchase did not reach its certificate or an invariant does not hold.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg

from bench.handover import hand_over
from bench.launch_day import quantile
from cli.stack import start_witnesses
from client import witnesses
from deedflow.transfer.v1 import transfer_service_pb2 as transfer_pb
from deedflow.transfer.v1 import transfer_service_pb2_grpc
from shared.catalog import SERVICE_NAMES
from shared.config import Settings
from shared.cosignature import parse_cosigner_key
from shared.db import plain_url
from shared.documents import load_public_key, verify_document
from shared.grpc.channels import secure_channel
from shared.pg import start_embedded, stop_embedded
from shared.pki import Pki, ensure_dev_pki
from shared.runstate import address_of
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


@contextlib.contextmanager
def _stopped_at_the_end(pids: list[int]) -> Iterator[None]:
    try:
        yield
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        for pid in pids:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


async def _witnessed_certificate(settings: Settings, pki: Pki) -> str:
    """Each building's first certificate as a relying party checks it: sealed on a checkpoint a
    quorum of the three witnesses cosigned (the registry's replicas submit to them all)."""
    trust = witnesses.load(pki.root)
    cosigners = [parse_cosigner_key(k) for k in trust.keys]
    said = []
    async with secure_channel(
        address_of(settings, "transfer"),
        pki.ca_pem,
        pki.caller("clerk"),
        default_timeout=30,
        service="transfer",
    ) as channel:
        transfer = transfer_service_pb2_grpc.TransferServiceStub(channel)
        for building in BUILDINGS:
            listed = await transfer.ListCertificates(
                transfer_pb.ListCertificatesRequest(unit_number=f"{building}0101", page_size=1)
            )
            issued = await transfer.GetCertificate(
                transfer_pb.GetCertificateRequest(name=listed.certificates[0].name, with_document=True)
            )
            key = load_public_key(pki.book_public_key_path(building[:6]).read_bytes())
            result = verify_document(issued.document, key, cosigners, trust.quorum)
            if not result.ok:
                raise AssertionError(f"the certificate of {building} does not verify: {result.failures}")
            said.append(f"{building[:6]} cosigned by {len(result.witnesses)} of {len(cosigners)}")
    return "; ".join(said) + f" (quorum {trust.quorum})"


async def rehearse(units: int, concurrency: int) -> int:
    root = Path(tempfile.mkdtemp(prefix="deedflow-rehearsal-"))
    pki = ensure_dev_pki(root / "pki")
    witness_pids, witness_env = start_witnesses(3, Settings(home=root / "witnesses", pki_dir=pki.root), pki)
    with postgres_servers(root) as servers, _stopped_at_the_end(witness_pids):
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
                    env={**LEASES, **witness_env},
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
            witnessed = await _witnessed_certificate(settings, pki)
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
        print(f"  a certificate of each building, sealed after the kill: {witnessed}")
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
