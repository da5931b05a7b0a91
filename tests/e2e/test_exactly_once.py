"""Exactly once at the saga's door and in its engine: a filing replayed after the saga moved on
gets its first answer byte for byte; an unknown enum value never reaches a saga; a step that
fails without explanation is retried a bounded number of times and then parks with its reason
for a clerk; a cancellation whose consent proved invalid goes back to the forward path."""

from __future__ import annotations

import grpc
import pytest
from grpc_status import rpc_status

from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from deedflow.preregistration.v1 import preregistration_service_pb2 as prereg_pb
from deedflow.transfer.v1 import transfer_service_pb2 as transfer_pb
from shared import faults, statements
from shared.grpc.status import bad_request, error_info
from tests.flows import presale, refused, rid
from tests.parties import developer
from tests.purchases import (
    complete,
    file_purchase,
    joint_cancellation,
    paid_and_idle,
    signed_filing,
    until,
    until_waiting,
)
from tests.support import client_channel

AWAITING = pb.PURCHASE_STATE_AWAITING_COMPLETION
READY = pb.PURCHASE_STATE_CERTIFICATE_READY
PARKED = pb.PURCHASE_STATE_PARKED
FILE = "/deedflow.orchestrator.v1.PurchaseService/FilePurchase"


@pytest.fixture(scope="module")
async def desk_channel(services, pki):
    async with client_channel(services["orchestrator"].server.port, pki, "developer") as channel:
        yield channel


@pytest.fixture(scope="module")
def developer_desk(desk_channel):
    return orchestrator_service_pb2_grpc.PurchaseServiceStub(desk_channel)


@pytest.fixture(scope="module")
async def clerk_desk(services, pki):
    async with client_channel(services["orchestrator"].server.port, pki, "clerk") as channel:
        yield orchestrator_service_pb2_grpc.PurchaseServiceStub(channel)


def _raw(channel: grpc.aio.Channel, method: str):
    """The method answering raw bytes, to compare answers byte for byte."""
    return channel.unary_unary(
        method, request_serializer=lambda m: m.SerializeToString(), response_deserializer=None
    )


async def test_a_filing_replayed_after_the_saga_moved_on_gets_its_first_answer(offices, pki, desk_channel):
    """ARCHITECTURE §3: the same request id and body get the first answer, byte for byte, at any
    later time; the same id with another body is REQUEST_ID_REUSED, and changes nothing."""
    desk = orchestrator_service_pb2_grpc.PurchaseServiceStub(desk_channel)
    _, (unit, other) = await presale(offices)
    request = pb.FilePurchaseRequest(request_id=rid(), filing=signed_filing(pki, unit, with_loan=True)[0])
    first = await _raw(desk_channel, FILE)(request)
    name = pb.FilePurchaseResponse.FromString(first).purchase.name
    moved_on = await until(desk, name, AWAITING)
    assert moved_on.version > pb.FilePurchaseResponse.FromString(first).purchase.version
    assert await _raw(desk_channel, FILE)(request) == first

    reused = pb.FilePurchaseRequest(request_id=request.request_id, filing=signed_filing(pki, other, True)[0])
    assert await refused(desk.FilePurchase(reused)) == (grpc.StatusCode.INVALID_ARGUMENT, "REQUEST_ID_REUSED")
    listed = await desk.ListPurchases(pb.ListPurchasesRequest(building_number=unit[:24]))
    assert [p.filing.unit_number for p in listed.purchases] == [unit]


async def test_an_unknown_enum_value_is_refused_at_the_door(offices, pki, developer_desk, clerk_desk):
    """A number no enum declares (home_count = 7) is INVALID_ARGUMENT naming the field; nothing
    is filed, so no saga can meet it later."""
    _, (unit, _) = await presale(offices)
    filing, _ = signed_filing(pki, unit, with_loan=False)
    filing.buyers[1].home_count = 7
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await developer_desk.FilePurchase(pb.FilePurchaseRequest(request_id=rid(), filing=filing))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    fields = [v.field for v in bad_request(rpc_status.from_call(caught.value)).field_violations]
    assert fields == ["filing.buyers[1].home_count"]
    assert (
        await offices.contracts.GetUnit(contract_pb.GetUnitRequest(unit_number=unit))
    ).unit.sale_state == (contract_pb.UNIT_SALE_STATE_ON_SALE)
    code, _ = await refused(clerk_desk.ListPurchases(pb.ListPurchasesRequest(state=999)))
    assert code == grpc.StatusCode.INVALID_ARGUMENT


async def test_an_unexplained_failure_is_retried_a_bounded_number_of_times_then_parks(
    offices, pki, developer_desk, clerk_desk, services
):
    """An office that keeps answering INTERNAL: the saga tries again a bounded number of times,
    then parks the purchase with that error where a clerk sees it; the office's own operation
    parks too (OPERATION_PARKED) until the office restarts with the fix, and the clerk's resume
    then takes the purchase on."""
    _, (unit, _) = await presale(offices)
    faults.configure("preregistration/LodgePreregistration/commit/before-call=bug")
    try:
        purchase = await file_purchase(developer_desk, signed_filing(pki, unit, with_loan=True)[0])
        parked = await until(developer_desk, purchase.name, PARKED)
        retry = pb.ResumePurchaseRequest(request_id=rid(), name=purchase.name, note="再试一次")
        await clerk_desk.ResumePurchase(retry)
        parked_again = await until(developer_desk, purchase.name, PARKED)
    finally:
        faults.configure()
    assert parked.problem.code == grpc.StatusCode.INTERNAL.value[0]
    step = next(s for s in parked.steps if s.state == pb.STEP_STATE_FAILED)
    assert pb.StepKind.Name(step.kind) == "STEP_KIND_PREREGISTERED"
    assert step.attempts == 5
    listed = await clerk_desk.ListPurchases(pb.ListPurchasesRequest(state=PARKED, building_number=unit[:24]))
    assert [p.problem.message for p in listed.purchases] == [parked.problem.message]
    # By now the office has given up on its own operation as well: the resumed saga hears so.
    assert error_info(parked_again.problem).reason == "OPERATION_PARKED"

    await services["preregistration"].deps.journal.unpark()
    await clerk_desk.ResumePurchase(
        pb.ResumePurchaseRequest(request_id=rid(), name=purchase.name, note="已修复")
    )
    waiting = await until(developer_desk, purchase.name, AWAITING, PARKED)
    assert waiting.state == AWAITING, waiting.problem
    assert waiting.documents.premortgage_proof_number


async def _waiting_financed(offices, pki, developer_desk):
    _, (unit, _) = await presale(offices)
    filing, people = signed_filing(pki, unit, with_loan=True)
    purchase = await file_purchase(developer_desk, filing)
    waiting = await until_waiting(developer_desk, purchase.name)
    return await paid_and_idle(offices, developer_desk, waiting), people


async def test_consent_to_another_act_is_refused_at_the_door(offices, pki, developer_desk):
    """Attack 7: signatures over another contract's cancellation, or the bank's release signed
    where the buyers' cancellation belongs, are refused before anything starts."""
    waiting, people = await _waiting_financed(offices, pki, developer_desk)
    unit = waiting.filing.unit_number
    contract = (
        await offices.contracts.GetContract(contract_pb.GetContractRequest(name=waiting.documents.contract))
    ).contract
    elsewhere = joint_cancellation(pki, people, unit, bytes(32), with_bank=False)
    release_as_cancel = joint_cancellation(pki, people, unit, contract.digest, with_bank=True)
    bank = release_as_cancel.signatures[-1]
    release_as_cancel.signatures[0].CopyFrom(
        developer(pki).signature(statements.release_premortgage(unit, contract.digest))
    )
    elsewhere.signatures.append(bank)
    for joint, reason in ((elsewhere, "SIGNATURE_MISMATCH"), (release_as_cancel, "SIGNATURE_WRONG_PURPOSE")):
        cancel = pb.CancelPurchaseRequest(request_id=rid(), name=waiting.name, joint=joint)
        assert await refused(developer_desk.CancelPurchase(cancel)) == (
            grpc.StatusCode.INVALID_ARGUMENT,
            reason,
        )
    still = (await developer_desk.GetPurchase(pb.GetPurchaseRequest(name=waiting.name))).purchase
    assert (still.state, still.version) == (AWAITING, waiting.version)


async def _parked_cancellation(offices, pki, developer_desk, refused_step: str):
    """A financed purchase waiting for its building, then cancelled; the compensation of
    `refused_step` is refused by its office (as it would be for a restriction entered
    meanwhile), so the cancellation parks."""
    waiting, people = await _waiting_financed(offices, pki, developer_desk)
    contract = (
        await offices.contracts.GetContract(contract_pb.GetContractRequest(name=waiting.documents.contract))
    ).contract
    joint = joint_cancellation(pki, people, waiting.filing.unit_number, contract.digest, with_bank=True)
    faults.configure(f"orchestrator/saga/{refused_step}/compensate/before-call=refuse")
    try:
        await developer_desk.CancelPurchase(
            pb.CancelPurchaseRequest(request_id=rid(), name=waiting.name, joint=joint)
        )
        return waiting, await until(developer_desk, waiting.name, PARKED, pb.PURCHASE_STATE_CANCELLED)
    finally:
        faults.configure()


async def test_a_cancellation_whose_consent_proved_invalid_goes_back_to_the_forward_path(
    offices, pki, developer_desk, clerk_desk
):
    """The bank's release went through, the pre-registration office refused the cancellation;
    the clerk withdraws the cancellation and the purchase goes on, its pre-mortgage lodged anew,
    to the certificate."""
    waiting, parked = await _parked_cancellation(offices, pki, developer_desk, "PREREGISTERED")
    assert parked.state == PARKED
    assert parked.problem.code == grpc.StatusCode.FAILED_PRECONDITION.value[0]
    resumed = (
        await clerk_desk.ResumePurchase(
            pb.ResumePurchaseRequest(
                request_id=rid(), name=parked.name, note="撤销申请无效，继续办理", withdraw_cancellation=True
            )
        )
    ).purchase
    assert resumed.state == pb.PURCHASE_STATE_FILING
    again = await until(developer_desk, parked.name, AWAITING, PARKED)
    assert again.state == AWAITING, again.problem
    assert again.documents.premortgage != waiting.documents.premortgage
    released = (
        await offices.prereg_as_bank.GetPremortgage(
            prereg_pb.GetPremortgageRequest(name=waiting.documents.premortgage)
        )
    ).premortgage
    assert released.state == prereg_pb.PREREGISTRATION_STATE_CANCELLED
    await complete(developer_desk, parked.building_number)
    ready = await until(developer_desk, parked.name, READY, PARKED)
    assert ready.state == READY, ready.problem
    assert ready.documents.mortgage_proof_number


async def test_a_cancellation_cannot_be_withdrawn_once_the_filing_is_cancelled(
    offices, pki, developer_desk, clerk_desk
):
    """The tax office refuses the refund, the last compensation, after the filing was cancelled
    and the unit is on sale again: there is no forward path left."""
    _, parked = await _parked_cancellation(offices, pki, developer_desk, "TAX_ASSESSED")
    assert parked.problem.code == grpc.StatusCode.FAILED_PRECONDITION.value[0]
    withdraw = pb.ResumePurchaseRequest(
        request_id=rid(), name=parked.name, note="x", withdraw_cancellation=True
    )
    assert await refused(clerk_desk.ResumePurchase(withdraw)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "CANCELLATION_TOO_FAR",
    )


async def test_only_a_cancellation_can_be_withdrawn(offices, pki, developer_desk, clerk_desk):
    _, (unit, _) = await presale(offices)
    faults.configure("preregistration/LodgePreregistration/commit/before-call=bug")
    try:
        purchase = await file_purchase(developer_desk, signed_filing(pki, unit, with_loan=False)[0])
        await until(developer_desk, purchase.name, PARKED)
    finally:
        faults.configure()
    withdraw = pb.ResumePurchaseRequest(
        request_id=rid(), name=purchase.name, note="x", withdraw_cancellation=True
    )
    assert await refused(clerk_desk.ResumePurchase(withdraw)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "NO_CANCELLATION",
    )


async def test_a_handover_runs_to_its_end_and_no_other_request_hands_the_purchase_over_meanwhile(
    offices, pki, developer_desk
):
    """ConfirmHandover is an operation of the journal (交房即交证): a release of the certificates
    the office could not make yet leaves the handover open for a retry or the sweeper to finish;
    another request id meanwhile is ABORTED HANDOVER_UNDER_WAY, never a second release at another
    time; once done, the purchase was handed over at the moment its certificates were released,
    and a handover after that is CERTIFICATE_NOT_READY."""
    building, (unit, _) = await presale(offices)
    purchase = await file_purchase(developer_desk, signed_filing(pki, unit, with_loan=False)[0])
    await paid_and_idle(offices, developer_desk, await until_waiting(developer_desk, purchase.name))
    await complete(developer_desk, building)
    ready = await until(developer_desk, purchase.name, READY)
    first = pb.ConfirmHandoverRequest(request_id=rid(), name=purchase.name)
    other = pb.ConfirmHandoverRequest(request_id=rid(), name=purchase.name)
    faults.configure("orchestrator/ConfirmHandover/release/before-call=bug")
    try:
        assert (await refused(developer_desk.ConfirmHandover(first)))[0] == grpc.StatusCode.INTERNAL
        under_way = await refused(developer_desk.ConfirmHandover(other))
    finally:
        faults.configure()
    assert under_way == (grpc.StatusCode.ABORTED, "HANDOVER_UNDER_WAY")

    handed = (await developer_desk.ConfirmHandover(first)).purchase
    assert handed.state == pb.PURCHASE_STATE_HANDED_OVER
    (number,) = ready.documents.certificate_numbers
    certificate = (
        await offices.transfer_clerk.GetCertificate(
            transfer_pb.GetCertificateRequest(name=f"certificates/{number}")
        )
    ).certificate
    assert certificate.release_time == handed.handover_time
    assert await refused(developer_desk.ConfirmHandover(other)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "CERTIFICATE_NOT_READY",
    )
