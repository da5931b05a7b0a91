"""PostgreSQL stopped with `pg_ctl stop -m immediate` (a crash: no checkpoint, connections cut)
in the middle of purchases, then started again: every acknowledged filing is still there, every
saga resumes by itself, a watcher's stream picks up again, and each office's effect happens once.
All seven services run in this process on their own embedded PostgreSQL, which only this test
stops."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from shared.catalog import SERVICE_NAMES
from shared.config import Settings
from shared.pg import start_embedded, stop_embedded
from tests.chaos.book import ONE_PURCHASE_WITH_A_LOAN, entries_by_kind
from tests.chaos.cluster import crash_postgres
from tests.flows import open_offices, presale
from tests.purchases import complete, file_purchase, pay, signed_filing, until
from tests.support import client_channel, in_process

pytestmark = pytest.mark.slow

PURCHASES = 4
# A client's pause before it watches again after an outage (a retry backoff, not a wait for state).
RESUBSCRIBE_BACKOFF_SECONDS = 0.2


async def follow(desk, name: str, *states: int) -> pb.Purchase:
    """Watches a purchase until one of `states`, as a client that outlives an outage does: when
    the stream breaks with UNAVAILABLE, it watches again from the last version it saw."""
    after = 0
    while True:
        try:
            async for change in desk.WatchPurchase(pb.WatchPurchaseRequest(name=name, after_version=after)):
                after = change.purchase.version
                if change.purchase.state in states:
                    return change.purchase
        except grpc.aio.AioRpcError as exc:
            if exc.code() != grpc.StatusCode.UNAVAILABLE:
                raise
            await asyncio.sleep(RESUBSCRIBE_BACKOFF_SECONDS)


@pytest.fixture
async def stack(tmp_path, pki, monkeypatch):
    # A short lease, so the steps the crash cut off are taken up again within the test.
    monkeypatch.setenv("DEEDFLOW_DURABLE_LEASE_SECONDS", "2")
    pgdata = tmp_path / "pg"
    url = start_embedded(pgdata)
    settings = Settings(home=tmp_path / "home", pki_dir=pki.root, bind_host="127.0.0.1")
    # The orchestrator last: its saga calls the others from the start.
    order = (*[s for s in SERVICE_NAMES if s != "orchestrator"], "orchestrator")
    try:
        async with in_process(order, settings, url) as started:
            yield started, pgdata, url
    finally:
        stop_embedded(pgdata)
        # The server the crash restarted is stopped too, not left running after the test.
        assert not (pgdata / "postmaster.pid").exists()


async def test_a_crashed_database_loses_nothing_acknowledged_and_every_saga_resumes(stack, pki):
    started, pgdata, url = stack
    ports = {name: s.server.port for name, s in started.items()}
    async with (
        asyncio.timeout(180),
        open_offices(ports, pki) as offices,
        client_channel(ports["orchestrator"], pki, "developer") as channel,
    ):
        desk = orchestrator_service_pb2_grpc.PurchaseServiceStub(channel)
        building, units = await presale(offices, units=PURCHASES)
        filed = [await file_purchase(desk, signed_filing(pki, unit, with_loan=True)[0]) for unit in units]
        await until(desk, filed[0].name, pb.PURCHASE_STATE_AWAITING_COMPLETION)
        # A watcher follows the last purchase across the crash.
        watcher = asyncio.create_task(follow(desk, filed[-1].name, pb.PURCHASE_STATE_CERTIFICATE_READY))
        await asyncio.to_thread(crash_postgres, pgdata, url)

        waiting = [await follow(desk, p.name, pb.PURCHASE_STATE_AWAITING_COMPLETION) for p in filed]
        for purchase in waiting:
            await pay(offices, purchase)
        await complete(desk, building)
        ready = [await follow(desk, p.name, pb.PURCHASE_STATE_CERTIFICATE_READY) for p in filed]
        assert all(len(p.documents.certificate_numbers) == 1 for p in ready)
        watched = await asyncio.wait_for(watcher, 60)
        assert watched.state == pb.PURCHASE_STATE_CERTIFICATE_READY

        for unit in units:
            contracts = (
                await offices.contracts.ListContracts(contract_pb.ListContractsRequest(unit_number=unit))
            ).contracts
            assert len(contracts) == 1, unit

    assert await entries_by_kind(url, units) == dict.fromkeys(units, ONE_PURCHASE_WITH_A_LOAN)
