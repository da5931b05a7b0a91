"""TaxService over gRPC: proto <-> use cases, role checks, nothing else."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

from deedflow.tax.v1 import tax_service_pb2 as pb
from deedflow.tax.v1 import tax_service_pb2_grpc
from deedflow.type.v1 import parties_pb2
from services.tax.clearance_feed import RESYNC, ClearanceFeed
from services.tax.service import DeedTax
from shared import paging
from shared.batches import read_each
from shared.errors import FieldViolation, InvalidArgument
from shared.grpc.types import Context


class TaxServicer(tax_service_pb2_grpc.TaxServiceServicer):
    def __init__(self, tax: DeedTax, feed: ClearanceFeed) -> None:
        self.tax = tax
        self.feed = feed

    async def WatchClearances(
        self, request: pb.WatchClearancesRequest, context: Context
    ) -> AsyncIterator[pb.WatchClearancesResponse]:
        with self.feed.subscribe() as issued:
            while True:
                contract = await issued.get()
                yield pb.WatchClearancesResponse(contract=contract, resync=contract == RESYNC)

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
        return await self.tax.assess_deed_tax(request)

    async def GetAssessment(
        self, request: pb.GetAssessmentRequest, context: Context
    ) -> pb.GetAssessmentResponse:
        return pb.GetAssessmentResponse(assessment=await self.tax.get_assessment(request.name))

    async def ListAssessments(
        self, request: pb.ListAssessmentsRequest, context: Context
    ) -> pb.ListAssessmentsResponse:
        position = paging.position(request)
        after = uuid.UUID(position) if position else None
        size = min(request.page_size or 100, 1000)
        state = (
            pb.AssessmentState.Name(request.state).removeprefix("ASSESSMENT_STATE_") if request.state else ""
        )
        found, more = await self.tax.list_assessments(request.contract, state, after, size)
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
        return await self.tax.record_payment(request)

    async def GetClearance(
        self, request: pb.GetClearanceRequest, context: Context
    ) -> pb.GetClearanceResponse:
        return pb.GetClearanceResponse(clearance=await self.tax.get_clearance(request.contract))

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
        return await self.tax.refund_deed_tax(request)

    async def ConsumeClearance(
        self, request: pb.ConsumeClearanceRequest, context: Context
    ) -> pb.ConsumeClearanceResponse:
        return await self.tax.consume_clearance(request)

    async def ConsumeClearances(
        self, request: pb.ConsumeClearancesRequest, context: Context
    ) -> pb.ConsumeClearancesResponse:
        return pb.ConsumeClearancesResponse(outcomes=await self.tax.consume_clearances(request))

    async def ReassessDeedTax(
        self, request: pb.ReassessDeedTaxRequest, context: Context
    ) -> pb.ReassessDeedTaxResponse:
        return await self.tax.reassess_deed_tax(request)

    async def ReleaseClearance(
        self, request: pb.ReleaseClearanceRequest, context: Context
    ) -> pb.ReleaseClearanceResponse:
        return await self.tax.release_clearance(request)
