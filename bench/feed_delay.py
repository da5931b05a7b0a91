"""The event feed's delay, and what a long unrelated transaction adds to it (issue 31).

A whole stack (every service its own OS process) runs; this script writes discharges into the
mortgage office's outbox, as its trigger does, one transaction at a time, and times each from the
writer's COMMIT returning to its arrival on two WatchEvents streams a bank holds: the mortgage
office's own feed, and the purchase office's, which relays it (the one feed a bank follows). It
does so three times: with nothing else running; while a transaction holding a transaction id stays
open for --hold seconds in the stack's own database; and while one stays open in another database
of the same PostgreSQL cluster. The floor, measured in the same run, is a bare NOTIFY from a
committing transaction to a listening connection.

    .venv/bin/python -m bench.feed_delay --hold 30 --every 0.1
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import time
import uuid

import asyncpg
import uvloop

from bench.launch_day import quantile
from bench.stack import running_stack
from deedflow.events.v1 import events_service_pb2 as pb
from deedflow.events.v1 import events_service_pb2_grpc
from shared.db import plain_url, with_database
from shared.grpc.channels import secure_channel
from shared.pg import database_url
from shared.pki import DEV_CALLERS
from shared.runstate import address_of

BANK = DEV_CALLERS["bank-a"].rsplit("/", 1)[1]
FEEDS = ("mortgage", "orchestrator")


def line(label: str, delays_ms: list[float], floor_p50: float | None = None) -> str:
    ratio = f"  p50 {quantile(delays_ms, 0.5) / floor_p50:5.1f}× the floor" if floor_p50 else ""
    return (
        f"  {label:<44} n={len(delays_ms):<4} p50 {quantile(delays_ms, 0.5):7.1f} ms"
        f"  p99 {quantile(delays_ms, 0.99):7.1f} ms  max {max(delays_ms):7.1f} ms{ratio}"
    )


async def floor(url: str, samples: int) -> list[float]:
    """The least any feed does: a transaction inserts a row and notifies; a listener, hearing it,
    reads the row. From the writer's COMMIT returning to the reader holding the row."""
    listener, reader, writer = [await asyncpg.connect(url) for _ in range(3)]
    await writer.execute("CREATE TABLE bench_floor_row (n int PRIMARY KEY)")
    heard = asyncio.Queue()
    await listener.add_listener("bench_floor", lambda _c, _p, _ch, payload: heard.put_nowait(payload))
    delays = []
    try:
        for n in range(samples):
            async with writer.transaction():
                await writer.execute("INSERT INTO bench_floor_row VALUES ($1)", n)
                await writer.execute("SELECT pg_notify('bench_floor', $1)", str(n))
            committed = time.perf_counter()
            payload = await asyncio.wait_for(heard.get(), 10)
            await reader.fetchval("SELECT n FROM bench_floor_row WHERE n = $1", int(payload))
            delays.append((time.perf_counter() - committed) * 1000)
    finally:
        await writer.execute("DROP TABLE bench_floor_row")
        for connection in (listener, reader, writer):
            await connection.close()
    return delays


class Watch:
    """A bank's WatchEvents stream on one office's feed, noting when each event arrives."""

    def __init__(self, channel, office: str) -> None:
        self.office = office
        self.stream = events_service_pb2_grpc.EventServiceStub(channel).WatchEvents(pb.WatchEventsRequest())
        self.arrived: dict[str, float] = {}
        self.changed = asyncio.Event()
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for response in self.stream:
            self.arrived[response.event.name.removeprefix("events/")] = time.perf_counter()
            self.changed.set()

    async def until(self, names: list[str]) -> None:
        """Waits until every event named has arrived (relayed events keep the mortgage office's
        id)."""
        async with asyncio.timeout(120):
            while True:
                self.changed.clear()
                if all(name in self.arrived for name in names):
                    return
                await self.changed.wait()


async def phase(writer: asyncpg.Connection, watches: list[Watch], seconds: float, every: float) -> dict:
    """Writes one discharge every `every` seconds for `seconds`; each one's delay per feed, ms."""
    committed: dict[str, float] = {}
    names: dict[str, str] = {}
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        subject = f"mortgages/{uuid.uuid4()}"
        async with writer.transaction():
            names[subject] = await writer.fetchval(
                "INSERT INTO event (type, subject, unit_number, bank_uscc, event_time)"
                " VALUES ('MORTGAGE_DISCHARGED', $1, $2, $3, $4) RETURNING id::text",
                subject,
                "500112001002GB00015F00010101",
                BANK,
                dt.datetime.now(dt.UTC),
            )
        committed[subject] = time.perf_counter()
        await asyncio.sleep(every)
    for watch in watches:
        await watch.until(list(names.values()))
    return {
        watch.office: [(watch.arrived[names[s]] - at) * 1000 for s, at in committed.items()]
        for watch in watches
    }


async def holding(url: str):
    """A connection in a transaction that holds a transaction id, left open."""
    connection = await asyncpg.connect(url)
    await connection.execute("BEGIN")
    await connection.fetchval("SELECT pg_current_xact_id()")
    return connection


async def run(hold: float, every: float) -> None:
    with running_stack() as (settings, pki):
        url = plain_url(database_url(settings))
        admin = await asyncpg.connect(url)
        elsewhere = f"bench_elsewhere_{uuid.uuid4().hex[:8]}"
        await admin.execute(f'CREATE DATABASE "{elsewhere}"')
        writer = await asyncpg.connect(url, server_settings={"search_path": "mortgage"})
        channels = {
            office: secure_channel(address_of(settings, office), pki.ca_pem, pki.caller("bank-a"))
            for office in FEEDS
        }
        watches = [Watch(channels[office], office) for office in FEEDS]
        try:
            for watch in watches:
                await watch.stream.initial_metadata()
            # Warm-up: TLS, code paths, and the relay connected to the mortgage office.
            await phase(writer, watches, 1.0, every)
            floor_ms = await floor(url, 200)
            print(
                f"event feed delay, COMMIT of a discharge -> a bank's WatchEvents stream, one every {every}s:"
            )
            print(line("floor: insert + NOTIFY, commit -> row read", floor_ms))
            floor_p50 = quantile(floor_ms, 0.5)
            results = {"nothing else running": await phase(writer, watches, min(hold, 10), every)}
            for where, target in (
                ("in the same database", url),
                ("in another database", with_database(url, elsewhere)),
            ):
                holder = await holding(target)
                try:
                    results[f"a {hold:.0f} s transaction open {where}"] = await phase(
                        writer, watches, hold, every
                    )
                finally:
                    await holder.close()
            baseline = {office: quantile(results["nothing else running"][office], 0.5) for office in FEEDS}
            for label, by_office in results.items():
                print(f" {label}:")
                for office in FEEDS:
                    feed = (
                        "mortgage office's feed"
                        if office == "mortgage"
                        else "purchase office's feed (relayed)"
                    )
                    print(line(feed, by_office[office], floor_p50))
                    if label != "nothing else running":
                        extra = quantile(by_office[office], 0.99) - baseline[office]
                        print(f"  {'':<44} extra delay at p99 over the quiet p50: {extra:7.1f} ms")
        finally:
            for watch in watches:
                watch.stream.cancel()
            for channel in channels.values():
                await channel.close()
            await writer.close()
            await admin.execute(f'DROP DATABASE "{elsewhere}" WITH (FORCE)')
            await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--hold", type=float, default=30.0, help="seconds the unrelated transaction stays open"
    )
    parser.add_argument("--every", type=float, default=0.1, help="seconds between two events written")
    args = parser.parse_args()
    uvloop.run(run(args.hold, args.every))


if __name__ == "__main__":
    main()
