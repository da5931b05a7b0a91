"""MortgageService over gRPC: proto <-> use cases, role checks, nothing else."""

from __future__ import annotations

from deedflow.mortgage.v1 import mortgage_service_pb2 as pb
from deedflow.mortgage.v1 import mortgage_service_pb2_grpc
from services.mortgage.domain import may_read_mortgage
from services.mortgage.render import mortgage_message
from services.mortgage.service import Mortgages, mortgagor_ids
from shared import paging
from shared.auth import Role, caller
from shared.errors import FieldViolation, InvalidArgument
from shared.grpc.types import Context
from shared.parties import OFFICIALS, require_own_loan


class MortgageServicer(mortgage_service_pb2_grpc.MortgageServiceServicer):
    def __init__(self, service: Mortgages) -> None:
        self.service = service

    async def LodgeMortgage(
        self, request: pb.LodgeMortgageRequest, context: Context
    ) -> pb.LodgeMortgageResponse | bytes:
        require_own_loan(caller(), request.loan.bank.uscc, "loan.bank.uscc")
        if request.loan.amount_fen <= 0:
            raise InvalidArgument([FieldViolation("loan.amount_fen", "must be positive")])
        if not request.mortgagors:
            raise InvalidArgument([FieldViolation("mortgagors", "at least one mortgagor is required")])
        return await self.service.lodge_mortgage(request)

    async def RecordConvertedMortgage(
        self, request: pb.RecordConvertedMortgageRequest, context: Context
    ) -> pb.RecordConvertedMortgageResponse:
        return await self.service.record_converted_mortgage(request)

    async def RecordConvertedMortgages(
        self, request: pb.RecordConvertedMortgagesRequest, context: Context
    ) -> pb.RecordConvertedMortgagesResponse:
        return pb.RecordConvertedMortgagesResponse(
            outcomes=await self.service.record_converted_mortgages(request)
        )

    async def GetMortgage(self, request: pb.GetMortgageRequest, context: Context) -> pb.GetMortgageResponse:
        return await self.service.get_mortgage(request.name, request.with_document)

    async def ListMortgages(
        self, request: pb.ListMortgagesRequest, context: Context
    ) -> pb.ListMortgagesResponse:
        size = min(request.page_size or 100, 1000)
        state = pb.MortgageState.Name(request.state).removeprefix("MORTGAGE_STATE_") if request.state else ""
        who = caller()
        if who.role not in OFFICIALS and who.role not in (Role.BANK, Role.BUYER):
            return pb.ListMortgagesResponse()
        # A bank lists only its own mortgages, whatever it asks for; a mortgagor only its own.
        bank = who.id if who.role is Role.BANK else request.mortgagee_uscc
        rows = await self.service.list_mortgages(
            request.unit_number, bank, state, paging.position(request), size + 1
        )
        return pb.ListMortgagesResponse(
            mortgages=[
                mortgage_message(r)
                for r in rows[:size]
                if may_read_mortgage(who, r.bank_uscc, mortgagor_ids(r))
            ],
            next_page_token=paging.issue(str(rows[size - 1].id), request) if len(rows) > size else "",
        )

    async def DischargeMortgage(
        self, request: pb.DischargeMortgageRequest, context: Context
    ) -> pb.DischargeMortgageResponse | bytes:
        return await self.service.discharge_mortgage(request)
