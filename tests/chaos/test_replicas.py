"""Two replicas of every service, the offices over three PostgreSQL servers, and one replica of
each killed with SIGKILL in the middle of a building's handover: every purchase still reaches its
certificate and the book holds each entry once.

Each service's address names both replicas ("ipv4:127.0.0.1:A,127.0.0.1:B"), so every channel
balances round robin over the replicas its health checks find serving. One replica of each runs
as its own OS process (the victims); the other runs in this process.

A handover of a few purchases makes only two or three calls to the transfer office, which round
robin may all give to the survivor (it did, in one run of CI). So the survivor's transfer replica
says NOT_SERVING from its start until the victim has taken the handover's first call: every
transfer call goes to the victim, which then dies with the handover's work in hand, while the
survivor, serving again, takes the rest."""

from __future__ import annotations

import asyncio

import pytest
from grpc_health.v1.health_pb2 import HealthCheckResponse

from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from deedflow.transfer.v1 import transfer_service_pb2 as transfer_pb
from deedflow.transfer.v1 import transfer_service_pb2_grpc
from shared.catalog import SERVICE_NAMES
from shared.config import Settings
from tests.chaos.book import ONE_PURCHASE_WITH_A_LOAN, entries_by_kind
from tests.chaos.cluster import free_ports
from tests.chaos.processes import ServiceProcess
from tests.flows import open_offices, presale, rid
from tests.purchases import complete, file_purchase, pay, signed_filing, until
from tests.support import OFFICE_SERVERS, client_channel, start_at

pytestmark = pytest.mark.slow

PURCHASES = 8
SERVING, NOT_SERVING = HealthCheckResponse.SERVING, HealthCheckResponse.NOT_SERVING
# Short leases, so what a killed replica held is taken over within the test.
LEASES = {"DEEDFLOW_DURABLE_LEASE_SECONDS": "2"}


@pytest.fixture
async def replicas(three_servers, pki, tmp_path, monkeypatch):
    """(in-process replicas by service, the OS-process replicas, each office's database URL)."""
    for name, value in LEASES.items():
        monkeypatch.setenv(name, value)
    urls = {service: three_servers[server] for service, server in OFFICE_SERVERS.items()}
    chosen = iter(free_ports(2 * len(SERVICE_NAMES)))
    ports = {service: (next(chosen), next(chosen)) for service in SERVICE_NAMES}
    addresses = {s: f"ipv4:127.0.0.1:{a},127.0.0.1:{b}" for s, (a, b) in ports.items()}
    settings = Settings(home=tmp_path / "home", pki_dir=pki.root, bind_host="127.0.0.1", addresses=addresses)
    local, remote = {}, []
    try:
        for service in SERVICE_NAMES:
            local[service] = await start_at(service, settings, urls[service], ports[service][1])
            if service == "transfer":
                await local[service].server.health.set("", NOT_SERVING)
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
        transfer = next(p for p in remote if p.name == "transfer")
        building, units = await presale(offices, units=PURCHASES, inspected=False)
        filed = [await file_purchase(desk, signed_filing(pki, unit, with_loan=True)[0]) for unit in units]
        for purchase in filed:
            await pay(offices, await until(desk, purchase.name, pb.PURCHASE_STATE_AWAITING_COMPLETION))
        async with client_channel(transfer.port, pki, "clerk") as inspector:
            await transfer_service_pb2_grpc.TransferServiceStub(inspector).RecordSiteInspection(
                transfer_pb.RecordSiteInspectionRequest(
                    request_id=rid(),
                    building_number=building,
                    outcome=transfer_pb.SITE_INSPECTION_OUTCOME_AS_DESCRIBED,
                )
            )
        await complete(desk, building)
        # Mid-handover: the transfer office's victim has taken the handover's first call (from an
        # office, not the inspector), whose other calls (each purchase's transfer, the converted
        # mortgages) are to come; the survivor serves again, and every victim dies.
        assert await asyncio.to_thread(transfer.wait_for_line, '"caller": "deedflow://service/', 60)
        await local["transfer"].server.health.set("", SERVING)
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
