"""The saga engine: workers claim due purchases with leases and move each through its steps,
recording intent (the exact request) before every call and the outcome after it.

Any number of orchestrator processes run workers against the same tables, in the loop and under
the leases every durable worker has (shared/leases.py). A crashed worker's lease expires and
another worker takes the purchase over, resuming at the step whose intent was recorded and
sending its recorded request again, whose derived request id makes it a replay downstream.
Waiting for the tax payment, the building's completion or the handover is a state of the row,
never a sleeping function.

A failed call is classified once (shared/outcomes.py): an outage or lost race is retried with
backoff for as long as it lasts; a refusal parks the purchase for a clerk (or rejects it, at the
first step); an unexplained failure (INTERNAL, UNKNOWN, a bug) is retried a bounded number of
times and then parks the purchase with that error, where a clerk sees it.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import time
import uuid
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import asyncpg
from google.rpc import code_pb2

from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from services.orchestrator import repository
from services.orchestrator.clients import Clients
from services.orchestrator.config import SagaSettings
from services.orchestrator.domain import STATE_DURING, TAX_STEPS, PurchaseState, StepKind, StepState
from services.orchestrator.notifier import Notifier
from services.orchestrator.records import BuildingCompletion, Purchase, PurchaseStep
from services.orchestrator.render import purchase_message
from services.orchestrator.repository import PURCHASES
from services.orchestrator.saga import COMPENSATIONS, FORWARD
from services.orchestrator.steps import Context, Wait, fault_point
from shared import faults, tracing
from shared.clock import Clock
from shared.context import subject_var
from shared.db import Database
from shared.dbhealth import database_unavailable
from shared.durable import LeaseLost, LeaseLostBeforeWriting, judge_failure, lease_holder
from shared.grouped_writes import GroupedWrites
from shared.leases import work_forever
from shared.metrics import ServiceMetrics
from shared.outcomes import Failure, classify, status_of
from shared.records import typed_all

log = logging.getLogger("deedflow.saga")

IDLE_POLL_SECONDS = 1.0
# Completions kept in memory at most (a city's buildings under handover at once are far fewer).
MAX_COMPLETIONS_REMEMBERED = 10_000


class Door:
    """When this process's door last took a filing: the saga's workers hold back while it is busy."""

    def __init__(self) -> None:
        self.last_filing = -float("inf")

    def filing(self) -> None:
        self.last_filing = time.monotonic()

    def quiet_for(self) -> float:
        return time.monotonic() - self.last_filing


# A step's record: (kind, direction, the columns to set).
StepRecord = tuple[str, str, dict[str, Any]]


async def save(
    connection: asyncpg.Connection,
    purchase_id: uuid.UUID,
    at: dt.datetime,
    lease_holder: str | None,
    step: StepRecord | list[StepRecord] | None = None,
    **columns: Any,
) -> int:
    """One recorded change: the purchase's columns, its steps' records, a new version for
    watchers, all in the caller's transaction. Raises LeaseLostBeforeWriting when the lease is
    gone: the purchase's row is the change's first write, so nothing of it was written."""
    if "documents" in columns:
        # Kept as a column: the tax office's word that this contract is paid finds the purchase.
        columns["contract"] = pb.PurchaseDocuments.FromString(columns["documents"]).contract or None
    row = await repository.update_purchase(connection, purchase_id, lease_holder, update_time=at, **columns)
    if row is None:
        raise LeaseLostBeforeWriting(str(purchase_id))
    records = [step] if isinstance(step, tuple) else step or []
    # The snapshot is built from the step rows the write itself returns.
    snapshot = purchase_message(row, await repository.write_steps(connection, purchase_id, records))
    version: int = row.version
    await repository.record_version(connection, purchase_id, version, snapshot.SerializeToString(), at)
    return version


# The lease the purchase being advanced (in this task) was claimed under: every write of the
# advance is fenced by it. Read when a write is made, never inside a grouped write's change,
# which may run in another purchase's task.
_holding: contextvars.ContextVar[str] = contextvars.ContextVar("saga_lease_holder")


def hold(row: Purchase) -> None:
    """The advance running in this task holds the lease `row` was claimed under."""
    _holding.set(row.leased_by or "")


async def _steps_and_completion(
    connection: asyncpg.Connection, row: Purchase
) -> tuple[list[PurchaseStep], BuildingCompletion | None]:
    """A purchase's step log and its building's completion: two single reads without BEGIN and
    COMMIT (at READ COMMITTED each statement has its own snapshot anyway, and the completion is
    looked at again where it counts, Engine._wait_for_completion)."""
    return (
        await repository.steps(connection, row.id),
        await repository.completion(connection, row.building_number),
    )


@dataclass
class _Unwritten:
    """What an advance has learnt and not yet written: the steps' outcomes and the purchase's
    columns they set. They go with its next write (an intent, a wait, a failure or the end)."""

    records: list[StepRecord] = field(default_factory=list)
    columns: dict[str, Any] = field(default_factory=dict)
    # Whether the step being taken recorded an intent in this advance.
    intended: bool = False

    def taken(self) -> list[StepRecord]:
        """The records, now handed to a write, and none left."""
        records, self.records, self.columns = self.records, [], {}
        return records


class Engine:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        clients: Clients,
        notifier: Notifier,
        worker: str,
        settings: SagaSettings,
        metrics: ServiceMetrics | None = None,
        door: Door | None = None,
    ) -> None:
        self.metrics = metrics
        self.door = door or Door()
        self.database = database
        self.clock = clock
        self.clients = clients
        self.notifier = notifier
        self.worker = worker
        self.settings = settings
        self.lease = settings.durable.lease
        # A purchase whose lease is found lost has written nothing: it fails alone.
        self.writes = GroupedWrites(database, separable=(LeaseLostBeforeWriting,))
        # Buildings' completions as read, by building number (see _steps).
        self._completions: dict[str, BuildingCompletion] = {}

    def _observe(self, kind: StepKind, outcome: str, began: float) -> None:
        seconds = time.perf_counter() - began
        log.info(
            "step",
            extra={
                "fields": {"step": kind.value, "outcome": outcome, "duration_ms": round(seconds * 1000, 2)}
            },
        )
        if self.metrics is not None:
            self.metrics.step_duration.labels(kind.value, outcome).observe(seconds)

    async def run(self) -> None:
        """Claim and advance due purchases until cancelled, up to `_limit()` at once, as every
        durable worker does (shared/leases.py::work_forever): nothing but cancellation ends it."""
        await work_forever(
            self._claim,
            self._advance_claimed,
            self._limit,
            partial(self.notifier.wait_due, IDLE_POLL_SECONDS),
            IDLE_POLL_SECONDS,
        )

    def _limit(self) -> int:
        """How many purchases to advance at once. The door and the workers share this process:
        while filings come in, the workers keep to `claim_batch` so the door answers promptly
        (at 64 filings at once, four times as many purchases in flight tripled the door's p50);
        once the door is quiet they take many more, which a handover needs so its transfers reach
        each office together."""
        if self.door.quiet_for() >= self.settings.door_quiet_seconds:
            return max(self.settings.claim_batch, self.settings.claim_batch_door_quiet)
        return self.settings.claim_batch

    async def _claim(self, limit: int) -> list[tuple[Purchase, list[PurchaseStep] | None]] | None:
        """Leases up to `limit` due purchases, each with its step log when several are claimed
        (read together: a handover claims a whole building's); None when the database could not
        be asked."""
        try:
            async with self.database.transaction() as connection:
                at = self.clock.now()
                # Each claim its own holder: a task of this process still running a purchase whose
                # lease ran out (a slow call) must not pass for the one that claimed it again.
                rows = await PURCHASES.claim_due(
                    connection, lease_holder(self.worker), at, at + self.lease, limit
                )
            claimed = typed_all(Purchase, rows)
            known = await self._steps_of(claimed) if len(claimed) > 1 else {}
            return [(row, known.get(row.id)) for row in claimed]
        except Exception as exc:
            if not database_unavailable(exc):
                log.exception("claiming failed; retrying")
            else:
                log.warning(
                    "database unavailable; claiming again shortly", extra={"fields": {"error": repr(exc)}}
                )
            return None

    async def _steps_of(self, rows: list[Purchase]) -> dict[uuid.UUID, list[PurchaseStep]]:
        """The step logs of the purchases just claimed, in one read (a handover claims a whole
        building's at once); none when the database could not be asked: each reads its own."""
        try:
            return await self.database.read(repository.steps_of, [row.id for row in rows])
        except Exception as exc:
            # The worker's loop goes on whatever happened here: each purchase reads its own.
            if not database_unavailable(exc):
                log.exception("reading the claimed purchases' steps failed")
            return {}

    async def _advance_claimed(self, claimed: tuple[Purchase, list[PurchaseStep] | None]) -> None:
        await self._advance_safely(*claimed)

    async def _advance_safely(self, row: Purchase, steps: list[PurchaseStep] | None = None) -> None:
        name = f"purchases/{row.id}"
        subject_var.set(name)
        hold(row)
        try:
            # In the trace the purchase was filed in: an operator follows one purchase from the
            # developer's call through every office, however long it waited between steps.
            with tracing.continued(row.trace_context, "saga.advance", purchase=name, state=row.state):
                await self.advance(row, steps)
        except LeaseLost:
            log.warning(
                "lease lost; another worker has the purchase", extra={"fields": {"purchase": str(row.id)}}
            )
        except Exception as exc:
            if database_unavailable(exc):
                # The step's record may or may not have been written; its lease runs out and the
                # step is replayed with the same request id, which every office answers once.
                log.warning("database unavailable during a step", extra={"fields": {"error": repr(exc)}})
                return
            # A bug in the engine itself (steps' own failures are recorded on the step): keep the
            # purchase due later so it is not lost, and say so.
            log.exception("advancing crashed", extra={"fields": {"purchase": str(row.id)}})
            try:
                async with self.database.transaction() as connection:
                    await PURCHASES.release(connection, row.id, row.leased_by or "")
            except Exception:
                log.exception("could not release the purchase; its lease will run out")

    async def _write(
        self,
        purchase_id: uuid.UUID,
        step: StepRecord | list[StepRecord] | None = None,
        tax_words: int | None = None,
        **columns: Any,
    ) -> None:
        """The change is written with the changes other purchases make at the same moment, in one
        transaction (shared/grouped_writes.py): a handover's two hundred purchases in flight
        share their commits. Returns once it is committed. With `tax_words` (a wait for the tax,
        and the count of the tax office's words when the purchase was claimed), a word that came
        since keeps the purchase due."""
        change = partial(self._saved, purchase_id, _holding.get(), step, tax_words, columns)
        await self.writes(change, str(purchase_id))

    async def _saved(
        self,
        purchase_id: uuid.UUID,
        holder: str,
        step: StepRecord | list[StepRecord] | None,
        tax_words: int | None,
        columns: dict[str, Any],
        connection: asyncpg.Connection,
    ) -> None:
        """A change `_write` makes, in the group's transaction."""
        at = self.clock.now()
        await save(connection, purchase_id, at, holder, step, **columns)
        if tax_words is not None:
            await repository.wait_for_tax(connection, purchase_id, tax_words, at)

    async def _rest(self, purchase_id: uuid.UUID, due_at: dt.datetime | None, tax_words: int | None) -> None:
        """A step found waiting as it was: only when to look next is written. A purchase waiting
        months for its tax would otherwise leave a version in its history at every look."""
        change = partial(self._rested, purchase_id, _holding.get(), due_at, tax_words)
        await self.writes(change, str(purchase_id))

    async def _rested(
        self,
        purchase_id: uuid.UUID,
        holder: str,
        due_at: dt.datetime | None,
        tax_words: int | None,
        connection: asyncpg.Connection,
    ) -> None:
        """The change `_rest` makes, in the group's transaction."""
        at = self.clock.now()
        if not await repository.rest(connection, purchase_id, holder, due_at):
            raise LeaseLostBeforeWriting(str(purchase_id))
        if tax_words is not None:
            await repository.wait_for_tax(connection, purchase_id, tax_words, at)

    async def _wait_for_completion(self, row: Purchase, records: list[StepRecord], **columns: Any) -> None:
        """Records the wait for the building's completion, unless it has come meanwhile: read in
        the same transaction, a completion committed since this advance began keeps the purchase
        due, so the wake CompleteBuilding gave is never overwritten by this wait."""
        async with self.database.transaction() as connection:
            # The row first: a completion committing between the read and the write below would
            # wake the purchase, unseen, and the write would put it back to sleep for good. Held,
            # the row makes that completion wait for this write and wake the purchase after it.
            await repository.purchase(connection, row.id, lock=True)
            at = self.clock.now()
            if await repository.completion(connection, row.building_number) is not None:
                columns["due_at"] = at
            await save(connection, row.id, at, _holding.get(), records, **columns)

    async def advance(self, row: Purchase, steps: list[PurchaseStep] | None = None) -> None:
        """One advance of a purchase this worker holds; `steps`, its step log if already read
        since it was claimed."""
        state = PurchaseState(row.state)
        if state is PurchaseState.CANCELLING:
            await self._compensate(row, steps)
        elif state in (PurchaseState.FILING, PurchaseState.AWAITING_COMPLETION, PurchaseState.TRANSFERRING):
            await self._forward(row, steps)
        else:
            await self._write(row.id, due_at=None, leased_by=None, lease_until=None)

    async def _context(
        self,
        row: Purchase,
        documents: pb.PurchaseDocuments,
        records: dict[tuple[str, str], PurchaseStep],
        completion: BuildingCompletion | None,
    ) -> Context:
        filing = pb.PurchaseFiling.FromString(row.filing)
        survey = None
        if completion is not None:
            request = pb.CompleteBuildingRequest.FromString(completion.request)
            survey = next((u for u in request.survey if u.presale_unit_number == filing.unit_number), None)
        cancellation = pb.CancelPurchaseRequest.FromString(row.cancellation) if row.cancellation else None
        return Context(
            row.id,
            filing,
            documents,
            self.clients,
            self.clock.now(),
            completion is not None,
            cancellation,
            {key: record.generation for key, record in records.items()},
            survey,
            dt.timedelta(seconds=self.settings.tax_recheck_seconds),
            contract_pb.Unit.FromString(row.unit) if row.unit else None,
            tax_heard=row.tax_words > 0 or (StepKind.TAX_PAID.value, "FORWARD") in records,
            intents={key: record.intent for key, record in records.items() if record.intent is not None},
        )

    async def _steps(
        self, row: Purchase, steps: list[PurchaseStep] | None = None
    ) -> tuple[dict[tuple[str, str], PurchaseStep], BuildingCompletion | None]:
        """The purchase's step log (read here unless given) and its building's completion (None
        before it), read once per advance."""
        known = self._completions.get(row.building_number)
        if known is not None:
            if steps is None:
                steps = await self.database.read(repository.steps, row.id)
            return {(r.kind, r.direction): r for r in steps}, known
        if steps is None:
            step_rows, completion = await self.database.read(_steps_and_completion, row)
        else:
            step_rows = steps
            completion = await self.database.read(repository.completion, row.building_number)
        if completion is not None:
            # A building is completed once and for ever (the row is never changed): kept.
            if len(self._completions) >= MAX_COMPLETIONS_REMEMBERED:
                self._completions.clear()
            self._completions[row.building_number] = completion
        return {(r.kind, r.direction): r for r in step_rows}, completion

    async def _forward(self, row: Purchase, steps: list[PurchaseStep] | None = None) -> None:
        """Each step's outcome is written with the next step's intent, in one transaction: the
        intent still precedes its call, and a crash between a call and that transaction replays
        the call under its request id, as a crash before any outcome write always did."""
        purchase_id = row.id
        documents = pb.PurchaseDocuments.FromString(row.documents)
        filing = pb.PurchaseFiling.FromString(row.filing)
        records, completion = await self._steps(row, steps)
        unwritten = _Unwritten()
        for step in FORWARD:
            record = records.get((step.kind.value, "FORWARD"))
            if record is not None and record.state in (StepState.SUCCEEDED.value, StepState.SKIPPED.value):
                continue
            now = self.clock.now()
            if not step.applies(filing):
                unwritten.records.append(
                    (step.kind.value, "FORWARD", {"state": StepState.SKIPPED.value, "end_time": now})
                )
                continue
            attempts = (record.attempts if record else 0) + 1
            started = (record.start_time if record else None) or now
            context = await self._context(row, documents, records, completion)
            unwritten.intended = False
            context.intend = partial(self._intend, purchase_id, started, attempts, unwritten)
            began = time.perf_counter()
            try:
                with tracing.span(f"saga.{step.kind.value}", purchase=f"purchases/{purchase_id}"):
                    outcome = await step.forward(context)
                faults.reached(fault_point(step.kind, "FORWARD", "after-call"))
            except LeaseLost:
                # Found by the intent's write: another worker has the purchase.
                raise
            except Exception as exc:
                if database_unavailable(exc):
                    raise
                self._observe(step.kind, code_pb2.Code.Name(status_of(exc).code), began)
                await self._failed(
                    purchase_id, step.kind, "FORWARD", attempts, record, exc, documents, unwritten.taken()
                )
                return
            self._observe(step.kind, "WAITING" if isinstance(outcome, Wait) else "OK", began)
            if isinstance(outcome, Wait):
                fresh = bool(unwritten.intended or unwritten.records)
                await self._wait(
                    row, step.kind, record, outcome, documents, unwritten.taken(), fresh, started, attempts
                )
                return
            unwritten.records.append((step.kind.value, "FORWARD", self._succeeded(started, attempts)))
            unwritten.columns = {"documents": documents.SerializeToString()}
        columns = unwritten.columns
        done = unwritten.taken()
        await self._write(purchase_id, done, due_at=None, leased_by=None, lease_until=None, **columns)
        self._recorded(done)

    async def _intend(
        self,
        purchase_id: uuid.UUID,
        started: dt.datetime,
        attempts: int,
        unwritten: _Unwritten,
        kind: StepKind,
        direction: str,
        intent: bytes,
    ) -> None:
        """Intent first (Context.send): the exact request, so that if this process dies during
        the call the next worker sends the same bytes again. The outcomes taken before it and not
        yet written go in the same transaction."""
        record = {
            "state": StepState.RUNNING.value,
            "start_time": started,
            "attempts": attempts,
            "worker": self.worker,
            "intent": intent,
        }
        columns = unwritten.columns | {"state": STATE_DURING[kind].value}
        taken = unwritten.taken()
        await self._write(purchase_id, [*taken, (kind.value, direction.upper(), record)], **columns)
        unwritten.intended = True
        self._recorded(taken)

    async def _wait(
        self,
        row: Purchase,
        kind: StepKind,
        record: PurchaseStep | None,
        outcome: Wait,
        documents: pb.PurchaseDocuments,
        unwritten: list[StepRecord],
        fresh: bool,
        started: dt.datetime,
        attempts: int,
    ) -> None:
        """Records a step found waiting (for the tax, the building's completion, the handover)
        with the outcomes taken before it, the purchase due again when the wait may be over."""
        purchase_id = row.id
        during = STATE_DURING[kind].value
        waiting = (
            kind.value,
            "FORWARD",
            {
                "state": StepState.WAITING.value,
                "start_time": started,
                "attempts": attempts,
                "last_error": None,
            },
        )
        wait_columns: dict[str, Any] = {
            "state": during,
            "documents": documents.SerializeToString(),
            "due_at": outcome.until,
            "leased_by": None,
            "lease_until": None,
        }
        # A look that found the wait as it was (no intent written, nothing else learnt).
        unchanged = (
            not fresh
            and record is not None
            and record.state == StepState.WAITING.value
            and row.state == during
            and pb.PurchaseDocuments.FromString(row.documents) == documents
        )
        tax_words = row.tax_words if kind in TAX_STEPS else None
        if unchanged and kind is not StepKind.BUILDING_FIRST_REGISTERED:
            await self._rest(purchase_id, outcome.until, tax_words)
        elif kind is StepKind.BUILDING_FIRST_REGISTERED:
            await self._wait_for_completion(row, [*unwritten, waiting], **wait_columns)
        elif kind in TAX_STEPS:
            await self._write(purchase_id, [*unwritten, waiting], tax_words=row.tax_words, **wait_columns)
        else:
            await self._write(purchase_id, [*unwritten, waiting], **wait_columns)
        self._recorded(unwritten)

    def _succeeded(self, started: dt.datetime, attempts: int) -> dict[str, Any]:
        """A step's record once its call (or its local work) is done. Its intent goes: nothing
        sends a step again once its outcome is in, and every read of the step log (each claim,
        each write's snapshot) would otherwise carry each request sent, signatures and all."""
        return {
            "state": StepState.SUCCEEDED.value,
            "worker": self.worker,
            "start_time": started,
            "end_time": self.clock.now(),
            "attempts": attempts,
            "last_error": None,
            "next_attempt_time": None,
            "intent": None,
        }

    @staticmethod
    def _recorded(records: list[StepRecord]) -> None:
        """The fault point after a write that recorded steps as succeeded: one line of code,
        so one point, named for the last of them (the steps before it share its transaction)."""
        succeeded = [
            (kind, direction)
            for kind, direction, fields in records
            if fields["state"] == StepState.SUCCEEDED.value
        ]
        if succeeded:
            kind, direction = succeeded[-1]
            faults.reached(fault_point(StepKind(kind), direction, "after-record"))

    async def _failed(
        self,
        purchase_id: uuid.UUID,
        kind: StepKind,
        direction: str,
        attempts: int,
        record: PurchaseStep | None,
        error: BaseException,
        documents: pb.PurchaseDocuments,
        unwritten: list[StepRecord] | None = None,
    ) -> None:
        """Records a failed attempt, with the outcomes taken before it and not yet written:
        retried later (an outage, or an unexplained failure within its bound), or parked for a
        clerk (a refusal, or unexplained failures beyond the bound)."""
        unwritten = unwritten or []
        unexplained_before = record.unexplained_failures if record else 0
        now = self.clock.now()
        failed = judge_failure(self.settings.durable, error, attempts, unexplained_before, now)
        problem = failed.status.SerializeToString()
        step = {
            "last_error": problem,
            "attempts": attempts,
            "unexplained_failures": failed.unexplained_failures,
        }
        if failed.retry_at is not None:
            step |= {"state": StepState.RUNNING.value, "next_attempt_time": failed.retry_at}
            columns: dict[str, Any] = {"due_at": failed.retry_at}
        else:
            # A refusal needs a person; the very first step's refusal means the filing never took.
            first = kind is StepKind.CONTRACT_SIGNED and direction == "FORWARD"
            refused = failed.failure is Failure.REFUSAL
            outcome = PurchaseState.REJECTED if refused and first else PurchaseState.PARKED
            step |= {"state": StepState.FAILED.value, "end_time": now}
            columns = {"due_at": None, "state": outcome.value, "problem": problem}
        await self._write(
            purchase_id,
            [*unwritten, (kind.value, direction, step)],
            documents=documents.SerializeToString(),
            leased_by=None,
            lease_until=None,
            **columns,
        )

    async def _intend_undoing(
        self,
        purchase_id: uuid.UUID,
        attempts: int,
        documents: pb.PurchaseDocuments,
        kind: StepKind,
        direction: str,
        intent: bytes,
    ) -> None:
        """A compensation's intent, its exact request, recorded before its call (Context.send)."""
        record = {
            "state": StepState.RUNNING.value,
            "start_time": self.clock.now(),
            "attempts": attempts,
            "intent": intent,
        }
        await self._write(
            purchase_id, (kind.value, direction.upper(), record), documents=documents.SerializeToString()
        )

    async def _undone(self, purchase_id: uuid.UUID, kind: StepKind) -> None:
        """Records a step undone: its forward record compensated, its compensation succeeded."""
        async with self.database.transaction() as connection:
            at = self.clock.now()
            await repository.upsert_step(
                connection, purchase_id, kind.value, "FORWARD", state=StepState.COMPENSATED.value, intent=None
            )
            succeeded = {
                "state": StepState.SUCCEEDED.value,
                "end_time": at,
                "last_error": None,
                "intent": None,
            }
            await save(connection, purchase_id, at, _holding.get(), (kind.value, "COMPENSATE", succeeded))

    async def _compensate(self, row: Purchase, steps: list[PurchaseStep] | None = None) -> None:
        purchase_id = row.id
        documents = pb.PurchaseDocuments.FromString(row.documents)
        records, completion = await self._steps(row, steps)
        for kind, undo in COMPENSATIONS:
            forward = records.get((kind.value, "FORWARD"))
            done = records.get((kind.value, "COMPENSATE"))
            if forward is None or forward.state in (StepState.SKIPPED.value, StepState.COMPENSATED.value):
                continue
            if done is not None and done.state == StepState.SUCCEEDED.value:
                continue
            attempts = (done.attempts if done else 0) + 1
            context = await self._context(row, documents, records, completion)
            if forward.state != StepState.SUCCEEDED.value:
                # The step was under way (its call may or may not have taken effect): replaying it
                # (its recorded request, nothing new recorded) tells which, and names what to undo.
                step = next(s for s in FORWARD if s.kind is kind)
                try:
                    await step.forward(context)
                except Exception as exc:
                    if database_unavailable(exc):
                        raise
                    if classify(exc) is not Failure.REFUSAL:
                        await self._failed(purchase_id, kind, "COMPENSATE", attempts, done, exc, documents)
                        return
                    await self._write(
                        purchase_id, (kind.value, "FORWARD", {"state": StepState.COMPENSATED.value})
                    )
                    continue
            context.intend = partial(self._intend_undoing, purchase_id, attempts, documents)
            try:
                await undo(context)
                faults.reached(fault_point(kind, "COMPENSATE", "after-call"))
            except LeaseLost:
                raise
            except Exception as exc:
                if database_unavailable(exc):
                    raise
                await self._failed(purchase_id, kind, "COMPENSATE", attempts, done, exc, documents)
                return
            await self._undone(purchase_id, kind)
        await self._write(
            purchase_id,
            state=PurchaseState.CANCELLED.value,
            due_at=None,
            leased_by=None,
            lease_until=None,
            problem=None,
        )
