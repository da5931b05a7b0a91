"""Running registry cases: lodging, the clerks' verbs, and entering in the book through each
kind's handler. The service that owns the cases supplies one handler per case kind.

Entering a case (登簿) reaches the register and often other offices, so it runs as an operation
of the journal (shared/journal.py): the case is marked as being entered in the transaction that
starts the operation, the handler takes its steps with no transaction open, and the case's own
move to registered and issued is committed with the office's records in one last local step. A
refusal before the book commit refuses the case (the "file once" path) or leaves it approved
for the clerk (the clerk's RegisterCase), as recorded steps, so a resumed operation never
decides twice.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol, TypeVar, TypeVarTuple

import asyncpg
import grpc
from google.protobuf.message import Message
from google.rpc import status_pb2

from deedflow.registry.v1 import registry_service_pb2 as registry_pb
from deedflow.type.v1.reasons import Reason
from shared.auth import Role, caller
from shared.casework import repository
from shared.casework.domain import (
    ENTERED,
    OPEN,
    REQUISITION_ANSWER_PERIOD,
    TIME_LIMIT_WORKING_DAYS,
    CaseKind,
    CaseState,
    answer_due,
    check_approve,
    check_close,
    check_register,
    check_requisition,
    check_resubmit,
)
from shared.casework.records import CaseEvent, RegistryCase
from shared.clock import Clock
from shared.db import Database
from shared.districts import authority_of
from shared.errors import AnsweredBefore, DomainError, FailedPrecondition, NotFound, PermissionDenied
from shared.grpc.status import error_info, to_status
from shared.journal import Driver, Operation, Refused, Render
from shared.numbering import allocate, case_number
from shared.outcomes import Failure, classify, status_of
from shared.transactions import Transactions
from shared.workdays import add_working_days

Apply = Callable[[asyncpg.Connection, dt.datetime], Awaitable[None]]
# The case as it stands in the transaction that closes its entry (CaseBook.enter).
CaseNow = Callable[[asyncpg.Connection], Awaitable["Case"]]


@dataclass(frozen=True)
class Registered:
    """What entering a case in the book produced, and the office's own records to write with
    the case's move to registered (`apply`)."""

    entries: list[str]
    document_number: str = ""
    apply: Apply | None = None


log = logging.getLogger("deedflow.cases")


@dataclass
class Case:
    row: RegistryCase
    history: list[CaseEvent] = field(default_factory=list)

    @property
    def number(self) -> str:
        number: str = self.row.case_number
        return number

    @property
    def name(self) -> str:
        return f"cases/{self.number}"

    @property
    def kind(self) -> CaseKind:
        return CaseKind(self.row.kind)

    @property
    def state(self) -> CaseState:
        return CaseState(self.row.state)

    @property
    def subject(self) -> str:
        subject: str = self.row.subject
        return subject

    @property
    def corrections(self) -> list[dict[str, str]]:
        raw = self.row.corrections
        corrections: list[dict[str, str]] = json.loads(raw) if isinstance(raw, str) else raw
        return corrections


class CaseHandler(Protocol):
    """What one kind of case does at review, at 登簿, and when it ends without registering."""

    async def review(self, case: Case) -> None:
        """The checks a clerk's approval (审核) rests on: reads of other offices, no changes."""

    async def register(self, op: Operation, case: Case) -> Registered:
        """The steps that enter the case in the book (op.call, op.remember); a refusal before the
        book's commit refuses the application, after it the steps must be taken."""

    async def abandon(self, connection: asyncpg.Connection, case: Case, at: dt.datetime) -> None: ...


def refuse_if_restricted(restrictions: Sequence[registry_pb.Restriction]) -> None:
    """The register's first restriction (a CheckDisposal answer) as this office's refusal."""
    if restrictions:
        first = restrictions[0]
        raise FailedPrecondition(
            Reason(first.reason),
            f"the register refuses: {first.reason} ({first.legal_basis})",
            {"entry": first.entry},
        )


def _log_case(name: str, kind: CaseKind, state: CaseState, overdue: bool) -> None:
    """One line per move of a case, naming it, with whether its statutory time limit had passed."""
    fields = {"case": name, "kind": kind.value, "state": state.value, "overdue": overdue}
    (log.warning if overdue else log.info)("case", extra={"fields": fields})


class CaseBook:
    def __init__(self, prefix: str, handlers: dict[CaseKind, CaseHandler], domain: str) -> None:
        # The case number's prefix names the office, e.g. YG (预告), ZY (转移), DY (抵押).
        self.prefix = prefix
        self.handlers = handlers
        self.domain = domain

    async def load(self, connection: asyncpg.Connection, name: str, lock: bool = False) -> Case:
        number = name.removeprefix("cases/")
        row = await repository.case(connection, number, lock)
        if row is None:
            raise NotFound(f"no case {name!r}")
        return Case(row, await repository.events(connection, number))

    async def _reload(self, connection: asyncpg.Connection, case: Case) -> Case:
        return await self.load(connection, case.name)

    async def _move(
        self,
        connection: asyncpg.Connection,
        case: Case,
        state: CaseState,
        actor: str,
        at: dt.datetime,
        notes: Sequence[str] = (),
        **columns: Any,
    ) -> None:
        await repository.update_case(connection, case.number, at, state=state.value, **columns)
        await repository.add_event(connection, case.number, state.value, actor, at, list(notes))
        _log_case(case.name, case.kind, state, at > case.row.due_time)

    async def lodge(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        kind: CaseKind,
        unit_number: str,
        applicants: list[str],
        subject: str,
        actor: str,
        entering: uuid.UUID | None = None,
    ) -> Case:
        """受理, numbered by the authority's counter. With `entering` (the "file once" path) the
        case is approved at once and that operation enters it in the book; a refusal on the way
        refuses the case with the reason. Otherwise it waits in the clerks' queue."""
        authority = authority_of(unit_number)
        (serial,) = await allocate(connection, f"CASE/{self.prefix}", authority, at.year)
        number = case_number(self.prefix, authority, at.year, serial)
        limit = TIME_LIMIT_WORKING_DAYS[kind]
        state = CaseState.APPROVED if entering else CaseState.LODGED
        states = [CaseState.LODGED, CaseState.APPROVED] if entering else [CaseState.LODGED]
        row, events = await repository.insert_case(
            connection,
            {
                "case_number": number,
                "kind": kind.value,
                "state": state.value,
                "unit_number": unit_number,
                "applicants": applicants,
                "subject": subject,
                "lodge_time": at,
                "time_limit_working_days": limit,
                "due_time": add_working_days(at, limit),
                "update_time": at,
                "register_operation": entering,
            },
            [s.value for s in states],
            actor,
            at,
        )
        for moved in states:
            _log_case(f"cases/{number}", kind, moved, False)
        return Case(row, events)

    async def requisition(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        name: str,
        corrections: list[dict[str, str]],
        actor: str,
    ) -> Case:
        case = await self.load(connection, name, lock=True)
        earlier = await repository.requisition_times(connection, case.number)
        check_requisition(case.state, len(corrections), bool(earlier))
        notes = [f"{c['subject']}: {c['description']}" for c in corrections]
        await self._move(connection, case, CaseState.REQUISITIONED, actor, at, notes, corrections=corrections)
        return await self._reload(connection, case)

    async def resubmit(
        self, connection: asyncpg.Connection, at: dt.datetime, name: str, answers: list[str], actor: str
    ) -> Case:
        case = await self.load(connection, name, lock=True)
        asked = await repository.requisition_times(connection, case.number)
        check_resubmit(case.state, asked[-1] if asked else None, at)
        # The clock restarts from the corrected application (条例 17).
        limit = case.row.time_limit_working_days
        await self._move(
            connection,
            case,
            CaseState.LODGED,
            actor,
            at,
            answers,
            corrections=[],
            due_time=add_working_days(at, limit),
        )
        return await self._reload(connection, case)

    async def review(self, case: Case) -> None:
        """审核's checks, read from the other offices before the approval's transaction opens;
        the book checks again, atomically, when the case is entered."""
        check_approve(case.state)
        await self.handlers[case.kind].review(case)

    async def approve(self, connection: asyncpg.Connection, at: dt.datetime, name: str, actor: str) -> Case:
        case = await self.load(connection, name, lock=True)
        check_approve(case.state)
        await self._move(connection, case, CaseState.APPROVED, actor, at)
        return await self._reload(connection, case)

    async def begin_entering(
        self, connection: asyncpg.Connection, at: dt.datetime, operation: uuid.UUID, name: str
    ) -> str:
        """Marks an approved case as being entered by `operation` (the clerk's RegisterCase): the
        first transaction of that operation."""
        case = await self.load(connection, name, lock=True)
        check_register(case.state, case.row.register_operation)
        await connection.execute(
            "UPDATE registry_case SET register_operation = $2 WHERE case_number = $1", case.number, operation
        )
        return case.name

    async def enter(self, op: Operation, name: str, refuse_on_refusal: bool) -> CaseNow:
        """登簿 then 发证, as the steps of `op`: the handler enters the case in the book and issues
        its document; the case moves with the office's records in the transaction that closes the
        operation with its answer. How to have the case as it stands in that transaction."""
        decided = op.recorded("refused")
        if decided is not None:
            raise AnsweredBefore(status_pb2.Status.FromString(decided))
        lodged = op.begun
        if isinstance(lodged, Case) and lodged.name == name:
            # Lodged by the transaction that started this operation, in this process, just now;
            # no clerk may act on a case an operation is entering.
            case = lodged
        else:
            case = await op.read(self.load, name)
        if case.state in ENTERED:
            return partial(self.load, name=name)
        try:
            registered = await self.handlers[case.kind].register(op, case)
        except Refused as refusal:
            status = refusal.status
        except grpc.aio.AioRpcError as exc:
            if classify(exc) is not Failure.REFUSAL:
                raise
            status = status_of(exc)
        except DomainError as refusal:
            status = to_status(refusal, self.domain)
        else:
            issued: list[Case] = []

            async def entered(connection: asyncpg.Connection, at: dt.datetime) -> None:
                if registered.apply is not None:
                    await registered.apply(connection, at)
                issued.append(await self._register(connection, at, case, registered, op.caller))

            async def as_issued(connection: asyncpg.Connection) -> Case:
                # Written by `entered` in this same transaction, just before: the rows in hand.
                return issued[-1]

            op.close_with(entered)
            return as_issued

        async def refused(connection: asyncpg.Connection, at: dt.datetime) -> bytes:
            current = await self.load(connection, name, lock=True)
            if refuse_on_refusal:
                await self.handlers[case.kind].abandon(connection, current, at)
                reasons = [_written_reason(status)]
                await self._move(
                    connection, current, CaseState.REFUSED, op.caller, at, reasons, refusal_reasons=reasons
                )
            await connection.execute(
                "UPDATE registry_case SET register_operation = NULL WHERE case_number = $1", current.number
            )
            refusal: bytes = status.SerializeToString()
            return refusal

        await op.local("refused", refused)
        raise AnsweredBefore(status)

    async def _register(
        self, connection: asyncpg.Connection, at: dt.datetime, case: Case, registered: Registered, actor: str
    ) -> Case:
        """登簿 and 发证 together: the case passes through REGISTERED to ISSUED, each move its own
        event, in one update of the case and one insert of its events. The case as issued."""
        row = await repository.update_case(
            connection,
            case.number,
            at,
            state=CaseState.ISSUED.value,
            register_time=at,
            entries=registered.entries,
            register_operation=None,
            document_number=registered.document_number,
        )
        document = [registered.document_number] if registered.document_number else []
        events = await repository.add_events(
            connection,
            case.number,
            [(CaseState.REGISTERED.value, []), (CaseState.ISSUED.value, document)],
            actor,
            at,
        )
        for state in (CaseState.REGISTERED, CaseState.ISSUED):
            _log_case(case.name, case.kind, state, at > case.row.due_time)
        return Case(row, [*case.history, *events])

    async def refuse(
        self, connection: asyncpg.Connection, at: dt.datetime, name: str, reasons: list[str], actor: str
    ) -> Case:
        case = await self.load(connection, name, lock=True)
        check_close(case.state, case.row.register_operation)
        await self.handlers[case.kind].abandon(connection, case, at)
        await self._move(connection, case, CaseState.REFUSED, actor, at, reasons, refusal_reasons=reasons)
        return await self._reload(connection, case)

    async def withdraw(self, connection: asyncpg.Connection, at: dt.datetime, name: str, actor: str) -> Case:
        case = await self.load(connection, name, lock=True)
        check_close(case.state, case.row.register_operation)
        await self.handlers[case.kind].abandon(connection, case, at)
        await self._move(connection, case, CaseState.WITHDRAWN, actor, at)
        return await self._reload(connection, case)

    async def lapse_if_unanswered(self, connection: asyncpg.Connection, at: dt.datetime, name: str) -> bool:
        """Lapses the case if its requisition went unanswered past its period: the application
        ends as if withdrawn, with the reason recorded. True if it lapsed now."""
        case = await self.load(connection, name, lock=True)
        asked = await repository.requisition_times(connection, case.number)
        if case.state is not CaseState.REQUISITIONED or not asked or at <= answer_due(asked[-1]):
            return False
        await self.handlers[case.kind].abandon(connection, case, at)
        await self._move(
            connection,
            case,
            CaseState.LAPSED,
            "deedflow://registry/requisitions",
            at,
            ["补正逾期未答复，申请失效"],
        )
        return True

    async def lapse_unanswered(self, database: Database, clock: Clock) -> int:
        """Lapses every case whose requisition went unanswered; each in its own transaction."""
        now = clock.now()
        async with database.transaction() as connection:
            overdue = await repository.unanswered_requisitions(connection, now - REQUISITION_ANSWER_PERIOD)
        lapsed = 0
        for number in overdue:
            async with database.transaction() as connection:
                lapsed += await self.lapse_if_unanswered(connection, now, f"cases/{number}")
        return lapsed

    async def list(
        self,
        connection: asyncpg.Connection,
        states: list[CaseState],
        kinds: list[CaseKind],
        lodged_before: dt.datetime | None,
        unit_number: str,
        after: str,
        limit: int,
    ) -> list[Case]:
        rows = await repository.list_cases(
            connection,
            [s.value for s in (states or OPEN)],
            [k.value for k in kinds],
            lodged_before,
            unit_number,
            after,
            limit,
        )
        return [Case(row, await repository.events(connection, row.case_number)) for row in rows]


# The answer of an RPC that lodges or enters a case: (connection, request, case) -> response.
RequestT = TypeVar("RequestT", bound=Message)
ResponseT = TypeVar("ResponseT", bound=Message)
Args = TypeVarTuple("Args")
Respond = Callable[[asyncpg.Connection, RequestT, Case], Awaitable[ResponseT]]
# Lodges a case in the caller's transaction (with the id of the operation entering it, if one
# does), given the connection, the time and that id, then the use case's own arguments.
Lodge = Callable[[asyncpg.Connection, dt.datetime, uuid.UUID | None, *Args], Awaitable[Case]]


def entering(
    book: CaseBook,
    request_type: type[RequestT],
    respond: Respond[RequestT, ResponseT],
    refuse_on_refusal: bool = True,
) -> Driver:
    """The driver of an operation that enters its case (the operation's subject) in the book and
    answers with `respond`: the same answer the RPC gives when its case waits for a clerk."""

    async def drive(op: Operation) -> Render:
        request = request_type.FromString(op.input)
        case_now = await book.enter(op, op.subject, refuse_on_refusal)

        async def render(connection: asyncpg.Connection) -> Message:
            # In the closing transaction, after the entry it may have just written.
            return await respond(connection, request, await case_now(connection))

        return render

    return drive


async def lodge_or_enter(
    tx: Transactions,
    method: str,
    request: Any,
    response_type: type[ResponseT],
    respond: Respond[Any, ResponseT],
    lodge: Lodge[*Args],
    *args: *Args,
    remembered: dict[str, Sequence[Message]] | None = None,
) -> ResponseT | bytes:
    """ "File once" (auto_register): lodged and entered, as an operation of the journal (its
    driver registered as `entering(..., respond)` under `method`), with any facts read for it
    already (`remembered`, Journal.start); else lodged in one transaction, to wait for a clerk.
    Either way the answer is `respond`'s; `lodge` is given `args` after the connection, the
    time and the operation's id. Only our own services (the orchestrator, which has
    checked every signature of the filing) may ask for the first."""
    if request.auto_register and caller().role is not Role.SERVICE:
        raise PermissionDenied(
            Reason.AUTO_REGISTER_NEEDS_SERVICE,
            "a case is entered without a clerk's review only when the platform files it; lodge"
            " without auto_register and a clerk will review it",
            {"field": "auto_register"},
        )
    if request.auto_register:
        begin = partial(_lodged_to_enter, lodge=lodge, args=args)
        return await tx.operate(method, request, method, begin, remembered)
    return await tx.write(method, request, response_type, _lodged_to_wait, request, respond, lodge, args)


async def _lodged_to_enter(
    connection: asyncpg.Connection,
    at: dt.datetime,
    operation: uuid.UUID,
    *,
    lodge: Lodge[*Args],
    args: tuple[*Args],
) -> tuple[str, Case]:
    """The first transaction of an operation entering a case: the case lodged, and handed to
    the driver with its name, so entering it needs no read back."""
    case = await lodge(connection, at, operation, *args)
    return case.name, case


async def _lodged_to_wait(
    connection: asyncpg.Connection,
    at: dt.datetime,
    request: Any,
    respond: Respond[Any, ResponseT],
    lodge: Lodge[*Args],
    args: tuple[*Args],
) -> ResponseT:
    """A case lodged to wait for a clerk, answered in the same transaction."""
    return await respond(connection, request, await lodge(connection, at, None, *args))


def _written_reason(status: status_pb2.Status) -> str:
    """The refusal's written reason (条例 22): the register's or office's reason and its words."""
    info = error_info(status)
    return f"{info.reason}: {status.message}" if info is not None else status.message
