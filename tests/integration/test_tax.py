"""The tax service (契税) over mTLS gRPC on real PostgreSQL: assessment by the 2024 table,
payment by reference, the clearance the registry looks up, refund on cancellation."""

from __future__ import annotations

import uuid

import grpc
import pytest
from grpc_status import rpc_status

from deedflow.tax.v1 import tax_service_pb2 as pb
from deedflow.tax.v1 import tax_service_pb2_grpc
from deedflow.type.v1 import parties_pb2
from shared.grpc.channels import secure_channel
from shared.grpc.status import error_info
from tests.support import client_channel

BUYER = parties_pb2.Buyer(name="甲", resident_id="11010519491231002X", share_basis_points=10000)


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
    stub, contract=None, area=12_000, price_yuan=1_200_000, home=parties_pb2.HOME_COUNT_ONLY, request_id=None
):
    reply = await stub.AssessDeedTax(
        pb.AssessDeedTaxRequest(
            request_id=request_id or rid(),
            contract=contract or f"contracts/{uuid.uuid4()}",
            unit_number="500112001002GB00015F00030502",
            buyers=[BUYER],
            price_ex_vat_fen=price_yuan * 100,
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


async def refused(call):
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    info = error_info(rpc_status.from_call(caught.value))
    return caught.value.code(), info.reason if info else None


async def test_assessment_applies_the_table_over_grpc(as_service):
    """公告2024年第16号: 140.01 m² at ¥1,400,100 as an only home is 1.5 %, ¥21,001.50."""
    found = await assess(as_service, area=14_001, price_yuan=1_400_100)
    assert (found.rate_basis_points, found.tax_fen) == (150, 2_100_150)
    assert found.rate_basis == "only home, > 140 m²"
    assert found.state == pb.ASSESSMENT_STATE_ASSESSED


async def test_paid_tax_gives_a_clearance_the_registry_can_look_up(as_service, as_bank):
    """契税法 11: the registry checks the tax is paid, by lookup rather than paper (条例 24)."""
    assessment = await assess(as_service)
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


async def test_payment_is_idempotent_by_its_reference(as_service, as_bank):
    """契税法 10: one payment, recorded once, however often the bank reports it."""
    assessment = await assess(as_service)
    first = await pay(as_bank, assessment, reference="BANK-REF-1-" + assessment.name[-6:])
    again = await pay(as_bank, assessment, reference="BANK-REF-1-" + assessment.name[-6:])
    assert again.clearance_number == first.clearance_number
    assert len(again.payments) == 1
    other = await assess(as_service)
    code, reason = await refused(pay(as_bank, other, reference="BANK-REF-1-" + assessment.name[-6:]))
    assert (code, reason) == (grpc.StatusCode.ALREADY_EXISTS, "PAYMENT_REFERENCE_USED")


async def test_wrong_amount_is_refused(as_service, as_bank):
    assessment = await assess(as_service)
    code, reason = await refused(pay(as_bank, assessment, amount=assessment.tax_fen - 1))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "PAYMENT_AMOUNT_MISMATCH")


async def test_refund_before_registration_and_none_after(as_service, as_transfer, as_bank):
    """契税法 12: tax paid on a contract that fails before registration is refunded; once a
    registered transfer relied on the clearance, it is not."""
    refunded = await pay(as_bank, await assess(as_service))
    reply = await as_service.RefundDeedTax(
        pb.RefundDeedTaxRequest(request_id=rid(), assessment=refunded.name, reason="contract cancelled")
    )
    assert (reply.assessment.state, reply.refund_fen) == (pb.ASSESSMENT_STATE_REFUNDED, refunded.tax_fen)
    code, reason = await refused(as_service.GetClearance(pb.GetClearanceRequest(contract=refunded.contract)))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "DEED_TAX_REFUNDED")

    used = await pay(as_bank, await assess(as_service))
    await as_transfer.ConsumeClearance(
        pb.ConsumeClearanceRequest(
            request_id=rid(), clearance_number=used.clearance_number, transfer_case="cases/T1"
        )
    )
    code, reason = await refused(
        as_service.RefundDeedTax(
            pb.RefundDeedTaxRequest(request_id=rid(), assessment=used.name, reason="late")
        )
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "CLEARANCE_USED_BY_TRANSFER")


async def test_unpaid_assessment_is_voided_without_refund(as_service):
    assessment = await assess(as_service)
    reply = await as_service.RefundDeedTax(
        pb.RefundDeedTaxRequest(request_id=rid(), assessment=assessment.name, reason="contract cancelled")
    )
    assert (reply.assessment.state, reply.refund_fen) == (pb.ASSESSMENT_STATE_VOIDED, 0)


async def test_a_contract_is_assessed_once(as_service):
    contract = f"contracts/{uuid.uuid4()}"
    first = await assess(as_service, contract=contract)
    same = await assess(as_service, contract=contract)
    assert same.name == first.name
    code, reason = await refused(assess(as_service, contract=contract, price_yuan=999_999))
    assert (code, reason) == (grpc.StatusCode.ALREADY_EXISTS, "CONTRACT_ALREADY_ASSESSED")


async def test_only_tax_bank_or_service_may_record_payments(services, pki, as_service):
    assessment = await assess(as_service)
    async with client_channel(services["tax"].server.port, pki, "developer") as channel:
        code, reason = await refused(pay(tax_service_pb2_grpc.TaxServiceStub(channel), assessment))
    assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "ROLE_NOT_ALLOWED")
