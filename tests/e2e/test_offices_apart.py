"""Each office on its own database: the seven services spread over three PostgreSQL servers
(DEEDFLOW_DATABASE_URLS), a financed purchase from filing to handover and its discharge, the
bank following it all on the event feed relayed across servers. No office needs another's
tables: each server holds only the schemas of the offices placed on it."""

from __future__ import annotations

import asyncio

import asyncpg

from deedflow.events.v1 import events_service_pb2 as events_pb
from deedflow.events.v1 import events_service_pb2_grpc
from deedflow.mortgage.v1 import mortgage_service_pb2 as mortgage_pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from shared.catalog import SERVICE_NAMES
from shared.config import Settings
from shared.db import plain_url
from tests.flows import discharge_entered, open_offices, presale, rid
from tests.purchases import complete, file_purchase, pay, signed_filing, until
from tests.support import OFFICE_SERVERS, client_channel, in_process
from tools.invariants import check_offices


async def _schemas(url: str) -> set[str]:
    connection = await asyncpg.connect(plain_url(url))
    try:
        rows = await connection.fetch("SELECT schema_name FROM information_schema.schemata")
    finally:
        await connection.close()
    return {row["schema_name"] for row in rows} & set(SERVICE_NAMES)


async def test_a_purchase_from_filing_to_discharge_with_the_offices_on_three_servers(
    three_servers, tmp_path, pki
):
    urls = {service: three_servers[server] for service, server in OFFICE_SERVERS.items()}
    settings = Settings(home=tmp_path / "home", pki_dir=pki.root, bind_host="127.0.0.1")
    async with in_process(SERVICE_NAMES, settings, urls) as started:
        ports = {name: service.server.port for name, service in started.items()}
        async with (
            open_offices(ports, pki) as offices,
            client_channel(ports["orchestrator"], pki, "developer") as desk_channel,
            client_channel(ports["orchestrator"], pki, "bank-a") as feed_channel,
        ):
            desk = orchestrator_service_pb2_grpc.PurchaseServiceStub(desk_channel)
            building, (unit, _) = await presale(offices)
            purchase = await file_purchase(desk, signed_filing(pki, unit, with_loan=True)[0])
            await pay(offices, await until(desk, purchase.name, pb.PURCHASE_STATE_AWAITING_COMPLETION))
            await complete(desk, building)
            ready = await until(desk, purchase.name, pb.PURCHASE_STATE_CERTIFICATE_READY)
            assert ready.documents.certificate_numbers
            assert ready.documents.mortgage_proof_number
            handed = await desk.ConfirmHandover(
                pb.ConfirmHandoverRequest(request_id=rid(), name=purchase.name)
            )
            assert handed.purchase.state == pb.PURCHASE_STATE_HANDED_OVER
            mortgage = (
                await offices.mortgage_as_bank.ListMortgages(
                    mortgage_pb.ListMortgagesRequest(unit_number=unit)
                )
            ).mortgages[0]
            discharged = await discharge_entered(offices, mortgage.name, "SETTLED-APART")
            assert discharged.state == mortgage_pb.MORTGAGE_STATE_DISCHARGED

            # The bank's feed, at the purchase office on server 0, carries the discharge the
            # mortgage office recorded on server 2.
            stream = events_service_pb2_grpc.EventServiceStub(feed_channel).WatchEvents(
                events_pb.WatchEventsRequest()
            )
            seen = []
            try:
                async with asyncio.timeout(60):
                    async for response in stream:
                        seen.append(events_pb.EventType.Name(response.event.type))
                        if response.event.subject == mortgage.name and seen[-1].endswith("DISCHARGED"):
                            break
            finally:
                stream.cancel()
            assert {"EVENT_TYPE_HANDED_OVER", "EVENT_TYPE_MORTGAGE_DISCHARGED"} <= set(seen)

    for server, url in enumerate(three_servers):
        assert await _schemas(url) == {s for s, placed in OFFICE_SERVERS.items() if placed == server}
    # The cross-office invariants, over the offices' copies gathered from the three servers (the
    # certificate number issued by the book, the tax clearance consumed once, ...).
    assert [str(v) for v in await check_offices(urls)] == []
