"""A saga write upserts its step records and reads back every step of the purchase in one
statement (repository.write_steps): the version snapshot is built from those rows. The rows it
returns are the purchase's steps as they stand after the write: the written ones as written, a
step written twice in one write as its later record says, and the untouched ones as they were."""

from __future__ import annotations

import dataclasses

from services.orchestrator import repository
from tests.saga_rows import leased_purchase
from tests.support import new_building_number


def _by_step(rows) -> dict[tuple[str, str], dict]:
    return {(r.kind, r.direction): dataclasses.asdict(r) for r in rows}


async def test_the_rows_returned_are_every_step_as_it_stands_after_the_write(services):
    database = services["orchestrator"].deps.database
    row = await leased_purchase(database, new_building_number(), "test-worker")
    try:
        async with database.transaction() as connection:
            await repository.write_steps(
                connection,
                row.id,
                [
                    ("CONTRACT_SIGNED", "FORWARD", {"state": "SUCCEEDED", "attempts": 1}),
                    ("TAX_ASSESSED", "FORWARD", {"state": "RUNNING", "attempts": 1}),
                ],
            )
        async with database.transaction() as connection:
            returned = await repository.write_steps(
                connection,
                row.id,
                [
                    ("TAX_ASSESSED", "FORWARD", {"state": "SUCCEEDED"}),
                    ("PREREGISTERED", "FORWARD", {"state": "RUNNING", "attempts": 1}),
                    # A later record of the same step overrides the earlier one's columns.
                    ("PREREGISTERED", "FORWARD", {"attempts": 2}),
                ],
            )
            stored = await repository.steps(connection, row.id)
        steps = _by_step(returned)
        assert steps == _by_step(stored)
        assert len(returned) == 3
        assert steps[("CONTRACT_SIGNED", "FORWARD")]["state"] == "SUCCEEDED"
        assert (
            steps[("TAX_ASSESSED", "FORWARD")]["state"],
            steps[("TAX_ASSESSED", "FORWARD")]["attempts"],
        ) == (
            "SUCCEEDED",
            1,
        )
        assert (
            steps[("PREREGISTERED", "FORWARD")]["state"],
            steps[("PREREGISTERED", "FORWARD")]["attempts"],
        ) == (
            "RUNNING",
            2,
        )
        async with database.transaction() as connection:
            assert _by_step(await repository.write_steps(connection, row.id, [])) == steps
    finally:
        async with database.transaction() as connection:
            await connection.execute(
                "UPDATE purchase SET state = 'REJECTED', due_at = NULL WHERE id = $1", row.id
            )


async def test_a_purchase_without_steps_has_only_those_written(services):
    database = services["orchestrator"].deps.database
    row = await leased_purchase(database, new_building_number(), "test-worker")
    try:
        async with database.transaction() as connection:
            returned = await repository.write_steps(
                connection, row.id, [("CONTRACT_SIGNED", "FORWARD", {"state": "RUNNING", "attempts": 1})]
            )
        assert [(r.kind, r.state) for r in returned] == [("CONTRACT_SIGNED", "RUNNING")]
        assert all(r.purchase_id == row.id for r in returned)
    finally:
        async with database.transaction() as connection:
            await connection.execute(
                "UPDATE purchase SET state = 'REJECTED', due_at = NULL WHERE id = $1", row.id
            )
