"""The law across offices, with time moved by a settable clock on a stack of its own: the 90-day
lapse of the 预告 counts the application (民法典 221), and what follows from it for the bank."""

from __future__ import annotations

import datetime as dt

import pytest

from deedflow.casework.v1 import casework_service_pb2 as case_pb
from deedflow.preregistration.v1 import preregistration_service_pb2 as prereg_pb
from deedflow.registry.v1 import registry_service_pb2 as registry_pb
from deedflow.tax.v1 import tax_service_pb2 as tax_pb
from deedflow.transfer.v1 import transfer_service_pb2 as transfer_pb
from shared import faults
from shared.catalog import SERVICE_NAMES
from shared.clock import SettableClock
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
async def law(law_database, test_settings, clock, pki):
    """Every office on one settable clock and a database of their own."""
    settings = test_settings.model_copy(deep=True)
    async with (
        in_process(SERVICE_NAMES, settings, law_database, clock) as started,
        open_offices({n: s.server.port for n, s in started.items()}, pki) as offices,
    ):
        yield offices


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
