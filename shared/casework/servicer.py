"""deedflow.casework.v1.CaseworkService: the clerks' verbs, served by each registration service
for its own cases."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg

from deedflow.casework.v1 import casework_service_pb2 as pb
from deedflow.casework.v1 import casework_service_pb2_grpc
from deedflow.type.v1.reasons import Reason
from shared import paging
from shared.auth import caller
from shared.casework.domain import CaseKind, CaseState
from shared.casework.service import Case, CaseBook, entering
from shared.errors import FailedPrecondition, FieldViolation, InvalidArgument, NotFound
from shared.grpc.types import Context
from shared.parties import is_applicant
from shared.timestamps import from_timestamp, to_timestamp
from shared.transactions import Transactions

DEFAULT_PAGE = 50
MAX_PAGE = 500


def case_message(case: Case) -> pb.Case:
    row = case.row
    return pb.Case(
        name=case.name,
        case_number=case.number,
        kind=f"CASE_KIND_{row.kind}",
        state=f"CASE_STATE_{row.state}",
        unit_number=row.unit_number,
        applicants=row.applicants,
        lodge_time=to_timestamp(row.lodge_time),
        time_limit_working_days=row.time_limit_working_days,
        due_time=to_timestamp(row.due_time),
        corrections=[
            pb.Correction(subject=c["subject"], description=c["description"]) for c in case.corrections
        ],
        refusal_reasons=row.refusal_reasons,
        register_time=to_timestamp(row.register_time),
        entries=row.entries,
        document_number=row.document_number,
        history=[
            pb.CaseEvent(
                state=f"CASE_STATE_{e.state}",
                actor=e.actor,
                event_time=to_timestamp(e.event_time),
                notes=e.notes,
            )
            for e in case.history
        ],
        update_time=to_timestamp(row.update_time),
    )


async def _registered(
    connection: asyncpg.Connection, request: pb.RegisterCaseRequest, case: Case
) -> pb.RegisterCaseResponse:
    return pb.RegisterCaseResponse(case_record=case_message(case))


class CaseworkServicer(casework_service_pb2_grpc.CaseworkServiceServicer):
    def __init__(self, book: CaseBook, tx: Transactions) -> None:
        self.book = book
        # The clerks' verbs share the owning service's idempotency store under their own names.
        self.tx = Transactions(tx.journal, "deedflow.casework.v1.CaseworkService")
        # A clerk's 登簿: a refusal on the way leaves the case approved, for the clerk to act on.
        tx.journal.driver(
            "RegisterCase", entering(book, pb.RegisterCaseRequest, _registered, refuse_on_refusal=False)
        )

    async def ListCases(self, request: pb.ListCasesRequest, context: Context) -> pb.ListCasesResponse:
        states = [CaseState(pb.CaseState.Name(s).removeprefix("CASE_STATE_")) for s in request.states if s]
        kinds = [CaseKind(pb.CaseKind.Name(k).removeprefix("CASE_KIND_")) for k in request.kinds if k]
        size = min(request.page_size or DEFAULT_PAGE, MAX_PAGE)
        after = paging.position(request)
        found = await self.tx.read(
            lambda connection: self.book.list(
                connection,
                states,
                kinds,
                from_timestamp(request, "lodged_before"),
                request.unit_number,
                after,
                size + 1,
            )
        )
        who = caller()
        return pb.ListCasesResponse(
            cases=[case_message(c) for c in found[:size] if is_applicant(who, c.row.applicants)],
            next_page_token=paging.issue(found[size - 1].number, request) if len(found) > size else "",
        )

    async def _visible(self, name: str) -> Case:
        """The case, if the caller is an official or one of its applying organizations; to anyone
        else it does not exist (its applicants' personal data with it)."""
        case = await self.tx.read(lambda connection: self.book.load(connection, name))
        if not is_applicant(caller(), case.row.applicants):
            raise NotFound(f"no case {name!r}")
        return case

    async def GetCase(self, request: pb.GetCaseRequest, context: Context) -> pb.GetCaseResponse:
        return pb.GetCaseResponse(case_record=case_message(await self._visible(request.name)))

    async def RequisitionCase(
        self, request: pb.RequisitionCaseRequest, context: Context
    ) -> pb.RequisitionCaseResponse:
        who = caller()
        corrections = [{"subject": c.subject, "description": c.description} for c in request.corrections]

        async def work(connection: asyncpg.Connection, at: dt.datetime) -> pb.RequisitionCaseResponse:
            case = await self.book.requisition(connection, at, request.name, corrections, who.uri)
            return pb.RequisitionCaseResponse(case_record=case_message(case))

        return await self.tx.write("RequisitionCase", request, pb.RequisitionCaseResponse, work)

    async def ResubmitCase(
        self, request: pb.ResubmitCaseRequest, context: Context
    ) -> pb.ResubmitCaseResponse:
        who = caller()
        await self._visible(request.name)
        # An answer after the requisition's period finds the application lapsed: the lapse is
        # recorded in its own transaction, then the answer is refused.
        async with self.tx.database.transaction() as connection:
            lapsed = await self.book.lapse_if_unanswered(connection, self.tx.clock.now(), request.name)
        if lapsed:
            raise FailedPrecondition(
                Reason.CASE_LAPSED, "the requisition went unanswered and the application lapsed; apply anew"
            )

        async def work(connection: asyncpg.Connection, at: dt.datetime) -> pb.ResubmitCaseResponse:
            case = await self.book.resubmit(connection, at, request.name, list(request.answers), who.uri)
            return pb.ResubmitCaseResponse(case_record=case_message(case))

        return await self.tx.write("ResubmitCase", request, pb.ResubmitCaseResponse, work)

    async def ApproveCase(self, request: pb.ApproveCaseRequest, context: Context) -> pb.ApproveCaseResponse:
        who = caller()
        await self.book.review(
            await self.tx.read(lambda connection: self.book.load(connection, request.name))
        )

        async def work(connection: asyncpg.Connection, at: dt.datetime) -> pb.ApproveCaseResponse:
            case = await self.book.approve(connection, at, request.name, who.uri)
            return pb.ApproveCaseResponse(case_record=case_message(case))

        return await self.tx.write("ApproveCase", request, pb.ApproveCaseResponse, work)

    async def RegisterCase(
        self, request: pb.RegisterCaseRequest, context: Context
    ) -> pb.RegisterCaseResponse | bytes:
        async def begin(connection: asyncpg.Connection, at: dt.datetime, operation: uuid.UUID) -> str:
            return await self.book.begin_entering(connection, request.name, operation)

        return await self.tx.operate("RegisterCase", request, "RegisterCase", begin)

    async def RefuseCase(self, request: pb.RefuseCaseRequest, context: Context) -> pb.RefuseCaseResponse:
        who = caller()
        if not request.reasons:
            raise InvalidArgument(
                [FieldViolation("reasons", "a refusal gives its reasons in writing (条例 22)")]
            )

        async def work(connection: asyncpg.Connection, at: dt.datetime) -> pb.RefuseCaseResponse:
            case = await self.book.refuse(connection, at, request.name, list(request.reasons), who.uri)
            return pb.RefuseCaseResponse(case_record=case_message(case))

        return await self.tx.write("RefuseCase", request, pb.RefuseCaseResponse, work)

    async def WithdrawCase(
        self, request: pb.WithdrawCaseRequest, context: Context
    ) -> pb.WithdrawCaseResponse:
        who = caller()
        await self._visible(request.name)

        async def work(connection: asyncpg.Connection, at: dt.datetime) -> pb.WithdrawCaseResponse:
            case = await self.book.withdraw(connection, at, request.name, who.uri)
            return pb.WithdrawCaseResponse(case_record=case_message(case))

        return await self.tx.write("WithdrawCase", request, pb.WithdrawCaseResponse, work)
