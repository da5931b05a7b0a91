"""The clerks' use cases on an office's cases (受理, 补正, 审核, 登簿, 不予登记, 撤回): each opens its
transaction, with the request's idempotency record for a write, around a named unit of work of
the office's case book."""

from __future__ import annotations

import datetime as dt
from functools import partial

import asyncpg

from deedflow.casework.v1 import casework_service_pb2 as pb
from deedflow.type.v1.reasons import Reason
from shared.casework.domain import CaseKind, CaseState
from shared.casework.render import case_message
from shared.casework.service import Case, CaseBook, entering
from shared.errors import FailedPrecondition
from shared.transactions import Transactions


async def _registered(
    connection: asyncpg.Connection, request: pb.RegisterCaseRequest, case: Case
) -> pb.RegisterCaseResponse:
    return pb.RegisterCaseResponse(case_record=case_message(case))


class Casework:
    def __init__(self, book: CaseBook, tx: Transactions) -> None:
        self.book = book
        # The clerks' verbs share the owning service's idempotency store under their own names.
        self.tx = Transactions(tx.journal, "deedflow.casework.v1.CaseworkService")
        # A clerk's 登簿: a refusal on the way leaves the case approved, for the clerk to act on.
        tx.journal.driver(
            "RegisterCase", entering(book, pb.RegisterCaseRequest, _registered, refuse_on_refusal=False)
        )

    async def list_cases(
        self,
        states: list[CaseState],
        kinds: list[CaseKind],
        lodged_before: dt.datetime | None,
        unit_number: str,
        after: str,
        limit: int,
    ) -> list[Case]:
        return await self.tx.read(self.book.list, states, kinds, lodged_before, unit_number, after, limit)

    async def case(self, name: str) -> Case:
        return await self.tx.read(self.book.load, name)

    async def requisition(
        self, request: pb.RequisitionCaseRequest, corrections: list[dict[str, str]], actor: str
    ) -> pb.RequisitionCaseResponse:
        return await self.tx.write(
            "RequisitionCase",
            request,
            pb.RequisitionCaseResponse,
            self._requisitioned,
            request,
            corrections,
            actor,
        )

    async def resubmit(self, request: pb.ResubmitCaseRequest, actor: str) -> pb.ResubmitCaseResponse:
        # An answer after the requisition's period finds the application lapsed: the lapse is
        # recorded in its own transaction, then the answer is refused.
        async with self.tx.database.transaction() as connection:
            lapsed = await self.book.lapse_if_unanswered(connection, self.tx.clock.now(), request.name)
        if lapsed:
            raise FailedPrecondition(
                Reason.CASE_LAPSED, "the requisition went unanswered and the application lapsed; apply anew"
            )
        return await self.tx.write(
            "ResubmitCase", request, pb.ResubmitCaseResponse, self._resubmitted, request, actor
        )

    async def approve(self, request: pb.ApproveCaseRequest, actor: str) -> pb.ApproveCaseResponse:
        await self.book.review(await self.case(request.name))
        return await self.tx.write(
            "ApproveCase", request, pb.ApproveCaseResponse, self._approved, request, actor
        )

    async def register(self, request: pb.RegisterCaseRequest) -> pb.RegisterCaseResponse | bytes:
        begin = partial(self.book.begin_entering, name=request.name)
        return await self.tx.operate("RegisterCase", request, "RegisterCase", begin)

    async def refuse(self, request: pb.RefuseCaseRequest, actor: str) -> pb.RefuseCaseResponse:
        return await self.tx.write(
            "RefuseCase", request, pb.RefuseCaseResponse, self._refused, request, actor
        )

    async def withdraw(self, request: pb.WithdrawCaseRequest, actor: str) -> pb.WithdrawCaseResponse:
        return await self.tx.write(
            "WithdrawCase", request, pb.WithdrawCaseResponse, self._withdrawn, request, actor
        )

    # Units of work, each in the transaction its use case opened.

    async def _requisitioned(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        request: pb.RequisitionCaseRequest,
        corrections: list[dict[str, str]],
        actor: str,
    ) -> pb.RequisitionCaseResponse:
        case = await self.book.requisition(connection, at, request.name, corrections, actor)
        return pb.RequisitionCaseResponse(case_record=case_message(case))

    async def _resubmitted(
        self, connection: asyncpg.Connection, at: dt.datetime, request: pb.ResubmitCaseRequest, actor: str
    ) -> pb.ResubmitCaseResponse:
        case = await self.book.resubmit(connection, at, request.name, list(request.answers), actor)
        return pb.ResubmitCaseResponse(case_record=case_message(case))

    async def _approved(
        self, connection: asyncpg.Connection, at: dt.datetime, request: pb.ApproveCaseRequest, actor: str
    ) -> pb.ApproveCaseResponse:
        case = await self.book.approve(connection, at, request.name, actor)
        return pb.ApproveCaseResponse(case_record=case_message(case))

    async def _refused(
        self, connection: asyncpg.Connection, at: dt.datetime, request: pb.RefuseCaseRequest, actor: str
    ) -> pb.RefuseCaseResponse:
        case = await self.book.refuse(connection, at, request.name, list(request.reasons), actor)
        return pb.RefuseCaseResponse(case_record=case_message(case))

    async def _withdrawn(
        self, connection: asyncpg.Connection, at: dt.datetime, request: pb.WithdrawCaseRequest, actor: str
    ) -> pb.WithdrawCaseResponse:
        case = await self.book.withdraw(connection, at, request.name, actor)
        return pb.WithdrawCaseResponse(case_record=case_message(case))
