"""Each refusal reason the registration services raise, reached over gRPC the way a caller
would meet it, and replays of every lodging RPC."""

from __future__ import annotations

import datetime as dt

import grpc
import pytest

from deedflow.casework.v1 import casework_service_pb2 as case_pb
from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from deedflow.contract.v1 import contract_service_pb2_grpc
from deedflow.mortgage.v1 import mortgage_service_pb2 as mortgage_pb
from deedflow.preregistration.v1 import preregistration_service_pb2 as prereg_pb
from deedflow.tax.v1 import tax_service_pb2 as tax_pb
from deedflow.transfer.v1 import transfer_service_pb2 as transfer_pb
from deedflow.type.v1 import parties_pb2
from services.contract.app import register as register_contract
from shared import statements
from shared.clock import SettableClock
from shared.runtime import start_service
from tests.flows import (
    BANK,
    DEVELOPER,
    application,
    cancel_jointly,
    cancelling_ruling,
    discharge_entered,
    file_contract,
    first_register,
    mortgage_entered,
    pay_tax,
    premortgage,
    preregister,
    presale,
    refused,
    rid,
    signed_mortgage,
)
from tests.parties import Party, buyer, developer
from tests.support import client_channel, scrape

FAILED = grpc.StatusCode.FAILED_PRECONDITION
LOAN = parties_pb2.Loan(bank=BANK, amount_fen=1_000_000, term_months=12, mortgage_contract_number="DK-R")


async def test_contract_state_refusals(offices, pki):
    """电子签名法 13, 城市房地产管理法 45: signing closes when all have signed, a filed contract is
    not filed twice, a cancelled one not cancelled twice."""
    o = offices
    _, (unit, _) = await presale(o)
    sale = await file_contract(o, pki, unit)
    code, reason = await refused(
        o.contracts.SignContract(
            contract_pb.SignContractRequest(
                request_id=rid(),
                name=sale.contract.name,
                signature=developer(pki).signature(sale.contract.canonical_bytes),
            )
        )
    )
    assert (code, reason) == (FAILED, "CONTRACT_NOT_DRAFTED")
    code, reason = await refused(
        o.contracts.FileContract(contract_pb.FileContractRequest(request_id=rid(), name=sale.contract.name))
    )
    assert (code, reason) == (FAILED, "CONTRACT_NOT_SIGNED")
    ruling = cancelling_ruling("(2026)2")
    cancel = contract_pb.CancelContractRequest(request_id=rid(), name=sale.contract.name, court_ruling=ruling)
    assert await refused(o.contracts.CancelContract(cancel)) == (
        grpc.StatusCode.PERMISSION_DENIED,
        "RULING_NEEDS_CLERK",
    )
    await o.contract_clerk.CancelContract(cancel)
    cancel.request_id = rid()
    assert await refused(o.contract_clerk.CancelContract(cancel)) == (FAILED, "CONTRACT_CANCELLED")


async def test_pre_registration_needs_a_filed_contract(offices, pki):
    """CQ 61: 预告 stands on a filed contract."""
    o = offices
    _, (unit, _) = await presale(o)
    terms = contract_pb.ContractTerms(
        unit_number=unit,
        developer=DEVELOPER,
        price_ex_vat_fen=100_000_000,
        gross_area_dm2=9_000,
        buyers=[parties_pb2.Buyer(name="甲", resident_id="360426199101010071", share_basis_points=10000)],
    )
    drafted = (
        await o.contracts.CreateContract(contract_pb.CreateContractRequest(request_id=rid(), terms=terms))
    ).contract
    code, reason = await refused(
        o.prereg.LodgePreregistration(
            prereg_pb.LodgePreregistrationRequest(
                request_id=rid(),
                unit_number=unit,
                contract=drafted.name,
                developer=DEVELOPER,
                auto_register=True,
            )
        )
    )
    assert (code, reason) == (FAILED, "CONTRACT_NOT_FILED")


async def test_projects_and_permits_are_not_duplicated(offices):
    """城市房地产管理法 45: one permit, one project; a unit under one permit only."""
    o = offices
    _, (unit, _) = await presale(o)
    request = contract_pb.CreateProjectRequest(
        request_id=rid(),
        display_name="重复",
        presale_permit_number=f"渝住建预售({unit[15:24]})",
        developer=DEVELOPER,
    )
    assert (await refused(o.housing.CreateProject(request)))[1] == "PROJECT_EXISTS"
    request.request_id = rid()
    request.presale_permit_number = f"渝住建预售(另{unit[15:24]})"
    request.units.add(unit_number=unit, room_label="1-01", gross_area_dm2=9_000, residential=True)
    code, reason = await refused(o.housing.CreateProject(request))
    assert (code, reason) == (grpc.StatusCode.ALREADY_EXISTS, "UNIT_ON_ANOTHER_PERMIT")


async def test_a_late_filing_is_accepted_recorded_and_counted(
    services, test_settings, database_url, pki, offices
):
    """城市房地产管理法 45 and 重庆市城市房地产开发经营管理条例: filing within 30 days of signing is
    the developer's duty. Filing on day 31 is its breach, not the buyer's: the contract is filed
    (so the buyer can have the 预告), marked late with the day it fell due, and counted."""
    clock = SettableClock(dt.datetime.now(dt.UTC))
    late_office = await start_service(
        "contract", register_contract, test_settings, database_url, port=0, clock=clock
    )
    try:
        async with client_channel(late_office.server.port, pki, "developer") as channel:
            stub = contract_service_pb2_grpc.ContractServiceStub(channel)
            _, (unit, _) = await presale(offices)
            person = buyer(pki, "360426199101010071")
            terms = contract_pb.ContractTerms(
                unit_number=unit,
                developer=DEVELOPER,
                price_ex_vat_fen=100_000_000,
                gross_area_dm2=9_000,
                buyers=[
                    parties_pb2.Buyer(name="甲", resident_id="360426199101010071", share_basis_points=10000)
                ],
            )
            contract = (
                await stub.CreateContract(contract_pb.CreateContractRequest(request_id=rid(), terms=terms))
            ).contract
            for party in (developer(pki), person):
                contract = (
                    await stub.SignContract(
                        contract_pb.SignContractRequest(
                            request_id=rid(),
                            name=contract.name,
                            signature=party.signature(contract.canonical_bytes),
                        )
                    )
                ).contract
            signed_at = contract.signatures[-1].verify_time.ToDatetime(tzinfo=dt.UTC)
            clock.advance(dt.timedelta(days=31))
            filed = (
                await stub.FileContract(contract_pb.FileContractRequest(request_id=rid(), name=contract.name))
            ).contract
            await late_office.deps.metrics.refresh()
            samples = await scrape(late_office.deps.metrics.port)
    finally:
        await late_office.stop(0)
    assert filed.state == contract_pb.CONTRACT_STATE_FILED
    assert filed.filing_number
    assert filed.filed_late
    assert filed.filing_due_time.ToDatetime(tzinfo=dt.UTC) == signed_at + dt.timedelta(days=30)
    late = samples[("deedflow_contracts_filed_late", (("developer_uscc", DEVELOPER.uscc),))]
    assert late >= 1


async def test_a_filing_within_30_days_is_not_late(offices, pki):
    """The same duty, met: a contract filed the day it is signed is not marked late."""
    _, (unit, _) = await presale(offices)
    sale = await file_contract(offices, pki, unit)
    contract = (
        await offices.housing.GetContract(contract_pb.GetContractRequest(name=sale.contract.name))
    ).contract
    assert contract.state == contract_pb.CONTRACT_STATE_FILED
    assert not contract.filed_late
    assert contract.filing_due_time.ToDatetime() > contract.file_time.ToDatetime()


async def test_tax_refund_and_payment_refusals(offices, pki):
    """契税法 10, 12: a refunded assessment is neither refunded again nor paid."""
    o = offices
    _, (unit, _) = await presale(o)
    sale = await file_contract(o, pki, unit)
    assessment = await pay_tax(o, sale)
    await cancel_jointly(o, pki, sale)
    refund = tax_pb.RefundDeedTaxRequest(request_id=rid(), assessment=assessment.name, reason="cancelled")
    await o.tax.RefundDeedTax(refund)
    refund.request_id = rid()
    assert await refused(o.tax.RefundDeedTax(refund)) == (FAILED, "ALREADY_REFUNDED")
    code, reason = await refused(
        o.tax_as_bank.RecordPayment(
            tax_pb.RecordPaymentRequest(
                request_id=rid(),
                assessment=assessment.name,
                payment=tax_pb.Payment(payment_reference=f"PAY-{rid()[:8]}", amount_fen=assessment.tax_fen),
            )
        )
    )
    assert (code, reason) == (FAILED, "ASSESSMENT_NOT_PAYABLE")


async def test_registration_refusals(offices, pki):
    """CQ 29, 民法典 221, CQ 62, 民法典 395: first registration once; a transfer needs the
    pre-registration in force and may not be lodged twice; a mortgage needs an owner."""
    o = offices
    building, (unit, other) = await presale(o)
    sale = await file_contract(o, pki, unit)
    code, reason = await refused(o.mortgage_as_bank.LodgeMortgage(signed_mortgage(sale, LOAN)))
    assert (code, reason) == (FAILED, "OWNERSHIP_MISSING")
    await preregister(o, sale, auto=False)
    await pay_tax(o, sale)
    await first_register(o, building, [unit, other])
    code, reason = await refused(first_register(o, building, [unit, other]))
    assert (code, reason) == (grpc.StatusCode.ALREADY_EXISTS, "ALREADY_FIRST_REGISTERED")
    code, reason = await refused(
        o.transfer_as_service.LodgeTransfer(
            transfer_pb.LodgeTransferRequest(
                request_id=rid(), application=application(sale), auto_register=True
            )
        )
    )
    assert (code, reason) == (FAILED, "PRE_REGISTRATION_NOT_IN_FORCE")
    await o.transfer.LodgeTransfer(
        transfer_pb.LodgeTransferRequest(request_id=rid(), application=application(sale))
    )
    code, reason = await refused(
        o.transfer.LodgeTransfer(
            transfer_pb.LodgeTransferRequest(request_id=rid(), application=application(sale))
        )
    )
    assert (code, reason) == (FAILED, "TRANSFER_ALREADY_LODGED")


async def test_release_and_discharge_refusals(offices, pki):
    """民法典 409, 393: a pre-mortgage is released once, with the mortgagee's consent; a
    mortgage is discharged once."""
    o = offices
    _, (unit, _) = await presale(o)
    sale = await file_contract(o, pki, unit)
    await preregister(o, sale)
    premort = await premortgage(o, sale)
    code, reason = await refused(
        o.prereg_as_bank.ReleasePremortgage(
            prereg_pb.ReleasePremortgageRequest(request_id=rid(), name=premort.name)
        )
    )
    assert (code, reason) == (FAILED, "MORTGAGEE_CONSENT_MISSING")
    wrong_bank = Party(f"organizations/{BANK.uscc}", pki.caller("bank-b"))
    code, reason = await refused(
        o.prereg_as_bank.ReleasePremortgage(
            prereg_pb.ReleasePremortgageRequest(
                request_id=rid(),
                name=premort.name,
                mortgagee_consent=wrong_bank.signature(
                    statements.release_premortgage(sale.unit, sale.contract.digest)
                ),
            )
        )
    )
    assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "CERTIFICATE_OF_ANOTHER_PARTY")
    bank = Party(f"organizations/{BANK.uscc}", pki.caller("bank-a"))
    release = prereg_pb.ReleasePremortgageRequest(
        request_id=rid(),
        name=premort.name,
        mortgagee_consent=bank.signature(statements.release_premortgage(sale.unit, sale.contract.digest)),
    )
    await o.prereg_as_bank.ReleasePremortgage(release)
    release.request_id = rid()
    assert await refused(o.prereg_as_bank.ReleasePremortgage(release)) == (FAILED, "PREMORTGAGE_NOT_IN_FORCE")


async def test_discharged_mortgage_is_not_discharged_again(offices, pki):
    o = offices
    building, (unit, _) = await presale(o)
    sale = await file_contract(o, pki, unit)
    await preregister(o, sale)
    await pay_tax(o, sale)
    await first_register(o, building, [unit])
    await o.transfer_as_service.LodgeTransfer(
        transfer_pb.LodgeTransferRequest(request_id=rid(), application=application(sale), auto_register=True)
    )
    mortgage = await mortgage_entered(o, signed_mortgage(sale, LOAN))
    await discharge_entered(o, mortgage.name, "结清")
    discharge = mortgage_pb.DischargeMortgageRequest(
        request_id=rid(), name=mortgage.name, settlement_reference="结清"
    )
    assert await refused(o.mortgage_as_bank.DischargeMortgage(discharge)) == (
        FAILED,
        "MORTGAGE_NOT_REGISTERED",
    )


async def test_case_verb_refusals(offices, pki):
    """条例 15-17: a lodged case is not resubmitted or entered before approval; a withdrawn case
    is closed."""
    o = offices
    _, (unit, _) = await presale(o)
    sale = await file_contract(o, pki, unit)
    _, case = await preregister(o, sale, auto=False)
    code, reason = await refused(
        o.prereg_cases.ResubmitCase(case_pb.ResubmitCaseRequest(request_id=rid(), name=case.name))
    )
    assert (code, reason) == (FAILED, "CASE_NOT_REQUISITIONED")
    code, reason = await refused(
        o.prereg_cases.RegisterCase(case_pb.RegisterCaseRequest(request_id=rid(), name=case.name))
    )
    assert (code, reason) == (FAILED, "CASE_NOT_APPROVED")
    withdrawn = (
        await o.prereg_cases.WithdrawCase(case_pb.WithdrawCaseRequest(request_id=rid(), name=case.name))
    ).case_record
    assert withdrawn.state == case_pb.CASE_STATE_WITHDRAWN
    code, reason = await refused(
        o.prereg_cases.RefuseCase(
            case_pb.RefuseCaseRequest(request_id=rid(), name=case.name, reasons=["late"])
        )
    )
    assert (code, reason) == (FAILED, "CASE_CLOSED")


@pytest.mark.parametrize("office", ["preregistration", "transfer", "mortgage"])
async def test_lodging_replays_and_refuses_a_reused_request_id(offices, pki, office):
    """Every mutating RPC is idempotent by request_id: the replay is identical and lodges no
    second case; the same id with another payload is refused."""
    o = offices
    building, (unit, _) = await presale(o)
    sale = await file_contract(o, pki, unit)
    if office == "preregistration":
        request = prereg_pb.LodgePreregistrationRequest(
            request_id=rid(),
            unit_number=unit,
            contract=sale.contract.name,
            developer=DEVELOPER,
            auto_register=True,
        )
        call, cases = o.prereg_as_service.LodgePreregistration, o.prereg_cases
    else:
        await preregister(o, sale)
        await pay_tax(o, sale)
        await first_register(o, building, [unit])
        if office == "transfer":
            request = transfer_pb.LodgeTransferRequest(
                request_id=rid(), application=application(sale), auto_register=True
            )
            call, cases = o.transfer_as_service.LodgeTransfer, o.transfer_cases
        else:
            await o.transfer_as_service.LodgeTransfer(
                transfer_pb.LodgeTransferRequest(
                    request_id=rid(), application=application(sale), auto_register=True
                )
            )
            request = signed_mortgage(sale, LOAN)
            call, cases = o.mortgage_as_bank.LodgeMortgage, o.mortgage_cases
    first = await call(request)
    assert await call(request) == first
    # Entered at once when the platform files it; a bank's lodging waits for a clerk.
    state = case_pb.CASE_STATE_LODGED if office == "mortgage" else case_pb.CASE_STATE_ISSUED
    listed = await cases.ListCases(
        case_pb.ListCasesRequest(unit_number=unit, states=[state], kinds=[first.case_record.kind])
    )
    assert [c.name for c in listed.cases] == [first.case_record.name]
    request.auto_register = not request.auto_register
    code, reason = await refused(call(request))
    assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "REQUEST_ID_REUSED")
