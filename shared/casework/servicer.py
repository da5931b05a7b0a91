"""deedflow.casework.v1.CaseworkService: the clerks' verbs, served by each registration service
for its own cases; proto <-> use cases (shared/casework/use_cases.py), checks of who sees what."""

from __future__ import annotations

from deedflow.casework.v1 import casework_service_pb2 as pb
from deedflow.casework.v1 import casework_service_pb2_grpc
from shared import paging
from shared.auth import caller
from shared.casework.domain import CaseKind, CaseState
from shared.casework.render import case_message
from shared.casework.service import Case
from shared.casework.use_cases import Casework
from shared.errors import FieldViolation, InvalidArgument, NotFound
from shared.grpc.types import Context
from shared.parties import is_applicant
from shared.timestamps import from_timestamp

DEFAULT_PAGE = 50
MAX_PAGE = 500


class CaseworkServicer(casework_service_pb2_grpc.CaseworkServiceServicer):
    def __init__(self, casework: Casework) -> None:
        self.casework = casework

    async def ListCases(self, request: pb.ListCasesRequest, context: Context) -> pb.ListCasesResponse:
        states = [CaseState(pb.CaseState.Name(s).removeprefix("CASE_STATE_")) for s in request.states if s]
        kinds = [CaseKind(pb.CaseKind.Name(k).removeprefix("CASE_KIND_")) for k in request.kinds if k]
        size = min(request.page_size or DEFAULT_PAGE, MAX_PAGE)
        found = await self.casework.list_cases(
            states,
            kinds,
            from_timestamp(request, "lodged_before"),
            request.unit_number,
            paging.position(request),
            size + 1,
        )
        who = caller()
        return pb.ListCasesResponse(
            cases=[case_message(c) for c in found[:size] if is_applicant(who, c.row.applicants)],
            next_page_token=paging.issue(found[size - 1].number, request) if len(found) > size else "",
        )

    async def _visible(self, name: str) -> Case:
        """The case, if the caller is an official or one of its applying organizations; to anyone
        else it does not exist (its applicants' personal data with it)."""
        case = await self.casework.case(name)
        if not is_applicant(caller(), case.row.applicants):
            raise NotFound(f"no case {name!r}")
        return case

    async def GetCase(self, request: pb.GetCaseRequest, context: Context) -> pb.GetCaseResponse:
        return pb.GetCaseResponse(case_record=case_message(await self._visible(request.name)))

    async def RequisitionCase(
        self, request: pb.RequisitionCaseRequest, context: Context
    ) -> pb.RequisitionCaseResponse:
        corrections = [{"subject": c.subject, "description": c.description} for c in request.corrections]
        return await self.casework.requisition(request, corrections, caller().uri)

    async def ResubmitCase(
        self, request: pb.ResubmitCaseRequest, context: Context
    ) -> pb.ResubmitCaseResponse:
        await self._visible(request.name)
        return await self.casework.resubmit(request, caller().uri)

    async def ApproveCase(self, request: pb.ApproveCaseRequest, context: Context) -> pb.ApproveCaseResponse:
        return await self.casework.approve(request, caller().uri)

    async def RegisterCase(
        self, request: pb.RegisterCaseRequest, context: Context
    ) -> pb.RegisterCaseResponse | bytes:
        return await self.casework.register(request)

    async def RefuseCase(self, request: pb.RefuseCaseRequest, context: Context) -> pb.RefuseCaseResponse:
        if not request.reasons:
            raise InvalidArgument(
                [FieldViolation("reasons", "a refusal gives its reasons in writing (条例 22)")]
            )
        return await self.casework.refuse(request, caller().uri)

    async def WithdrawCase(
        self, request: pb.WithdrawCaseRequest, context: Context
    ) -> pb.WithdrawCaseResponse:
        await self._visible(request.name)
        return await self.casework.withdraw(request, caller().uri)
