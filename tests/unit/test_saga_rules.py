"""The saga's pure rules: bounded backoff, what counts as transient, the order of compensations."""

from __future__ import annotations

import datetime as dt

import grpc

from services.orchestrator.domain import TRANSIENT, StepKind, backoff
from services.orchestrator.saga import COMPENSATIONS, FORWARD, PIVOT


def test_backoff_doubles_and_is_bounded():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert backoff(50) == dt.timedelta(minutes=10)


def test_only_retryable_codes_are_transient():
    assert grpc.StatusCode.UNAVAILABLE in TRANSIENT
    assert grpc.StatusCode.DEADLINE_EXCEEDED in TRANSIENT
    for refusal in (
        grpc.StatusCode.FAILED_PRECONDITION,
        grpc.StatusCode.INVALID_ARGUMENT,
        grpc.StatusCode.PERMISSION_DENIED,
        grpc.StatusCode.NOT_FOUND,
        grpc.StatusCode.ALREADY_EXISTS,
    ):
        assert refusal not in TRANSIENT


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
