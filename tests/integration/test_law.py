"""The law across offices, with time moved by a settable clock on a stack of its own: the 90-day
lapse of the 预告 counts the application (民法典 221), and what follows from it for the bank."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
import grpc
import pytest

from deedflow.casework.v1 import casework_service_pb2 as case_pb
from deedflow.preregistration.v1 import preregistration_service_pb2 as prereg_pb
from deedflow.registry.v1 import registry_service_pb2 as registry_pb
from deedflow.tax.v1 import tax_service_pb2 as tax_pb
from deedflow.transfer.v1 import transfer_service_pb2 as transfer_pb
from services.preregistration.service import Preregistrations
from shared import faults
from shared.catalog import SERVICE_NAMES
from shared.clock import SettableClock
from shared.db import plain_url
from tests.flows import (
    application,
    entered,
    file_contract,
    first_register,
    open_offices,
    pay_tax,
    premortgage,
    preregister,
    presale,
    refused,
    rid,
)
from tests.support import fresh_database, in_process


@pytest.fixture(scope="module")
def law_database(server_url):
    yield from fresh_database(server_url)


@pytest.fixture(scope="module")
def clock() -> SettableClock:
    return SettableClock(dt.datetime.now(dt.UTC).replace(microsecond=0))


@pytest.fixture(scope="module")
async def law_stack(law_database, test_settings, clock, pki):
    """Every office on one settable clock and a database of their own: the started services and
    the stubs each caller holds."""
    settings = test_settings.model_copy(deep=True)
    async with (
        in_process(SERVICE_NAMES, settings, law_database, clock) as started,
        open_offices({n: s.server.port for n, s in started.items()}, pki) as offices,
    ):
        yield started, offices


@pytest.fixture(scope="module")
def law(law_stack):
    return law_stack[1]


async def _financed_sale_first_registered(o, pki):
    building, (unit, _) = await presale(o)
    sale = await file_contract(o, pki, unit)
    await preregister(o, sale)
    await premortgage(o, sale)
    await pay_tax(o, sale)
    await first_register(o, building, [unit])
    return sale


async def test_a_transfer_applied_for_on_day_89_and_entered_on_day_91_keeps_the_banks_priority(
    law, clock, pki
):
    """民法典 221, CQ 60: the 预告 lapses only if registration is not *applied for* within 90 days
    of first registration. A transfer lodged on day 89 and entered on day 91 is registered, and the
    预抵押 that waited for it converts with its own date (CQ 66, 担保制度解释 52)."""
    o = law
    sale = await _financed_sale_first_registered(o, pki)
    clock.advance(dt.timedelta(days=89))
    lodged = await o.transfer.LodgeTransfer(
        transfer_pb.LodgeTransferRequest(request_id=rid(), application=application(sale))
    )
    clock.advance(dt.timedelta(days=2))
    # Day 91, the application pending: neither the 预告 nor the bank's 预抵押 has lapsed.
    prereg = (
        await o.prereg.GetPreregistration(prereg_pb.GetPreregistrationRequest(name=sale.prereg.name))
    ).preregistration
    premortgage_now = (
        await o.prereg_as_bank.GetPremortgage(prereg_pb.GetPremortgageRequest(name=sale.premortgage.name))
    ).premortgage
    assert prereg.state == premortgage_now.state == prereg_pb.PREREGISTRATION_STATE_IN_FORCE
    record = await entered(o.transfer_cases, lodged.case_record.name)
    assert record.state == case_pb.CASE_STATE_ISSUED
    transfer = (
        await o.transfer.GetTransfer(transfer_pb.GetTransferRequest(name=lodged.transfer.name))
    ).transfer
    assert transfer.state == transfer_pb.REGISTRATION_STATE_REGISTERED
    assert transfer.mortgage_priority_time == sale.premortgage.register_time
    history = (
        await o.registry_clerk.ListEntries(registry_pb.ListEntriesRequest(unit_number=sale.unit))
    ).entries
    prereg = next(e for e in history if e.kind == registry_pb.ENTRY_KIND_PREREGISTRATION)
    assert prereg.state == registry_pb.ENTRY_STATE_HISTORIC
    assert prereg.ended_by_case == lodged.case_record.name


async def test_a_transfer_applied_for_on_day_91_is_refused_as_lapsed(law, clock, pki):
    """民法典 221: no application within 90 days, and the 预告 has lapsed: the pre-registration
    office shows it lapsed, as the book does, and the transfer is refused."""
    o = law
    sale = await _financed_sale_first_registered(o, pki)
    clock.advance(dt.timedelta(days=91))
    shown = (
        await o.prereg.GetPreregistration(prereg_pb.GetPreregistrationRequest(name=sale.prereg.name))
    ).preregistration
    assert shown.state == prereg_pb.PREREGISTRATION_STATE_LAPSED
    check = await o.registry.CheckDisposal(
        registry_pb.CheckDisposalRequest(
            unit_number=sale.unit,
            disposal=registry_pb.DISPOSAL_TRANSFER,
            beneficiaries=[f"buyers/{b.resident_id}" for b in sale.contract.terms.buyers],
        )
    )
    assert [r.reason for r in check.restrictions] == ["PRE_REGISTRATION_LAPSED"]


async def test_the_platforms_transfer_on_day_91_is_refused_as_lapsed_from_the_book_it_reads(law, clock, pki):
    """The platform's filed-once transfer reads the pre-registration as recorded and judges the
    lapse from the unit's history it reads itself (one read of the register, not three): on day
    91, with nothing applied for, it is refused PRE_REGISTRATION_LAPSED and nothing is entered.
    The facts are judged before anything is lodged, so the refusal leaves no case behind either."""
    o = law
    sale = await _financed_sale_first_registered(o, pki)
    clock.advance(dt.timedelta(days=91))
    recorded = (
        await o.prereg.GetPreregistration(
            prereg_pb.GetPreregistrationRequest(name=sale.prereg.name, as_recorded=True)
        )
    ).preregistration
    assert recorded.state == prereg_pb.PREREGISTRATION_STATE_IN_FORCE
    code, reason = await refused(
        o.transfer_as_service.LodgeTransfer(
            transfer_pb.LodgeTransferRequest(
                request_id=rid(), application=application(sale), auto_register=True
            )
        )
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "PRE_REGISTRATION_LAPSED")
    every_state = [s for s in case_pb.CaseState.values() if s != case_pb.CASE_STATE_UNSPECIFIED]
    lodged = await o.transfer_cases.ListCases(
        case_pb.ListCasesRequest(unit_number=sale.unit, states=every_state)
    )
    assert list(lodged.cases) == []
    unit = (await o.registry_clerk.GetUnit(registry_pb.GetUnitRequest(unit_number=sale.unit))).unit
    assert not [
        e
        for e in unit.entries
        if e.kind == registry_pb.ENTRY_KIND_OWNERSHIP
        and e.holders != [f"organizations/{sale.contract.terms.developer.uscc}"]
    ]


async def _hold_lease(database_url: str, request_id: str, until: dt.datetime) -> None:
    """The transfer office's operation for this request is held by another driver until
    `until`: neither its sweeper nor a retry may take it before."""
    connection = await asyncpg.connect(plain_url(database_url), server_settings={"search_path": "transfer"})
    try:
        held = await connection.execute(
            "UPDATE operation SET leased_by = 'elsewhere', lease_until = $2"
            " WHERE request_id = $1 AND state = 'RUNNING'",
            uuid.UUID(request_id),
            until,
        )
        assert held == "UPDATE 1"
    finally:
        await connection.close()


async def test_the_platforms_transfer_on_day_89_enters_although_the_book_shows_the_lapse_later(
    law, law_database, clock, pki
):
    """Applied for on day 89 and entered on day 91, after the register has ended the 预告 by
    law: the platform's transfer judges the lapse against its own application, so it is entered
    and the 预抵押 converts with its own date (民法典 221, CQ 66)."""
    o = law
    sale = await _financed_sale_first_registered(o, pki)
    clock.advance(dt.timedelta(days=89))
    # Lodged (applied for) on day 89; the database goes away before the entry begins.
    faults.configure("transfer/LodgeTransfer/begin/after-commit=db")
    try:
        code, _ = await refused(
            o.transfer_as_service.LodgeTransfer(
                transfer_pb.LodgeTransferRequest(
                    request_id=(request_id := rid()), application=application(sale), auto_register=True
                )
            )
        )
    finally:
        faults.configure()
    # Unavailable, or (the channel retried the same request id) the operation still under way.
    assert code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.ABORTED)
    # Still under way on day 91: the office's sweeper would otherwise finish it as soon as its
    # lease runs out on the advanced clock, before the pending application can be looked at.
    await _hold_lease(law_database, request_id, clock.now() + dt.timedelta(days=10))
    clock.advance(dt.timedelta(days=2))
    # Day 91: the book shows the 预告 ended by law on day 90; the same request resumes the entry.
    shown = (
        await o.prereg.GetPreregistration(prereg_pb.GetPreregistrationRequest(name=sale.prereg.name))
    ).preregistration
    assert shown.state == prereg_pb.PREREGISTRATION_STATE_IN_FORCE
    await _hold_lease(law_database, request_id, clock.now() - dt.timedelta(seconds=1))
    reply = await o.transfer_as_service.LodgeTransfer(
        transfer_pb.LodgeTransferRequest(
            request_id=request_id, application=application(sale), auto_register=True
        )
    )
    assert reply.transfer.state == transfer_pb.REGISTRATION_STATE_REGISTERED
    assert reply.transfer.mortgage_priority_time == sale.premortgage.register_time


async def test_a_clearance_held_for_a_transfer_is_not_refunded_and_a_refused_entry_gives_it_back(law, pki):
    """契税法 12: the transfer holds the tax clearance before it is entered in the book, so no
    refund can fall between 审核 and 登簿; when the book refuses the entry the clearance is given
    back, paid, and the next application uses it."""
    o = law
    building, (unit, _) = await presale(o)
    sale = await file_contract(o, pki, unit)
    await preregister(o, sale)
    paid = await pay_tax(o, sale)
    await first_register(o, building, [unit])

    def lodging() -> transfer_pb.LodgeTransferRequest:
        return transfer_pb.LodgeTransferRequest(
            request_id=rid(), application=application(sale), auto_register=True
        )

    async def assessment() -> tax_pb.Assessment:
        return (await o.tax_as_bank.GetAssessment(tax_pb.GetAssessmentRequest(name=paid.name))).assessment

    faults.configure("transfer/LodgeTransfer/commit/before-call=refuse")
    try:
        code, _ = await refused(o.transfer_as_service.LodgeTransfer(lodging()))
    finally:
        faults.configure()
    assert code.name == "FAILED_PRECONDITION"
    given_back = await assessment()
    assert given_back.state == tax_pb.ASSESSMENT_STATE_PAID
    assert not given_back.transfer_case

    faults.configure("transfer/LodgeTransfer/commit/before-call=bug")
    try:
        await refused(o.transfer_as_service.LodgeTransfer(lodging()))
        held = await assessment()
    finally:
        faults.configure()
    assert held.state == tax_pb.ASSESSMENT_STATE_CONSUMED
    assert held.transfer_case.startswith("cases/ZY")
    unit_now = (await o.registry.GetUnit(registry_pb.GetUnitRequest(unit_number=unit))).unit
    owners = [e for e in unit_now.entries if e.kind == registry_pb.ENTRY_KIND_OWNERSHIP]
    assert [list(e.holders) for e in owners] == [[f"organizations/{sale.contract.terms.developer.uscc}"]]


async def _requisitioned_preregistration(o, pki):
    """A developer's 预告 application a clerk has requisitioned (补正), with every correction."""
    _, (unit, _) = await presale(o)
    sale = await file_contract(o, pki, unit)
    _, case = await preregister(o, sale, auto=False)
    requisition = case_pb.RequisitionCaseRequest(
        request_id=rid(),
        name=case.name,
        corrections=[case_pb.Correction(subject="申请书", description="缺少买受人签名页")],
    )
    await o.prereg_cases.RequisitionCase(requisition)
    return sale, case


async def test_one_requisition_per_case_and_an_unanswered_one_lapses_the_application(law_stack, clock, pki):
    """条例 17 and CQ 20: every correction is asked for once, in one requisition, so a second is
    refused; an application whose requisition goes unanswered past its period (30 days, practice)
    lapses with the office's record, whether the applicant answers late or never."""
    started, o = law_stack
    _, answered = await _requisitioned_preregistration(o, pki)
    late_sale, late = await _requisitioned_preregistration(o, pki)
    _, silent = await _requisitioned_preregistration(o, pki)
    await o.prereg_cases.ResubmitCase(
        case_pb.ResubmitCaseRequest(request_id=rid(), name=answered.name, answers=["已补签名页"])
    )
    again = case_pb.RequisitionCaseRequest(
        request_id=rid(),
        name=answered.name,
        corrections=[case_pb.Correction(subject="附件", description="再补")],
    )
    assert await refused(o.prereg_cases.RequisitionCase(again)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "REQUISITION_ALREADY_MADE",
    )

    clock.advance(dt.timedelta(days=31))
    answer = case_pb.ResubmitCaseRequest(request_id=rid(), name=late.name, answers=["已补签名页"])
    assert await refused(o.prereg_cases.ResubmitCase(answer)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "CASE_LAPSED",
    )
    assert (await o.prereg_cases.GetCase(case_pb.GetCaseRequest(name=late.name))).case_record.state == (
        case_pb.CASE_STATE_LAPSED
    )
    prereg = (
        await o.prereg.GetPreregistration(prereg_pb.GetPreregistrationRequest(name=late_sale.prereg.name))
    ).preregistration
    assert prereg.state == prereg_pb.PREREGISTRATION_STATE_ABANDONED

    office = started["preregistration"].deps
    cases = Preregistrations(office.journal, office.pki.ca_pem, office.peer).cases
    assert await cases.lapse_unanswered(office.database, clock) == 1
    for name, state in ((silent.name, case_pb.CASE_STATE_LAPSED), (answered.name, case_pb.CASE_STATE_LODGED)):
        assert (await o.prereg_cases.GetCase(case_pb.GetCaseRequest(name=name))).case_record.state == state
