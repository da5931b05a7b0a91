"""The wait for a building's completion never overwrites the wake CompleteBuilding gave.

A worker reads the building's completion once per advance. CompleteBuilding may commit after
that read and before the worker records the purchase waiting; it makes the building's waiting
purchases due, but this one was not waiting yet. The wait is recorded with the completion read
again in its own transaction, so the purchase stays due instead of waiting for a wake that has
already been given. That transaction takes the purchase's row before it reads: a completion
committing meanwhile has either woken the purchase already (and is seen) or waits for the wait to
be recorded (and wakes it after)."""

from __future__ import annotations

import asyncio

from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from services.orchestrator import repository
from services.orchestrator.config import SagaSettings
from services.orchestrator.engine import Engine, hold
from services.orchestrator.records import BuildingCompletion
from shared.clock import SystemClock
from tests.saga_rows import leased_purchase
from tests.support import new_building_number


async def _insert_completion(connection, building: str) -> None:
    at = SystemClock().now()
    await repository.insert_completion(
        connection,
        BuildingCompletion(
            building_number=building,
            request=pb.CompleteBuildingRequest(building_number=building).SerializeToString(),
            first_registration_case="cases/test",
            first_registration_time=at,
            create_time=at,
        ),
    )


async def _complete(database, building: str) -> None:
    async with database.transaction() as connection:
        await _insert_completion(connection, building)


def _waiting() -> list:
    return [("BUILDING_FIRST_REGISTERED", "FORWARD", {"state": "WAITING", "attempts": 1})]


def _engine(database) -> Engine:
    return Engine(database, SystemClock(), None, None, "test-worker", SagaSettings())


async def _wait(engine: Engine, row) -> None:
    # The lease is kept: the session's own saga workers must not take up this bare purchase.
    hold(row)
    await engine._wait_for_completion(
        row, _waiting(), state="AWAITING_COMPLETION", due_at=None, lease_until=row.lease_until
    )


async def _end(database, row):
    async with database.transaction() as connection:
        recorded = await repository.purchase(connection, row.id)
        await connection.execute(
            "UPDATE purchase SET state = 'REJECTED', due_at = NULL WHERE id = $1", row.id
        )
    return recorded


async def _record_wait(services, building: str, completed_meanwhile: bool):
    database = services["orchestrator"].deps.database
    row = await leased_purchase(database, building, "test-worker")
    if completed_meanwhile:
        await _complete(database, building)
    await _wait(_engine(database), row)
    return await _end(database, row)


async def test_a_completion_committed_during_the_advance_keeps_the_purchase_due(services):
    recorded = await _record_wait(services, new_building_number(), completed_meanwhile=True)
    assert recorded.due_at is not None


async def test_without_a_completion_the_purchase_waits_for_its_wake(services):
    recorded = await _record_wait(services, new_building_number(), completed_meanwhile=False)
    assert recorded.due_at is None


async def test_a_completion_committing_while_the_wait_is_recorded_keeps_the_purchase_due(services):
    database = services["orchestrator"].deps.database
    building = new_building_number()
    row = await leased_purchase(database, building, "test-worker")
    async with database.transaction() as completing:
        # CompleteBuilding's own step: the completion, and the building's waiting purchases due.
        await _insert_completion(completing, building)
        assert await repository.make_building_due(completing, building, SystemClock().now()) == 1
        wait = asyncio.ensure_future(_wait(_engine(database), row))
        try:
            # The wait's transaction reaches the purchase the completion holds, and waits for it
            # (a word of the tax office's that happens to wait on it too is not the wait).
            async with database.transaction() as observer:
                while not await observer.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))"
                    " AND query NOT LIKE 'SELECT p.id FROM purchase p%'",
                    completing.get_server_pid(),
                ):
                    assert not wait.done(), "the wait was recorded while the completion held the purchase"
        except BaseException:
            wait.cancel()
            raise
    await wait
    recorded = await _end(database, row)
    assert recorded.due_at is not None
