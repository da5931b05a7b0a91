"""Durable execution's one set of rules (持久执行): the lease and its loss, the retry backoff, the
parking rule and their settings, for the offices' operation journal and the purchase saga alike.

The journal's operations and the saga's purchases are one engine's work with two step records:
each records its exact request before a call and the outcome after it, is held under a lease
another process takes over when it runs out, is retried after an outage with backoff for as long
as it lasts, and parks after repeated unexplained failures where a person reads its last error.
What they decide by is written here once, and how they lease and claim in shared/leases.py
(docs/decisions.md, decision 71).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from google.rpc import status_pb2
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.outcomes import Failure, backoff, classify, status_of

log = logging.getLogger("deedflow.durable")


class DurableSettings(BaseSettings):
    """DEEDFLOW_DURABLE_*: how work that spans services is leased, retried, parked and swept."""

    model_config = SettingsConfigDict(env_prefix="DEEDFLOW_DURABLE_", extra="ignore")

    # How long a worker holds a purchase or an operation before another process may take it
    # over; renewed at every step, and longer than any one step's calls. A crashed process's
    # work moves on this long after its last step.
    lease_seconds: float = 30.0
    # How often the journal's sweeper looks for operations due again, and how many it drives
    # at once.
    sweep_seconds: float = 1.0
    sweep_batch: int = 16
    # Retry of work whose step failed for an outage or without explanation: first delay,
    # doubling up to the cap.
    backoff_start_seconds: float = 0.5
    backoff_cap_seconds: float = 60.0
    # Unexplained failures (INTERNAL, UNKNOWN, a bug) of one piece of work after which it parks
    # with that error for a person, instead of being retried for ever.
    max_unexplained_failures: int = 5
    # How long a retry waits for an operation another driver holds before answering ABORTED.
    join_patience_seconds: float = 10.0

    @property
    def lease(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.lease_seconds)


class LeaseLost(Exception):
    """Another worker holds the work now; this one stops touching it."""


class LeaseLostBeforeWriting(LeaseLost):
    """The lease was found lost by the first statement of a change, before it wrote anything: the
    other changes that share its transaction go on without it (shared/grouped_writes.py)."""


def step_request_id(scope: uuid.UUID, step: str) -> str:
    """The request id of a step's call: the same on every run and resume of the step, so the peer
    answers a repeated call with its first answer. `scope` is the work's own id (an operation's)
    or a namespace when `step` names the work itself (the saga's "purchase/step/direction/part")."""
    return str(uuid.uuid5(scope, step))


def lease_holder(worker: str) -> str:
    """A new holder for a lease `worker` takes: its name and the claim's own mark. Fenced by the
    worker's name alone, a task of that worker which outlived its lease (a slow call) would pass
    for the one that claimed the work again after it (decision 73)."""
    return f"{worker}/{uuid.uuid4().hex[:12]}"


def retry_delay(
    settings: DurableSettings, failure: Failure, attempts: int, unexplained_failures: int
) -> dt.timedelta | None:
    """How long until the failed work is tried again, or None to park it: a refusal needs a
    person at once; an unexplained failure parks once there have been `max_unexplained_failures`
    of them (this one counted); an outage or a lost race is retried for as long as it lasts, each
    wait twice the one before up to the cap."""
    if failure is Failure.REFUSAL:
        return None
    if failure is Failure.UNEXPLAINED and unexplained_failures >= settings.max_unexplained_failures:
        return None
    return backoff(
        attempts,
        dt.timedelta(seconds=settings.backoff_start_seconds),
        dt.timedelta(seconds=settings.backoff_cap_seconds),
    )


@dataclass(frozen=True, slots=True)
class Failed:
    """A failed attempt of a piece of work, judged: what is recorded of it, and when it is tried
    again (None: it parks)."""

    failure: Failure
    status: status_pb2.Status
    attempts: int
    unexplained_failures: int
    retry_at: dt.datetime | None


def judge_failure(
    settings: DurableSettings,
    error: BaseException,
    attempts: int,
    unexplained_before: int,
    at: dt.datetime,
    failure: Failure | None = None,
    status: status_pb2.Status | None = None,
) -> Failed:
    """The one verdict on a failed attempt (the `attempts`-th), for an operation or a saga step:
    the failure as classified (shared/outcomes.py) unless the engine knows better (`failure`),
    the status recorded, the unexplained failures counted, and retry_delay's answer. An
    unexplained failure is logged with its traceback, where an operator finds the bug."""
    failure = failure or classify(error)
    unexplained = unexplained_before + (failure is Failure.UNEXPLAINED)
    if failure is Failure.UNEXPLAINED:
        log.error(
            "unexplained failure",
            exc_info=error if not hasattr(error, "code") else None,
            extra={"fields": {"failures": unexplained, "error": repr(error)[:300]}},
        )
    delay = retry_delay(settings, failure, attempts, unexplained)
    return Failed(
        failure,
        status or status_of(error),
        attempts,
        unexplained,
        None if delay is None else at + delay,
    )
