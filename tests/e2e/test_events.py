"""The event feed as a bank and a developer follow it: every event of their own records at least
once, in commit order, across a disconnect in the middle of a handover, and nobody else's; the
mortgage office's discharges relayed into the same feed; bad and expired cursors refused."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import asyncpg
import grpc
import pytest
from grpc_status import rpc_status

from deedflow.events.v1 import events_service_pb2 as pb
from deedflow.events.v1 import events_service_pb2_grpc
from deedflow.mortgage.v1 import mortgage_service_pb2 as mortgage_pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2 as purchase_pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from shared.config import Settings
from shared.db import plain_url
from shared.events import store
from shared.grpc.status import bad_request, error_info
from tests.flows import BANK, DEVELOPER, discharge_entered, presale, refused, rid
from tests.purchases import complete, file_purchase, pay, signed_filing, until
from tests.support import client_channel, in_process

# What a financed purchase reports, in the order it happens, from filing to handover.
FINANCED = [
    "PURCHASE_FILED",
    "CONTRACT_SIGNED",
    "CONTRACT_FILED",
    "TAX_ASSESSED",
    "PREREGISTERED",
    "PREMORTGAGED",
    "TAX_PAID",
    "BUILDING_FIRST_REGISTERED",
    "TAX_SETTLED",
    "TRANSFERRED",
    "MORTGAGE_RECORDED",
    "CERTIFICATE_READY",
    "HANDED_OVER",
]


def type_of(event: pb.Event) -> str:
    return pb.EventType.Name(event.type).removeprefix("EVENT_TYPE_")


@pytest.fixture(scope="module")
async def feeds(services, pki):
    """The purchase office's feed as each party holds it, and its PurchaseService as the developer."""
    port = services["orchestrator"].server.port
    channels = {who: client_channel(port, pki, who) for who in ("bank-a", "bank-b", "developer", "clerk")}
    try:
        yield (
            {who: events_service_pb2_grpc.EventServiceStub(c) for who, c in channels.items()},
            orchestrator_service_pb2_grpc.PurchaseServiceStub(channels["developer"]),
        )
    finally:
        for channel in channels.values():
            await channel.close()


async def head(feed) -> str:
    """The cursor after everything the caller can read now."""
    cursor = ""
    while True:
        page = await feed.ListEvents(pb.ListEventsRequest(after_cursor=cursor, page_size=1000))
        if not page.events:
            return cursor
        cursor = page.next_cursor


async def follow(feed, after: str, stop, received: list[pb.Event], seconds: float = 90) -> str:
    """Follows WatchEvents from `after`, appending each event, until `stop(event)`; then
    disconnects. The cursor of the last event handled before the stopping one: a client that
    crashed before saving its cursor resumes from there and is sent the stopping event again."""
    handled = after
    stream = feed.WatchEvents(pb.WatchEventsRequest(after_cursor=after))
    try:
        async with asyncio.timeout(seconds):
            async for response in stream:
                received.append(response.event)
                if stop(response.event):
                    return handled
                handled = response.event.cursor
    finally:
        stream.cancel()
    raise AssertionError("the feed ended by itself")


def ordered(events: list[pb.Event]) -> bool:
    positions = [int(e.cursor) for e in events]
    return positions == sorted(positions) and len(set(positions)) == len(positions)


async def test_a_bank_disconnected_mid_handover_resumes_with_every_event_of_its_own(offices, pki, feeds):
    """The issue's test: bank A follows the feed with a cursor, drops the stream when the pivot is
    reported (before saving that event's cursor), and reconnects after the handover; it has every
    one of its events at least once, in order, and none of a purchase it does not finance."""
    stubs, desk = feeds
    bank = stubs["bank-a"]
    start = await head(bank)
    building, (financed_unit, cash_unit) = await presale(offices)
    financed_filing, _ = signed_filing(pki, financed_unit, with_loan=True)
    financed = await file_purchase(desk, financed_filing)
    cash = await file_purchase(desk, signed_filing(pki, cash_unit, with_loan=False)[0])
    for purchase in (financed, cash):
        await pay(offices, await until(desk, purchase.name, purchase_pb.PURCHASE_STATE_AWAITING_COMPLETION))

    before_drop: list[pb.Event] = []
    following = asyncio.create_task(
        follow(
            bank,
            start,
            lambda e: e.subject == financed.name and type_of(e) == "TRANSFERRED",
            before_drop,
        )
    )
    await complete(desk, building)
    saved = await following
    # Disconnected: the handover goes on without the bank.
    await until(desk, financed.name, purchase_pb.PURCHASE_STATE_CERTIFICATE_READY)
    await desk.ConfirmHandover(purchase_pb.ConfirmHandoverRequest(request_id=rid(), name=financed.name))

    after_reconnect: list[pb.Event] = []
    await follow(
        bank, saved, lambda e: e.subject == financed.name and type_of(e) == "HANDED_OVER", after_reconnect
    )

    received = before_drop + after_reconnect
    assert {e.bank for e in received} == {f"organizations/{BANK.uscc}"}
    assert cash.name not in {e.subject for e in received}
    ours = [e for e in received if e.subject == financed.name]
    # At least once: the event the bank had not saved its cursor for came again, with its one id.
    assert [type_of(e) for e in ours].count("TRANSFERRED") == 2
    assert len({e.name for e in ours if type_of(e) == "TRANSFERRED"}) == 1
    assert [type_of(e) for e in before_drop if e.subject == financed.name] == FINANCED[:10]
    assert [type_of(e) for e in after_reconnect if e.subject == financed.name] == FINANCED[9:]
    assert ordered(before_drop)
    assert ordered(after_reconnect)
    # Each event carries the purchase as its change left it: the bank's proofs as they came.
    by_type = {type_of(e): e.purchase for e in ours}
    assert by_type["PREMORTGAGED"].documents.premortgage_proof_number
    assert by_type["MORTGAGE_RECORDED"].documents.mortgage_proof_number
    assert by_type["HANDED_OVER"].state == purchase_pb.PURCHASE_STATE_HANDED_OVER
    assert [by_type[t].version for t in FINANCED] == sorted(by_type[t].version for t in FINANCED)

    # The clerk's whole feed holds the same events of this purchase, none missing from the bank's.
    clerk_view = []
    cursor = start
    while page := (await stubs["clerk"].ListEvents(pb.ListEventsRequest(after_cursor=cursor))).events:
        clerk_view += [e.name for e in page if e.subject == financed.name]
        cursor = page[-1].cursor
    assert set(clerk_view) == {e.name for e in ours}


async def test_each_party_sees_only_its_own_records(offices, pki, feeds):
    """Developer A sees both its purchases and no discharge; bank B sees none of bank A's loan;
    bank A sees its loan but not the cash sale."""
    stubs, desk = feeds
    starts = {who: await head(stub) for who, stub in stubs.items()}
    _, (financed_unit, cash_unit) = await presale(offices)
    financed = await file_purchase(desk, signed_filing(pki, financed_unit, with_loan=True)[0])
    cash = await file_purchase(desk, signed_filing(pki, cash_unit, with_loan=False)[0])
    for purchase in (financed, cash):
        await until(desk, purchase.name, purchase_pb.PURCHASE_STATE_AWAITING_COMPLETION)

    def grouped(events: list[pb.Event]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for event in events:
            found.setdefault(event.subject, set()).add(type_of(event))
        return found

    # Followed until what each must see has come (the feed's horizon may hold the newest back a
    # moment); bank B, read after them, has been given the same time to see anything wrongly.
    received: list[pb.Event] = []
    await follow(
        stubs["developer"],
        starts["developer"],
        lambda _: all("PREREGISTERED" in grouped(received).get(p.name, set()) for p in (financed, cash)),
        received,
    )
    developer = grouped(received)
    received = []
    await follow(
        stubs["bank-a"],
        starts["bank-a"],
        lambda _: "PREMORTGAGED" in grouped(received).get(financed.name, set()),
        received,
    )
    bank_a = grouped(received)
    page = await stubs["bank-b"].ListEvents(
        pb.ListEventsRequest(after_cursor=starts["bank-b"], page_size=1000)
    )
    bank_b = grouped(page.events)
    assert {"PURCHASE_FILED", "PREREGISTERED"} <= developer[financed.name]
    assert {"PURCHASE_FILED", "PREREGISTERED"} <= developer[cash.name]
    assert "PREMORTGAGED" in bank_a[financed.name]
    assert cash.name not in bank_a
    assert financed.name not in bank_b
    assert cash.name not in bank_b
    page = await stubs["developer"].ListEvents(pb.ListEventsRequest(after_cursor=starts["developer"]))
    assert {e.developer for e in page.events} == {f"organizations/{DEVELOPER.uscc}"}


async def test_a_discharge_at_the_mortgage_office_reaches_the_banks_feed(offices, services, pki, feeds):
    """The bank discharges its repaid loan at the mortgage office; the lodging and the entry come
    to it through the purchase office's feed (relayed, with the mortgage office's own ids)."""
    stubs, desk = feeds
    bank = stubs["bank-a"]
    start = await head(bank)
    building, (unit, _) = await presale(offices)
    purchase = await file_purchase(desk, signed_filing(pki, unit, with_loan=True)[0])
    await pay(offices, await until(desk, purchase.name, purchase_pb.PURCHASE_STATE_AWAITING_COMPLETION))
    await complete(desk, building)
    await until(desk, purchase.name, purchase_pb.PURCHASE_STATE_CERTIFICATE_READY)
    mortgage = (
        await offices.mortgage_as_bank.ListMortgages(mortgage_pb.ListMortgagesRequest(unit_number=unit))
    ).mortgages[0]
    await discharge_entered(offices, mortgage.name, "SETTLED-1")

    received: list[pb.Event] = []
    await follow(
        bank, start, lambda e: e.subject == mortgage.name and type_of(e) == "MORTGAGE_DISCHARGED", received
    )
    discharge = [e for e in received if e.subject == mortgage.name]
    assert [type_of(e) for e in discharge] == ["DISCHARGE_LODGED", "MORTGAGE_DISCHARGED"]
    assert {e.office for e in discharge} == {"mortgage"}
    assert {e.unit_number for e in discharge} == {unit}
    # The mortgage office serves the same events under the same ids.
    async with client_channel(services["mortgage"].server.port, pki, "bank-a") as channel:
        own = await events_service_pb2_grpc.EventServiceStub(channel).ListEvents(
            pb.ListEventsRequest(page_size=1000)
        )
    assert {e.name for e in discharge} <= {e.name for e in own.events}
    developer_view = await stubs["developer"].ListEvents(pb.ListEventsRequest(after_cursor=start))
    assert mortgage.name not in {e.subject for e in developer_view.events}


@pytest.mark.parametrize(
    "cursor",
    [
        "x",
        "1.2.3",
        "-1",
        "-1.2",
        "+1",
        " 1",
        "1 ",
        "１",
        "１.０",
        "9223372036854775808",
        "99999999999999999999.1",
        "1.9223372036854775808",
        "1\x00",
        "9" * 65,
    ],
)
async def test_a_cursor_the_feed_did_not_give_is_invalid(feeds, cursor):
    stubs, _ = feeds
    for call in (
        stubs["bank-a"].ListEvents(pb.ListEventsRequest(after_cursor=cursor)),
        anext(aiter(stubs["bank-a"].WatchEvents(pb.WatchEventsRequest(after_cursor=cursor)))),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await call
        assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        violations = bad_request(rpc_status.from_call(raised.value)).field_violations
        assert [v.field for v in violations] == ["after_cursor"]


async def test_a_cursor_past_retention_is_refused_and_a_new_follower_starts_after_the_pruned(
    own_server, tmp_path, pki
):
    """Events older than the retention are pruned with everything ordered before them; a cursor
    into the pruned part is FAILED_PRECONDITION EVENT_CURSOR_EXPIRED, an empty one starts after it."""
    # The office's own pruner keeps a century here: it must not race the test's pruning (its first
    # round, run late on a busy loop, once took the test's 2020 events before they were read).
    settings = Settings(
        home=tmp_path / "home", pki_dir=pki.root, bind_host="127.0.0.1", events_retention_days=36_500
    )
    async with in_process(["mortgage"], settings, own_server) as started:
        connection = await asyncpg.connect(plain_url(own_server), server_settings={"search_path": "mortgage"})
        try:
            long_ago = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
            for days, subject in ((0, "old"), (1, "older-kept")):
                await connection.execute(
                    "INSERT INTO event (type, subject, bank_uscc, event_time) VALUES ($1, $2, $3, $4)",
                    "MORTGAGE_DISCHARGED",
                    f"mortgages/{uuid.uuid4()}-{subject}",
                    BANK.uscc,
                    long_ago + dt.timedelta(days=days * 400),
                )
            port = started["mortgage"].server.port
            async with client_channel(port, pki, "bank-a") as channel:
                feed = events_service_pb2_grpc.EventServiceStub(channel)
                first: list[pb.Event] = []
                await follow(feed, "", lambda _: len(first) == 2, first)
                assert len(first) == 2
                async with connection.transaction():
                    assert await store.prune(connection, long_ago + dt.timedelta(days=1)) == 1
                code, reason = await refused(feed.ListEvents(pb.ListEventsRequest(after_cursor="0")))
                assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "EVENT_CURSOR_EXPIRED")
                with pytest.raises(grpc.aio.AioRpcError) as raised:
                    await feed.ListEvents(pb.ListEventsRequest(after_cursor="0"))
                info = error_info(rpc_status.from_call(raised.value))
                assert info.metadata["oldest_cursor"] == first[0].cursor
                kept = (await feed.ListEvents(pb.ListEventsRequest())).events
                assert [e.name for e in kept] == [first[1].name]
                assert (
                    await feed.ListEvents(pb.ListEventsRequest(after_cursor=first[0].cursor))
                ).events == kept
        finally:
            await connection.close()


async def test_a_caller_holds_only_so_many_streams_of_the_feed(feeds):
    """Each stream holds a reader on the server: the seventeenth of one caller is refused, while
    another caller is still served."""
    stubs, _ = feeds
    bank = stubs["bank-b"]
    streams = [bank.WatchEvents(pb.WatchEventsRequest()) for _ in range(16)]
    try:
        for stream in streams:
            await stream.initial_metadata()
        code, reason = await refused(anext(aiter(bank.WatchEvents(pb.WatchEventsRequest()))))
        assert (code, reason) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "TOO_MANY_WATCHES")
        other = stubs["bank-a"].WatchEvents(pb.WatchEventsRequest())
        streams.append(other)
        await other.initial_metadata()
        assert not other.done()
    finally:
        for stream in streams:
            stream.cancel()
