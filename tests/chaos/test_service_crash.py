"""Any service may die: the pre-registration office is killed with SIGKILL while purchases are in
flight, a purchase filed afterwards finds it gone (its step fails UNAVAILABLE and waits to retry),
and the office is started again on its port. Every purchase still reaches its certificate, and the
book holds each entry once. The victim is a real OS process; the other six run in this process."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from shared.config import Settings
from shared.db import plain_url
from tests.chaos.book import ONE_PURCHASE_WITH_A_LOAN, entries_by_kind
from tests.chaos.cluster import free_port
from tests.chaos.processes import ServiceProcess
from tests.flows import open_offices, presale
from tests.purchases import complete, file_purchase, pay, signed_filing, until
from tests.support import client_channel, fresh_database, in_process

pytestmark = pytest.mark.slow

PURCHASES = 4
VICTIM = "preregistration"
OTHERS = ("registry", "tax", "contract", "mortgage", "transfer", "orchestrator")
UNAVAILABLE = 14  # google.rpc.Code


@pytest.fixture
def database(server_url):
    yield from fresh_database(server_url)


@pytest.fixture
async def stack(database, pki, tmp_path, monkeypatch):
    # A short lease, so a step cut off by the crash is taken up again within the test.
    monkeypatch.setenv("DEEDFLOW_DURABLE_LEASE_SECONDS", "2")
    port = free_port()
    addresses = {VICTIM: f"127.0.0.1:{port}"}
    victim = ServiceProcess(VICTIM, tmp_path / VICTIM, database, addresses, pki.root, port=port)
    settings = Settings(home=tmp_path / "home", pki_dir=pki.root, bind_host="127.0.0.1")
    settings.addresses.update(addresses)
    try:
        async with in_process(OTHERS, settings, database) as started:
            yield started, victim, dict(settings.addresses)
    finally:
        victim.stop()


async def _until_a_step_fails_unavailable(desk, name: str) -> None:
    """Follows the purchase until one of its steps records that its office was unreachable."""
    async for change in desk.WatchPurchase(pb.WatchPurchaseRequest(name=name)):
        if any(step.last_error.code == UNAVAILABLE for step in change.purchase.steps):
            return
    raise AssertionError(f"{name} ended without meeting the dead office")


async def test_an_office_killed_mid_purchase_loses_nothing_and_applies_nothing_twice(
    stack, pki, database, tmp_path
):
    started, victim, addresses = stack
    ports = {name: s.server.port for name, s in started.items()}
    ports[VICTIM] = victim.port
    async with (
        asyncio.timeout(180),
        open_offices(ports, pki) as offices,
        client_channel(ports["orchestrator"], pki, "developer") as channel,
    ):
        desk = orchestrator_service_pb2_grpc.PurchaseServiceStub(channel)
        building, units = await presale(offices, units=PURCHASES)
        filed = [
            await file_purchase(desk, signed_filing(pki, unit, with_loan=True)[0]) for unit in units[:-1]
        ]
        victim.kill()
        # Filing needs no pre-registration office, so this one is accepted and then meets its death.
        filed.append(await file_purchase(desk, signed_filing(pki, units[-1], with_loan=True)[0]))
        await _until_a_step_fails_unavailable(desk, filed[-1].name)
        reborn = ServiceProcess(VICTIM, tmp_path / VICTIM, database, addresses, pki.root, port=victim.port)
        try:
            waiting = [await until(desk, p.name, pb.PURCHASE_STATE_AWAITING_COMPLETION) for p in filed]
            for purchase in waiting:
                await pay(offices, purchase)
            await complete(desk, building)
            ready = [await until(desk, p.name, pb.PURCHASE_STATE_CERTIFICATE_READY) for p in filed]
        finally:
            reborn.stop()
    assert all(len(p.documents.certificate_numbers) == 1 for p in ready)

    assert await entries_by_kind(database, units) == dict.fromkeys(units, ONE_PURCHASE_WITH_A_LOAN)
    connection = await asyncpg.connect(plain_url(database))
    try:
        cases = await connection.fetchval(
            "SELECT count(*) FROM preregistration.registry_case WHERE unit_number = ANY($1)", units
        )
    finally:
        await connection.close()
    assert cases == 2 * PURCHASES, "one pre-registration and one pre-mortgage case per unit"
