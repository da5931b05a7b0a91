"""File once, deed at handover: purchases through all seven real services (mTLS gRPC, real
PostgreSQL), driven by the orchestrator's saga and followed with WatchPurchase."""

from __future__ import annotations

import asyncio
import json
import uuid

import asyncpg
import grpc
import pytest
from grpc_status import rpc_status

import seeds
from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from deedflow.preregistration.v1 import preregistration_service_pb2 as prereg_pb
from deedflow.registry.v1 import registry_service_pb2 as registry_pb
from deedflow.registry.v1 import registry_service_pb2_grpc
from deedflow.tax.v1 import tax_service_pb2 as tax_pb
from deedflow.transfer.v1 import transfer_service_pb2 as transfer_pb
from deedflow.type.v1 import parties_pb2
from services.orchestrator import repository as saga_repository
from services.orchestrator import steps as saga_steps
from services.orchestrator.domain import StepKind
from shared import faults
from shared.db import plain_url
from shared.grpc.channels import secure_channel
from shared.grpc.status import error_info
from shared.pki import issue_leaf
from tests.flows import (
    cancelling_ruling,
    inspect_site,
    presale,
    refused,
    rid,
    seize,
    seized_unit,
    unit_of_another_developer,
)
from tests.purchases import (
    complete,
    file_purchase,
    joint_cancellation,
    paid_and_idle,
    pay,
    signed_filing,
    until,
    until_step,
    until_waiting,
)
from tests.support import client_channel

AWAITING = pb.PURCHASE_STATE_AWAITING_COMPLETION
READY = pb.PURCHASE_STATE_CERTIFICATE_READY
PARKED = pb.PURCHASE_STATE_PARKED


@pytest.fixture(scope="module")
async def developer_desk(services, pki):
    async with client_channel(services["orchestrator"].server.port, pki, "developer") as channel:
        yield orchestrator_service_pb2_grpc.PurchaseServiceStub(channel)


@pytest.fixture(scope="module")
async def clerk_desk(services, pki):
    async with client_channel(services["orchestrator"].server.port, pki, "clerk") as channel:
        yield orchestrator_service_pb2_grpc.PurchaseServiceStub(channel)


def step_states(purchase: pb.Purchase) -> dict[str, int]:
    return {pb.StepKind.Name(s.kind).removeprefix("STEP_KIND_"): s.state for s in purchase.steps}


@pytest.mark.parametrize("with_loan", [True, False], ids=["with-loan", "without-loan"])
async def test_filed_once_and_handed_over_with_the_certificate(offices, pki, developer_desk, with_loan):
    """交房即交证: one filing, then payment and completion, and the certificate is ready at handover."""
    building, (unit, _) = await presale(offices)
    filing, _ = signed_filing(pki, unit, with_loan)
    purchase = await file_purchase(developer_desk, filing)
    assert purchase.state == pb.PURCHASE_STATE_FILING
    waiting = await until(developer_desk, purchase.name, AWAITING)
    documents = waiting.documents
    assert documents.filing_number.startswith("渝房网签备(")
    assert documents.preregistration_proof_number.startswith("渝(")
    assert bool(documents.premortgage_proof_number) is with_loan
    assert documents.tax_fen == 1_200_000
    await pay(offices, waiting)
    completion = await complete(developer_desk, building)
    assert completion.first_registration_case.startswith("cases/ZY")
    ready = await until(developer_desk, purchase.name, READY)
    assert len(ready.documents.certificate_numbers) == 1
    assert bool(ready.documents.mortgage_proof_number) is with_loan
    states = step_states(ready)
    skipped = {"PREMORTGAGED", "MORTGAGE_RECORDED"} if not with_loan else set()
    for kind, state in states.items():
        expected = pb.STEP_STATE_SKIPPED if kind in skipped else pb.STEP_STATE_SUCCEEDED
        if kind == "HANDED_OVER":
            expected = pb.STEP_STATE_WAITING
        assert state == expected, kind
    handed = (
        await developer_desk.ConfirmHandover(pb.ConfirmHandoverRequest(request_id=rid(), name=purchase.name))
    ).purchase
    assert handed.state == pb.PURCHASE_STATE_HANDED_OVER
    assert all(
        s.start_time.seconds <= s.end_time.seconds for s in handed.steps if s.state == pb.STEP_STATE_SUCCEEDED
    )
    unit_now = (await offices.registry.GetUnit(registry_pb.GetUnitRequest(unit_number=unit))).unit
    kinds = sorted(registry_pb.EntryKind.Name(e.kind) for e in unit_now.entries)
    assert kinds == (
        ["ENTRY_KIND_MORTGAGE", "ENTRY_KIND_OWNERSHIP"] if with_loan else ["ENTRY_KIND_OWNERSHIP"]
    )


async def test_a_step_under_way_holds_its_exact_request_and_a_step_done_holds_none(
    services, offices, pki, developer_desk
):
    """Intent before the call, as the exact request (decision 71): a step whose call keeps
    failing holds the request it sends, under its derived request id, and sends it again; once
    steps succeed their requests are no longer kept (nothing sends them again)."""
    _, (unit, _) = await presale(offices)
    filing, _ = signed_filing(pki, unit, with_loan=True)
    faults.configure("orchestrator/saga/PREREGISTERED/forward/before-call=bug")
    try:
        purchase = await file_purchase(developer_desk, filing)
        failing = await until_step(developer_desk, purchase.name, pb.STEP_KIND_PREREGISTERED, failures=2)
    finally:
        faults.configure()
    purchase_id = uuid.UUID(purchase.name.removeprefix("purchases/"))
    database = services["orchestrator"].deps.database
    rows = {(r.kind, r.direction): r for r in await database.read(saga_repository.steps, purchase_id)}
    request = prereg_pb.LodgePreregistrationRequest.FromString(rows[("PREREGISTERED", "FORWARD")].intent)
    assert request.request_id == saga_steps.request_id(purchase_id, StepKind.PREREGISTERED, "forward")
    assert request.contract == failing.documents.contract
    assert request.unit_number == unit
    waiting = await until(developer_desk, purchase.name, AWAITING)
    assert waiting.documents.preregistration
    rows = {(r.kind, r.direction): r for r in await database.read(saga_repository.steps, purchase_id)}
    assert [kind for (kind, _), r in rows.items() if r.intent is not None] == []


async def test_a_shop_is_taxed_at_the_provincial_rate_from_the_building_table(offices, pki, developer_desk):
    """契税法 3-4 and 公告2024年第16号: the reduced rates are for homes; a 90 m² shop pays the
    provincial rate (Chongqing 3 %). The planned use is the 楼盘表's, not the filing's say."""
    _, (shop, _) = await presale(offices, residential=False)
    filing, _ = signed_filing(pki, shop, with_loan=False)
    purchase = await file_purchase(developer_desk, filing)
    waiting = await until(developer_desk, purchase.name, AWAITING)
    # ¥1,200,000 x 3 %; as a home of 90 m² the same filing pays 1 % (¥12,000).
    assert waiting.documents.tax_fen == 3_600_000


async def test_the_as_built_area_reaches_the_certificate_and_the_price_is_settled(
    offices, pki, developer_desk
):
    """条例 8 and 商品房销售管理办法 20: the surveyed area (实测) goes through first registration into
    the book and onto the certificate; within ±3 % the price follows the real area."""
    building, (unit, _) = await presale(offices)
    filing, _ = signed_filing(pki, unit, with_loan=False)
    purchase = await file_purchase(developer_desk, filing)
    await pay(offices, await until(developer_desk, purchase.name, AWAITING))
    await complete(developer_desk, building, {unit: 9_050})
    # 补税 on the added ¥6,666.67 (VAT-exclusive share of the ¥7,266.67 adjustment): ¥66.67.
    due = await until_waiting(developer_desk, purchase.name, step=pb.STEP_KIND_TAX_SETTLED)
    assert due.documents.tax_fen == 1_206_667
    await pay(offices, due)
    ready = await until(developer_desk, purchase.name, READY)
    settlement = ready.documents.area_settlement
    assert (settlement.contract_area_dm2, settlement.surveyed_area_dm2) == (9_000, 9_050)
    assert settlement.price_adjustment_fen == 726_667  # ¥1,308,000 x 50 / 9000
    assert not settlement.rescission_offered
    facts = (await offices.registry.GetUnit(registry_pb.GetUnitRequest(unit_number=unit))).unit.facts
    assert (facts.gross_area_dm2, facts.surveyed_area_dm2) == (9_000, 9_050)
    certificate = (
        await offices.transfer.GetCertificate(
            transfer_pb.GetCertificateRequest(name=f"certificates/{ready.documents.certificate_numbers[0]}")
        )
    ).certificate
    assert certificate.gross_area_dm2 == 9_050


async def test_a_flat_renumbered_by_the_survey_is_handed_over_with_its_mortgage_ranked_from_the_premortgage(
    offices, pki, developer_desk
):
    """担保制度解释 52, CQ 66: the survey numbers the financed flat anew; the purchase goes on to the
    as-built unit, whose certificate the buyers receive, and the bank's mortgage there ranks from
    the 预抵押 entered on the presale unit."""
    building, (unit, _) = await presale(offices)
    as_built = f"{building}0081"
    filing, _ = signed_filing(pki, unit, with_loan=True)
    purchase = await file_purchase(developer_desk, filing)
    waiting = await until(developer_desk, purchase.name, AWAITING)
    await pay(offices, waiting)
    await complete(developer_desk, building, {unit: 9_000}, renumbered={unit: as_built})
    ready = await until(developer_desk, purchase.name, READY)
    certificate = (
        await offices.transfer.GetCertificate(
            transfer_pb.GetCertificateRequest(name=f"certificates/{ready.documents.certificate_numbers[0]}")
        )
    ).certificate
    assert certificate.unit_number == as_built
    premortgage = (
        await offices.prereg_as_bank.GetPremortgage(
            prereg_pb.GetPremortgageRequest(name=ready.documents.premortgage)
        )
    ).premortgage
    entries = (
        await offices.registry_clerk.ListEntries(registry_pb.ListEntriesRequest(unit_number=as_built))
    ).entries
    mortgage = next(e for e in entries if e.kind == registry_pb.ENTRY_KIND_MORTGAGE)
    assert mortgage.priority_time == premortgage.register_time
    assert mortgage.state == registry_pb.ENTRY_STATE_CURRENT
    presale_entries = (
        await offices.registry_clerk.ListEntries(registry_pb.ListEntriesRequest(unit_number=unit))
    ).entries
    assert {e.state for e in presale_entries} == {registry_pb.ENTRY_STATE_HISTORIC}


async def test_completion_waits_for_the_registrys_site_inspection(offices, pki, developer_desk):
    """CQ 21: the registry inspects the building on site before its first registration. Declared
    complete before that, the building is refused SITE_NOT_INSPECTED and every purchase keeps
    waiting; once a clerk has inspected it, completion goes through to the certificate."""
    building, (unit, _) = await presale(offices, inspected=False)
    filing, _ = signed_filing(pki, unit, with_loan=False)
    purchase = await file_purchase(developer_desk, filing)
    await pay(offices, await until(developer_desk, purchase.name, AWAITING))
    assert await refused(complete(developer_desk, building)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "SITE_NOT_INSPECTED",
    )
    waiting = (await developer_desk.GetPurchase(pb.GetPurchaseRequest(name=purchase.name))).purchase
    assert waiting.state == AWAITING
    await inspect_site(offices, building)
    await complete(developer_desk, building)
    ready = await until(developer_desk, purchase.name, READY)
    assert ready.documents.certificate_numbers


async def test_an_as_built_area_4_percent_smaller_offers_rescission(offices, pki, developer_desk, clerk_desk):
    """商品房销售管理办法 20: beyond -3 % the buyers may rescind, so the purchase waits for their
    choice before the transfer; keeping the flat, they are refunded 3 % and double the 1 % beyond."""
    building, (unit, _) = await presale(offices)
    filing, _ = signed_filing(pki, unit, with_loan=False)
    purchase = await file_purchase(developer_desk, filing)
    await pay(offices, await until(developer_desk, purchase.name, AWAITING))
    await complete(developer_desk, building, {unit: 8_640})
    parked = await until(developer_desk, purchase.name, PARKED)
    assert error_info(parked.problem).reason == "AREA_DIFFERENCE_BEYOND_TOLERANCE"
    settlement = parked.documents.area_settlement
    assert settlement.rescission_offered
    assert settlement.difference_basis_points == -400
    assert settlement.price_adjustment_fen == -6_540_000
    assert not parked.documents.certificate_numbers
    await clerk_desk.ResumePurchase(
        pb.ResumePurchaseRequest(request_id=rid(), name=purchase.name, note="买受人书面确认不退房, 继续履行")
    )
    ready = await until(developer_desk, purchase.name, READY)
    assert ready.documents.area_settlement.price_adjustment_fen == -6_540_000
    # 退税: the base falls by the refund's VAT-exclusive ¥60,000 to ¥1,140,000, the tax to ¥11,400.
    assert ready.documents.tax_fen == 1_140_000


async def test_a_larger_as_built_area_is_taxed_again_before_the_transfer(offices, pki, developer_desk):
    """契税法 4 and 公告2024年第16号: the tax is on the as-built area and the price settled for it.
    A flat surveyed 2 % larger owes 补税 on the added price; the transfer waits until it is paid,
    under a new clearance."""
    building, (unit, _) = await presale(offices)
    filing, _ = signed_filing(pki, unit, with_loan=False)
    purchase = await file_purchase(developer_desk, filing)
    waiting = await until(developer_desk, purchase.name, AWAITING)
    await pay(offices, waiting)
    first_clearance = (
        await offices.tax_bureau.GetAssessment(
            tax_pb.GetAssessmentRequest(name=waiting.documents.tax_assessment)
        )
    ).assessment.clearance_number
    await complete(developer_desk, building, {unit: 9_180})
    due = await until_waiting(developer_desk, purchase.name, step=pb.STEP_KIND_TAX_SETTLED)
    assert due.documents.tax_fen == 1_224_000  # 1 % of ¥1,224,000
    assessment = (
        await offices.tax_bureau.GetAssessment(tax_pb.GetAssessmentRequest(name=due.documents.tax_assessment))
    ).assessment
    assert assessment.state == tax_pb.ASSESSMENT_STATE_ASSESSED
    assert (assessment.tax_fen - assessment.paid_fen, len(assessment.reassessments)) == (24_000, 1)
    paid = await pay(offices, due)
    assert paid.paid_fen == 1_224_000
    ready = await until(developer_desk, purchase.name, READY)
    assert ready.documents.tax_clearance_number not in ("", first_clearance)


async def test_spouses_holding_jointly_get_identical_certificates_one_each(offices, pki, developer_desk):
    """CQ 26 and 民法典 299: spouses' 共同共有 is recorded with no shares; each co-owner's
    certificate is the same and shows the co-ownership; ¥80 for the case with one certificate and
    ¥10 for the second (practice)."""
    building, (unit, _) = await presale(offices)
    filing, people = signed_filing(
        pki, unit, with_loan=True, co_ownership=parties_pb2.CO_OWNERSHIP_JOINT, certificate_per_owner=True
    )
    purchase = await file_purchase(developer_desk, filing)
    await pay(offices, await until(developer_desk, purchase.name, AWAITING))
    await complete(developer_desk, building)
    ready = await until(developer_desk, purchase.name, READY)
    numbers = list(ready.documents.certificate_numbers)
    assert len(numbers) == 2
    copies = [
        (
            await offices.transfer.GetCertificate(transfer_pb.GetCertificateRequest(name=f"certificates/{n}"))
        ).certificate
        for n in numbers
    ]
    for copy in copies:
        assert copy.co_ownership == parties_pb2.CO_OWNERSHIP_JOINT
        assert [o.share_basis_points for o in copy.owners] == [0, 0]
        assert len(copy.owners) == 2
    assert {c.certificate_number for c in copies} == set(numbers)
    for copy in copies:
        copy.ClearField("name")
        copy.ClearField("certificate_number")
    assert copies[0] == copies[1]
    transfer = (
        await offices.transfer.GetTransfer(transfer_pb.GetTransferRequest(name=ready.documents.transfer))
    ).transfer
    assert transfer.fee_fen == 9_000
    entries = (await offices.registry.GetUnit(registry_pb.GetUnitRequest(unit_number=unit))).unit.entries
    ownership = next(e for e in entries if e.kind == registry_pb.ENTRY_KIND_OWNERSHIP)
    assert "共同共有" in ownership.note
    assert list(ownership.share_basis_points) == []
    assert sorted(ownership.holders) == sorted(p.party for p in people)


async def test_co_owners_by_shares_choose_one_certificate(offices, pki, developer_desk):
    """CQ 26 and 民法典 298: 按份共有 is recorded with each share; the buyers chose one
    certificate, which lists both owners and their shares, for ¥80."""
    building, (unit, _) = await presale(offices)
    filing, _ = signed_filing(pki, unit, with_loan=False, co_ownership=parties_pb2.CO_OWNERSHIP_BY_SHARES)
    purchase = await file_purchase(developer_desk, filing)
    await pay(offices, await until(developer_desk, purchase.name, AWAITING))
    await complete(developer_desk, building)
    ready = await until(developer_desk, purchase.name, READY)
    (number,) = ready.documents.certificate_numbers
    certificate = (
        await offices.transfer.GetCertificate(
            transfer_pb.GetCertificateRequest(name=f"certificates/{number}")
        )
    ).certificate
    assert certificate.co_ownership == parties_pb2.CO_OWNERSHIP_BY_SHARES
    assert [o.share_basis_points for o in certificate.owners] == [5_000, 5_000]
    transfer = (
        await offices.transfer.GetTransfer(transfer_pb.GetTransferRequest(name=ready.documents.transfer))
    ).transfer
    assert transfer.fee_fen == 8_000


async def test_handover_before_the_certificate_is_refused(offices, pki, developer_desk):
    _, (unit, _) = await presale(offices)
    filing, _ = signed_filing(pki, unit, with_loan=False)
    purchase = await file_purchase(developer_desk, filing)
    await until(developer_desk, purchase.name, AWAITING)
    code, reason = await refused(
        developer_desk.ConfirmHandover(pb.ConfirmHandoverRequest(request_id=rid(), name=purchase.name))
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "CERTIFICATE_NOT_READY")


async def test_cancellation_before_the_pivot_undoes_every_office(offices, pki, developer_desk):
    """DOMAIN "Cancellation": pre-mortgage released, pre-registration cancelled, filing
    cancelled, tax refunded, the unit on sale again; each visible at its office."""
    _, (unit, _) = await presale(offices)
    filing, people = signed_filing(pki, unit, with_loan=True)
    purchase = await file_purchase(developer_desk, filing)
    waiting = await paid_and_idle(
        offices, developer_desk, await until(developer_desk, purchase.name, AWAITING)
    )
    contract = (
        await offices.contracts.GetContract(contract_pb.GetContractRequest(name=waiting.documents.contract))
    ).contract
    joint = joint_cancellation(pki, people, contract.terms.unit_number, contract.digest, with_bank=True)
    cancelling = (
        await developer_desk.CancelPurchase(
            pb.CancelPurchaseRequest(request_id=rid(), name=purchase.name, joint=joint)
        )
    ).purchase
    assert cancelling.state == pb.PURCHASE_STATE_CANCELLING
    cancelled = await until(developer_desk, purchase.name, pb.PURCHASE_STATE_CANCELLED, PARKED)
    assert cancelled.state == pb.PURCHASE_STATE_CANCELLED, cancelled.problem
    states = step_states(cancelled)
    for kind in ("CONTRACT_SIGNED", "TAX_ASSESSED", "PREREGISTERED", "PREMORTGAGED"):
        assert states[kind] == pb.STEP_STATE_COMPENSATED, kind

    docs = cancelled.documents
    premortgage = (
        await offices.prereg_as_bank.GetPremortgage(prereg_pb.GetPremortgageRequest(name=docs.premortgage))
    ).premortgage
    assert premortgage.state == prereg_pb.PREREGISTRATION_STATE_CANCELLED
    prereg = (
        await offices.prereg.GetPreregistration(
            prereg_pb.GetPreregistrationRequest(name=docs.preregistration)
        )
    ).preregistration
    assert prereg.state == prereg_pb.PREREGISTRATION_STATE_CANCELLED
    contract = (
        await offices.contracts.GetContract(contract_pb.GetContractRequest(name=docs.contract))
    ).contract
    assert contract.state == contract_pb.CONTRACT_STATE_CANCELLED
    assessment = (
        await offices.tax_as_bank.GetAssessment(tax_pb.GetAssessmentRequest(name=docs.tax_assessment))
    ).assessment
    assert assessment.state == tax_pb.ASSESSMENT_STATE_REFUNDED
    sale = (await offices.contracts.GetUnit(contract_pb.GetUnitRequest(unit_number=unit))).unit
    assert sale.sale_state == contract_pb.UNIT_SALE_STATE_ON_SALE
    # Attack 7: the old filing, its old signatures and a new request id: the signed terms are
    # spent, at the orchestrator and at the contract office alike.
    replay = pb.FilePurchaseRequest(request_id=rid(), filing=filing)
    assert await refused(developer_desk.FilePurchase(replay)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "TERMS_ALREADY_USED",
    )
    again = offices.contracts.CreateContract(
        contract_pb.CreateContractRequest(request_id=rid(), terms=contract.terms)
    )
    assert await refused(again) == (grpc.StatusCode.FAILED_PRECONDITION, "TERMS_ALREADY_USED")


async def test_cancellation_after_the_pivot_is_refused(offices, pki, developer_desk, clerk_desk):
    """民法典 214: once the transfer is entered, nothing is undone."""
    building, (unit, _) = await presale(offices)
    filing, _ = signed_filing(pki, unit, with_loan=False)
    purchase = await file_purchase(developer_desk, filing)
    await pay(offices, await until(developer_desk, purchase.name, AWAITING))
    await complete(developer_desk, building)
    ready = await until(developer_desk, purchase.name, READY)
    ruling = cancelling_ruling("(2026)渝0112民初99号")
    code, reason = await refused(
        clerk_desk.CancelPurchase(
            pb.CancelPurchaseRequest(request_id=rid(), name=ready.name, court_ruling=ruling)
        )
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "PURCHASE_PAST_PIVOT")


async def test_a_seizure_parks_the_purchase_until_a_clerk_resumes_it(
    offices, pki, developer_desk, clerk_desk
):
    """查封规定: a seizure found at transfer parks the purchase with its reason for a clerk; once
    the seizure is lifted, the clerk resumes it and it reaches the certificate."""
    building, (unit, _) = await presale(offices)
    filing, _ = signed_filing(pki, unit, with_loan=True)
    purchase = await file_purchase(developer_desk, filing)
    await pay(offices, await until(developer_desk, purchase.name, AWAITING))
    await seize(offices, unit, 77)
    await complete(developer_desk, building)
    parked = await until(developer_desk, purchase.name, PARKED)
    assert error_info(parked.problem).reason == "UNIT_SEIZED"
    failed = [s for s in parked.steps if s.state == pb.STEP_STATE_FAILED]
    assert [pb.StepKind.Name(s.kind) for s in failed] == ["STEP_KIND_TRANSFERRED"]
    listed = await clerk_desk.ListPurchases(pb.ListPurchasesRequest(state=PARKED, building_number=building))
    assert [p.name for p in listed.purchases] == [purchase.name]
    completion = (
        await developer_desk.GetBuildingCompletion(pb.GetBuildingCompletionRequest(building_number=building))
    ).completion
    assert error_info(completion.outcomes[0].error).reason == "UNIT_SEIZED"

    seizure = next(
        e
        for e in (await offices.registry.GetUnit(registry_pb.GetUnitRequest(unit_number=unit))).unit.entries
        if e.kind == registry_pb.ENTRY_KIND_SEIZURE
    )
    await offices.registry_clerk.ReleaseSeizure(
        registry_pb.ReleaseSeizureRequest(
            request_id=rid(),
            entry=seizure.name,
            ruling=parties_pb2.CourtRuling(
                authority="重庆市渝北区人民法院", ruling_number="(2026)渝0112执77号之一"
            ),
        )
    )
    await clerk_desk.ResumePurchase(
        pb.ResumePurchaseRequest(request_id=rid(), name=purchase.name, note="查封已解除")
    )
    ready = await until(developer_desk, purchase.name, READY)
    assert ready.documents.mortgage_proof_number


async def test_race_for_one_flat_sells_it_once(offices, pki, developer_desk):
    """One flat, ten buyers filing at once: exactly one purchase goes on; every other is refused
    at the door or rejected with UNIT_ALREADY_CONTRACTED; one contract exists."""
    _, (unit, _) = await presale(offices)
    filings = [signed_filing(pki, unit, with_loan=False)[0] for _ in range(10)]

    async def attempt(filing):
        try:
            purchase = await file_purchase(developer_desk, filing)
        except grpc.aio.AioRpcError as exc:
            return error_info(rpc_status.from_call(exc)).reason
        settled = await until(developer_desk, purchase.name, AWAITING, pb.PURCHASE_STATE_REJECTED)
        if settled.state == pb.PURCHASE_STATE_REJECTED:
            return error_info(settled.problem).reason
        return "sold"

    outcomes = await asyncio.gather(*(attempt(f) for f in filings))
    assert outcomes.count("sold") == 1
    assert set(outcomes) - {"sold"} <= {"UNIT_ALREADY_CONTRACTED"}
    contracts = (
        await offices.contracts.ListContracts(contract_pb.ListContractsRequest(unit_number=unit))
    ).contracts
    assert len(contracts) == 1


async def test_one_filing_sent_many_times_at_once_is_one_purchase_with_one_answer(
    offices, pki, developer_desk
):
    """The purchase and the answer to its request id are written by one statement: eight copies
    of one filing under one request id, sent at once, make one purchase, and every sender gets
    the same answer (one wrote it, the others waited on the request id and were given it)."""
    building, (unit, _) = await presale(offices)
    filing, _ = signed_filing(pki, unit, with_loan=False)
    request = pb.FilePurchaseRequest(request_id=rid(), filing=filing)
    replies = await asyncio.gather(*(developer_desk.FilePurchase(request) for _ in range(8)))
    answers = {r.SerializeToString(deterministic=True) for r in replies}
    assert len(answers) == 1
    listed = await developer_desk.ListPurchases(pb.ListPurchasesRequest(building_number=building))
    assert [p.name for p in listed.purchases if p.filing.unit_number == unit] == [replies[0].purchase.name]


async def test_another_developer_cannot_see_the_purchase(offices, pki, developer_desk, services):
    _, (unit, _) = await presale(offices)
    filing, _ = signed_filing(pki, unit, with_loan=True)
    purchase = await file_purchase(developer_desk, filing)
    async with client_channel(services["orchestrator"].server.port, pki, "bank-b") as channel:
        other_bank = orchestrator_service_pb2_grpc.PurchaseServiceStub(channel)
        code, _ = await refused(other_bank.GetPurchase(pb.GetPurchaseRequest(name=purchase.name)))
    assert code == grpc.StatusCode.NOT_FOUND


async def test_purchase_state_refusals(offices, pki, developer_desk, clerk_desk, database_url):
    """Cancelling twice, handing over a cancelled purchase, resuming one that is not parked, and
    cancelling while a worker holds the purchase are each refused with their reason."""
    _, (unit, _) = await presale(offices)
    filing, people = signed_filing(pki, unit, with_loan=False)
    purchase = await file_purchase(developer_desk, filing)
    waiting = await until(developer_desk, purchase.name, AWAITING)
    code, reason = await refused(
        clerk_desk.ResumePurchase(pb.ResumePurchaseRequest(request_id=rid(), name=purchase.name, note="x"))
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "PURCHASE_NOT_PARKED")

    # A worker's live lease: the cancellation waits for the step in flight.
    connection = await asyncpg.connect(
        plain_url(database_url), server_settings={"search_path": "orchestrator"}
    )
    try:
        purchase_id = uuid.UUID(purchase.name.removeprefix("purchases/"))
        await connection.execute(
            "UPDATE purchase SET leased_by = 'another-worker', lease_until = now() + interval '1 minute'"
            " WHERE id = $1",
            purchase_id,
        )
        contract = (
            await offices.contracts.GetContract(
                contract_pb.GetContractRequest(name=waiting.documents.contract)
            )
        ).contract
        joint = joint_cancellation(pki, people, contract.terms.unit_number, contract.digest, with_bank=False)
        request = pb.CancelPurchaseRequest(request_id=rid(), name=purchase.name, joint=joint)
        code, reason = await refused(developer_desk.CancelPurchase(request))
        assert (code, reason) == (grpc.StatusCode.ABORTED, "PURCHASE_BUSY")
        await connection.execute(
            "UPDATE purchase SET leased_by = NULL, lease_until = NULL WHERE id = $1", purchase_id
        )
    finally:
        await connection.close()

    request.request_id = rid()
    await developer_desk.CancelPurchase(request)
    request.request_id = rid()
    code, reason = await refused(developer_desk.CancelPurchase(request))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "PURCHASE_ALREADY_CANCELLED")
    await until(developer_desk, purchase.name, pb.PURCHASE_STATE_CANCELLED)
    code, reason = await refused(
        developer_desk.ConfirmHandover(pb.ConfirmHandoverRequest(request_id=rid(), name=purchase.name))
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "PURCHASE_CANCELLED")


async def test_a_filing_for_another_developers_unit_is_refused_at_the_door(offices, pki, developer_desk):
    """The permit for this unit belongs to another developer: on sale, but not this seller's. The
    door refuses it from the building table, and holds nothing: the unit stays free for its own
    developer (a filing let in would have reserved it until the saga rejected it)."""
    unit = await unit_of_another_developer(offices)
    filing, _ = signed_filing(pki, unit, with_loan=False)
    code, reason = await refused(
        developer_desk.FilePurchase(pb.FilePurchaseRequest(request_id=rid(), filing=filing))
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "UNIT_NOT_ON_PRESALE")
    listed = await developer_desk.ListPurchases(
        pb.ListPurchasesRequest(building_number=unit[:24], page_size=10)
    )
    assert list(listed.purchases) == []


async def test_a_rejected_filing_has_nothing_to_cancel(offices, pki, developer_desk, clerk_desk):
    """A filing the contract office refuses at its first step ends REJECTED with the reason,
    and cancelling it is refused: nothing was done."""
    # Seized by a court: the door reads only the building table; the contract office refuses.
    unit = await seized_unit(offices, 601)
    filing, _ = signed_filing(pki, unit, with_loan=False)
    purchase = await file_purchase(developer_desk, filing)
    rejected = await until(developer_desk, purchase.name, pb.PURCHASE_STATE_REJECTED)
    assert error_info(rejected.problem).reason == "UNIT_SEIZED"
    ruling = cancelling_ruling("(2026)3")
    code, reason = await refused(
        clerk_desk.CancelPurchase(
            pb.CancelPurchaseRequest(request_id=rid(), name=purchase.name, court_ruling=ruling)
        )
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "PURCHASE_REJECTED")


async def test_a_developer_files_only_its_own_sales(offices, pki, services):
    """The filing's seller must be the caller's certificate identity."""
    from cryptography import x509

    from tests.parties import _ca

    ca_cert, ca_key = _ca(pki)
    other = issue_leaf(
        ca_cert,
        ca_key,
        "other developer",
        [x509.UniformResourceIdentifier("deedflow://developer/91500000MA60BNK00D")],
    )
    _, (unit, _) = await presale(offices)
    filing, _ = signed_filing(pki, unit, with_loan=False)
    target = f"127.0.0.1:{services['orchestrator'].server.port}"
    async with secure_channel(target, pki.ca_pem, other) as channel:
        code, reason = await refused(
            file_purchase(orchestrator_service_pb2_grpc.PurchaseServiceStub(channel), filing)
        )
    assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "DEVELOPER_MISMATCH")


async def test_seed_loading_is_idempotent(services, pki, test_settings):
    """`deedflow seed` twice gives one project with its 120 units, each in the book."""
    from cli.seed import load

    first = await load(test_settings, pki)
    again = await load(test_settings, pki)
    assert first.name == again.name
    assert list(first.building_numbers) == list(seeds.BUILDINGS)
    async with client_channel(services["registry"].server.port, pki, "clerk") as channel:
        registry = registry_service_pb2_grpc.RegistryServiceStub(channel)
        unit = await registry.GetUnit(registry_pb.GetUnitRequest(unit_number=seeds.units()[-1].unit_number))
    assert unit.unit.facts.gross_area_dm2 == seeds.units()[-1].gross_area_dm2


async def test_watch_resumes_after_the_last_version_seen(offices, pki, developer_desk):
    """WatchPurchase from a version sends only what came after it: a client that reconnects
    with the last version it saw misses nothing and repeats nothing."""
    _, (unit, _) = await presale(offices)
    filing, _ = signed_filing(pki, unit, with_loan=False)
    purchase = await file_purchase(developer_desk, filing)
    waiting = await until(developer_desk, purchase.name, AWAITING)
    seen = []
    async with asyncio.timeout(30):
        async for change in developer_desk.WatchPurchase(
            pb.WatchPurchaseRequest(name=purchase.name, after_version=1)
        ):
            seen.append(change.purchase.version)
            if change.purchase.version >= waiting.version:
                break
    assert seen == list(range(2, waiting.version + 1))


async def test_a_clerk_cancels_by_ruling_and_the_book_records_the_ruling(
    offices, pki, developer_desk, clerk_desk
):
    """A court-ordered cancellation comes through the registry's clerk, and the ruling (court,
    number, date, the document's digest) is in the book with the end of the 预告."""
    _, (unit, _) = await presale(offices)
    filing, _ = signed_filing(pki, unit, with_loan=False)
    purchase = await file_purchase(developer_desk, filing)
    await paid_and_idle(offices, developer_desk, await until_waiting(developer_desk, purchase.name))
    ruling = cancelling_ruling("(2026)渝0112民初77号")
    await clerk_desk.CancelPurchase(
        pb.CancelPurchaseRequest(request_id=rid(), name=purchase.name, court_ruling=ruling)
    )
    cancelled = await until(developer_desk, purchase.name, pb.PURCHASE_STATE_CANCELLED, PARKED)
    assert cancelled.state == pb.PURCHASE_STATE_CANCELLED, cancelled.problem
    book = registry_pb.ListLeavesRequest(authority=unit[:6], page_size=1)
    size = (await offices.registry_clerk.ListLeaves(book)).tree_size
    recent = await offices.registry_clerk.ListLeaves(
        registry_pb.ListLeavesRequest(authority=unit[:6], start_index=max(0, size - 500), page_size=500)
    )
    events = [json.loads(leaf) for leaf in recent.leaves]
    ended = [e for e in events if e["type"] == "event" and e["unit_number"] == unit and e["ruling_number"]]
    assert [(e["state"], e["ruling_authority"], e["ruling_number"]) for e in ended] == [
        ("HISTORIC", ruling.authority, ruling.ruling_number)
    ]
    # The ruling's date and digest are in the event's particulars: committed to, not shown.
    assert "note" not in ended[0]
    assert len(ended[0]["particulars"]) == 64
