"""MortgageService over gRPC: proto <-> use cases, role checks, nothing else."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg

from deedflow.mortgage.v1 import mortgage_service_pb2 as pb
from deedflow.mortgage.v1 import mortgage_service_pb2_grpc
from deedflow.type.v1 import parties_pb2
from services.mortgage.domain import may_read_mortgage
from services.mortgage.records import Mortgage
from services.mortgage.service import Mortgages, mortgagor_ids
from shared import paging
from shared.auth import Role, caller
from shared.batches import answer_together
from shared.casework.service import Case, entering, lodge_or_enter
from shared.casework.servicer import case_message
from shared.documents import attach_proof
from shared.errors import FieldViolation, InvalidArgument
from shared.grpc.types import Context
from shared.parties import OFFICIALS, require_own_loan
from shared.timestamps import to_timestamp
from shared.transactions import WorkOf


def mortgage_message(row: Mortgage) -> pb.Mortgage:
    return pb.Mortgage(
        name=f"mortgages/{row.id}",
        unit_number=row.unit_number,
        loan=parties_pb2.Loan.FromString(row.loan),
        mortgagors=pb.Mortgage.FromString(row.mortgagors).mortgagors,
        state=f"MORTGAGE_STATE_{row.state}",
        registry_case=f"cases/{row.case_number}" if row.case_number else "",
        proof_number=row.proof_number,
        entry=row.entry,
        priority_time=to_timestamp(row.priority_time),
        register_time=to_timestamp(row.register_time),
        premortgage=row.premortgage,
        discharge_time=to_timestamp(row.discharge_time),
    )


class MortgageServicer(mortgage_service_pb2_grpc.MortgageServiceServicer):
    def __init__(self, service: Mortgages) -> None:
        self.service = service
        self.tx = service.tx
        journal = service.tx.journal
        journal.driver(
            "LodgeMortgage", entering(service.cases, pb.LodgeMortgageRequest, self._mortgage_response)
        )
        journal.driver(
            "DischargeMortgage",
            entering(service.cases, pb.DischargeMortgageRequest, self._discharge_response),
        )

    async def _mortgage_response(
        self, connection: asyncpg.Connection, request: pb.LodgeMortgageRequest, case: Case
    ) -> pb.LodgeMortgageResponse:
        row = await self.service.load(connection, case.subject)
        return pb.LodgeMortgageResponse(mortgage=mortgage_message(row), case_record=case_message(case))

    async def _discharge_response(
        self, connection: asyncpg.Connection, request: pb.DischargeMortgageRequest, case: Case
    ) -> pb.DischargeMortgageResponse:
        row = await self.service.load(connection, request.name)
        return pb.DischargeMortgageResponse(mortgage=mortgage_message(row), case_record=case_message(case))

    async def LodgeMortgage(
        self, request: pb.LodgeMortgageRequest, context: Context
    ) -> pb.LodgeMortgageResponse | bytes:
        who = caller()
        require_own_loan(who, request.loan.bank.uscc, "loan.bank.uscc")
        if request.loan.amount_fen <= 0:
            raise InvalidArgument([FieldViolation("loan.amount_fen", "must be positive")])
        if not request.mortgagors:
            raise InvalidArgument([FieldViolation("mortgagors", "at least one mortgagor is required")])
        self.service.check_consent(request, self.tx.clock.now())
        # The mortgagors must own the flat (民法典 395): refused before a case is lodged.
        await self.service.handler.check_owners(
            request.unit_number, {f"buyers/{m.resident_id}" for m in request.mortgagors}
        )

        async def lodge(connection: asyncpg.Connection, at: dt.datetime, operation: uuid.UUID | None) -> Case:
            return await self.service.lodge(connection, at, request, who.uri, operation)

        return await lodge_or_enter(
            self.tx, "LodgeMortgage", request, pb.LodgeMortgageResponse, lodge, self._mortgage_response
        )

    async def RecordConvertedMortgage(
        self, request: pb.RecordConvertedMortgageRequest, context: Context
    ) -> pb.RecordConvertedMortgageResponse:
        return await self.tx.write(
            "RecordConvertedMortgage",
            request,
            pb.RecordConvertedMortgageResponse,
            await self._record_converted(request),
        )

    async def RecordConvertedMortgages(
        self, request: pb.RecordConvertedMortgagesRequest, context: Context
    ) -> pb.RecordConvertedMortgagesResponse:
        outcomes = await answer_together(
            self.tx,
            "RecordConvertedMortgage",
            request,
            pb.RecordConvertedMortgageResponse,
            pb.RecordConvertedMortgageOutcome,
            "deedflow.mortgage",
            self._record_converted,
            lambda one: self.RecordConvertedMortgage(one, context),
        )
        return pb.RecordConvertedMortgagesResponse(outcomes=outcomes)

    async def _record_converted(
        self, request: pb.RecordConvertedMortgageRequest
    ) -> WorkOf[pb.RecordConvertedMortgageResponse]:
        """The mortgage entry is read from the book first, with no transaction open."""
        entry = await self.service.converted_entry(request)

        async def work(connection: asyncpg.Connection, at: dt.datetime) -> pb.RecordConvertedMortgageResponse:
            row = await self.service.record_converted(connection, at, request, entry)
            return pb.RecordConvertedMortgageResponse(mortgage=mortgage_message(row))

        return work

    async def GetMortgage(self, request: pb.GetMortgageRequest, context: Context) -> pb.GetMortgageResponse:
        row = await self.tx.read(lambda c: self.service.load_readable(c, request.name, caller()))
        response = pb.GetMortgageResponse(mortgage=mortgage_message(row))
        if request.with_document:
            await attach_proof(
                self.service.registry, row.entry, row.proof_number, response.mortgage, response.proof_document
            )
        return response

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
        after = paging.position(request)
        rows = await self.tx.read(
            lambda c: self.service.list(c, request.unit_number, bank, state, after, size + 1)
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
        who = caller()

        async def lodge(connection: asyncpg.Connection, at: dt.datetime, operation: uuid.UUID | None) -> Case:
            return await self.service.lodge_discharge(connection, at, request, who, operation)

        return await lodge_or_enter(
            self.tx,
            "DischargeMortgage",
            request,
            pb.DischargeMortgageResponse,
            lodge,
            self._discharge_response,
        )
