"""Who records a deed-tax payment (issue 31): the bank lending on the purchase, a bank the tax
bureau engaged as a collecting agent (DEEDFLOW_TAX_COLLECTING_BANKS, bank-c here), or the tax
bureau; to any other bank the assessment does not exist. The payment keeps who recorded it, shown
with the assessment, the clearance and the purchase's TAX_PAID event."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import asyncpg
import grpc
import pytest

from deedflow.events.v1 import events_service_pb2 as events_pb
from deedflow.events.v1 import events_service_pb2_grpc
from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from deedflow.tax.v1 import tax_service_pb2 as tax_pb
from deedflow.tax.v1 import tax_service_pb2_grpc
from shared.db import plain_url
from shared.pki import DEV_CALLERS
from tests.flows import BANK, assess, file_contract, presale, refused, rid
from tests.purchases import file_purchase, pay, signed_filing, until
from tests.support import client_channel


@pytest.fixture(scope="module")
async def developer_desk(services, pki):
    async with client_channel(services["orchestrator"].server.port, pki, "developer") as channel:
        yield orchestrator_service_pb2_grpc.PurchaseServiceStub(channel)


@contextlib.asynccontextmanager
async def tax_as(services, pki, who: str):
    async with client_channel(services["tax"].server.port, pki, who) as channel:
        yield tax_service_pb2_grpc.TaxServiceStub(channel)


async def _assessed(offices, pki) -> tax_pb.Assessment:
    """A filed contract financed by bank-a, assessed and not paid."""
    _, (unit, _) = await presale(offices)
    return await assess(offices, await file_contract(offices, pki, unit))


def _payment(assessment: tax_pb.Assessment) -> tax_pb.RecordPaymentRequest:
    return tax_pb.RecordPaymentRequest(
        request_id=rid(),
        assessment=assessment.name,
        payment=tax_pb.Payment(
            payment_reference=f"PAY-{uuid.uuid4().hex[:12]}", amount_fen=assessment.tax_fen
        ),
    )


async def test_the_lending_bank_records_the_payment_and_is_named_with_it(offices, services, pki):
    assessment = await _assessed(offices, pki)
    assert assessment.lending_bank == f"organizations/{BANK.uscc}"
    paid = (await offices.tax_as_bank.RecordPayment(_payment(assessment))).assessment
    assert paid.state == tax_pb.ASSESSMENT_STATE_PAID
    assert [p.recorded_by for p in paid.payments] == [DEV_CALLERS["bank-a"]]
    async with tax_as(services, pki, "clerk") as clerk:
        seen = (await clerk.GetAssessment(tax_pb.GetAssessmentRequest(name=assessment.name))).assessment
        assert [p.recorded_by for p in seen.payments] == [DEV_CALLERS["bank-a"]]
        clearance = (
            await offices.tax.GetClearance(tax_pb.GetClearanceRequest(contract=paid.contract))
        ).clearance
        assert clearance.paid_by == DEV_CALLERS["bank-a"]


async def test_another_bank_finds_no_such_assessment_and_changes_nothing(offices, services, pki):
    assessment = await _assessed(offices, pki)
    async with tax_as(services, pki, "bank-b") as stranger:
        assert (await refused(stranger.RecordPayment(_payment(assessment))))[0] == grpc.StatusCode.NOT_FOUND
        read = stranger.GetAssessment(tax_pb.GetAssessmentRequest(name=assessment.name))
        assert (await refused(read))[0] == grpc.StatusCode.NOT_FOUND
        listed = await stranger.ListAssessments(tax_pb.ListAssessmentsRequest(contract=assessment.contract))
        assert not listed.assessments
    after = (
        await offices.tax_bureau.GetAssessment(tax_pb.GetAssessmentRequest(name=assessment.name))
    ).assessment
    assert (after.state, list(after.payments)) == (tax_pb.ASSESSMENT_STATE_ASSESSED, [])
    lender = await offices.tax_as_bank.ListAssessments(
        tax_pb.ListAssessmentsRequest(contract=assessment.contract)
    )
    assert [a.name for a in lender.assessments] == [assessment.name]


async def test_a_collecting_agent_and_the_tax_bureau_record_any_payment(offices, services, pki):
    for collector in ("bank-c", "tax"):
        assessment = await _assessed(offices, pki)
        async with tax_as(services, pki, collector) as stub:
            paid = (await stub.RecordPayment(_payment(assessment))).assessment
        assert [p.recorded_by for p in paid.payments] == [DEV_CALLERS[collector]]


async def test_an_assessment_from_before_the_lending_bank_was_kept_asks_the_contract(offices, services, pki):
    """An assessment made before tax_0005 has no lending bank of its own: the contract says."""
    assessments = [await _assessed(offices, pki) for _ in range(2)]
    connection = await asyncpg.connect(plain_url(services["tax"].deps.database.url))
    try:
        await connection.execute(
            "UPDATE tax.assessment SET lending_bank_uscc = NULL WHERE id = ANY($1::uuid[])",
            [uuid.UUID(a.name.removeprefix("assessments/")) for a in assessments],
        )
    finally:
        await connection.close()
    async with tax_as(services, pki, "bank-b") as stranger:
        refusal = stranger.RecordPayment(_payment(assessments[0]))
        assert (await refused(refusal))[0] == grpc.StatusCode.NOT_FOUND
    paid = (await offices.tax_as_bank.RecordPayment(_payment(assessments[1]))).assessment
    assert paid.state == tax_pb.ASSESSMENT_STATE_PAID


async def test_the_tax_paid_event_names_who_recorded_the_payment(offices, services, pki, developer_desk):
    _, (unit, _) = await presale(offices)
    purchase = await file_purchase(developer_desk, signed_filing(pki, unit, with_loan=True)[0])
    await pay(offices, await until(developer_desk, purchase.name, pb.PURCHASE_STATE_AWAITING_COMPLETION))
    async with client_channel(services["orchestrator"].server.port, pki, "bank-a") as channel:
        stream = events_service_pb2_grpc.EventServiceStub(channel).WatchEvents(events_pb.WatchEventsRequest())
        try:
            async with asyncio.timeout(60):
                async for response in stream:
                    event = response.event
                    if event.subject == purchase.name and event.type == events_pb.EVENT_TYPE_TAX_PAID:
                        assert event.purchase.documents.tax_paid_by == DEV_CALLERS["bank-a"]
                        return
        finally:
            stream.cancel()
