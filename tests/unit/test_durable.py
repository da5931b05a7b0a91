"""Durable execution's one set of rules: when failed work is retried or parked, and that the saga
and the journal both run on it, with one LeaseLost, one settings class, one verdict on a failure,
one set of lease statements and one worker loop."""

from __future__ import annotations

import ast
import asyncio
import datetime as dt
import uuid
from pathlib import Path

import pytest

from services.orchestrator.config import SagaSettings
from services.orchestrator.domain import StepKind
from services.orchestrator.steps import request_id
from shared.durable import DurableSettings, judge_failure, retry_delay, step_request_id
from shared.errors import FailedPrecondition
from shared.leases import work_forever
from shared.outcomes import Failure

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = DurableSettings(backoff_start_seconds=1, backoff_cap_seconds=8, max_unexplained_failures=3)


def test_a_refusal_parks_at_once():
    assert retry_delay(SETTINGS, Failure.REFUSAL, attempts=1, unexplained_failures=0) is None


@pytest.mark.parametrize(("attempts", "seconds"), [(1, 1), (2, 2), (3, 4), (4, 8), (5, 8), (10_000, 8)])
def test_an_outage_is_retried_for_as_long_as_it_lasts_each_wait_doubled_up_to_the_cap(attempts, seconds):
    delay = retry_delay(SETTINGS, Failure.RETRY, attempts=attempts, unexplained_failures=10)
    assert delay == dt.timedelta(seconds=seconds)


def test_unexplained_failures_park_at_the_bound_and_not_before():
    assert retry_delay(SETTINGS, Failure.UNEXPLAINED, attempts=2, unexplained_failures=2) == dt.timedelta(
        seconds=2
    )
    assert retry_delay(SETTINGS, Failure.UNEXPLAINED, attempts=3, unexplained_failures=3) is None


def test_the_saga_takes_its_lease_backoff_and_parking_from_the_durable_settings(monkeypatch):
    monkeypatch.setenv("DEEDFLOW_DURABLE_LEASE_SECONDS", "7")
    monkeypatch.setenv("DEEDFLOW_DURABLE_MAX_UNEXPLAINED_FAILURES", "2")
    saga = SagaSettings()
    assert saga.durable.lease == dt.timedelta(seconds=7)
    assert saga.durable.max_unexplained_failures == 2
    assert DurableSettings().lease == saga.durable.lease


def _classes(name: str) -> list[str]:
    found = []
    for folder in ("shared", "services"):
        for source in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(source.read_text())
            found += [
                str(source.relative_to(ROOT))
                for n in ast.walk(tree)
                if isinstance(n, ast.ClassDef) and n.name == name
            ]
    return found


def test_one_lease_lost_and_one_settings_class_for_durable_execution():
    assert _classes("LeaseLost") == ["shared/durable.py"]
    assert _classes("JournalSettings") == []
    settings = [
        name
        for folder in ("shared", "services")
        for source in (ROOT / folder).rglob("*.py")
        for name in ("lease_seconds", "backoff_cap_seconds", "max_unexplained_failures")
        if f"    {name}:" in source.read_text()
    ]
    assert sorted(settings) == ["backoff_cap_seconds", "lease_seconds", "max_unexplained_failures"]


PURCHASE = uuid.UUID("11111111-2222-3333-4444-555555555555")
OPERATION = uuid.UUID("66666666-7777-8888-9999-000000000000")


def test_step_request_ids_are_those_purchases_and_operations_under_way_were_given():
    """The ids are written down as the code gave them before the saga and the journal shared
    one derivation: a purchase or operation resumed after an upgrade must repeat its call under
    the same id, or the peer would take it for a new request."""
    assert request_id(PURCHASE, StepKind.TRANSFERRED, "forward") == "a99312a1-5d05-5ccd-8e44-1c26fd50aa97"
    assert (
        request_id(PURCHASE, StepKind.CONTRACT_SIGNED, "forward", "create-signed", 2)
        == "b906ae45-d4d1-598d-852c-95472d64ab9d"
    )
    assert step_request_id(OPERATION, "release") == "f0de4c16-a898-5337-8284-0fa9e89197a9"


def test_a_new_application_or_another_part_of_a_step_gets_another_id():
    ids = {
        request_id(PURCHASE, StepKind.CONTRACT_SIGNED, "forward", part, generation)
        for part in ("", "create-signed")
        for generation in (0, 1, 2)
    }
    assert len(ids) == 6


AT = dt.datetime(2026, 12, 8, 9, tzinfo=dt.UTC)


def test_the_verdict_on_a_failure_counts_unexplained_ones_and_parks_at_the_bound():
    bug = RuntimeError("a bug")
    retried = judge_failure(SETTINGS, bug, attempts=2, unexplained_before=1, at=AT)
    assert (retried.failure, retried.unexplained_failures) == (Failure.UNEXPLAINED, 2)
    assert retried.retry_at == AT + dt.timedelta(seconds=2)
    assert retried.status.message == "RuntimeError: a bug"
    parked = judge_failure(SETTINGS, bug, attempts=3, unexplained_before=2, at=AT)
    assert (parked.unexplained_failures, parked.retry_at) == (3, None)


def test_the_verdict_parks_a_refusal_unless_the_engine_knows_it_for_a_step_still_to_take():
    refusal = FailedPrecondition("UNIT_SEIZED", "seized")
    assert judge_failure(SETTINGS, refusal, attempts=1, unexplained_before=0, at=AT).retry_at is None
    still_to_take = judge_failure(SETTINGS, refusal, 1, 0, AT, failure=Failure.RETRY)
    assert (still_to_take.retry_at, still_to_take.unexplained_failures) == (AT + dt.timedelta(seconds=1), 0)


def _sql_with(text: str) -> list[str]:
    return sorted(
        str(source.relative_to(ROOT))
        for folder in ("shared", "services")
        for source in (ROOT / folder).rglob("*.py")
        if text in source.read_text()
    )


def test_leases_are_claimed_and_given_back_by_one_set_of_statements():
    assert _sql_with("FOR UPDATE SKIP LOCKED)") == ["shared/leases.py"]
    assert _sql_with("SET leased_by = NULL, lease_until = NULL,") == ["shared/leases.py"]


async def test_the_worker_loop_fills_a_freed_slot_while_the_slowest_piece_still_runs():
    due = ["slow", "fast", "third"]
    claims: list[int] = []
    worked: list[str] = []
    slow_may_end = asyncio.Event()
    nothing_due = asyncio.Event()

    async def claim(limit: int) -> list[str]:
        claims.append(limit)
        taken, due[:] = due[:limit], due[limit:]
        return taken

    async def work(piece: str) -> None:
        if piece == "slow":
            await slow_may_end.wait()
        worked.append(piece)

    async def idle() -> None:
        nothing_due.set()
        await asyncio.Event().wait()

    loop = asyncio.ensure_future(work_forever(claim, work, lambda: 2, idle, 0))
    await nothing_due.wait()
    assert worked == ["fast", "third"]
    assert claims == [2, 1, 1]
    loop.cancel()
    with pytest.raises(asyncio.CancelledError):
        await loop
    assert worked == ["fast", "third"]


async def test_the_worker_loop_claims_again_when_the_database_could_not_be_asked():
    answers: list[list[str] | None] = [None, None, ["piece"]]
    worked: list[str] = []
    done = asyncio.Event()

    async def claim(limit: int) -> list[str] | None:
        return answers.pop(0) if answers else []

    async def work(piece: str) -> None:
        worked.append(piece)

    async def idle() -> None:
        done.set()
        await asyncio.Event().wait()

    loop = asyncio.ensure_future(work_forever(claim, work, lambda: 4, idle, 0))
    await done.wait()
    loop.cancel()
    with pytest.raises(asyncio.CancelledError):
        await loop
    assert (worked, answers) == (["piece"], [])
