"""How many purchases the saga's workers advance at once: few while the door in the same process
is filing purchases, many once it is quiet (a building's handover)."""

from __future__ import annotations

from services.orchestrator.config import SagaSettings
from services.orchestrator.engine import Door, Engine


def _engine(door: Door, **settings) -> Engine:
    return Engine(None, None, None, None, "test-worker", SagaSettings(**settings), None, door)


def test_a_quiet_door_lets_the_workers_take_a_handover_in_large_batches():
    door = Door()
    assert _engine(door, claim_batch=16, claim_batch_door_quiet=200)._limit() == 200


def test_a_filing_keeps_the_workers_to_their_small_batch_until_the_door_is_quiet_again():
    door = Door()
    door.filing()
    assert _engine(door, claim_batch=16, claim_batch_door_quiet=200, door_quiet_seconds=60)._limit() == 16
    assert _engine(door, claim_batch=16, claim_batch_door_quiet=200, door_quiet_seconds=0)._limit() == 200


def test_the_quiet_batch_is_never_smaller_than_the_busy_one():
    assert _engine(Door(), claim_batch=32, claim_batch_door_quiet=8)._limit() == 32
