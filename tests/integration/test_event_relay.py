"""The purchase office relays the mortgage office's feed into its own: stopped and started again,
it goes on from the cursor it recorded with what it copied, so each event arrives once, under the
mortgage office's id, in the mortgage office's order."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import asyncpg

from deedflow.events.v1 import events_service_pb2 as pb
from deedflow.events.v1 import events_service_pb2_grpc
from shared.config import Settings
from shared.db import plain_url
from tests.flows import BANK
from tests.support import client_channel, in_process


async def _discharges(connection: asyncpg.Connection, count: int) -> list[str]:
    """Discharges the mortgage office records (as its trigger writes them), one transaction each."""
    names = []
    for _ in range(count):
        names.append(
            await connection.fetchval(
                "INSERT INTO event (type, subject, unit_number, bank_uscc, event_time)"
                " VALUES ('MORTGAGE_DISCHARGED', $1, $2, $3, $4) RETURNING id::text",
                f"mortgages/{uuid.uuid4()}",
                "500112001001GB00001F00010101",
                BANK.uscc,
                dt.datetime.now(dt.UTC),
            )
        )
    return [f"events/{name}" for name in names]


async def _relayed(port: int, pki, count: int) -> list[pb.Event]:
    """The first `count` events of the purchase office's feed, as a clerk follows it."""
    async with client_channel(port, pki, "clerk") as channel:
        stream = events_service_pb2_grpc.EventServiceStub(channel).WatchEvents(pb.WatchEventsRequest())
        seen = []
        try:
            async with asyncio.timeout(30):
                async for response in stream:
                    seen.append(response.event)
                    if len(seen) == count:
                        return seen
        finally:
            stream.cancel()
    raise AssertionError("the feed ended")


async def test_the_relay_resumes_after_a_restart_and_copies_each_event_once(own_server, tmp_path, pki):
    settings = Settings(home=tmp_path / "home", pki_dir=pki.root, bind_host="127.0.0.1")
    async with in_process(["mortgage"], settings, own_server):
        connection = await asyncpg.connect(plain_url(own_server), server_settings={"search_path": "mortgage"})
        try:
            first = await _discharges(connection, 3)
            async with in_process(["orchestrator"], settings, own_server) as started:
                before = await _relayed(started["orchestrator"].server.port, pki, 3)
            # Recorded while the purchase office is down: relayed once it is back.
            second = await _discharges(connection, 3)
            async with in_process(["orchestrator"], settings, own_server) as started:
                after = await _relayed(started["orchestrator"].server.port, pki, 6)
            copies = await connection.fetch(
                "SELECT id, count(*) FROM orchestrator.event GROUP BY id HAVING count(*) > 1"
            )
        finally:
            await connection.close()
    assert [e.name for e in before] == first
    assert [e.name for e in after] == first + second
    assert {e.office for e in after} == {"mortgage"}
    assert {e.bank for e in after} == {f"organizations/{BANK.uscc}"}
    assert copies == []
