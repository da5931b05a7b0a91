"""The checkpoint-plus-witness round trip: what three witnesses add to sealing a document.

A registry (in this process, real PostgreSQL) seals a proof on a new objection, again and again,
so that every seal needs a new checkpoint: once with no witnesses (the floor, the same run), once
with three `deedflow witness` processes over TLS and a quorum of two, where each seal also waits
for the witnesses to check the consistency proof, record the checkpoint (SQLite, fsync) and
cosign. Prints p50/p99 of each, the round trip (their difference) and the ratio.

    .venv/bin/python -m bench.witnessing --seals 200
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg

from bench.launch_day import quantile
from bench.rehearsal import _stopped_at_the_end
from cli.stack import start_witnesses
from deedflow.registry.v1 import registry_service_pb2 as pb
from deedflow.registry.v1 import registry_service_pb2_grpc
from services.registry.app import register
from shared.config import Settings
from shared.db import plain_url, with_database
from shared.grpc.channels import secure_channel
from shared.pg import database_url
from shared.pki import Pki, ensure_dev_pki
from shared.runtime import start_service
from tests.support import new_building_number

QUIET = {
    "DEEDFLOW_REGISTRY_CHECKPOINT_EVERY_LEAVES": "1000000000",
    "DEEDFLOW_REGISTRY_CHECKPOINT_EVERY_SECONDS": "1e9",
}


async def _seals(settings: Settings, pki: Pki, url: str, count: int) -> list[float]:
    """Seconds each of `count` seals took, each on an entry made just before it."""
    started = await start_service("registry", register, settings, url, port=0)
    target = f"127.0.0.1:{started.server.port}"
    timings = []
    try:
        async with (
            secure_channel(target, pki.ca_pem, pki.caller("clerk")) as clerk_channel,
            secure_channel(target, pki.ca_pem, pki.service("transfer")) as service_channel,
        ):
            clerk = registry_service_pb2_grpc.RegistryServiceStub(clerk_channel)
            sealer = registry_service_pb2_grpc.RegistryServiceStub(service_channel)
            building = new_building_number()
            unit = f"{building}0101"
            facts = pb.UnitFacts(unit_number=unit, address="渝北区示例路1号", gross_area_dm2=9000, use="住宅")
            await clerk.CreateBuilding(
                pb.CreateBuildingRequest(
                    request_id=str(uuid.uuid4()), building_number=building, units=[facts]
                )
            )
            for n in range(count):
                entry = (
                    await clerk.AddObjection(
                        pb.AddObjectionRequest(
                            request_id=str(uuid.uuid4()),
                            unit_number=unit,
                            objector="organizations/91500105MA5U0DF02K",
                            grounds=f"异议{n}",
                        )
                    )
                ).entry
                began = time.perf_counter()
                await sealer.SealDocument(
                    pb.SealDocumentRequest(
                        entry=entry.name,
                        kind="proof",
                        number=f"渝(2026)渝北区不动产证明第{n + 1:07d}号",
                        body=b"{}",
                    )
                )
                timings.append(time.perf_counter() - began)
    finally:
        await started.stop(0)
    return timings


async def _admin(server: str, statement: str) -> None:
    connection = await asyncpg.connect(plain_url(server))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def _measured(settings: Settings, pki: Pki, server: str, count: int) -> list[float]:
    """_seals on a database of its own, dropped afterwards."""
    name = f"deedflow_bench_{uuid.uuid4().hex[:12]}"
    await _admin(server, f'CREATE DATABASE "{name}"')
    try:
        return await _seals(settings, pki, with_database(server, name), count)
    finally:
        await _admin(server, f'DROP DATABASE "{name}" WITH (FORCE)')


def _line(label: str, timings: list[float]) -> str:
    ms = [t * 1000 for t in timings]
    return f"  {label}: p50 {statistics.median(ms):.1f} ms, p99 {quantile(ms, 0.99):.1f} ms"


async def run(count: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="deedflow-witnessing-"))
    pki = ensure_dev_pki(root / "pki")
    settings = Settings(home=root / "home", pki_dir=pki.root, bind_host="127.0.0.1")
    os.environ.update(QUIET)
    server = database_url(Settings())
    floor = await _measured(settings, pki, server, count)
    pids, env = start_witnesses(3, Settings(home=root / "witnesses", pki_dir=pki.root), pki)
    with _stopped_at_the_end(pids):
        os.environ.update(env)
        witnessed = await _measured(settings, pki, server, count)
    print(f"SealDocument on a new entry, {count} seals each, sequential (every seal a new checkpoint):")
    print(_line("no witnesses (the floor)", floor))
    print(_line("three witnesses, quorum 2", witnessed))
    round_trip = statistics.median(witnessed) - statistics.median(floor)
    print(
        f"  the checkpoint-plus-witness round trip: {round_trip * 1000:.1f} ms at the median;"
        f" ratio to the floor {statistics.median(witnessed) / statistics.median(floor):.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seals", type=int, default=200, help="Seals measured with and without witnesses.")
    asyncio.run(run(parser.parse_args().seals))


if __name__ == "__main__":
    main()
