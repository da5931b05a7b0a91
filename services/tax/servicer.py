"""TaxService over gRPC: proto <-> use cases, role checks, nothing else."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Sequence

import asyncpg

from deedflow.tax.v1 import tax_service_pb2 as pb
from deedflow.tax.v1 import tax_service_pb2_grpc
from deedflow.type.v1 import parties_pb2
from services.tax import repository
from services.tax.clearance_feed import RESYNC, ClearanceFeed
from services.tax.records import Assessment, Payment, Reassessment
from services.tax.service import DeedTax
from shared import paging
from shared.auth import caller
from shared.batches import answer_together, read_each
from shared.errors import FieldViolation, InvalidArgument
from shared.grpc.types import Context
from shared.logging import mask_personal_ids
from shared.parties import OFFICIALS
from shared.timestamps import to_timestamp
from shared.transactions import WorkOf


def assessment_message(
    row: Assessment, payments: Sequence[Payment], reassessments: Sequence[Reassessment] = ()
) -> pb.Assessment:
    return pb.Assessment(
        name=f"assessments/{row.id}",
        contract=row.contract,
        unit_number=row.unit_number,
        buyers=pb.AssessDeedTaxRequest.FromString(row.buyers).buyers,
        price_ex_vat_fen=row.price_ex_vat_fen,
        gross_area_dm2=row.gross_area_dm2,
        home_count=f"HOME_COUNT_{row.home_count}",
        residential=row.residential,
        rate_basis_points=row.rate_basis_points,
        tax_fen=row.tax_fen,
        rate_basis=row.rate_basis,
        state=f"ASSESSMENT_STATE_{row.state}",
        clearance_number=row.clearance_number or "",
        payments=[
            pb.Payment(
                payment_reference=p.payment_reference,
                amount_fen=p.amount_fen,
                paid_time=to_timestamp(p.paid_time),
                recorded_by=p.recorded_by,
            )
            for p in payments
        ],
        assess_time=to_timestamp(row.assess_time),
        update_time=to_timestamp(row.update_time),
        transfer_case=row.transfer_case,
        paid_fen=row.paid_fen,
        declaration_sha256=row.declaration_sha256 or b"",
        lending_bank=f"organizations/{row.lending_bank_uscc}" if row.lending_bank_uscc else "",
        reassessments=[
            pb.Reassessment(
                gross_area_dm2=r.gross_area_dm2,
                price_ex_vat_fen=r.price_ex_vat_fen,
                tax_fen_before=r.tax_fen_before,
                tax_fen_after=r.tax_fen_after,
                reason=r.reason,
                reassess_time=to_timestamp(r.reassess_time),
            )
            for r in reassessments
        ],
    )


class TaxServicer(tax_service_pb2_grpc.TaxServiceServicer):
    def __init__(self, tax: DeedTax, feed: ClearanceFeed) -> None:
        self.tax = tax
        self.tx = tax.tx
        self.feed = feed

    async def WatchClearances(
        self, request: pb.WatchClearancesRequest, context: Context
    ) -> AsyncIterator[pb.WatchClearancesResponse]:
        with self.feed.subscribe() as issued:
            while True:
                contract = await issued.get()
                yield pb.WatchClearancesResponse(contract=contract, resync=contract == RESYNC)

    async def _render(self, connection: asyncpg.Connection, row: Assessment) -> pb.Assessment:
        """The assessment as the caller may see it: a bank collecting the tax sees the buyers'
        resident IDs masked (only officials see personal data whole: 条例 28)."""
        assessment = assessment_message(
            row,
            await self.tax.payments_of(connection, row),
            await repository.reassessments(connection, row.id),
        )
        if caller().role not in OFFICIALS:
            for buyer in assessment.buyers:
                buyer.resident_id = mask_personal_ids(buyer.resident_id)
        return assessment

    async def AssessDeedTax(
        self, request: pb.AssessDeedTaxRequest, context: Context
    ) -> pb.AssessDeedTaxResponse:
        violations = []
        if request.home_count == parties_pb2.HOME_COUNT_UNSPECIFIED:
            violations.append(FieldViolation("home_count", "is required"))
        for field in ("price_ex_vat_fen", "gross_area_dm2"):
            if getattr(request, field) < 0:
                violations.append(FieldViolation(field, "must be positive"))
        if violations:
            raise InvalidArgument(violations)
        signed = await self.tax.signed_terms(request)

        async def work(connection: asyncpg.Connection, at: dt.datetime) -> pb.AssessDeedTaxResponse:
            row = await self.tax.assess(connection, at, request, signed)
            return pb.AssessDeedTaxResponse(assessment=await self._render(connection, row))

        return await self.tx.write("AssessDeedTax", request, pb.AssessDeedTaxResponse, work)

    async def GetAssessment(
        self, request: pb.GetAssessmentRequest, context: Context
    ) -> pb.GetAssessmentResponse:
        await self.tax.require_collector(request.name, caller())

        async def work(connection: asyncpg.Connection) -> pb.Assessment:
            return await self._render(connection, await self.tax.load(connection, request.name))

        return pb.GetAssessmentResponse(assessment=await self.tx.read(work))

    async def ListAssessments(
        self, request: pb.ListAssessmentsRequest, context: Context
    ) -> pb.ListAssessmentsResponse:
        position = paging.position(request)
        after = uuid.UUID(position) if position else None
        size = min(request.page_size or 100, 1000)
        state = (
            pb.AssessmentState.Name(request.state).removeprefix("ASSESSMENT_STATE_") if request.state else ""
        )

        lender = self.tax.lender_filter(caller())

        async def work(connection: asyncpg.Connection) -> tuple[list[pb.Assessment], bool]:
            rows = await repository.assessments(connection, request.contract, state, after, size + 1, lender)
            return [await self._render(connection, r) for r in rows[:size]], len(rows) > size

        found, more = await self.tx.read(work)
        return pb.ListAssessmentsResponse(
            assessments=found,
            next_page_token=paging.issue(found[-1].name.removeprefix("assessments/"), request)
            if more
            else "",
        )

    async def RecordPayment(
        self, request: pb.RecordPaymentRequest, context: Context
    ) -> pb.RecordPaymentResponse:
        if request.payment.amount_fen <= 0:
            raise InvalidArgument([FieldViolation("payment.amount_fen", "must be positive")])
        if not request.payment.payment_reference:
            raise InvalidArgument([FieldViolation("payment.payment_reference", "is required")])
        who = caller()
        await self.tax.require_collector(request.assessment, who)

        async def work(connection: asyncpg.Connection, at: dt.datetime) -> pb.RecordPaymentResponse:
            row = await self.tax.record_payment(connection, at, request.assessment, request.payment, who.uri)
            return pb.RecordPaymentResponse(assessment=await self._render(connection, row))

        return await self.tx.write("RecordPayment", request, pb.RecordPaymentResponse, work)

    async def GetClearance(
        self, request: pb.GetClearanceRequest, context: Context
    ) -> pb.GetClearanceResponse:
        row = await self.tx.query(lambda connection: self.tax.clearance(connection, request.contract))
        paid = await self.tx.query(lambda connection: self.tax.payments_of(connection, row))
        return pb.GetClearanceResponse(
            clearance=pb.Clearance(
                clearance_number=row.clearance_number,
                contract=row.contract,
                unit_number=row.unit_number,
                tax_fen=row.tax_fen,
                paid_time=to_timestamp(paid[-1].paid_time) if paid else None,
                paid_by=paid[-1].recorded_by if paid else "",
            )
        )

    async def GetClearances(
        self, request: pb.GetClearancesRequest, context: Context
    ) -> pb.GetClearancesResponse:
        return pb.GetClearancesResponse(
            outcomes=await read_each(
                request.requests,
                lambda r: self.GetClearance(r, context),
                pb.GetClearanceOutcome,
                "deedflow.tax",
            )
        )

    async def RefundDeedTax(
        self, request: pb.RefundDeedTaxRequest, context: Context
    ) -> pb.RefundDeedTaxResponse:
        # 契税法 12: a refund only for a contract that failed before registration. The contract
        # office says whether it did; read before any transaction here is open.
        row = await self.tx.read(lambda c: self.tax.load(c, request.assessment))
        await self.tax.require_contract_failed(row.contract)

        async def work(connection: asyncpg.Connection, at: dt.datetime) -> pb.RefundDeedTaxResponse:
            row = await self.tax.refund(connection, at, request.assessment, request.reason)
            return pb.RefundDeedTaxResponse(
                assessment=await self._render(connection, row), refund_fen=row.refund_fen
            )

        return await self.tx.write("RefundDeedTax", request, pb.RefundDeedTaxResponse, work)

    async def ConsumeClearance(
        self, request: pb.ConsumeClearanceRequest, context: Context
    ) -> pb.ConsumeClearanceResponse:
        return await self.tx.write(
            "ConsumeClearance", request, pb.ConsumeClearanceResponse, await self._consume(request)
        )

    async def ConsumeClearances(
        self, request: pb.ConsumeClearancesRequest, context: Context
    ) -> pb.ConsumeClearancesResponse:
        outcomes = await answer_together(
            self.tx,
            "ConsumeClearance",
            request,
            pb.ConsumeClearanceResponse,
            pb.ConsumeClearanceOutcome,
            "deedflow.tax",
            self._consume,
            lambda one: self.ConsumeClearance(one, context),
        )
        return pb.ConsumeClearancesResponse(outcomes=outcomes)

    async def _consume(self, request: pb.ConsumeClearanceRequest) -> WorkOf[pb.ConsumeClearanceResponse]:
        async def work(connection: asyncpg.Connection, at: dt.datetime) -> pb.ConsumeClearanceResponse:
            row = await self.tax.consume(connection, at, request.clearance_number, request.transfer_case)
            return pb.ConsumeClearanceResponse(assessment=await self._render(connection, row))

        return work

    async def ReassessDeedTax(
        self, request: pb.ReassessDeedTaxRequest, context: Context
    ) -> pb.ReassessDeedTaxResponse:

        async def work(connection: asyncpg.Connection, at: dt.datetime) -> pb.ReassessDeedTaxResponse:
            row = await self.tax.reassess(connection, at, request)
            return pb.ReassessDeedTaxResponse(assessment=await self._render(connection, row))

        return await self.tx.write("ReassessDeedTax", request, pb.ReassessDeedTaxResponse, work)

    async def ReleaseClearance(
        self, request: pb.ReleaseClearanceRequest, context: Context
    ) -> pb.ReleaseClearanceResponse:

        async def work(connection: asyncpg.Connection, at: dt.datetime) -> pb.ReleaseClearanceResponse:
            row = await self.tax.release(connection, at, request.clearance_number, request.transfer_case)
            return pb.ReleaseClearanceResponse(assessment=await self._render(connection, row))

        return await self.tx.write("ReleaseClearance", request, pb.ReleaseClearanceResponse, work)
