"""The operation journal on the real offices: no remote call leaves while a transaction is open,
a refusal at the book's commit is recorded and is the request's answer, an operation another
driver holds is answered "in progress" and taken over once its lease runs out, a case being
entered cannot be withdrawn or refused, and a claim without its operation is our fault, said so."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
import grpc
import pytest

from deedflow.casework.v1 import casework_service_pb2 as case_pb
from deedflow.casework.v1 import casework_service_pb2_grpc
from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from deedflow.preregistration.v1 import preregistration_service_pb2 as prereg_pb
from deedflow.registry.v1 import registry_service_pb2 as registry_pb
from deedflow.transfer.v1 import transfer_service_pb2 as transfer_pb
from shared import faults
from shared.db import plain_url
from shared.grpc.channels import RemoteCallInTransaction
from shared.idempotency import IdempotencyKey, operation_id, request_fingerprint
from tests.flows import (
    DEVELOPER,
    application,
    file_contract,
    first_register,
    pay_tax,
    preregister,
    presale,
    refused,
    rid,
    seize,
)
from tests.support import client_channel

CLERK = "deedflow://clerk/C0001"
REGISTER = "/deedflow.casework.v1.CaseworkService/RegisterCase"


async def test_no_remote_call_leaves_while_a_transaction_is_open(services, offices):
    """ARCHITECTURE §6: the channel refuses to start a call under an open transaction."""
    database = services["transfer"].deps.database
    probe = registry_pb.GetUnitRequest(unit_number="500112001002GB99999F00010001")
    async with database.transaction():
        with pytest.raises(RemoteCallInTransaction):
            await offices.registry.GetUnit(probe)
    # Outside one the same call leaves and is answered (the unit is not in the book).
    code, _ = await refused(offices.registry.GetUnit(probe))
    assert code == grpc.StatusCode.NOT_FOUND


async def test_a_refusal_at_the_books_commit_refuses_the_case_and_stays_the_answer(offices, pki):
    """条例 22: an application the register refuses is refused with written reasons; the answer
    to that request id stays the refusal, while a new application succeeds once the cause is gone."""
    o = offices
    _, (unit, _) = await presale(o)
    sale = await file_contract(o, pki, unit)
    await seize(o, unit, 71)
    request = prereg_pb.LodgePreregistrationRequest(
        request_id=rid(),
        unit_number=unit,
        contract=sale.contract.name,
        developer=DEVELOPER,
        auto_register=True,
    )
    with pytest.raises(grpc.aio.AioRpcError) as first:
        await o.prereg_as_service.LodgePreregistration(request)
    assert first.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    refused_cases = (
        await o.prereg_cases.ListCases(
            case_pb.ListCasesRequest(unit_number=unit, states=[case_pb.CASE_STATE_REFUSED])
        )
    ).cases
    assert len(refused_cases) == 1
    assert refused_cases[0].refusal_reasons[0].startswith("UNIT_SEIZED")

    seizure = next(
        e
        for e in (await o.registry_clerk.GetUnit(registry_pb.GetUnitRequest(unit_number=unit))).unit.entries
        if e.kind == registry_pb.ENTRY_KIND_SEIZURE
    )
    await o.registry_clerk.ReleaseSeizure(
        registry_pb.ReleaseSeizureRequest(request_id=rid(), entry=seizure.name, ruling=seizure.ruling)
    )
    with pytest.raises(grpc.aio.AioRpcError) as again:
        await o.prereg_as_service.LodgePreregistration(request)
    assert again.value.trailing_metadata() == first.value.trailing_metadata()
    assert (again.value.code(), again.value.details()) == (first.value.code(), first.value.details())
    request.request_id = rid()
    reply = await o.prereg_as_service.LodgePreregistration(request)
    assert reply.preregistration.state == prereg_pb.PREREGISTRATION_STATE_IN_FORCE


async def _approved_case(o, pki) -> case_pb.Case:
    _, (unit, _) = await presale(o)
    sale = await file_contract(o, pki, unit)
    _, case = await preregister(o, sale, auto=False)
    return (
        await o.prereg_cases.ApproveCase(case_pb.ApproveCaseRequest(request_id=rid(), name=case.name))
    ).case_record


async def test_an_operation_another_driver_holds_is_in_progress_then_taken_over(
    offices, pki, database_url, services
):
    """A retry never starts the work again: while another driver holds the operation it is told
    to come back (ABORTED, retryable); once that driver's lease has run out, the retry takes the
    operation over and finishes it, and every later retry gets that same answer."""
    o = offices
    case = await _approved_case(o, pki)
    request = case_pb.RegisterCaseRequest(request_id=rid(), name=case.name)
    key = IdempotencyKey(CLERK, REGISTER, request.request_id)
    op_id = operation_id(key)
    now = dt.datetime.now(dt.UTC)
    connection = await asyncpg.connect(
        plain_url(database_url), server_settings={"search_path": "preregistration"}
    )
    try:
        async with connection.transaction():
            await connection.execute(
                "INSERT INTO idempotency_record (caller, method, request_id, request_sha256)"
                " VALUES ($1, $2, $3, $4)",
                CLERK,
                REGISTER,
                uuid.UUID(request.request_id),
                request_fingerprint(request),
            )
            await connection.execute(
                "INSERT INTO operation (id, kind, subject, state, caller, method, request_id, input, due_at,"
                " leased_by, lease_until, create_time, update_time)"
                " VALUES ($1, 'RegisterCase', $2, 'RUNNING', $3, $4, $5, $6, $7, 'elsewhere', $7, $8, $8)",
                op_id,
                case.name,
                CLERK,
                REGISTER,
                uuid.UUID(request.request_id),
                request.SerializeToString(deterministic=True),
                now + dt.timedelta(hours=1),
                now,
            )
            await connection.execute(
                "UPDATE registry_case SET register_operation = $2 WHERE case_number = $1",
                case.case_number,
                op_id,
            )
        async with client_channel(services["preregistration"].server.port, pki, "clerk") as channel:
            clerk = casework_service_pb2_grpc.CaseworkServiceStub(channel)
            code, reason = await refused(clerk.RegisterCase(request, timeout=1))
            assert (code, reason) == (grpc.StatusCode.ABORTED, "OPERATION_IN_PROGRESS")
            await connection.execute("UPDATE operation SET lease_until = $2 WHERE id = $1", op_id, now)
            entered = await clerk.RegisterCase(request)
            assert entered.case_record.state == case_pb.CASE_STATE_ISSUED
            assert await clerk.RegisterCase(request) == entered
        state = await connection.fetchval("SELECT state FROM operation WHERE id = $1", op_id)
        assert state == "SUCCEEDED"
    finally:
        await connection.close()


async def test_a_case_being_entered_is_neither_withdrawn_nor_refused_nor_entered_twice(
    offices, pki, database_url
):
    """条例 15, 22: withdrawal and refusal end a case only before 登簿; while an operation enters
    it, the book may already hold it."""
    o = offices
    case = await _approved_case(o, pki)
    connection = await asyncpg.connect(plain_url(database_url))
    try:
        await connection.execute(
            "UPDATE preregistration.registry_case SET register_operation = $2 WHERE case_number = $1",
            case.case_number,
            uuid.uuid4(),
        )
    finally:
        await connection.close()
    for call in (
        o.prereg_cases.WithdrawCase(case_pb.WithdrawCaseRequest(request_id=rid(), name=case.name)),
        o.prereg_cases.RefuseCase(case_pb.RefuseCaseRequest(request_id=rid(), name=case.name, reasons=["x"])),
        o.prereg_cases.RegisterCase(case_pb.RegisterCaseRequest(request_id=rid(), name=case.name)),
    ):
        assert await refused(call) == (grpc.StatusCode.FAILED_PRECONDITION, "CASE_BEING_REGISTERED")


async def test_a_claim_without_its_operation_is_reported_as_our_fault(offices, pki, database_url):
    """Records that disagree are INTERNAL with a reason, never a hang or a second start."""
    o = offices
    case = await _approved_case(o, pki)
    request = case_pb.RegisterCaseRequest(request_id=rid(), name=case.name)
    connection = await asyncpg.connect(plain_url(database_url))
    try:
        await connection.execute(
            "INSERT INTO preregistration.idempotency_record (caller, method, request_id, request_sha256)"
            " VALUES ($1, $2, $3, $4)",
            CLERK,
            REGISTER,
            uuid.UUID(request.request_id),
            request_fingerprint(request),
        )
    finally:
        await connection.close()
    assert await refused(o.prereg_cases.RegisterCase(request)) == (
        grpc.StatusCode.INTERNAL,
        "OPERATION_MISSING",
    )


async def test_a_step_refused_past_the_point_of_no_return_leaves_the_operation_to_finish(
    offices, pki, database_url
):
    """Once the book holds the transfer, nothing undoes it (民法典 214): a later step its peer
    refuses does not refuse the application; the caller hears the work is incomplete (ABORTED,
    retryable), and the same request id brings the finished answer once the step is taken."""
    o = offices
    building, (unit, _) = await presale(o)
    sale = await file_contract(o, pki, unit)
    await preregister(o, sale)
    await pay_tax(o, sale)
    await first_register(o, building, [unit])
    request = transfer_pb.LodgeTransferRequest(
        request_id=rid(), application=application(sale), auto_register=True
    )
    faults.configure("transfer/LodgeTransfer/contract/before-call=refuse")
    try:
        code, reason = await refused(o.transfer_as_service.LodgeTransfer(request))
    finally:
        faults.configure()
    assert (code, reason) == (grpc.StatusCode.ABORTED, "OPERATION_INCOMPLETE")
    owners = [
        e
        for e in (await o.registry_clerk.GetUnit(registry_pb.GetUnitRequest(unit_number=unit))).unit.entries
        if e.kind == registry_pb.ENTRY_KIND_OWNERSHIP and e.state == registry_pb.ENTRY_STATE_CURRENT
    ]
    assert [e.holders for e in owners] == [[f"buyers/{b.resident_id}" for b in sale.contract.terms.buyers]]
    finished = await o.transfer_as_service.LodgeTransfer(request)
    assert finished.transfer.state == transfer_pb.REGISTRATION_STATE_REGISTERED
    assert finished.case_record.state == case_pb.CASE_STATE_ISSUED
    contract = (
        await o.contracts.GetContract(contract_pb.GetContractRequest(name=sale.contract.name))
    ).contract
    assert contract.state == contract_pb.CONTRACT_STATE_TRANSFERRED
