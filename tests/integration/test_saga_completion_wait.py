"""The wait for a building's completion never overwrites the wake CompleteBuilding gave.

A worker reads the building's completion once per advance. CompleteBuilding may commit after
that read and before the worker records the purchase waiting; it makes the building's waiting
purchases due, but this one was not waiting yet. The wait is recorded with the completion read
again in its own transaction, so the purchase stays due instead of waiting for a wake that has
already been given."""

from __future__ import annotations

from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from services.orchestrator import repository
from services.orchestrator.config import SagaSettings
from services.orchestrator.engine import Engine
from shared.clock import SystemClock
from tests.saga_rows import leased_purchase
from tests.support import new_building_number


async def _complete(database, building: str) -> None:
    at = SystemClock().now()
    async with database.transaction() as connection:
        await repository.insert_completion(
            connection,
            {
                "building_number": building,
                "request": pb.CompleteBuildingRequest(building_number=building).SerializeToString(),
                "first_registration_case": "cases/test",
                "first_registration_time": at,
                "create_time": at,
            },
        )


def _waiting() -> list:
    return [("BUILDING_FIRST_REGISTERED", "FORWARD", {"state": "WAITING", "attempts": 1})]


async def _record_wait(services, building: str, completed_meanwhile: bool):
    database = services["orchestrator"].deps.database
    engine = Engine(database, SystemClock(), None, None, "test-worker", SagaSettings())
    row = await leased_purchase(database, building, "test-worker")
    if completed_meanwhile:
        await _complete(database, building)
    # The lease is kept (the session's own saga workers must not take up this bare purchase),
    # then the purchase is ended.
    await engine._wait_for_completion(
        row, _waiting(), state="AWAITING_COMPLETION", due_at=None, lease_until=row["lease_until"]
    )
    async with database.transaction() as connection:
        recorded = await repository.purchase(connection, row["id"])
        await connection.execute(
            "UPDATE purchase SET state = 'REJECTED', due_at = NULL WHERE id = $1", row["id"]
        )
    return recorded


async def test_a_completion_committed_during_the_advance_keeps_the_purchase_due(services):
    recorded = await _record_wait(services, new_building_number(), completed_meanwhile=True)
    assert recorded["due_at"] is not None


async def test_without_a_completion_the_purchase_waits_for_its_wake(services):
    recorded = await _record_wait(services, new_building_number(), completed_meanwhile=False)
    assert recorded["due_at"] is None
