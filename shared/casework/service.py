"""Running registry cases: lodging, the clerks' verbs, and entering in the book through each
kind's handler. The service that owns the cases supplies one handler per case kind."""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from dataclasses import dataclass, field
from typing import Protocol

import asyncpg

from shared.casework import repository
from shared.casework.domain import (
    OPEN,
    TIME_LIMIT_WORKING_DAYS,
    CaseKind,
    CaseState,
    add_working_days,
    check_approve,
    check_close,
    check_register,
    check_requisition,
    check_resubmit,
)
from shared.errors import FailedPrecondition, NotFound


@dataclass(frozen=True)
class Registered:
    """What entering a case in the book produced."""

    entries: list[str]
    document_number: str = ""


log = logging.getLogger("deedflow.cases")


@dataclass
class Case:
    row: asyncpg.Record
    history: list[asyncpg.Record] = field(default_factory=list)

    @property
    def number(self) -> str:
        return self.row["case_number"]

    @property
    def name(self) -> str:
        return f"cases/{self.number}"

    @property
    def kind(self) -> CaseKind:
        return CaseKind(self.row["kind"])

    @property
    def state(self) -> CaseState:
        return CaseState(self.row["state"])

    @property
    def subject(self) -> str:
        return self.row["subject"]

    @property
    def corrections(self) -> list[dict[str, str]]:
        raw = self.row["corrections"]
        return json.loads(raw) if isinstance(raw, str) else raw


class CaseHandler(Protocol):
    """What one kind of case does at review, at 登簿, and when it ends without registering."""

    async def review(self, connection: asyncpg.Connection, case: Case, at: dt.datetime) -> None: ...

    async def register(self, connection: asyncpg.Connection, case: Case, at: dt.datetime) -> Registered: ...

    async def abandon(self, connection: asyncpg.Connection, case: Case, at: dt.datetime) -> None: ...


# Derived request ids for the calls a case makes downstream: one per (case, step), so a retried
# step replays its first effect instead of doing it again.
_NAMESPACE = uuid.UUID("9d3a1f62-4e8b-4c7a-b5d2-1f0e6c9a8b47")


def step_request_id(case_number: str, step: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{case_number}/{step}"))


def refuse_if_restricted(restrictions) -> None:
    """The register's first restriction (a CheckDisposal answer) as this office's refusal."""
    if restrictions:
        first = restrictions[0]
        raise FailedPrecondition(
            first.reason,
            f"the register refuses: {first.reason} ({first.legal_basis})",
            {"entry": first.entry},
        )


def _log_case(name: str, kind: CaseKind, state: CaseState, overdue: bool) -> None:
    """One line per move of a case, naming it, with whether its statutory time limit had passed."""
    fields = {"case": name, "kind": kind.value, "state": state.value, "overdue": overdue}
    (log.warning if overdue else log.info)("case", extra={"fields": fields})


class CaseBook:
    def __init__(self, prefix: str, handlers: dict[CaseKind, CaseHandler]) -> None:
        # The case number's prefix names the office, e.g. YG (预告), ZY (转移), DY (抵押).
        self.prefix = prefix
        self.handlers = handlers

    async def load(self, connection: asyncpg.Connection, name: str, lock: bool = False) -> Case:
        number = name.removeprefix("cases/")
        row = await repository.case(connection, number, lock)
        if row is None:
            raise NotFound(f"no case {name!r}")
        return Case(row, await repository.events(connection, number))

    async def _reload(self, connection: asyncpg.Connection, case: Case) -> Case:
        return await self.load(connection, case.name)

    async def _move(
        self, connection, case: Case, state: CaseState, actor: str, at: dt.datetime, notes=(), **columns
    ) -> None:
        await repository.update_case(connection, case.number, at, state=state.value, **columns)
        await repository.add_event(connection, case.number, state.value, actor, at, list(notes))
        _log_case(case.name, case.kind, state, at > case.row["due_time"])

    async def lodge(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        kind: CaseKind,
        unit_number: str,
        applicants: list[str],
        subject: str,
        actor: str,
        auto_register: bool,
    ) -> Case:
        """受理; with auto_register the case is reviewed, approved and entered at once when every
        check passes (the "file once" path), else it waits in the clerks' queue."""
        serial = await repository.next_serial(connection, "case_number_seq")
        number = f"{self.prefix}{at.year}{serial:08d}"
        limit = TIME_LIMIT_WORKING_DAYS[kind]
        await repository.insert_case(
            connection,
            {
                "case_number": number,
                "kind": kind.value,
                "state": CaseState.LODGED.value,
                "unit_number": unit_number,
                "applicants": applicants,
                "subject": subject,
                "lodge_time": at,
                "time_limit_working_days": limit,
                "due_time": add_working_days(at, limit),
                "update_time": at,
            },
        )
        await repository.add_event(connection, number, CaseState.LODGED.value, actor, at, [])
        _log_case(f"cases/{number}", kind, CaseState.LODGED, False)
        case = await self.load(connection, f"cases/{number}")
        if auto_register:
            case = await self.approve(connection, at, case.name, actor)
            case = await self.register(connection, at, case.name, actor)
        return case

    async def requisition(
        self, connection, at, name: str, corrections: list[dict[str, str]], actor: str
    ) -> Case:
        case = await self.load(connection, name, lock=True)
        check_requisition(case.state, len(corrections))
        notes = [f"{c['subject']}: {c['description']}" for c in corrections]
        await self._move(connection, case, CaseState.REQUISITIONED, actor, at, notes, corrections=corrections)
        return await self._reload(connection, case)

    async def resubmit(self, connection, at, name: str, answers: list[str], actor: str) -> Case:
        case = await self.load(connection, name, lock=True)
        check_resubmit(case.state)
        # The clock restarts from the corrected application (条例 17).
        limit = case.row["time_limit_working_days"]
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

    async def approve(self, connection, at, name: str, actor: str) -> Case:
        case = await self.load(connection, name, lock=True)
        check_approve(case.state)
        await self.handlers[case.kind].review(connection, case, at)
        await self._move(connection, case, CaseState.APPROVED, actor, at)
        return await self._reload(connection, case)

    async def register(self, connection, at, name: str, actor: str) -> Case:
        """登簿 then 发证: the handler enters the case in the book and issues its document."""
        case = await self.load(connection, name, lock=True)
        check_register(case.state)
        registered = await self.handlers[case.kind].register(connection, case, at)
        await self._move(
            connection, case, CaseState.REGISTERED, actor, at, register_time=at, entries=registered.entries
        )
        await self._move(
            connection,
            case,
            CaseState.ISSUED,
            actor,
            at,
            [registered.document_number] if registered.document_number else [],
            document_number=registered.document_number,
        )
        return await self._reload(connection, case)

    async def refuse(self, connection, at, name: str, reasons: list[str], actor: str) -> Case:
        case = await self.load(connection, name, lock=True)
        check_close(case.state)
        await self.handlers[case.kind].abandon(connection, case, at)
        await self._move(connection, case, CaseState.REFUSED, actor, at, reasons, refusal_reasons=reasons)
        return await self._reload(connection, case)

    async def withdraw(self, connection, at, name: str, actor: str) -> Case:
        case = await self.load(connection, name, lock=True)
        check_close(case.state)
        await self.handlers[case.kind].abandon(connection, case, at)
        await self._move(connection, case, CaseState.WITHDRAWN, actor, at)
        return await self._reload(connection, case)

    async def list(
        self,
        connection,
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
        return [Case(row, await repository.events(connection, row["case_number"])) for row in rows]
