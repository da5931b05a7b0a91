"""What a failed call means for the work that made it: try again (an outage or a lost race), a
definitive refusal (the answer to the request), or unexplained (a bug somewhere: retried a bounded
number of times, then parked for a person). One table for the saga engine and the journal."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import cast

import grpc
from google.rpc import code_pb2, status_pb2
from grpc_status import rpc_status

from shared.dbhealth import database_unavailable, lost_race
from shared.errors import ReasonedError
from shared.grpc.status import to_status


class Failure(StrEnum):
    RETRY = "RETRY"
    REFUSAL = "REFUSAL"
    UNEXPLAINED = "UNEXPLAINED"


# The call may not have happened, lost a race, or the peer is briefly unwell: try again, as often
# as it takes (with backoff), because the request id makes a repeat harmless.
RETRYABLE = frozenset(
    {
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.ABORTED,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        grpc.StatusCode.CANCELLED,
    }
)
# The peer looked at the request and said no: that is its answer, and repeating it changes nothing.
REFUSALS = frozenset(
    {
        grpc.StatusCode.INVALID_ARGUMENT,
        grpc.StatusCode.NOT_FOUND,
        grpc.StatusCode.ALREADY_EXISTS,
        grpc.StatusCode.PERMISSION_DENIED,
        grpc.StatusCode.FAILED_PRECONDITION,
        grpc.StatusCode.OUT_OF_RANGE,
    }
)


def classify(error: BaseException) -> Failure:
    """RETRY for outages and lost races, REFUSAL for a peer's definitive answer, UNEXPLAINED for
    INTERNAL, UNKNOWN, anything unrecognised and our own exceptions."""
    if isinstance(error, grpc.aio.AioRpcError):
        if error.code() in RETRYABLE:
            return Failure.RETRY
        if error.code() in REFUSALS:
            return Failure.REFUSAL
        return Failure.UNEXPLAINED
    if isinstance(error, ReasonedError):
        return Failure.REFUSAL  # a rule of our own said no, with its reason: a person decides
    if database_unavailable(error) or lost_race(error):
        return Failure.RETRY
    return Failure.UNEXPLAINED


def status_of(error: BaseException) -> status_pb2.Status:
    """The google.rpc.Status a failure is recorded as: a peer's own (reason and all), else ours."""
    if isinstance(error, grpc.aio.AioRpcError):
        # An AioRpcError is the call itself: it carries the trailing metadata from_call reads.
        return rpc_status.from_call(cast(grpc.Call, error)) or status_pb2.Status(
            code=error.code().value[0], message=error.details() or ""
        )
    if isinstance(error, ReasonedError):
        return to_status(error, "deedflow.orchestrator")
    code = code_pb2.UNAVAILABLE if database_unavailable(error) else code_pb2.INTERNAL
    return status_pb2.Status(code=code, message=f"{type(error).__name__}: {error}"[:500])


def backoff(attempts: int, start: dt.timedelta, cap: dt.timedelta) -> dt.timedelta:
    """start, 2 x start, 4 x start ... capped: bounded, and never hammering a sick peer."""
    doublings = min(max(attempts - 1, 0), 30)  # 2**30 x any start is far past any cap; no overflow
    delay: dt.timedelta = min(start * (2**doublings), cap)
    return delay
