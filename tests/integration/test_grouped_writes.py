"""Group commit (shared/grouped_writes.py) on real PostgreSQL: changes asked for while a
transaction is out commit together in the next one, each caller gets its own outcome, and one
change's failure is never another's."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from shared.grouped_writes import GroupedWrites


class Refused(Exception):
    """Raised by a change before it writes anything."""


@pytest.fixture
async def probe(services):
    database = services["orchestrator"].deps.database
    table = f"grouped_{uuid.uuid4().hex[:8]}"
    async with database.transaction() as connection:
        await connection.execute(f"CREATE TABLE {table} (id int PRIMARY KEY)")
    try:
        yield database, table
    finally:
        async with database.transaction() as connection:
            await connection.execute(f"DROP TABLE {table}")


def _insert(table: str, key: int, started: asyncio.Event | None = None, go: asyncio.Event | None = None):
    async def change(connection: asyncpg.Connection) -> int:
        if started is not None:
            started.set()
            await go.wait()
        await connection.execute(f"INSERT INTO {table} (id) VALUES ($1)", key)
        return key

    return change


async def _stored(database, table: str) -> list[int]:
    async with database.transaction() as connection:
        return [r["id"] for r in await connection.fetch(f"SELECT id FROM {table} ORDER BY id")]


async def test_changes_asked_for_while_one_is_written_commit_together_in_the_next(probe):
    database, table = probe
    writes = GroupedWrites(database)
    started, go = asyncio.Event(), asyncio.Event()
    first = asyncio.ensure_future(writes(_insert(table, 1, started, go)))
    await started.wait()
    rest = [asyncio.ensure_future(writes(_insert(table, key))) for key in (2, 3, 4)]
    go.set()
    assert await first == 1
    assert await asyncio.gather(*rest) == [2, 3, 4]
    assert writes.groups_written == 2
    assert await _stored(database, table) == [1, 2, 3, 4]


async def test_a_change_refused_before_writing_fails_alone_in_its_group(probe):
    database, table = probe
    writes = GroupedWrites(database, separable=(Refused,))
    started, go = asyncio.Event(), asyncio.Event()
    first = asyncio.ensure_future(writes(_insert(table, 1, started, go)))
    await started.wait()

    async def refused(connection):
        raise Refused("the lease is gone")

    rest = [
        asyncio.ensure_future(writes(_insert(table, 2), "a")),
        asyncio.ensure_future(writes(refused, "b")),
        asyncio.ensure_future(writes(_insert(table, 3), "c")),
    ]
    go.set()
    await first
    results = await asyncio.gather(*rest, return_exceptions=True)
    assert results[0] == 2
    assert isinstance(results[1], Refused)
    assert results[2] == 3
    assert writes.groups_written == 2
    assert await _stored(database, table) == [1, 2, 3]


async def test_a_change_that_fails_the_group_leaves_the_others_written_each_on_its_own(probe):
    database, table = probe
    writes = GroupedWrites(database)
    await writes(_insert(table, 7))
    started, go = asyncio.Event(), asyncio.Event()
    first = asyncio.ensure_future(writes(_insert(table, 1, started, go)))
    await started.wait()
    rest = [
        asyncio.ensure_future(writes(_insert(table, 2), "a")),
        asyncio.ensure_future(writes(_insert(table, 7), "b")),  # already there: the group fails
        asyncio.ensure_future(writes(_insert(table, 3), "c")),
    ]
    go.set()
    await first
    results = await asyncio.gather(*rest, return_exceptions=True)
    assert results[0] == 2
    assert isinstance(results[1], asyncpg.UniqueViolationError)
    assert results[2] == 3
    assert await _stored(database, table) == [1, 2, 3, 7]


async def test_a_change_that_fails_after_writing_leaves_nothing_of_its_own(probe):
    """As a journal operation's close that finds its lease lost after writing its records: the
    group is rolled back and written again change by change, so that change's write never commits."""
    database, table = probe
    writes = GroupedWrites(database, separable=(Refused,))
    started, go = asyncio.Event(), asyncio.Event()
    first = asyncio.ensure_future(writes(_insert(table, 1, started, go)))
    await started.wait()

    async def wrote_then_failed(connection):
        await connection.execute(f"INSERT INTO {table} (id) VALUES (5)")
        raise RuntimeError("the lease was lost after writing")

    rest = [
        asyncio.ensure_future(writes(_insert(table, 2), "a")),
        asyncio.ensure_future(writes(wrote_then_failed, "b")),
        asyncio.ensure_future(writes(_insert(table, 3), "c")),
    ]
    go.set()
    await first
    results = await asyncio.gather(*rest, return_exceptions=True)
    assert results[0] == 2
    assert isinstance(results[1], RuntimeError)
    assert results[2] == 3
    assert await _stored(database, table) == [1, 2, 3]
