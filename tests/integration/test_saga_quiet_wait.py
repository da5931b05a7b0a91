"""A wait looked at again and found as it was writes no history (issue 31): a purchase waiting
months for its tax is looked at every tax_recheck_seconds (0.5 s in the tests); each look moves
only when to look next, not the purchase's version, its steps or the versions its watchers and
the event feed read. The payment still moves it on at once."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg

from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from shared.db import plain_url
from tests.flows import presale
from tests.purchases import file_purchase, pay, signed_filing, until_waiting
from tests.support import client_channel


async def _state(connection: asyncpg.Connection, purchase_id: uuid.UUID):
    return await connection.fetchrow(
        "SELECT p.version, p.due_at, s.attempts,"
        " (SELECT count(*) FROM orchestrator.purchase_version v WHERE v.purchase_id = p.id) AS versions"
        " FROM orchestrator.purchase p JOIN orchestrator.purchase_step s"
        " ON s.purchase_id = p.id AND s.kind = 'TAX_PAID' AND s.direction = 'FORWARD' WHERE p.id = $1",
        purchase_id,
    )


async def test_a_purchase_waiting_for_its_tax_is_looked_at_without_a_new_version(offices, services, pki):
    _, (unit, _) = await presale(offices)
    async with client_channel(services["orchestrator"].server.port, pki, "developer") as channel:
        desk = orchestrator_service_pb2_grpc.PurchaseServiceStub(channel)
        purchase = await file_purchase(desk, signed_filing(pki, unit, with_loan=False)[0])
        waiting = await until_waiting(desk, purchase.name)
        purchase_id = uuid.UUID(purchase.name.removeprefix("purchases/"))
        connection = await asyncpg.connect(plain_url(services["orchestrator"].deps.database.url))
        try:
            first = await _state(connection, purchase_id)
            looks = {first["due_at"]}
            async with asyncio.timeout(30):
                while len(looks) < 4:
                    # Each look writes the next one's time: three looks have been made.
                    looks.add((await _state(connection, purchase_id))["due_at"])
                    await asyncio.sleep(0.05)
            after = await _state(connection, purchase_id)
        finally:
            await connection.close()
        assert (after["version"], after["versions"], after["attempts"]) == (
            first["version"],
            first["versions"],
            first["attempts"],
        )
        assert (
            await desk.GetPurchase(pb.GetPurchaseRequest(name=purchase.name))
        ).purchase.version == waiting.version
        await pay(offices, waiting)
        moved = await until_waiting(desk, purchase.name, step=pb.STEP_KIND_BUILDING_FIRST_REGISTERED)
        paid = next(s for s in moved.steps if s.kind == pb.STEP_KIND_TAX_PAID)
        assert paid.state == pb.STEP_STATE_SUCCEEDED
