"""The tax service (契税) over mTLS gRPC on real PostgreSQL: assessment by the 2024 table,
payment by reference, the clearance the registry looks up, refund on cancellation."""

from __future__ import annotations

import hashlib
import uuid

import grpc
import pytest

from deedflow.tax.v1 import tax_service_pb2 as pb
from deedflow.tax.v1 import tax_service_pb2_grpc
from deedflow.type.v1 import parties_pb2
from shared import statements
from shared.grpc.channels import secure_channel
from tests.flows import cancel_jointly, file_contract, pay_tax, presale, refused
from tests.support import client_channel, outcome_of


def rid() -> str:
    return str(uuid.uuid4())


@pytest.fixture(scope="module")
async def as_service(services, pki):
    target = f"127.0.0.1:{services['tax'].server.port}"
    async with secure_channel(target, pki.ca_pem, pki.service("orchestrator")) as channel:
        yield tax_service_pb2_grpc.TaxServiceStub(channel)


@pytest.fixture(scope="module")
async def as_transfer(services, pki):
    """The transfer service, which consumes a clearance when it registers."""
    target = f"127.0.0.1:{services['tax'].server.port}"
    async with secure_channel(target, pki.ca_pem, pki.service("transfer")) as channel:
        yield tax_service_pb2_grpc.TaxServiceStub(channel)


@pytest.fixture(scope="module")
async def as_bank(services, pki):
    async with client_channel(services["tax"].server.port, pki, "bank-a") as channel:
        yield tax_service_pb2_grpc.TaxServiceStub(channel)


async def assess(
    offices, pki, area=12_000, price_yuan=1_200_000, home=parties_pb2.HOME_COUNT_ONLY, request_id=None
):
    """A filed contract for a flat of `area` at `price_yuan` whose buyers declare `home` in the
    terms they sign, assessed by the platform."""
    _, (unit,) = await presale(offices, units=1, area_dm2=area)
    sale = await file_contract(offices, pki, unit, price_fen=price_yuan * 100, home_count=home, area_dm2=area)
    terms = sale.contract.terms
    reply = await offices.tax.AssessDeedTax(
        pb.AssessDeedTaxRequest(
            request_id=request_id or rid(),
            contract=sale.contract.name,
            unit_number=unit,
            buyers=terms.buyers,
            price_ex_vat_fen=terms.price_ex_vat_fen,
            gross_area_dm2=area,
            home_count=home,
            residential=True,
        )
    )
    return reply.assessment


async def pay(stub, assessment, amount=None, reference=None):
    reply = await stub.RecordPayment(
        pb.RecordPaymentRequest(
            request_id=rid(),
            assessment=assessment.name,
            payment=pb.Payment(
                payment_reference=reference or f"PAY-{uuid.uuid4().hex[:10]}",
                amount_fen=amount or assessment.tax_fen,
            ),
        )
    )
    return reply.assessment


async def test_assessment_applies_the_table_over_grpc(offices, pki):
    """公告2024年第16号: 140.01 m² at ¥1,400,100 as an only home is 1.5 %, ¥21,001.50."""
    found = await assess(offices, pki, area=14_001, price_yuan=1_400_100)
    assert (found.rate_basis_points, found.tax_fen) == (150, 2_100_150)
    assert found.rate_basis == "only home, > 140 m²"
    assert found.state == pb.ASSESSMENT_STATE_ASSESSED


async def test_paid_tax_gives_a_clearance_the_registry_can_look_up(offices, pki, as_service, as_bank):
    """契税法 11: the registry checks the tax is paid, by lookup rather than paper (条例 24)."""
    assessment = await assess(offices, pki)
    code, reason = await refused(
        as_service.GetClearance(pb.GetClearanceRequest(contract=assessment.contract))
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "DEED_TAX_UNPAID")
    paid = await pay(as_bank, assessment)
    assert paid.state == pb.ASSESSMENT_STATE_PAID
    assert paid.clearance_number.startswith("渝税契完(")
    clearance = (
        await as_service.GetClearance(pb.GetClearanceRequest(contract=assessment.contract))
    ).clearance
    assert (clearance.clearance_number, clearance.tax_fen) == (paid.clearance_number, 1_200_000)


async def test_payment_is_idempotent_by_its_reference(offices, pki, as_bank):
    """契税法 10: one payment, recorded once, however often the bank reports it."""
    assessment = await assess(offices, pki)
    first = await pay(as_bank, assessment, reference="BANK-REF-1-" + assessment.name[-6:])
    again = await pay(as_bank, assessment, reference="BANK-REF-1-" + assessment.name[-6:])
    assert again.clearance_number == first.clearance_number
    assert len(again.payments) == 1
    other = await assess(offices, pki)
    code, reason = await refused(pay(as_bank, other, reference="BANK-REF-1-" + assessment.name[-6:]))
    assert (code, reason) == (grpc.StatusCode.ALREADY_EXISTS, "PAYMENT_REFERENCE_USED")


async def test_wrong_amount_is_refused(offices, pki, as_bank):
    assessment = await assess(offices, pki)
    code, reason = await refused(pay(as_bank, assessment, amount=assessment.tax_fen - 1))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "PAYMENT_AMOUNT_MISMATCH")


async def test_refund_only_for_a_contract_that_failed_and_none_once_a_transfer_holds_it(
    offices, pki, as_transfer, as_bank
):
    """契税法 12: tax paid on a contract that fails before registration is refunded, once; while
    the contract stands there is no refund, and once a transfer holds the clearance there is none."""
    _, (unit, other) = await presale(offices)
    sale = await file_contract(offices, pki, unit)
    paid = await pay_tax(offices, sale)
    refund = pb.RefundDeedTaxRequest(request_id=rid(), assessment=paid.name, reason="合同解除")
    assert await refused(offices.tax.RefundDeedTax(refund)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "CONTRACT_NOT_CANCELLED",
    )
    still = (await offices.tax.GetClearance(pb.GetClearanceRequest(contract=paid.contract))).clearance
    assert still.clearance_number == paid.clearance_number

    await cancel_jointly(offices, pki, sale)
    refund.request_id = rid()
    reply = await offices.tax.RefundDeedTax(refund)
    assert (reply.assessment.state, reply.refund_fen) == (pb.ASSESSMENT_STATE_REFUNDED, paid.tax_fen)
    code, reason = await refused(offices.tax.GetClearance(pb.GetClearanceRequest(contract=paid.contract)))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "DEED_TAX_REFUNDED")
    refund.request_id = rid()
    assert await refused(offices.tax.RefundDeedTax(refund)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "ALREADY_REFUNDED",
    )

    held = await file_contract(offices, pki, other)
    used = await pay_tax(offices, held)
    await as_transfer.ConsumeClearance(
        pb.ConsumeClearanceRequest(
            request_id=rid(), clearance_number=used.clearance_number, transfer_case="cases/T1"
        )
    )
    await cancel_jointly(offices, pki, held)
    code, reason = await refused(
        offices.tax.RefundDeedTax(
            pb.RefundDeedTaxRequest(request_id=rid(), assessment=used.name, reason="late")
        )
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "CLEARANCE_USED_BY_TRANSFER")


async def test_a_clearance_held_for_a_refused_case_is_released_to_it_only(offices, pki, as_transfer):
    """契税法 12: a clearance held for a transfer case the book refused is given back, paid; only
    the case holding it releases it, and releasing twice changes nothing."""
    _, (unit, _) = await presale(offices)
    paid = await pay_tax(offices, await file_contract(offices, pki, unit))
    hold = {"clearance_number": paid.clearance_number, "transfer_case": "cases/ZY-HELD"}
    await as_transfer.ConsumeClearance(pb.ConsumeClearanceRequest(request_id=rid(), **hold))
    code, reason = await refused(
        as_transfer.ConsumeClearance(
            pb.ConsumeClearanceRequest(
                request_id=rid(), clearance_number=paid.clearance_number, transfer_case="cases/ZY-OTHER"
            )
        )
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "CLEARANCE_USED_BY_TRANSFER")
    code, reason = await refused(
        as_transfer.ReleaseClearance(
            pb.ReleaseClearanceRequest(
                request_id=rid(), clearance_number=paid.clearance_number, transfer_case="cases/ZY-OTHER"
            )
        )
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "CLEARANCE_USED_BY_TRANSFER")
    for _ in range(2):
        released = (
            await as_transfer.ReleaseClearance(pb.ReleaseClearanceRequest(request_id=rid(), **hold))
        ).assessment
        assert released.state == pb.ASSESSMENT_STATE_PAID


async def test_unpaid_assessment_is_voided_without_refund(offices, pki):
    _, (unit, _) = await presale(offices)
    sale = await file_contract(offices, pki, unit)
    terms = sale.contract.terms
    assessment = (
        await offices.tax.AssessDeedTax(
            pb.AssessDeedTaxRequest(
                request_id=rid(),
                contract=sale.contract.name,
                unit_number=unit,
                buyers=terms.buyers,
                price_ex_vat_fen=terms.price_ex_vat_fen,
                gross_area_dm2=terms.gross_area_dm2,
                home_count=parties_pb2.HOME_COUNT_ONLY,
                residential=True,
            )
        )
    ).assessment
    await cancel_jointly(offices, pki, sale)
    reply = await offices.tax.RefundDeedTax(
        pb.RefundDeedTaxRequest(request_id=rid(), assessment=assessment.name, reason="contract cancelled")
    )
    assert (reply.assessment.state, reply.refund_fen) == (pb.ASSESSMENT_STATE_VOIDED, 0)


async def test_a_contract_is_assessed_once(offices, pki):
    first = await assess(offices, pki)
    request = pb.AssessDeedTaxRequest(
        request_id=rid(),
        contract=first.contract,
        unit_number=first.unit_number,
        buyers=first.buyers,
        price_ex_vat_fen=first.price_ex_vat_fen,
        gross_area_dm2=first.gross_area_dm2,
        home_count=first.home_count,
        residential=True,
    )
    same = (await offices.tax.AssessDeedTax(request)).assessment
    assert same.name == first.name
    request.request_id = rid()
    request.gross_area_dm2 = 13_000
    code, reason = await refused(offices.tax.AssessDeedTax(request))
    assert (code, reason) == (grpc.StatusCode.ALREADY_EXISTS, "CONTRACT_ALREADY_ASSESSED")


async def test_the_buyers_home_count_and_the_price_are_the_ones_they_signed(offices, pki):
    """公告2024年第16号: each buyer declares the family's home count, in the contract terms they sign
    (the declaration's digest is kept with the assessment); an assessment on another home count,
    or on a price other than the signed VAT-exclusive price (契税法 4), is refused."""
    _, (unit,) = await presale(offices, units=1)
    sale = await file_contract(offices, pki, unit, home_count=parties_pb2.HOME_COUNT_SECOND)
    terms = sale.contract.terms
    request = pb.AssessDeedTaxRequest(
        request_id=rid(),
        contract=sale.contract.name,
        unit_number=unit,
        buyers=terms.buyers,
        price_ex_vat_fen=terms.price_ex_vat_fen,
        gross_area_dm2=9_000,
        home_count=parties_pb2.HOME_COUNT_ONLY,
        residential=True,
    )
    for buyer in request.buyers:
        buyer.home_count = parties_pb2.HOME_COUNT_ONLY
    assert await refused(offices.tax.AssessDeedTax(request)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "TAX_FIGURES_NOT_AS_SIGNED",
    )
    del request.buyers[:]
    request.buyers.extend(terms.buyers)
    request.request_id = rid()
    request.price_ex_vat_fen = terms.price_ex_vat_fen + terms.vat_fen + 1
    assert await refused(offices.tax.AssessDeedTax(request)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "TAX_FIGURES_NOT_AS_SIGNED",
    )
    request.request_id = rid()
    request.price_ex_vat_fen = terms.price_ex_vat_fen
    request.home_count = parties_pb2.HOME_COUNT_SECOND
    assessment = (await offices.tax.AssessDeedTax(request)).assessment
    assert assessment.declaration_sha256 == hashlib.sha256(statements.contract_terms(terms)).digest()


async def test_only_tax_bank_or_service_may_record_payments(services, pki, offices):
    assessment = await assess(offices, pki)
    async with client_channel(services["tax"].server.port, pki, "developer") as channel:
        code, reason = await refused(pay(tax_service_pb2_grpc.TaxServiceStub(channel), assessment))
    assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "ROLE_NOT_ALLOWED")


async def test_a_reassessment_on_the_as_built_area_asks_more_or_refunds_the_difference(offices, pki, as_bank):
    """契税法 4 and 公告2024年第16号: reassessed on a larger as-built area above 140 m², the rate rises
    to 1.5 % and 补税 is due (the clearance void until paid); reassessed on a smaller one, the
    difference is refunded (退税) and recorded; the same figures again change nothing; a refunded
    assessment is not reassessed."""
    _, (unit, other) = await presale(offices)
    paid = await pay_tax(offices, await file_contract(offices, pki, unit))
    more = pb.ReassessDeedTaxRequest(
        request_id=rid(),
        assessment=paid.name,
        gross_area_dm2=14_100,
        price_ex_vat_fen=120_000_000,
        reason="实测",
    )
    raised = (await offices.tax.ReassessDeedTax(more)).assessment
    assert (raised.rate_basis_points, raised.tax_fen, raised.paid_fen) == (150, 1_800_000, 1_200_000)
    assert raised.state == pb.ASSESSMENT_STATE_ASSESSED
    assert not raised.clearance_number
    more.request_id = rid()
    assert (await offices.tax.ReassessDeedTax(more)).assessment.reassessments == raised.reassessments
    settled = await pay(as_bank, raised, amount=600_000)
    assert (settled.state, settled.paid_fen) == (pb.ASSESSMENT_STATE_PAID, 1_800_000)

    sale = await file_contract(offices, pki, other)
    smaller = await pay_tax(offices, sale)
    less = pb.ReassessDeedTaxRequest(
        request_id=rid(),
        assessment=smaller.name,
        gross_area_dm2=8_640,
        price_ex_vat_fen=114_000_000,
        reason="实测",
    )
    lowered = (await offices.tax.ReassessDeedTax(less)).assessment
    assert (lowered.state, lowered.tax_fen, lowered.paid_fen) == (
        pb.ASSESSMENT_STATE_PAID,
        1_140_000,
        1_140_000,
    )
    assert lowered.clearance_number == smaller.clearance_number
    assert [(r.tax_fen_before, r.tax_fen_after) for r in lowered.reassessments] == [(1_200_000, 1_140_000)]

    await cancel_jointly(offices, pki, sale)
    refunded = await offices.tax.RefundDeedTax(
        pb.RefundDeedTaxRequest(request_id=rid(), assessment=smaller.name, reason="合同解除")
    )
    assert refunded.refund_fen == 1_200_000  # ¥600 refunded at reassessment, ¥11,400 now
    less.request_id = rid()
    less.gross_area_dm2 = 8_600
    assert await refused(offices.tax.ReassessDeedTax(less)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "ASSESSMENT_CLOSED",
    )


async def test_clearances_held_together_are_answered_each_as_alone(offices, pki, as_transfer):
    """ConsumeClearances: each hold judged in turn in one transaction and answered as
    ConsumeClearance alone; a refusal keeps no answer, so the same request succeeds once its
    cause is gone (the earlier case's hold released), and a retry of either RPC gets the first
    answer."""
    _, (first_unit, second_unit, held_unit) = await presale(offices, units=3)
    first = await pay_tax(offices, await file_contract(offices, pki, first_unit))
    second = await pay_tax(offices, await file_contract(offices, pki, second_unit))
    held = await pay_tax(offices, await file_contract(offices, pki, held_unit))
    earlier = {"clearance_number": held.clearance_number, "transfer_case": "cases/ZY-EARLIER"}
    await as_transfer.ConsumeClearance(pb.ConsumeClearanceRequest(request_id=rid(), **earlier))

    def hold(assessment, case):
        return pb.ConsumeClearanceRequest(
            request_id=rid(), clearance_number=assessment.clearance_number, transfer_case=case
        )

    requests = [
        hold(first, "cases/ZY-A"),
        hold(held, "cases/ZY-C"),
        hold(second, "cases/ZY-B"),
        hold(first, "cases/ZY-OTHER"),
    ]
    batch = pb.ConsumeClearancesRequest(requests=requests)
    reply = await as_transfer.ConsumeClearances(batch)
    outcomes = [outcome_of(o) for o in reply.outcomes]
    assert outcomes[0].assessment.state == pb.ASSESSMENT_STATE_CONSUMED
    assert outcomes[1] == (grpc.StatusCode.FAILED_PRECONDITION, "CLEARANCE_USED_BY_TRANSFER")
    assert outcomes[2].assessment.transfer_case == "cases/ZY-B"
    # Judged after the first hold of the same clearance, in the same transaction.
    assert outcomes[3] == (grpc.StatusCode.FAILED_PRECONDITION, "CLEARANCE_USED_BY_TRANSFER")

    assert await as_transfer.ConsumeClearances(batch) == reply
    assert await as_transfer.ConsumeClearance(requests[2]) == outcomes[2]

    await as_transfer.ReleaseClearance(pb.ReleaseClearanceRequest(request_id=rid(), **earlier))
    again = [outcome_of(o) for o in (await as_transfer.ConsumeClearances(batch)).outcomes]
    assert again[1].assessment.state == pb.ASSESSMENT_STATE_CONSUMED
    assert [again[0], again[2], again[3]] == [outcomes[0], outcomes[2], outcomes[3]]
