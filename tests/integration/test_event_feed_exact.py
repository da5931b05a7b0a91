"""The event feed is exact (issue 31): concurrent writers, some rolled back, one that writes early
and commits late, and transactions left open in the same database and in another database of
the cluster; readers paging with random sizes and resuming from random cursors they were given,
and a follower whose stream is cut at random; all across a transaction-id digit boundary (the
cluster's ids are advanced to just below 10^k first). Every reader gets each committed event
exactly once, all in one order, and the events of one record in the order its changes committed.
The old feed (ordered by the text of transaction ids, read behind the oldest running transaction)
fails each part of this."""

from __future__ import annotations

import asyncio
import contextlib
import random

import asyncpg
import grpc
import pytest

from deedflow.events.v1 import events_service_pb2 as pb
from deedflow.events.v1 import events_service_pb2_grpc
from shared.config import Settings
from shared.db import plain_url, with_database
from shared.pki import DEV_CALLERS
from tests.support import client_channel, in_process

SEEDS = (3, 1031)
WRITERS = 6
TRANSACTIONS_PER_WRITER = 40
RECORDS = 4
# Whose events: the two development banks (a bank reads only its own).
BANKS = {stem: DEV_CALLERS[stem].rsplit("/", 1)[1] for stem in ("bank-a", "bank-b")}


async def _advance_transaction_ids(connection: asyncpg.Connection, margin: int) -> int:
    """Consumes transaction ids until the next is `margin` below a power of ten; that power."""
    current = int(await connection.fetchval("SELECT pg_current_xact_id()::text"))
    boundary = 10 ** len(str(current + margin))
    await connection.execute(
        """
        CREATE PROCEDURE consume_transaction_ids(target bigint) LANGUAGE plpgsql AS $$
        BEGIN
            WHILE pg_current_xact_id()::text::bigint < target LOOP
                COMMIT;
            END LOOP;
        END $$
        """
    )
    await connection.execute("SET synchronous_commit = off")
    await connection.execute("CALL consume_transaction_ids($1)", boundary - margin)
    return boundary


async def _write(
    pool: asyncpg.Pool, rng: random.Random, writer: int, committed: list[tuple], late: asyncio.Event
) -> None:
    """One writer's transactions: each changes one record (its row locked, as a purchase's is) and
    writes one to three events of it; about one in six rolls back. Writer 0's first transaction
    writes an event, then waits until writer 1 has committed five before it goes on and commits."""
    for n in range(TRANSACTIONS_PER_WRITER):
        record = rng.randrange(RECORDS)
        bank = rng.choice(list(BANKS.values()))
        early = writer == 0 and n == 0
        rolled_back = not early and rng.random() < 1 / 6
        async with pool.acquire() as connection:
            transaction = connection.transaction()
            await transaction.start()
            ids = []
            try:
                if early:
                    ids.append(
                        await connection.fetchval(
                            "INSERT INTO event (type, subject, bank_uscc, event_time)"
                            " VALUES ('DISCHARGE_LODGED', 'mortgages/early', $1, now()) RETURNING id",
                            bank,
                        )
                    )
                    await late.wait()
                version = await connection.fetchval(
                    "UPDATE feed_record SET version = version + 1 WHERE id = $1 RETURNING version", record
                )
                for _ in range(rng.randint(1, 3)):
                    ids.append(
                        await connection.fetchval(
                            "INSERT INTO event (type, subject, bank_uscc, version, event_time)"
                            " VALUES ('MORTGAGE_DISCHARGED', $1, $2, $3, now()) RETURNING id",
                            f"mortgages/record-{record}",
                            bank,
                            version,
                        )
                    )
                    await asyncio.sleep(rng.random() / 500)
            except BaseException:
                await transaction.rollback()
                raise
            if rolled_back:
                await transaction.rollback()
            else:
                await transaction.commit()
                committed.extend((str(i), bank) for i in ids)
        if writer == 1 and n == 5:
            late.set()


async def _page_reader(feed, rng: random.Random, until_count: int, deadline: float) -> list[pb.Event]:
    """Pages with random sizes; now and then resumes from a random cursor it was given earlier
    (or from the start), as a client that lost what it had not saved. Reads until it holds
    `until_count` events after writing has ended."""
    log: list[pb.Event] = []
    cursor = ""
    while asyncio.get_running_loop().time() < deadline:
        page = await feed.ListEvents(pb.ListEventsRequest(after_cursor=cursor, page_size=rng.randint(1, 40)))
        log.extend(page.events)
        cursor = page.next_cursor
        if log and rng.random() < 0.1:
            back = rng.randrange(-1, len(log))
            log = log[: back + 1]
            cursor = log[back].cursor if back >= 0 else ""
        if len(log) >= until_count() and not page.events:
            return log
        if not page.events:
            # A client polling a quiet feed waits a little before asking again.
            await asyncio.sleep(0.01)
    return log


async def _follower(feed, rng: random.Random, until_count, deadline: float) -> list[pb.Event]:
    """Follows WatchEvents, cutting its stream after a random number of events and resuming from
    the last cursor it kept."""
    log: list[pb.Event] = []
    while asyncio.get_running_loop().time() < deadline:
        if log and len(log) >= until_count():
            return log
        stream = feed.WatchEvents(pb.WatchEventsRequest(after_cursor=log[-1].cursor if log else ""))
        cut_after = rng.randint(1, 30)
        try:
            async with asyncio.timeout(1.0):
                async for response in stream:
                    log.append(response.event)
                    cut_after -= 1
                    if cut_after == 0:
                        break
        except TimeoutError:
            pass
        finally:
            stream.cancel()
    return log


@pytest.mark.parametrize("seed", SEEDS)
async def test_every_reader_gets_each_event_once_in_one_order(own_server, tmp_path, pki, seed):
    rng = random.Random(seed)
    settings = Settings(home=tmp_path / "home", pki_dir=pki.root, bind_host="127.0.0.1")
    url = plain_url(own_server)
    async with in_process(["mortgage"], settings, own_server) as started:
        admin = await asyncpg.connect(url)
        pool = await asyncpg.create_pool(
            url, min_size=WRITERS, max_size=WRITERS, server_settings={"search_path": "mortgage"}
        )
        await admin.execute("CREATE DATABASE elsewhere")
        holders: list[asyncpg.Connection] = []
        try:
            await admin.execute(
                "CREATE TABLE mortgage.feed_record (id int PRIMARY KEY, version int NOT NULL)"
            )
            await admin.execute(
                "INSERT INTO mortgage.feed_record SELECT i, 0 FROM generate_series(0, $1) i", RECORDS
            )
            boundary = await _advance_transaction_ids(admin, margin=150)
            # Transactions left open, holding ids, in this database and in another of the cluster:
            # the old feed read nothing committed after either began.
            for database in (with_database(url, "elsewhere"), url):
                holder = await asyncpg.connect(database)
                await holder.execute("BEGIN")
                await holder.fetchval("SELECT pg_current_xact_id()")
                holders.append(holder)

            committed: list[tuple[str, str]] = []
            late = asyncio.Event()
            writing = asyncio.gather(
                *(_write(pool, random.Random(rng.random()), w, committed, late) for w in range(WRITERS))
            )
            port = started["mortgage"].server.port
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 60
            done = {"writing": False}

            def target(bank: str | None = None):
                def count() -> int:
                    if not done["writing"]:
                        return 1 << 30
                    return sum(1 for _, b in committed if bank is None or b == bank)

                return count

            readers = {}
            async with contextlib.AsyncExitStack() as stack:
                channels = {
                    who: await stack.enter_async_context(client_channel(port, pki, who))
                    for who in ("clerk", "bank-a", "bank-b")
                }
                feeds = {who: events_service_pb2_grpc.EventServiceStub(c) for who, c in channels.items()}
                tasks = {
                    "clerk pages 1": _page_reader(
                        feeds["clerk"], random.Random(rng.random()), target(), deadline
                    ),
                    "clerk pages 2": _page_reader(
                        feeds["clerk"], random.Random(rng.random()), target(), deadline
                    ),
                    "clerk follows": _follower(
                        feeds["clerk"], random.Random(rng.random()), target(), deadline
                    ),
                    "bank-a pages": _page_reader(
                        feeds["bank-a"], random.Random(rng.random()), target(BANKS["bank-a"]), deadline
                    ),
                    "bank-b follows": _follower(
                        feeds["bank-b"], random.Random(rng.random()), target(BANKS["bank-b"]), deadline
                    ),
                }
                running = {name: asyncio.create_task(task) for name, task in tasks.items()}
                await writing
                done["writing"] = True
                for name, task in running.items():
                    readers[name] = await task

            # Still with both transactions open: everything committed was delivered.
            written = await admin.fetch(
                "SELECT id::text, bank_uscc, transaction_id::text::bigint AS xid FROM mortgage.event"
            )
            xids = [row["xid"] for row in written]
            assert min(xids) < boundary <= max(xids), "the writes must cross the digit boundary"
            expected = {i for i, _ in committed}
            assert {row["id"] for row in written} == expected, "a rolled-back event was kept"
            clerk = [e.name.removeprefix("events/") for e in readers["clerk pages 1"]]
            assert len(clerk) == len(set(clerk)), f"seed {seed}: an event came twice"
            assert set(clerk) == expected, (
                f"seed {seed}: {len(expected - set(clerk))} of {len(expected)} missing"
            )
            for name, log in readers.items():
                ids = [e.name.removeprefix("events/") for e in log]
                bank = BANKS.get(name.split()[0])
                whose = [
                    i
                    for i in clerk
                    if bank is None or i in {r["id"] for r in written if r["bank_uscc"] == bank}
                ]
                assert ids == whose, f"seed {seed}: {name} read another order, or missed or repeated events"
                assert [int(e.cursor) for e in log] == sorted(int(e.cursor) for e in log)
            # The events of one record come in the order its changes committed.
            versions: dict[str, list[int]] = {}
            by_id = {e.name.removeprefix("events/"): e for e in readers["clerk pages 1"]}
            rows = {
                r["id"]: r for r in await admin.fetch("SELECT id::text, subject, version FROM mortgage.event")
            }
            for i in clerk:
                if rows[i]["subject"].startswith("mortgages/record-"):
                    versions.setdefault(rows[i]["subject"], []).append(rows[i]["version"])
            for subject, seen in versions.items():
                assert seen == sorted(seen), f"seed {seed}: {subject}'s changes out of commit order"
            assert by_id
        finally:
            for holder in holders:
                await holder.close()
            await pool.close()
            await admin.execute("DROP DATABASE IF EXISTS elsewhere")
            await admin.close()


async def test_cursors_given_before_the_feed_was_sequenced_resume_where_they_were(
    fresh_database_url, tmp_path, pki
):
    """A feed at mortgage_0004 (cursors `{transaction id}.{position}`), with events written in
    several transactions and some pruned, is upgraded: its events keep their old order, a cursor
    the old feed gave out goes on with exactly the events after it, and one older than what the
    old feed had pruned is refused as expired."""
    from alembic import command

    from shared.migrate import alembic_config

    await asyncio.to_thread(command.upgrade, alembic_config(fresh_database_url, "mortgage"), "mortgage_0004")
    connection = await asyncpg.connect(
        plain_url(fresh_database_url), server_settings={"search_path": "mortgage"}
    )
    try:
        old: list[tuple[str, str]] = []
        for n in range(6):
            async with connection.transaction():
                for _ in range(2):
                    row = await connection.fetchrow(
                        "INSERT INTO event (type, subject, bank_uscc, event_time)"
                        " VALUES ('MORTGAGE_DISCHARGED', $1, $2, now())"
                        " RETURNING id::text, transaction_id::text || '.' || position AS cursor",
                        f"mortgages/old-{n}",
                        BANKS["bank-a"],
                    )
                    old.append((row["id"], row["cursor"]))
        # The old feed pruned its first two events and kept its horizon at the second.
        await connection.execute("DELETE FROM event WHERE id = ANY($1::uuid[])", [i for i, _ in old[:2]])
        transaction_id, position = old[1][1].split(".")
        await connection.execute(
            "INSERT INTO event_horizon (transaction_id, position) VALUES ($1::text::xid8, $2)",
            transaction_id,
            int(position),
        )
    finally:
        await connection.close()

    settings = Settings(home=tmp_path / "home", pki_dir=pki.root, bind_host="127.0.0.1")
    async with (
        in_process(["mortgage"], settings, fresh_database_url) as started,
        client_channel(started["mortgage"].server.port, pki, "bank-a") as channel,
    ):
        feed = events_service_pb2_grpc.EventServiceStub(channel)
        kept = [i for i, _ in old[2:]]
        everything = await feed.ListEvents(pb.ListEventsRequest(page_size=100))
        assert [e.name.removeprefix("events/") for e in everything.events] == kept
        for at in range(1, len(old)):
            page = await feed.ListEvents(pb.ListEventsRequest(after_cursor=old[at][1], page_size=100))
            assert [e.name.removeprefix("events/") for e in page.events] == [i for i, _ in old[at + 1 :]]
            assert page.next_cursor.isdigit()
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await feed.ListEvents(pb.ListEventsRequest(after_cursor=old[0][1]))
        assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION
