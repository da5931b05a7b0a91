"""Two orchestrator processes share purchases without running any step twice. The other six
services run in this process; the orchestrators are real OS processes. (An orchestrator killed at
each step is part of the fault matrix, tests/chaos/test_fault_matrix.py.)"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import grpc
import pytest

from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from shared.config import Settings
from shared.db import plain_url
from tests.chaos.processes import ServiceProcess
from tests.flows import open_offices, presale, rid
from tests.purchases import file_purchase, pay, signed_filing
from tests.support import client_channel, fresh_database, in_process

pytestmark = pytest.mark.slow

OTHERS = ("registry", "tax", "contract", "preregistration", "mortgage", "transfer")


@pytest.fixture(scope="module")
def chaos_database(server_url):
    yield from fresh_database(server_url)


@pytest.fixture(scope="module")
async def six(chaos_database, pki, tmp_path_factory):
    """The six services besides the orchestrator, in this process, on their own database."""
    settings = Settings(home=tmp_path_factory.mktemp("six"), pki_dir=pki.root, bind_host="127.0.0.1")
    async with in_process(OTHERS, settings, chaos_database) as started:
        yield started, dict(settings.addresses)


@pytest.fixture(scope="module")
async def chaos_offices(six, pki):
    started, _ = six
    async with open_offices({n: s.server.port for n, s in started.items()}, pki) as stubs:
        yield stubs


def orchestrator_process(
    home: Path,
    database_url: str,
    addresses: dict[str, str],
    pki_root: Path,
    lease_seconds: float,
) -> ServiceProcess:
    """One `python -m services.orchestrator` process holding purchases for `lease_seconds`."""
    return ServiceProcess(
        "orchestrator",
        home,
        database_url,
        addresses,
        pki_root,
        env={"DEEDFLOW_DURABLE_LEASE_SECONDS": str(lease_seconds)},
    )


@contextlib.asynccontextmanager
async def desk(port: int, pki) -> AsyncIterator[orchestrator_service_pb2_grpc.PurchaseServiceStub]:
    async with client_channel(port, pki, "developer") as channel:
        yield orchestrator_service_pb2_grpc.PurchaseServiceStub(channel)


async def follow(port: int, pki, name: str, *states: int) -> pb.Purchase | None:
    """The purchase once it reaches one of `states`; None if the process died first."""
    async with desk(port, pki) as stub:
        try:
            async with asyncio.timeout(90):
                async for change in stub.WatchPurchase(pb.WatchPurchaseRequest(name=name)):
                    if change.purchase.state in states:
                        return change.purchase
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.UNAVAILABLE:
                return None
            raise
    return None


async def test_two_orchestrators_share_fifty_purchases_without_running_a_step_twice(
    chaos_offices, six, pki, chaos_database, tmp_path
):
    _, addresses = six
    building, units = await presale(chaos_offices, units=50)
    # The default lease: here nobody dies, so nobody should take over anybody's step.
    first = orchestrator_process(tmp_path / "one", chaos_database, addresses, pki.root, lease_seconds=30)
    second = orchestrator_process(tmp_path / "two", chaos_database, addresses, pki.root, lease_seconds=30)
    try:
        names = []
        for i, unit in enumerate(units):
            filing, _ = signed_filing(pki, unit, with_loan=i % 2 == 0)
            async with desk((first, second)[i % 2].port, pki) as stub:
                names.append((await file_purchase(stub, filing)).name)
        waiting = await asyncio.gather(
            *(follow(first.port, pki, n, pb.PURCHASE_STATE_AWAITING_COMPLETION) for n in names)
        )
        for purchase in waiting:
            await pay(chaos_offices, purchase)
        async with desk(second.port, pki) as stub:
            await stub.CompleteBuilding(
                pb.CompleteBuildingRequest(
                    request_id=rid(), building_number=building, completion_record_number="渝建竣备Y"
                )
            )
        ready = await asyncio.gather(
            *(follow(second.port, pki, n, pb.PURCHASE_STATE_CERTIFICATE_READY) for n in names)
        )
    finally:
        first.stop()
        second.stop()
    assert all(p is not None and p.state == pb.PURCHASE_STATE_CERTIFICATE_READY for p in ready)
    # Waiting steps (tax paid? building registered?) look again when woken; steps with an
    # effect ran once each.
    effectful = {
        "CONTRACT_SIGNED",
        "CONTRACT_FILED",
        "TAX_ASSESSED",
        "PREREGISTERED",
        "PREMORTGAGED",
        "TRANSFERRED",
    }
    for purchase in ready:
        repeated = {
            pb.StepKind.Name(s.kind): s.attempts
            for s in purchase.steps
            if pb.StepKind.Name(s.kind).removeprefix("STEP_KIND_") in effectful
            and s.attempts != 1
            and s.state != pb.STEP_STATE_SKIPPED
        }
        assert repeated == {}, purchase.name
    connection = await asyncpg.connect(plain_url(chaos_database))
    try:
        workers = await connection.fetch(
            "SELECT worker, count(*) AS steps FROM orchestrator.purchase_step s"
            " JOIN orchestrator.purchase p ON p.id = s.purchase_id"
            " WHERE p.building_number = $1 AND s.worker <> '' GROUP BY worker",
            building,
        )
        contracts = await connection.fetchval(
            "SELECT count(*) FROM contract.contract WHERE unit_number LIKE $1 || '%'", building
        )
        certificates = await connection.fetchval(
            "SELECT count(*) FROM transfer.certificate WHERE unit_number LIKE $1 || '%'", building
        )
    finally:
        await connection.close()
    assert len(workers) == 2, "both processes should have done work"
    assert (contracts, certificates) == (50, 50)
