"""Durable execution's one set of rules: when failed work is retried or parked, and that the saga
and the journal both run on it, with one LeaseLost and one settings class."""

from __future__ import annotations

import ast
import datetime as dt
import uuid
from pathlib import Path

import pytest

from services.orchestrator.config import SagaSettings
from services.orchestrator.domain import StepKind
from services.orchestrator.steps import request_id
from shared.durable import DurableSettings, retry_delay, step_request_id
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
