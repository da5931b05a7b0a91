"""One unit through every office, over mTLS between the real services on real PostgreSQL:
presale -> contract filed -> 预告 -> 预抵押 -> tax paid -> first registration -> transfer with the
pre-mortgage converted -> certificate; and the clerks' case work, seizures, batches, discharge."""

from __future__ import annotations

import re

import grpc

from deedflow.casework.v1 import casework_service_pb2 as case_pb
from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from deedflow.contract.v1 import contract_service_pb2_grpc
from deedflow.mortgage.v1 import mortgage_service_pb2 as mortgage_pb
from deedflow.preregistration.v1 import preregistration_service_pb2 as prereg_pb
from deedflow.preregistration.v1 import preregistration_service_pb2_grpc
from deedflow.registry.v1 import registry_service_pb2 as registry_pb
from deedflow.tax.v1 import tax_service_pb2 as tax_pb
from deedflow.tax.v1 import tax_service_pb2_grpc
from deedflow.transfer.v1 import transfer_service_pb2 as transfer_pb
from deedflow.type.v1 import parties_pb2
from shared import statements
from shared.documents import load_public_key, verify_document
from shared.grpc.channels import secure_channel
from shared.grpc.status import error_info
from shared.ids import building_of
from tests.flows import (
    BANK,
    DEVELOPER,
    application,
    discharge_entered,
    entered,
    file_contract,
    first_register,
    next_resident_id,
    pay_tax,
    premortgage,
    preregister,
    presale,
    refused,
    rid,
    seize,
    seizure_end,
    signed_mortgage,
    transfer_entered,
)
from tests.parties import Party, buyer, developer
from tests.support import client_channel


async def test_one_unit_from_presale_to_certificate_with_the_mortgage_converted(offices, pki):
    """CQ 61-62, 契税法 11, CQ 29, CQ 66, 担保制度解释 52, 民法典 209/214: the whole path of one unit;
    the book then shows every entry in order and, as of before the transfer, the developer."""
    o = offices
    building, (unit, _) = await presale(o)
    sale = await file_contract(o, pki, unit)
    prereg, case = await preregister(o, sale)
    assert prereg.state == prereg_pb.PREREGISTRATION_STATE_IN_FORCE
    assert re.fullmatch(r"渝\(\d{4}\)渝北区不动产证明第\d{7}号", prereg.proof_number)
    assert [e.state for e in case.history] == [
        case_pb.CASE_STATE_LODGED,
        case_pb.CASE_STATE_APPROVED,
        case_pb.CASE_STATE_REGISTERED,
        case_pb.CASE_STATE_ISSUED,
    ]
    premort = await premortgage(o, sale)
    assert premort.state == prereg_pb.PREREGISTRATION_STATE_IN_FORCE
    await pay_tax(o, sale)
    await first_register(o, building, [unit])
    before_transfer = (await o.registry.GetUnit(registry_pb.GetUnitRequest(unit_number=unit))).unit.as_of_time

    reply = await o.transfer_as_service.LodgeTransfer(
        transfer_pb.LodgeTransferRequest(request_id=rid(), application=application(sale), auto_register=True)
    )
    transfer = reply.transfer
    assert transfer.state == transfer_pb.REGISTRATION_STATE_REGISTERED
    assert transfer.mortgage_priority_time == premort.register_time  # CQ 66, 担保制度解释 52
    assert transfer.mortgage_proof_number.startswith("渝(")
    assert transfer.fee_fen == 8_000
    certificate = (
        await o.transfer.GetCertificate(transfer_pb.GetCertificateRequest(name=transfer.certificates[0]))
    ).certificate
    assert re.fullmatch(r"渝\(\d{4}\)渝北区不动产权第\d{7}号", certificate.certificate_number)
    assert [b.resident_id for b in certificate.owners] == [b.resident_id for b in sale.contract.terms.buyers]
    assert certificate.entry == transfer.ownership_entry
    assert any("抵押权" in e for e in certificate.encumbrances)

    history = (await o.registry_clerk.ListEntries(registry_pb.ListEntriesRequest(unit_number=unit))).entries
    assert [(e.kind, e.state) for e in history] == [
        (registry_pb.ENTRY_KIND_PREREGISTRATION, registry_pb.ENTRY_STATE_HISTORIC),
        (registry_pb.ENTRY_KIND_PREMORTGAGE, registry_pb.ENTRY_STATE_HISTORIC),
        (registry_pb.ENTRY_KIND_OWNERSHIP, registry_pb.ENTRY_STATE_HISTORIC),
        (registry_pb.ENTRY_KIND_OWNERSHIP, registry_pb.ENTRY_STATE_CURRENT),
        (registry_pb.ENTRY_KIND_MORTGAGE, registry_pb.ENTRY_STATE_CURRENT),
    ]
    assert history[2].holders == [f"organizations/{DEVELOPER.uscc}"]
    assert {history[0].ended_by_case, history[1].ended_by_case, history[2].ended_by_case} == {
        history[3].created_by_case
    }
    then = (
        await o.registry.GetUnit(registry_pb.GetUnitRequest(unit_number=unit, as_of_time=before_transfer))
    ).unit
    assert [e.holders for e in then.entries if e.kind == registry_pb.ENTRY_KIND_OWNERSHIP] == [
        [f"organizations/{DEVELOPER.uscc}"]
    ]

    # Every office recorded its part exactly once.
    contract = (
        await o.contracts.GetContract(contract_pb.GetContractRequest(name=sale.contract.name))
    ).contract
    assert contract.state == contract_pb.CONTRACT_STATE_TRANSFERRED
    assessment = (
        await o.tax_as_bank.GetAssessment(tax_pb.GetAssessmentRequest(name=sale.assessment.name))
    ).assessment
    assert assessment.state == tax_pb.ASSESSMENT_STATE_CONSUMED
    converted = (
        await o.prereg.GetPreregistration(prereg_pb.GetPreregistrationRequest(name=prereg.name))
    ).preregistration
    assert converted.state == prereg_pb.PREREGISTRATION_STATE_CONVERTED
    mortgages = (
        await o.mortgage_as_bank.ListMortgages(mortgage_pb.ListMortgagesRequest(unit_number=unit))
    ).mortgages
    assert [(m.state, m.proof_number, m.priority_time) for m in mortgages] == [
        (mortgage_pb.MORTGAGE_STATE_REGISTERED, transfer.mortgage_proof_number, premort.register_time)
    ]


async def test_transfer_without_paid_tax_is_refused(offices, pki):
    """契税法 11: the registry does not register a transfer until the deed tax is paid."""
    o = offices
    building, (unit, _) = await presale(o)
    sale = await file_contract(o, pki, unit)
    await preregister(o, sale)
    await first_register(o, building, [unit])
    assessment = (
        await o.tax.AssessDeedTax(
            tax_pb.AssessDeedTaxRequest(
                request_id=rid(),
                contract=sale.contract.name,
                unit_number=unit,
                buyers=sale.contract.terms.buyers,
                price_ex_vat_fen=120_000_000,
                gross_area_dm2=9_000,
                home_count=parties_pb2.HOME_COUNT_ONLY,
                residential=True,
            )
        )
    ).assessment
    assert assessment.state == tax_pb.ASSESSMENT_STATE_ASSESSED
    code, reason = await refused(
        o.transfer_as_service.LodgeTransfer(
            transfer_pb.LodgeTransferRequest(
                request_id=rid(), application=application(sale), auto_register=True
            )
        )
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "DEED_TAX_UNPAID")


async def test_seized_unit_refuses_pre_registration_transfer_and_mortgage(offices, pki):
    """查封规定: a seized unit refuses 预告, transfer and mortgage at the offices, not only in the book."""
    o = offices
    building, (to_preregister, to_transfer, to_mortgage) = await presale(o, units=3)
    first = await file_contract(o, pki, to_preregister)
    await seize(o, to_preregister, 21)
    code, reason = await refused(preregister(o, first))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "UNIT_SEIZED")

    second, third = await file_contract(o, pki, to_transfer), await file_contract(o, pki, to_mortgage)
    for sale in (second, third):
        await preregister(o, sale)
        await pay_tax(o, sale)
    await first_register(o, building, [to_preregister, to_transfer, to_mortgage])
    await seize(o, to_transfer, 22)
    code, reason = await refused(
        o.transfer_as_service.LodgeTransfer(
            transfer_pb.LodgeTransferRequest(
                request_id=rid(), application=application(second), auto_register=True
            )
        )
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "UNIT_SEIZED")

    await o.transfer_as_service.LodgeTransfer(
        transfer_pb.LodgeTransferRequest(request_id=rid(), application=application(third), auto_register=True)
    )
    await seize(o, to_mortgage, 23)
    lodged = await o.mortgage_as_bank.LodgeMortgage(
        signed_mortgage(
            third,
            parties_pb2.Loan(
                bank=BANK, amount_fen=1_000_000, term_months=12, mortgage_contract_number="DK-9"
            ),
            unit=to_mortgage,
        )
    )
    # The bank's mortgage waits for a clerk, whose review finds the seizure (条例 18).
    code, reason = await refused(
        o.mortgage_cases.ApproveCase(
            case_pb.ApproveCaseRequest(request_id=rid(), name=lodged.case_record.name)
        )
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "UNIT_SEIZED")


async def test_clerk_requisitions_every_correction_then_approves_and_registers(offices, pki):
    """条例 17: a requisition lists every correction at once; the case returns to the queue when
    answered, and the clerk approves (审核) and enters it (登簿)."""
    o = offices
    _, (unit, _) = await presale(o)
    sale = await file_contract(o, pki, unit)
    prereg, case = await preregister(o, sale, auto=False)
    assert case.state == case_pb.CASE_STATE_LODGED
    assert case.time_limit_working_days == 5
    queue = (await o.prereg_cases.ListCases(case_pb.ListCasesRequest(unit_number=unit))).cases
    assert [c.name for c in queue] == [case.name]

    corrections = [
        case_pb.Correction(subject="holders[1].name", description="姓名与身份证不一致"),
        case_pb.Correction(subject="contract", description="缺少共有约定"),
    ]
    requisitioned = (
        await o.prereg_cases.RequisitionCase(
            case_pb.RequisitionCaseRequest(request_id=rid(), name=case.name, corrections=corrections)
        )
    ).case_record
    assert requisitioned.state == case_pb.CASE_STATE_REQUISITIONED
    assert list(requisitioned.corrections) == corrections
    code, reason = await refused(
        o.prereg_cases.ApproveCase(case_pb.ApproveCaseRequest(request_id=rid(), name=case.name))
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "CASE_NOT_LODGED")

    resubmitted = (
        await o.prereg_cases.ResubmitCase(
            case_pb.ResubmitCaseRequest(request_id=rid(), name=case.name, answers=["已更正", "已补充"])
        )
    ).case_record
    assert resubmitted.state == case_pb.CASE_STATE_LODGED
    assert list(resubmitted.corrections) == []
    await o.prereg_cases.ApproveCase(case_pb.ApproveCaseRequest(request_id=rid(), name=case.name))
    registered = (
        await o.prereg_cases.RegisterCase(case_pb.RegisterCaseRequest(request_id=rid(), name=case.name))
    ).case_record
    assert registered.state == case_pb.CASE_STATE_ISSUED
    assert registered.document_number.startswith("渝(")
    assert [e.state for e in registered.history] == [
        case_pb.CASE_STATE_LODGED,
        case_pb.CASE_STATE_REQUISITIONED,
        case_pb.CASE_STATE_LODGED,
        case_pb.CASE_STATE_APPROVED,
        case_pb.CASE_STATE_REGISTERED,
        case_pb.CASE_STATE_ISSUED,
    ]
    assert registered.history[1].actor == "deedflow://clerk/C0001"
    code, reason = await refused(
        o.prereg_cases.WithdrawCase(case_pb.WithdrawCaseRequest(request_id=rid(), name=case.name))
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "CASE_ALREADY_REGISTERED")
    now_in_force = (
        await o.prereg.GetPreregistration(prereg_pb.GetPreregistrationRequest(name=prereg.name))
    ).preregistration
    assert now_in_force.state == prereg_pb.PREREGISTRATION_STATE_IN_FORCE


async def test_refusal_needs_written_reasons_and_ends_the_application(offices, pki):
    """条例 22: a refusal states its reasons in writing; the refused application is not in force."""
    o = offices
    _, (unit, _) = await presale(o)
    sale = await file_contract(o, pki, unit)
    prereg, case = await preregister(o, sale, auto=False)
    code, _ = await refused(
        o.prereg_cases.RefuseCase(case_pb.RefuseCaseRequest(request_id=rid(), name=case.name))
    )
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    refused_case = (
        await o.prereg_cases.RefuseCase(
            case_pb.RefuseCaseRequest(
                request_id=rid(), name=case.name, reasons=["申请材料不齐全，补正期限届满"]
            )
        )
    ).case_record
    assert refused_case.state == case_pb.CASE_STATE_REFUSED
    assert list(refused_case.refusal_reasons) == ["申请材料不齐全，补正期限届满"]
    after = (
        await o.prereg.GetPreregistration(prereg_pb.GetPreregistrationRequest(name=prereg.name))
    ).preregistration
    assert after.state == prereg_pb.PREREGISTRATION_STATE_ABANDONED


async def test_premortgage_needs_a_pre_registration_in_force(offices, pki):
    """CQ 62: 预抵押 only on an existing 预告."""
    o = offices
    _, (unit, _) = await presale(o)
    sale = await file_contract(o, pki, unit)
    await preregister(o, sale, auto=False)
    code, reason = await refused(premortgage(o, sale))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "PRE_REGISTRATION_MISSING")


async def _ready_for_transfer(o, pki, count: int):
    """Units of a first-registered building, each sold with a 预抵押 and its tax paid."""
    building, units = await presale(o, units=count)
    sales = []
    for unit in units:
        sale = await file_contract(o, pki, unit)
        await preregister(o, sale)
        await premortgage(o, sale)
        await pay_tax(o, sale)
        sales.append(sale)
    await first_register(o, building, units)
    return units, sales


async def test_batch_transfer_reports_each_unit_and_one_seizure_spares_the_rest(offices, pki):
    """A building's handover batch: each unit stands alone; a seized unit fails with its reason
    while the others are transferred."""
    o = offices
    units, sales = await _ready_for_transfer(o, pki, 3)
    await o.registry_clerk.SeizeUnit(
        registry_pb.SeizeUnitRequest(
            request_id=rid(),
            unit_number=units[1],
            ruling=parties_pb2.CourtRuling(
                authority="重庆市渝北区人民法院", ruling_number="(2026)渝0112执31号"
            ),
            end_time=seizure_end(),
        )
    )
    request = transfer_pb.BatchLodgeTransfersRequest(
        request_id=rid(),
        building_number=building_of(units[0]),
        applications=[application(s) for s in sales],
        auto_register=True,
    )
    reply = await o.transfer_as_service.BatchLodgeTransfers(request)
    outcomes = {x.unit_number: x for x in reply.outcomes}
    assert outcomes[units[0]].transfer.state == transfer_pb.REGISTRATION_STATE_REGISTERED
    assert outcomes[units[2]].transfer.state == transfer_pb.REGISTRATION_STATE_REGISTERED
    assert not outcomes[units[1]].HasField("transfer")
    assert outcomes[units[1]].error.code == grpc.StatusCode.FAILED_PRECONDITION.value[0]
    assert error_info(outcomes[units[1]].error).reason == "UNIT_SEIZED"
    # The same batch again replays each unit's outcome; nothing is transferred twice.
    again = await o.transfer_as_service.BatchLodgeTransfers(request)
    assert {x.unit_number: x.transfer.name for x in again.outcomes if x.HasField("transfer")} == {
        u: outcomes[u].transfer.name for u in (units[0], units[2])
    }


async def test_standalone_mortgage_and_discharge_by_its_mortgagee_only(offices, pki):
    """民法典 395, 402: an owner's unit is mortgaged and registered; only the mortgagee discharges it."""
    o = offices
    building, (unit, _) = await presale(o)
    sale = await file_contract(o, pki, unit)
    await preregister(o, sale)
    await pay_tax(o, sale)
    await first_register(o, building, [unit])
    await o.transfer_as_service.LodgeTransfer(
        transfer_pb.LodgeTransferRequest(request_id=rid(), application=application(sale), auto_register=True)
    )
    stranger = buyer(pki, next_resident_id())
    strangers = [
        parties_pb2.Buyer(name="他人", resident_id=stranger.party.partition("/")[2], share_basis_points=10000)
    ]
    loan = parties_pb2.Loan(
        bank=BANK, amount_fen=30_000_000, term_months=120, mortgage_contract_number="DK-77"
    )
    owners = list(sale.contract.terms.buyers)

    def lodge(mortgagors, signers):
        text = statements.mortgage(unit, loan, mortgagors)
        return o.mortgage_as_bank.LodgeMortgage(
            mortgage_pb.LodgeMortgageRequest(
                request_id=rid(),
                unit_number=unit,
                loan=loan,
                mortgagors=mortgagors,
                mortgagor_signatures=[p.signature(text) for p in signers],
            )
        )

    # 民法典 400: without every mortgagor's signature over the terms, nothing is lodged.
    code, reason = await refused(lodge(owners, sale.buyers[:1]))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "MORTGAGOR_CONSENT_MISSING")
    # A signature by the right person over other terms (another amount) does not count either.
    other_terms = statements.mortgage(
        unit, parties_pb2.Loan(bank=BANK, amount_fen=1, term_months=120), owners
    )
    code, reason = await refused(
        o.mortgage_as_bank.LodgeMortgage(
            mortgage_pb.LodgeMortgageRequest(
                request_id=rid(),
                unit_number=unit,
                loan=loan,
                mortgagors=owners,
                mortgagor_signatures=[p.signature(other_terms) for p in sale.buyers],
            )
        )
    )
    assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "SIGNATURE_MISMATCH")
    code, reason = await refused(lodge(strangers, [stranger]))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "MORTGAGOR_NOT_OWNER")
    lodged = await lodge(owners, sale.buyers)
    await entered(o.mortgage_cases, lodged.case_record.name)
    mortgage = (
        await o.mortgage_as_bank.GetMortgage(mortgage_pb.GetMortgageRequest(name=lodged.mortgage.name))
    ).mortgage
    assert mortgage.state == mortgage_pb.MORTGAGE_STATE_REGISTERED
    assert mortgage.proof_number.startswith("渝(")
    code, reason = await refused(
        o.mortgage_as_other_bank.DischargeMortgage(
            mortgage_pb.DischargeMortgageRequest(
                request_id=rid(), name=mortgage.name, settlement_reference="X"
            )
        )
    )
    # Another bank is told the mortgage does not exist (docs/errors.md: existence must not leak).
    assert (code, reason) == (grpc.StatusCode.NOT_FOUND, None)
    discharged = await discharge_entered(o, mortgage.name, "结清-1")
    assert discharged.state == mortgage_pb.MORTGAGE_STATE_DISCHARGED
    entry = next(
        e
        for e in (
            await o.registry_clerk.ListEntries(registry_pb.ListEntriesRequest(unit_number=unit))
        ).entries
        if e.name == mortgage.entry
    )
    assert entry.state == registry_pb.ENTRY_STATE_HISTORIC


async def test_joint_cancellation_of_pre_registration_after_the_bank_releases(offices, pki):
    """DOMAIN "Cancellation": the bank consents and the pre-mortgage is released, then the
    pre-registration is cancelled by both parties, then the filing can be cancelled."""
    o = offices
    _, (unit, _) = await presale(o)
    sale = await file_contract(o, pki, unit)
    prereg, _ = await preregister(o, sale)
    premort = await premortgage(o, sale)
    joint = parties_pb2.JointConsent(
        signatures=[
            p.signature(statements.cancel_contract(unit, sale.contract.digest))
            for p in (developer(pki), *sale.buyers)
        ]
    )
    code, reason = await refused(
        o.prereg.CancelPreregistration(
            prereg_pb.CancelPreregistrationRequest(request_id=rid(), name=prereg.name, joint=joint)
        )
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "PREMORTGAGE_IN_FORCE")
    bank = Party(f"organizations/{BANK.uscc}", pki.caller("bank-a"))
    released = (
        await o.prereg_as_bank.ReleasePremortgage(
            prereg_pb.ReleasePremortgageRequest(
                request_id=rid(),
                name=premort.name,
                mortgagee_consent=bank.signature(
                    statements.release_premortgage(sale.unit, sale.contract.digest)
                ),
            )
        )
    ).premortgage
    assert released.state == prereg_pb.PREREGISTRATION_STATE_CANCELLED
    cancelled = (
        await o.prereg.CancelPreregistration(
            prereg_pb.CancelPreregistrationRequest(request_id=rid(), name=prereg.name, joint=joint)
        )
    ).preregistration
    assert cancelled.state == prereg_pb.PREREGISTRATION_STATE_CANCELLED
    unit_now = (await o.registry.GetUnit(registry_pb.GetUnitRequest(unit_number=unit))).unit
    assert [
        e
        for e in unit_now.entries
        if e.kind in (registry_pb.ENTRY_KIND_PREREGISTRATION, registry_pb.ENTRY_KIND_PREMORTGAGE)
    ] == []


async def test_the_transfer_keeps_the_co_ownership_of_the_filed_contract(offices, pki):
    """民法典 298-299, CQ 26: the buyers signed 按份共有 with shares; a transfer application that
    records them as 共同共有 instead is refused, and the book is unchanged."""
    o = offices
    building, (unit, _) = await presale(o)
    sale = await file_contract(o, pki, unit)
    await preregister(o, sale)
    await pay_tax(o, sale)
    await first_register(o, building, [unit])
    joint = application(sale)
    joint.co_ownership = parties_pb2.CO_OWNERSHIP_JOINT
    for b in joint.buyers:
        b.share_basis_points = 0
    lodging = transfer_pb.LodgeTransferRequest(request_id=rid(), application=joint, auto_register=True)
    assert await refused(o.transfer_as_service.LodgeTransfer(lodging)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "CO_OWNERSHIP_NOT_AS_CONTRACTED",
    )
    entries = (await o.registry.GetUnit(registry_pb.GetUnitRequest(unit_number=unit))).unit.entries
    owners = [e for e in entries if e.kind == registry_pb.ENTRY_KIND_OWNERSHIP]
    assert [list(e.holders) for e in owners] == [[f"organizations/{DEVELOPER.uscc}"]]


async def test_the_buyers_apply_alone_for_the_preregistration_at_the_counter(offices, pki, services):
    """CQ 61 ¶2: when the developer will not apply, the buyers apply alone for the 预告; a clerk
    lodges it with every buyer's signature over the application and reviews it."""
    o = offices
    _, (unit, _) = await presale(o)
    sale = await file_contract(o, pki, unit)
    text = statements.preregistration_by_buyers(unit, sale.contract.digest)
    request = prereg_pb.LodgePreregistrationRequest(
        request_id=rid(), unit_number=unit, contract=sale.contract.name, developer=DEVELOPER
    )
    async with client_channel(services["preregistration"].server.port, pki, "clerk") as channel:
        counter = preregistration_service_pb2_grpc.PreregistrationServiceStub(channel)
        request.buyer_signatures.append(sale.buyers[0].signature(text))
        assert await refused(counter.LodgePreregistration(request)) == (
            grpc.StatusCode.FAILED_PRECONDITION,
            "BUYER_APPLICATION_UNSIGNED",
        )
        request.request_id = rid()
        request.buyer_signatures.append(sale.buyers[1].signature(text))
        lodged = await counter.LodgePreregistration(request)
    assert lodged.case_record.state == case_pb.CASE_STATE_LODGED
    await entered(o.prereg_cases, lodged.case_record.name)
    prereg = (
        await o.prereg.GetPreregistration(
            prereg_pb.GetPreregistrationRequest(name=lodged.preregistration.name)
        )
    ).preregistration
    assert prereg.state == prereg_pb.PREREGISTRATION_STATE_IN_FORCE
    assert sorted(b.resident_id for b in prereg.holders) == sorted(
        b.resident_id for b in sale.contract.terms.buyers
    )


async def test_after_a_correction_the_certificate_is_rendered_anew_from_the_book(offices, pki):
    """民法典 216-217, 更正登记: the book prevails over the certificate. When a correction replaces
    the owners' entry (shares entered wrong), the certificate and its sealed document show the
    corrected entry, and say which correction changed them."""
    o = offices
    building, (unit, _) = await presale(o)
    sale = await file_contract(o, pki, unit)
    await preregister(o, sale)
    await pay_tax(o, sale)
    await first_register(o, building, [unit])
    transfer = await transfer_entered(o, sale)
    name = transfer.certificates[0]
    wrong = transfer.ownership_entry
    correction = (
        await o.registry_clerk.RequestCorrection(
            registry_pb.RequestCorrectionRequest(request_id=rid(), entry=wrong, grounds="份额录入有误")
        )
    ).entry
    holders = [f"buyers/{b.resident_id}" for b in sale.contract.terms.buyers]
    resolved = await o.registry_clerk.ResolveCorrection(
        registry_pb.ResolveCorrectionRequest(
            request_id=rid(),
            correction=correction.name,
            corrected=registry_pb.NewEntry(
                kind=registry_pb.ENTRY_KIND_OWNERSHIP, holders=holders, share_basis_points=[6000, 4000]
            ),
        )
    )
    corrected = next(
        e for e in resolved.entries if e.kind == registry_pb.ENTRY_KIND_OWNERSHIP and e.name != wrong
    )
    reply = await o.transfer.GetCertificate(transfer_pb.GetCertificateRequest(name=name, with_document=True))
    certificate = reply.certificate
    assert certificate.entry == corrected.name
    assert [o.share_basis_points for o in certificate.owners] == [6000, 4000]
    assert [o.name for o in certificate.owners] == [b.name for b in sale.contract.terms.buyers]
    assert list(certificate.corrections) == [f"corrections/{unit}/{correction.sequence}"]
    public_key = load_public_key(pki.registry_public_key_path.read_bytes())
    checked = verify_document(reply.document, public_key)
    assert checked.ok, checked.failures
    assert checked.content["entry"] == corrected.name


async def test_a_corrected_preregistration_proves_itself_from_the_corrected_entry_and_still_transfers(
    offices, pki
):
    """民法典 216-217: after a correction replaces the 预告's entry, its proof is sealed on the
    corrected entry, and the transfer ends the corrected entry, not the one the book replaced."""
    o = offices
    building, (unit, _) = await presale(o)
    sale = await file_contract(o, pki, unit)
    prereg, _ = await preregister(o, sale)
    correction = (
        await o.registry_clerk.RequestCorrection(
            registry_pb.RequestCorrectionRequest(request_id=rid(), entry=prereg.entry, grounds="份额有误")
        )
    ).entry
    holders = [f"buyers/{b.resident_id}" for b in sale.contract.terms.buyers]
    await o.registry_clerk.ResolveCorrection(
        registry_pb.ResolveCorrectionRequest(
            request_id=rid(),
            correction=correction.name,
            corrected=registry_pb.NewEntry(
                kind=registry_pb.ENTRY_KIND_PREREGISTRATION, holders=holders, share_basis_points=[5000, 5000]
            ),
        )
    )
    reply = await o.prereg.GetPreregistration(
        prereg_pb.GetPreregistrationRequest(name=prereg.name, with_document=True)
    )
    checked = verify_document(
        reply.proof_document, load_public_key(pki.registry_public_key_path.read_bytes())
    )
    assert checked.ok, checked.failures
    assert checked.content["entry"] != prereg.entry
    assert reply.preregistration.state == prereg_pb.PREREGISTRATION_STATE_IN_FORCE
    await pay_tax(o, sale)
    await first_register(o, building, [unit])
    transfer = await transfer_entered(o, sale)
    assert transfer.state == transfer_pb.REGISTRATION_STATE_REGISTERED


async def test_common_parts_are_registered_with_the_building(offices):
    """CQ 41: the building's common parts (物业管理用房) are registered with its first
    registration, which the developer applies for alone (条例 14)."""
    building, units = await presale(offices)
    await first_register(offices, building, units)
    record = (
        await offices.transfer.GetFirstRegistration(
            transfer_pb.GetFirstRegistrationRequest(building_number=building)
        )
    ).first_registration
    assert list(record.common_parts) == ["物业管理用房"]
    assert record.state == transfer_pb.REGISTRATION_STATE_REGISTERED
    assert record.developer.uscc == DEVELOPER.uscc


async def test_the_platforms_transfers_sent_together_are_each_answered_as_alone(offices, pki):
    """LodgeTransfers, as a building's handover sends it: each transfer entered (its 预抵押
    converted, its certificate and the bank's proof numbered) or refused on its own, and each
    request's answer given again to a retry of the batch or of LodgeTransfer alone."""
    o = offices
    units, sales = await _ready_for_transfer(o, pki, 3)
    await seize(o, units[1], 32)
    requests = [
        transfer_pb.LodgeTransferRequest(request_id=rid(), application=application(s), auto_register=True)
        for s in sales
    ]
    batch = transfer_pb.LodgeTransfersRequest(requests=requests)
    reply = await o.transfer_as_service.LodgeTransfers(batch)
    entered_ones = [reply.outcomes[0].response.transfer, reply.outcomes[2].response.transfer]
    for transfer in entered_ones:
        assert transfer.state == transfer_pb.REGISTRATION_STATE_REGISTERED
        assert transfer.certificates
        assert transfer.mortgage_proof_number
    assert reply.outcomes[1].error.code == grpc.StatusCode.FAILED_PRECONDITION.value[0]
    assert error_info(reply.outcomes[1].error).reason == "UNIT_SEIZED"
    assert await o.transfer_as_service.LodgeTransfers(batch) == reply
    assert await o.transfer_as_service.LodgeTransfer(requests[2]) == reply.outcomes[2].response
    for sale in (sales[0], sales[2]):
        contract = await o.contracts.GetContract(contract_pb.GetContractRequest(name=sale.contract.name))
        assert contract.contract.state == contract_pb.CONTRACT_STATE_TRANSFERRED


async def test_the_sale_facts_read_together_are_each_as_read_alone(offices, pki, services):
    """GetClearances, GetPreregistrations, GetPremortgages and GetContracts, as the transfer office
    sends them for a building's handover: each outcome is what the read alone answers, a missing
    record is NOT_FOUND for its own request only, and no caller but our offices may batch."""
    o = offices
    _, sales = await _ready_for_transfer(o, pki, 2)
    missing_contract = "contracts/00000000-0000-4000-8000-000000000000"
    reads = [
        (
            "tax",
            tax_service_pb2_grpc.TaxServiceStub,
            "GetClearance",
            [tax_pb.GetClearanceRequest(contract=s.contract.name) for s in sales]
            + [tax_pb.GetClearanceRequest(contract=missing_contract)],
            tax_pb.GetClearancesRequest,
        ),
        (
            "preregistration",
            preregistration_service_pb2_grpc.PreregistrationServiceStub,
            "GetPreregistration",
            [prereg_pb.GetPreregistrationRequest(name=s.prereg.name, as_recorded=True) for s in sales]
            + [
                prereg_pb.GetPreregistrationRequest(
                    name="preregistrations/00000000-0000-4000-8000-000000000000"
                )
            ],
            prereg_pb.GetPreregistrationsRequest,
        ),
        (
            "preregistration",
            preregistration_service_pb2_grpc.PreregistrationServiceStub,
            "GetPremortgage",
            [prereg_pb.GetPremortgageRequest(name=s.premortgage.name, as_recorded=True) for s in sales]
            + [prereg_pb.GetPremortgageRequest(name="premortgages/00000000-0000-4000-8000-000000000000")],
            prereg_pb.GetPremortgagesRequest,
        ),
        (
            "contract",
            contract_service_pb2_grpc.ContractServiceStub,
            "GetContract",
            [contract_pb.GetContractRequest(name=s.contract.name) for s in sales]
            + [contract_pb.GetContractRequest(name=missing_contract)],
            contract_pb.GetContractsRequest,
        ),
    ]
    for office, stub_type, method, requests, batch_type in reads:
        port = services[office].server.port
        async with secure_channel(f"127.0.0.1:{port}", pki.ca_pem, pki.service("transfer")) as channel:
            stub = stub_type(channel)
            reply = await getattr(stub, method + "s")(batch_type(requests=requests))
            assert len(reply.outcomes) == len(requests)
            for request, outcome in zip(requests[:-1], reply.outcomes[:-1], strict=True):
                assert outcome.response == await getattr(stub, method)(request), method
            assert reply.outcomes[-1].error.code == grpc.StatusCode.NOT_FOUND.value[0], method
        async with client_channel(port, pki, "clerk") as channel:
            assert (await refused(getattr(stub_type(channel), method + "s")(batch_type(requests=requests))))[
                0
            ] == grpc.StatusCode.PERMISSION_DENIED, method
