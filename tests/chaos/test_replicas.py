"""Two replicas of every service, the offices over three PostgreSQL servers, and one replica of
each killed with SIGKILL in the middle of a building's handover: every purchase still reaches its
certificate and the book holds each entry once.

Each service's address names both replicas ("ipv4:127.0.0.1:A,127.0.0.1:B"), so every channel
balances round robin over the replicas its health checks find serving. One replica of each runs
as its own OS process (the victims); the other runs in this process."""

from __future__ import annotations

import asyncio

import pytest

from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from shared.catalog import SERVICE_NAMES
from shared.config import Settings
from tests.chaos.book import ONE_PURCHASE_WITH_A_LOAN, entries_by_kind
from tests.chaos.cluster import free_port
from tests.chaos.processes import ServiceProcess
from tests.flows import open_offices, presale, rid
from tests.purchases import complete, file_purchase, pay, signed_filing, until
from tests.support import OFFICE_SERVERS, client_channel, start_at

pytestmark = pytest.mark.slow

PURCHASES = 8
# Short leases, so what a killed replica held is taken over within the test.
LEASES = {"DEEDFLOW_SAGA_LEASE_SECONDS": "2", "DEEDFLOW_JOURNAL_LEASE_SECONDS": "2"}


@pytest.fixture
async def replicas(three_servers, pki, tmp_path, monkeypatch):
    """(in-process replicas by service, the OS-process replicas, each office's database URL)."""
    for name, value in LEASES.items():
        monkeypatch.setenv(name, value)
    urls = {service: three_servers[server] for service, server in OFFICE_SERVERS.items()}
    ports = {service: (free_port(), free_port()) for service in SERVICE_NAMES}
    addresses = {s: f"ipv4:127.0.0.1:{a},127.0.0.1:{b}" for s, (a, b) in ports.items()}
    settings = Settings(home=tmp_path / "home", pki_dir=pki.root, bind_host="127.0.0.1", addresses=addresses)
    local, remote = {}, []
    try:
        for service in SERVICE_NAMES:
            local[service] = await start_at(service, settings, urls[service], ports[service][1])
        remote = await asyncio.gather(
            *(
                asyncio.to_thread(
                    ServiceProcess,
                    service,
                    tmp_path / f"{service}-a",
                    urls[service],
                    addresses,
                    pki.root,
                    port=ports[service][0],
                    env=LEASES,
                )
                for service in SERVICE_NAMES
            )
        )
        yield local, remote, urls
    finally:
        for process in remote:
            process.stop()
        for started in reversed(list(local.values())):
            await started.stop(0)


async def test_a_replica_of_each_service_killed_mid_handover_loses_nothing(replicas, pki):
    local, remote, urls = replicas
    ports = {name: started.server.port for name, started in local.items()}
    async with (
        asyncio.timeout(240),
        open_offices(ports, pki) as offices,
        client_channel(ports["orchestrator"], pki, "developer") as channel,
    ):
        desk = orchestrator_service_pb2_grpc.PurchaseServiceStub(channel)
        building, units = await presale(offices, units=PURCHASES)
        filed = [await file_purchase(desk, signed_filing(pki, unit, with_loan=True)[0]) for unit in units]
        for purchase in filed:
            await pay(offices, await until(desk, purchase.name, pb.PURCHASE_STATE_AWAITING_COMPLETION))
        await complete(desk, building)
        # Mid-handover: the transfer office's victim has taken its first call of the handover,
        # whose other calls (each purchase's certificate, the converted mortgages) are to come.
        transfer = next(p for p in remote if p.name == "transfer")
        assert await asyncio.to_thread(transfer.wait_for_line, '"message": "call"', 60)
        for process in remote:
            process.kill()
        # The victims had their share when they died: round robin gave the offices' calls to both
        # replicas, and the orchestrators' workers shared the saga's steps. (The mortgage office
        # takes a handover's converted mortgages in a batch or two, which may all have gone to
        # the survivor.)
        worked = {
            p.name: p.log.read_text().count(
                '"message": "step"' if p.name == "orchestrator" else '"message": "call"'
            )
            for p in remote
            if p.name != "mortgage"
        }
        assert all(worked.values()), str(worked)
        ready = [await until(desk, p.name, pb.PURCHASE_STATE_CERTIFICATE_READY) for p in filed]
        handed = [
            (await desk.ConfirmHandover(pb.ConfirmHandoverRequest(request_id=rid(), name=p.name))).purchase
            for p in ready
        ]
    assert all(p.state == pb.PURCHASE_STATE_HANDED_OVER for p in handed)
    assert all(len(p.documents.certificate_numbers) == 1 for p in ready)
    assert all(p.documents.mortgage_proof_number for p in ready)
    assert await entries_by_kind(urls["registry"], units) == dict.fromkeys(units, ONE_PURCHASE_WITH_A_LOAN)
