"""The operation journal: an office's work that spans services, recorded so that it happens
exactly once whatever fails.

An operation starts in one local transaction that claims the caller's request id and commits
the office's own records (a case, its number) with the operation itself. Its driver then takes
steps, never holding a transaction while it calls out:

- `call`: the exact request (its request id derived from the operation and the step) is
  committed as the step's intent, then sent, then its answer is recorded as the outcome;
- `remember`: facts read from other offices, recorded once so a resumed driver decides as the
  first run did;
- `local`: a change to this office's records, committed together with its step record;
- `close_with`: the last such change, committed with the operation's answer.

Every record is written before anything depends on it; outcomes are written with the next
transaction the operation opens. A driver is re-run from the top to resume: steps with an
outcome return it, steps with only an intent resend the same bytes (the peer replays its first
answer), so an interrupted operation is finished, never redone differently. The answer is stored
under the request id, and the caller's retry gets it byte for byte; a retry that arrives while
the operation is under way joins it, and an operation nobody is driving (its process died) is
taken up by this office's sweeper once its lease has run out.
"""

from __future__ import annotations

import asyncio
import base64
import contextvars
import datetime as dt
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar, TypeVarTuple

import asyncpg
import grpc
from google.protobuf.message import Message
from google.rpc import status_pb2

from deedflow.type.v1.reasons import Reason
from shared import faults
from shared.clock import Clock
from shared.context import deadline_var, subject_var
from shared.db import Database
from shared.durable import (
    DurableSettings,
    LeaseLost,
    LeaseLostBeforeWriting,
    judge_failure,
    lease_holder,
    step_request_id,
)
from shared.errors import Aborted, AnsweredBefore, DomainError, Internal
from shared.grouped_writes import GroupedWrites
from shared.grpc.status import to_status
from shared.idempotency import (
    IN_FLIGHT,
    Answer,
    Found,
    IdempotencyKey,
    InFlight,
    claim,
    lookup,
    operation_id,
    record,
    request_fingerprint,
)
from shared.leases import LeasedRows, work_forever
from shared.outcomes import Failure, classify, status_of
from shared.records import table, typed, typed_or_none
from shared.sql import one_row

log = logging.getLogger("deedflow.journal")

MessageT = TypeVar("MessageT", bound=Message)
T = TypeVar("T")
Args = TypeVarTuple("Args")
Render = Callable[[asyncpg.Connection], Awaitable[Message]]
Driver = Callable[["Operation"], Awaitable[Render]]
# What an operation is about (its subject), and optionally what its first transaction made, kept
# for the driver that runs right after it (Operation.begun).
Begin = Callable[[asyncpg.Connection, dt.datetime, uuid.UUID], Awaitable[str | tuple[str, Any]]]

SUCCEEDED, FAILED, PARKED = "SUCCEEDED", "FAILED", "PARKED"
# Operations are worked under leases while they run (shared/leases.py).
OPERATIONS = LeasedRows("operation", live="state = 'RUNNING'")
# The operation the call being served last drove (set in its task): a refusal it ended with is
# its own, never a twin's to be joined (Journal.twin_answer).
_driven: contextvars.ContextVar[uuid.UUID | None] = contextvars.ContextVar("journal_driven", default=None)
JOIN_POLL_SECONDS = 0.05


@dataclass(frozen=True, slots=True)
class OperationRecord:
    """An operation as the `operation` table holds it (shared/migrations/common.py)."""

    id: uuid.UUID
    kind: str
    subject: str
    state: str
    caller: str
    method: str
    request_id: uuid.UUID
    input: bytes
    outcome: bytes | None
    attempts: int
    unexplained_failures: int
    last_error: bytes | None
    due_at: dt.datetime | None
    leased_by: str | None
    lease_until: dt.datetime | None
    create_time: dt.datetime
    update_time: dt.datetime


for _office in ("contract", "mortgage", "orchestrator", "preregistration", "transfer"):
    table(_office, "operation")(OperationRecord)


class Incomplete(Exception):
    """A step after the point of no return was refused by its peer: the operation cannot finish
    now, but must finish, so it stays open and is retried later."""

    def __init__(self, step: str, status: status_pb2.Status) -> None:
        super().__init__(f"{step}: {status.message}")
        self.step = step
        self.status = status


class Refused(Exception):
    """A refusable step's peer said no: the driver turns this into the operation's answer."""

    def __init__(self, step: str, error: grpc.aio.AioRpcError) -> None:
        super().__init__(f"{step}: {error.details()}")
        self.step = step
        self.error = error
        self.status = status_of(error)


def encode_facts(facts: Sequence[Message]) -> bytes:
    """How remembered facts are kept as a step's outcome."""
    return json.dumps(
        [base64.b64encode(f.SerializeToString(deterministic=True)).decode() for f in facts]
    ).encode()


@dataclass
class _Step:
    intent: bytes | None = None
    outcome: bytes | None = None


async def _nothing(connection: asyncpg.Connection, at: dt.datetime) -> None:
    """A transaction's work when it only renews the lease and writes the steps noted."""


class Operation:
    """One operation as its driver sees it: its identity, input, and the steps taken so far."""

    def __init__(self, journal: Journal, row: OperationRecord, steps: dict[str, _Step]) -> None:
        self.journal = journal
        self.id = row.id
        self.kind = row.kind
        self.subject = row.subject
        self.caller = row.caller
        self.input = row.input
        self.key = IdempotencyKey(row.caller, row.method, str(row.request_id))
        # Its failed attempts so far, as taken up (the retry rule counts on from them).
        self.attempts = row.attempts
        self.unexplained_failures = row.unexplained_failures
        self.steps = steps
        # What the transaction that started the operation made (Begin), when this process started
        # it; None for an operation taken up again.
        self.begun: Any = None
        # This driver's lease: the holder it was taken under (each take a new one, so a driver
        # of this process that outlived its lease is fenced off like another process's) and
        # until when it holds it, as last written.
        self.holder = row.leased_by or ""
        self.lease_until = row.lease_until
        # Outcomes received but not yet written: they go with the next transaction.
        self._unsaved: dict[str, _Step] = {}
        # The last change to this office's records, written with the answer (close_with).
        self._closing: Callable[[asyncpg.Connection, dt.datetime], Awaitable[None]] | None = None

    def recorded(self, step: str) -> bytes | None:
        """A step's recorded outcome, if it has one (a driver checks a decision before acting)."""
        found = self.steps.get(step)
        return None if found is None else found.outcome

    def request_id(self, step: str) -> str:
        """The request id of a step's call: the same on every run of the operation."""
        return step_request_id(self.id, step)

    def point(self, step: str, moment: str) -> str:
        """The fault point at a boundary of a step; the step's kind only (`building/…` names
        the point `building`), so a point is the same for every operation of its kind."""
        return f"{self.journal.service}/{self.kind}/{step.split('/')[0]}/{moment}"

    async def read(self, work: Callable[[asyncpg.Connection, *Args], Awaitable[T]], *args: *Args) -> T:
        """A read of this office's records, `work(connection, *args)` (nothing is recorded,
        nothing locked): no BEGIN and COMMIT around it, which at READ COMMITTED would give its
        statements no common snapshot."""
        return await self.journal.database.read(work, *args)

    async def _transaction(
        self, work: Callable[[asyncpg.Connection, dt.datetime], Awaitable[T]], renew: bool = True
    ) -> T:
        """One transaction: renew the lease, write unsaved records, then `work`. Without `renew`,
        `work` must itself end in a write that holds the lease (_end), which rolls it all back
        if the lease is gone. A lease with more than half its time left is not renewed: nobody
        may take the operation before it runs out, so this driver still holds it."""

        async def change(connection: asyncpg.Connection) -> tuple[T, dt.datetime | None]:
            at = self.journal.clock.now()
            lease = self.journal.lease
            renewed_until = None
            if renew and (self.lease_until is None or self.lease_until - at < lease / 2):
                if not await OPERATIONS.renew(connection, self.id, self.holder, at + lease):
                    raise LeaseLostBeforeWriting(str(self.id))
                renewed_until = at + lease
            if self._unsaved:
                # Every unsaved step in one statement.
                await connection.execute(
                    "INSERT INTO operation_step (operation_id, name, intent, outcome, record_time)"
                    " SELECT $1, s.name, s.intent, s.outcome, $5"
                    " FROM unnest($2::text[], $3::bytea[], $4::bytea[]) AS s(name, intent, outcome)"
                    " ON CONFLICT (operation_id, name) DO UPDATE SET"
                    " intent = coalesce(operation_step.intent, EXCLUDED.intent),"
                    " outcome = coalesce(operation_step.outcome, EXCLUDED.outcome)",
                    self.id,
                    list(self._unsaved),
                    [s.intent for s in self._unsaved.values()],
                    [s.outcome for s in self._unsaved.values()],
                    at,
                )
            return await work(connection, at), renewed_until

        # Committed with the writes other operations of this office make at the same moment
        # (decision 50); the records are as if written alone, and this returns once committed.
        result, renewed_until = await self.journal.writes(change, str(self.id))
        self._unsaved.clear()
        self.lease_until = renewed_until or self.lease_until
        return result

    def _note(self, name: str, intent: bytes | None = None, outcome: bytes | None = None) -> None:
        step = self.steps.setdefault(name, _Step())
        step.intent = step.intent or intent
        step.outcome = step.outcome if step.outcome is not None else outcome
        self._unsaved[name] = _Step(step.intent, step.outcome)

    async def remember(
        self, step: str, produce: Callable[[], Awaitable[Sequence[Message]]], types: Sequence[type[Message]]
    ) -> list[Message]:
        """Facts read from other offices, once: a resumed driver gets what the first run read."""
        recorded = self.steps.get(step)
        if recorded is None or recorded.outcome is None:
            facts = list(await produce())
            self._note(step, outcome=encode_facts(facts))
            return facts
        return [
            t.FromString(base64.b64decode(f))
            for t, f in zip(types, json.loads(recorded.outcome), strict=True)
        ]

    def intend(self, calls: Sequence[tuple[str, Message]]) -> None:
        """The intents of calls to be made one after another, written with the next transaction,
        so the later calls need none of their own. A call intended but never reached (an earlier
        one was refused) is never sent: a resumed driver takes the same path and stops there too."""
        for step, request in calls:
            if (self.steps.get(step) or _Step()).intent is None:
                if hasattr(request, "request_id") and not request.request_id:
                    request.request_id = self.request_id(step)
                self._note(step, intent=request.SerializeToString(deterministic=True))

    async def call(
        self,
        step: str,
        rpc: Any,
        request: Message,
        response_type: type[MessageT],
        refusable: bool = False,
    ) -> MessageT:
        """A remote step: intent committed, call made with no transaction open, outcome recorded.
        A refusal raises Refused where the operation may still be refused (`refusable`), else
        Incomplete: past the point of no return, the step must be taken, later."""
        (response,) = await self.call_many([(step, rpc, request, response_type)], refusable)
        if not isinstance(response, response_type):
            raise TypeError(f"{step} was answered with a {type(response).__name__}")
        return response

    async def call_many(
        self,
        calls: Sequence[tuple[str, Any, Message, type[Message]]],
        refusable: bool = False,
    ) -> list[Message]:
        """Independent remote steps: every intent in one transaction, the calls side by side."""
        requests = []
        for step, _, request, _ in calls:
            recorded = self.steps.get(step)
            if recorded is not None and recorded.intent is not None:
                request = type(request).FromString(recorded.intent)
            elif hasattr(request, "request_id") and not request.request_id:
                request.request_id = self.request_id(step)
            requests.append(request)
        pending = [
            i for i, (step, *_) in enumerate(calls) if (self.steps.get(step) or _Step()).outcome is None
        ]
        fresh = [i for i in pending if (self.steps.get(calls[i][0]) or _Step()).intent is None]
        for i in fresh:
            self._note(calls[i][0], intent=requests[i].SerializeToString(deterministic=True))
        # No call leaves before its intent is committed; one already committed (by `intend`'s
        # transaction, or an earlier run) needs no transaction of its own.
        if any(calls[i][0] in self._unsaved for i in pending):
            await self._transaction(_nothing)

        async def one(i: int) -> Message:
            step, rpc, *_ = calls[i]
            try:
                faults.reached(self.point(step, "before-call"))
                response = await rpc(requests[i])
            except grpc.aio.AioRpcError as exc:
                if classify(exc) is Failure.REFUSAL:
                    if refusable:
                        raise Refused(step, exc) from exc
                    raise Incomplete(step, status_of(exc)) from exc
                raise
            faults.reached(self.point(step, "after-call"))
            self._note(step, outcome=response.SerializeToString(deterministic=True))
            answered: Message = response
            return answered

        answers = await asyncio.gather(*(one(i) for i in pending), return_exceptions=True)
        for answer in answers:
            if isinstance(answer, BaseException):
                raise answer
        return [
            response_type.FromString(self.steps[step].outcome or b"") for step, _, _, response_type in calls
        ]

    async def local(
        self, step: str, work: Callable[[asyncpg.Connection, dt.datetime], Awaitable[bytes | None]]
    ) -> bytes:
        """A change to this office's records, exactly once: committed with its step record."""
        recorded = self.steps.get(step)
        if recorded is not None and recorded.outcome is not None:
            return recorded.outcome

        async def run(connection: asyncpg.Connection, at: dt.datetime) -> bytes:
            claimed = await connection.fetchval(
                "INSERT INTO operation_step (operation_id, name, outcome, record_time)"
                " VALUES ($1, $2, '', $3) ON CONFLICT DO NOTHING RETURNING true",
                self.id,
                step,
                at,
            )
            if not claimed:
                recorded: bytes = await connection.fetchval(
                    "SELECT outcome FROM operation_step WHERE operation_id = $1 AND name = $2", self.id, step
                )
                return recorded
            result = await work(connection, at) or b""
            if result:
                await connection.execute(
                    "UPDATE operation_step SET outcome = $3 WHERE operation_id = $1 AND name = $2",
                    self.id,
                    step,
                    result,
                )
            return result

        result = await self._transaction(run)
        self.steps[step] = _Step(outcome=result)
        faults.reached(self.point(step, "after-local"))
        return result

    def close_with(self, work: Callable[[asyncpg.Connection, dt.datetime], Awaitable[None]]) -> None:
        """The operation's last change to this office's records, committed in the transaction
        that stores its answer: the two stand or fall together, so the change needs no step record
        of its own and no transaction of its own (a case entered and the answer that says so)."""
        self._closing = work

    async def _end(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        state: str,
        response: bytes | None = None,
        status: bytes | None = None,
    ) -> None:
        """Closes the operation with its answer, stored under the request id in the same
        transaction; only while this driver holds it (else LeaseLost, and the caller's
        transaction rolls back whatever it wrote)."""
        closed = await connection.execute(
            "UPDATE operation SET state = $2, outcome = $3, due_at = NULL, leased_by = NULL,"
            " lease_until = NULL, update_time = $4 WHERE id = $1 AND leased_by = $5 AND state = 'RUNNING'",
            self.id,
            state,
            response if status is None else status,
            at,
            self.holder,
        )
        if closed == "UPDATE 0":
            raise LeaseLost(str(self.id))
        await record(connection, self.key, response, status)

    async def finish(self, render: Render) -> bytes:
        """The answer, rendered from this office's records and stored under the request id."""

        async def close(connection: asyncpg.Connection, at: dt.datetime) -> bytes:
            if self._closing is not None:
                await self._closing(connection, at)
            answer = (await render(connection)).SerializeToString(deterministic=True)
            await self._end(connection, at, SUCCEEDED, response=answer)
            return answer

        return await self._transaction(close, renew=False)

    async def fail(self, status: status_pb2.Status) -> None:
        """A definitive refusal, recorded as the answer to the request id."""

        async def close(connection: asyncpg.Connection, at: dt.datetime) -> None:
            await self._end(connection, at, FAILED, status=status.SerializeToString())

        await self._transaction(close, renew=False)


class Journal:
    """The operations of one office: started by its RPCs, joined by retries, swept after crashes."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        service: str,
        worker: str,
        settings: DurableSettings | None = None,
    ) -> None:
        self.database = database
        self.clock = clock
        self.service = service
        self.worker = worker
        self.settings = settings or DurableSettings()
        self.lease = self.settings.lease
        self.writes = GroupedWrites(database, separable=(LeaseLostBeforeWriting,))
        self.drivers: dict[str, Driver] = {}
        self.domain = f"deedflow.{service}"

    def lease_holder(self) -> str:
        """A new holder for a lease this worker takes (shared/durable.py)."""
        return lease_holder(self.worker)

    def driver(self, kind: str, drive: Driver) -> None:
        """How operations of `kind` are driven (and resumed after a crash)."""
        self.drivers[kind] = drive

    # Answers first

    async def answer(self, key: IdempotencyKey, request: Message) -> bytes | None:
        """The stored answer to the request id, before anything else is checked: the response's
        bytes, a recorded refusal raised again, an operation under way joined; None if new."""
        found = await lookup(self.database.pool, key, request_fingerprint(request))
        if found is None:
            return None
        if isinstance(found, InFlight):
            return await self.join(operation_id(key))
        return found.replay()

    async def twin_answer(self, key: IdempotencyKey, request: Message) -> bytes | None:
        """After a call was refused: the answer a twin of it (the same caller, method, request id
        and body) was given meanwhile, or its operation joined; None when nothing is stored, or
        when the operation holding the key is the one this call drove (its refusal is its own)."""
        found = await lookup(self.database.pool, key, request_fingerprint(request))
        if found is None:
            return None
        if isinstance(found, InFlight):
            if _driven.get() == operation_id(key):
                return None
            return await self.join(operation_id(key))
        return found.replay()

    # Starting, running, joining

    async def start(
        self,
        key: IdempotencyKey,
        request: Message,
        kind: str,
        begin: Begin,
        remembered: dict[str, Sequence[Message]] | None = None,
    ) -> bytes:
        """Claims the request id and commits `begin`'s records with the operation, then drives
        it. `begin` returns what the operation is about (its subject, e.g. "cases/…").
        `remembered`: facts read before it began (to refuse at the door what they rule out),
        kept as its steps of those names, where the driver's `remember` finds them."""
        op_id = operation_id(key)

        async def starting(connection: asyncpg.Connection) -> tuple[Found, OperationRecord | None, Any]:
            at = self.clock.now()
            found = await claim(connection, key, request_fingerprint(request))
            row = None
            begun = None
            if found is None:
                subject = await begin(connection, at, op_id)
                if isinstance(subject, tuple):
                    subject, begun = subject
                row = await self._insert(connection, op_id, kind, subject, key, request, at)
                for step, facts in (remembered or {}).items():
                    await connection.execute(
                        "INSERT INTO operation_step (operation_id, name, outcome, record_time)"
                        " VALUES ($1, $2, $3, $4)",
                        op_id,
                        step,
                        encode_facts(facts),
                        at,
                    )
            return found, row, begun

        found, row, begun = await self._grouped(starting, str(op_id))
        if isinstance(found, Answer):
            return found.replay()
        if found is IN_FLIGHT or row is None:
            return await self.join(op_id)
        operation = Operation(
            self, row, {step: _Step(outcome=encode_facts(f)) for step, f in (remembered or {}).items()}
        )
        operation.begun = begun
        faults.reached(operation.point("begin", "after-commit"))
        return await self._run(operation)

    async def _insert(
        self,
        connection: asyncpg.Connection,
        op_id: uuid.UUID,
        kind: str,
        subject: str,
        key: IdempotencyKey,
        request: Message,
        at: dt.datetime,
    ) -> OperationRecord:
        """The operation's row, leased to this worker from the start."""
        inserted = await one_row(
            connection,
            "INSERT INTO operation (id, kind, subject, state, caller, method, request_id, input,"
            " due_at, leased_by, lease_until, create_time, update_time)"
            " VALUES ($1, $2, $3, 'RUNNING', $4, $5, $6, $7, $8, $9, $8, $10, $10) RETURNING *",
            op_id,
            kind,
            subject,
            key.caller,
            key.method,
            uuid.UUID(key.request_id),
            request.SerializeToString(deterministic=True),
            at + self.lease,
            self.lease_holder(),
            at,
        )
        return typed(OperationRecord, inserted)

    async def _grouped(self, change: Callable[[asyncpg.Connection], Awaitable[Any]], order: str) -> Any:
        """`change` committed with the other writes of this office at that moment (decision 50),
        under a savepoint of its own: a refusal it raises takes back its records and no others."""

        async def alone(connection: asyncpg.Connection) -> Any:
            try:
                async with connection.transaction():
                    return await change(connection)
            except DomainError as refused:
                return refused

        result = await self.writes(alone, order)
        if isinstance(result, DomainError):
            raise result
        return result

    async def _run(self, op: Operation) -> bytes:
        subject_var.set(op.subject)
        _driven.set(op.id)
        began = time.perf_counter()
        try:
            try:
                render = await self.drivers[op.kind](op)
                answer = await op.finish(render)
            except DomainError as refusal:
                await op.fail(to_status(refusal, self.domain))
                self._log(op, "REFUSED", began)
                raise
        except LeaseLost:
            log.warning("lease lost; another driver has the operation", extra={"fields": {"op": str(op.id)}})
            return await self.join(op.id)
        except asyncio.CancelledError:
            # The caller went away (its deadline passed): let the next driver have the operation
            # now rather than when the lease runs out.
            await asyncio.shield(self._release(op))
            raise
        except DomainError:
            raise
        except Exception as exc:
            await self._postpone(op, exc)
            self._log(op, "POSTPONED", began, exc)
            if isinstance(exc, Incomplete):
                raise Aborted(
                    Reason.OPERATION_INCOMPLETE,
                    f"{op.subject} is under way; step {exc.step} could not be taken yet and is retried:"
                    f" {exc.status.message}"[:500],
                    {"step": exc.step, "operation": str(op.id)},
                ) from exc
            raise
        self._log(op, "SUCCEEDED", began)
        return answer

    def _log(self, op: Operation, outcome: str, began: float, error: BaseException | None = None) -> None:
        fields = {
            "operation": op.kind,
            "subject": op.subject,
            "outcome": outcome,
            "duration_ms": round((time.perf_counter() - began) * 1000, 2),
        }
        if error is not None:
            fields["error"] = repr(error)[:300]
        (log.warning if error is not None else log.info)("operation", extra={"fields": fields})

    async def _release(self, op: Operation) -> None:
        """Gives up the lease (best effort), the operation due again at once."""
        try:
            async with self.database.transaction() as connection:
                await OPERATIONS.release(connection, op.id, op.holder, self.clock.now())
        except Exception:
            log.warning("could not release the operation; its lease will run out", exc_info=True)

    async def _postpone(self, op: Operation, error: BaseException) -> None:
        """Leaves the operation open, due again after a backoff; an unexplained failure counts
        toward parking it. Best effort: if even this fails, the lease runs out instead."""
        # In an operation, a refusal is either its answer (Refused) or, past the point of no
        # return, Incomplete: a step still to take. Anything else that is no outage is unexplained.
        retryable = isinstance(error, Incomplete) or classify(error) is Failure.RETRY
        at = self.clock.now()
        failed = judge_failure(
            self.settings,
            error,
            op.attempts + 1,
            op.unexplained_failures,
            at,
            Failure.RETRY if retryable else Failure.UNEXPLAINED,
            error.status if isinstance(error, Incomplete) else None,
        )
        try:
            async with self.database.transaction() as connection:
                written = await connection.execute(
                    "UPDATE operation SET attempts = $3, unexplained_failures = $4, last_error = $5,"
                    " state = CASE WHEN $6::timestamptz IS NULL THEN 'PARKED' ELSE state END,"
                    " due_at = $6, leased_by = NULL, lease_until = NULL, update_time = $7"
                    " WHERE id = $1 AND leased_by = $2 AND state = 'RUNNING'",
                    op.id,
                    op.holder,
                    failed.attempts,
                    failed.unexplained_failures,
                    failed.status.SerializeToString(),
                    failed.retry_at,
                    at,
                )
        except Exception:
            log.warning("could not postpone the operation; its lease will run out", exc_info=True)
            return
        if failed.retry_at is None and written != "UPDATE 0":
            log.error(
                "operation parked after repeated unexplained failures",
                extra={"fields": {"operation": op.kind, "subject": op.subject, "error": repr(error)}},
            )

    async def _take(self, op_id: uuid.UUID) -> Operation | OperationRecord | None:
        """Leases the operation to this worker if nobody holds it: the Operation, else its row (None
        if there is none)."""
        async with self.database.transaction() as connection:
            at = self.clock.now()
            row = await OPERATIONS.take(connection, op_id, self.lease_holder(), at, at + self.lease)
            if row is None:
                held = await connection.fetchrow("SELECT * FROM operation WHERE id = $1", op_id)
                return typed_or_none(OperationRecord, held)
            return await self._load(connection, row)

    async def _load(self, connection: asyncpg.Connection, row: asyncpg.Record) -> Operation:
        operation = typed(OperationRecord, row)
        steps = {
            name: _Step(intent, outcome)
            for name, intent, outcome in await connection.fetch(
                "SELECT name, intent, outcome FROM operation_step WHERE operation_id = $1", operation.id
            )
        }
        return Operation(self, operation, steps)

    async def join(self, op_id: uuid.UUID) -> bytes:
        """The answer of an operation already started: driven here if nobody holds it, waited
        for if another driver does (up to the call's deadline), ABORTED if it is still going."""
        deadline = time.monotonic() + self.settings.join_patience_seconds
        remaining = deadline_var.get()
        if remaining is not None:
            deadline = min(deadline, remaining - 0.1)
        while True:
            taken = await self._take(op_id)
            if isinstance(taken, Operation):
                return await self._run(taken)
            if taken is None:
                raise Internal(Reason.OPERATION_MISSING, f"operation {op_id} is claimed but not recorded")
            if taken.state == SUCCEEDED:
                return taken.outcome or b""
            if taken.state == FAILED:
                raise AnsweredBefore(status_pb2.Status.FromString(taken.outcome or b""))
            if taken.state == PARKED:
                last = status_pb2.Status.FromString(taken.last_error or b"")
                raise Internal(
                    Reason.OPERATION_PARKED,
                    f"{taken.subject} stopped after repeated unexplained failures: {last.message}"[:500],
                    {"operation": str(op_id)},
                )
            if time.monotonic() + JOIN_POLL_SECONDS > deadline:
                raise Aborted(
                    Reason.OPERATION_IN_PROGRESS,
                    f"{taken.subject} is being processed; retry with the same request id",
                    {"operation": str(op_id)},
                )
            await asyncio.sleep(JOIN_POLL_SECONDS)

    # The sweeper

    async def sweep_forever(self) -> None:
        """Resumes operations nobody is driving: due again after a backoff, or held by a process
        that died (its lease ran out), up to `sweep_batch` at once. Parked ones get one more
        chance at start, since a new process may carry the fix for what parked them."""
        await self.unpark()
        await work_forever(
            self._claim_due,
            self._resume,
            lambda: self.settings.sweep_batch,
            partial(asyncio.sleep, self.settings.sweep_seconds),
            self.settings.sweep_seconds,
        )

    async def unpark(self) -> None:
        """Parked operations run again (at start: the process may carry the fix)."""
        try:
            async with self.database.transaction() as connection:
                await connection.execute(
                    "UPDATE operation SET state = 'RUNNING', unexplained_failures = 0, due_at = $1"
                    " WHERE state = 'PARKED'",
                    self.clock.now(),
                )
        except Exception as exc:
            log.warning("could not unpark operations", extra={"fields": {"error": repr(exc)}})

    async def _claim_due(self, limit: int) -> list[Operation] | None:
        """Leases up to `limit` due operations nobody holds, with their steps; None when the
        database could not be asked."""
        try:
            async with self.database.transaction() as connection:
                at = self.clock.now()
                rows = await OPERATIONS.claim_due(connection, self.lease_holder(), at, at + self.lease, limit)
                return [await self._load(connection, row) for row in rows]
        except Exception as exc:
            log.warning("sweeping failed; trying again", extra={"fields": {"error": repr(exc)}})
            return None

    async def _resume(self, op: Operation) -> None:
        log.info("resuming operation", extra={"fields": {"operation": op.kind, "subject": op.subject}})
        try:
            await self._run(op)
        except Exception:
            # A refusal is recorded; anything else is postponed or the lease runs out. The
            # operation's own record says which; nobody is waiting here for the answer.
            return
