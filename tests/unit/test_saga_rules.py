"""The saga's pure rules: bounded backoff, how failures are classified, the order of compensations."""

from __future__ import annotations

import datetime as dt

import asyncpg
import grpc
import pytest

from services.orchestrator.domain import StepKind
from services.orchestrator.saga import COMPENSATIONS, FORWARD, PIVOT
from shared.dbhealth import DatabaseUnavailable
from shared.outcomes import Failure, backoff, classify


def _error(code: grpc.StatusCode) -> grpc.aio.AioRpcError:
    return grpc.aio.AioRpcError(code, grpc.aio.Metadata(), grpc.aio.Metadata(), details="x")


def test_backoff_doubles_and_is_bounded():
    start, cap = dt.timedelta(seconds=1), dt.timedelta(minutes=10)
    assert [backoff(n, start, cap).total_seconds() for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert backoff(50, start, cap) == cap
    assert backoff(10**9, start, cap) == cap


@pytest.mark.parametrize(
    ("code", "failure"),
    [
        (grpc.StatusCode.UNAVAILABLE, Failure.RETRY),
        (grpc.StatusCode.DEADLINE_EXCEEDED, Failure.RETRY),
        (grpc.StatusCode.ABORTED, Failure.RETRY),
        (grpc.StatusCode.FAILED_PRECONDITION, Failure.REFUSAL),
        (grpc.StatusCode.INVALID_ARGUMENT, Failure.REFUSAL),
        (grpc.StatusCode.PERMISSION_DENIED, Failure.REFUSAL),
        (grpc.StatusCode.NOT_FOUND, Failure.REFUSAL),
        (grpc.StatusCode.ALREADY_EXISTS, Failure.REFUSAL),
        (grpc.StatusCode.INTERNAL, Failure.UNEXPLAINED),
        (grpc.StatusCode.UNKNOWN, Failure.UNEXPLAINED),
        (grpc.StatusCode.UNIMPLEMENTED, Failure.UNEXPLAINED),
    ],
)
def test_failures_are_retried_refused_or_unexplained(code, failure):
    assert classify(_error(code)) is failure


def test_an_outage_is_retried_and_a_bug_is_unexplained():
    assert classify(DatabaseUnavailable("gone")) is Failure.RETRY
    assert classify(KeyError("bug")) is Failure.UNEXPLAINED


def test_a_transaction_undone_by_a_deadlock_is_retried():
    assert classify(asyncpg.DeadlockDetectedError("deadlock detected")) is Failure.RETRY
    assert classify(asyncpg.SerializationError("could not serialize access")) is Failure.RETRY


def test_compensations_follow_domain_order_and_only_before_the_pivot():
    """DOMAIN "Cancellation": pre-mortgage, pre-registration, filing, then the tax refund."""
    assert [kind for kind, _ in COMPENSATIONS] == [
        StepKind.PREMORTGAGED,
        StepKind.PREREGISTERED,
        StepKind.CONTRACT_SIGNED,
        StepKind.TAX_ASSESSED,
    ]
    order = [step.kind for step in FORWARD]
    assert all(order.index(kind) < order.index(PIVOT) for kind, _ in COMPENSATIONS)
