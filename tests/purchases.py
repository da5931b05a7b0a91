"""A developer's, buyers' and bank's side of a purchase, for tests and benchmarks: build a
filing, sign it with the parties' own keys, and follow the purchase as it moves."""

from __future__ import annotations

import asyncio
import uuid

from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.tax.v1 import tax_service_pb2 as tax_pb
from deedflow.type.v1 import parties_pb2
from shared import statements
from shared.pki import DEV_CALLERS, Pki
from shared.purchase_terms import canonical_bytes
from tests.flows import BANK, DEVELOPER, next_resident_id, presale, rid
from tests.parties import Party, buyer, developer


def seller_of(pki: Pki, stem: str) -> parties_pb2.Organization:
    """The developer a development PKI caller is (the default one is DEVELOPER)."""
    if stem == "developer":
        return DEVELOPER
    return parties_pb2.Organization(name=f"{stem}置业有限公司", uscc=DEV_CALLERS[stem].rsplit("/", 1)[1])


def bank_party(pki: Pki) -> Party:
    return Party(f"organizations/{BANK.uscc}", pki.caller("bank-a"))


def signed_filing(
    pki: Pki,
    unit: str,
    with_loan: bool,
    buyers: list[Party] | None = None,
    co_ownership: int = parties_pb2.CO_OWNERSHIP_UNSPECIFIED,
    certificate_per_owner: bool = False,
    seller: str = "developer",
    names: list[str] | None = None,
):
    """A filing for `unit` signed by the developer (`seller`: the development PKI's caller stem),
    every buyer and (with a loan) the bank; joint owners (共同共有) have no shares. The buyers
    are named `names`, or 买受人0, 买受人1, …"""
    people = buyers or [buyer(pki, next_resident_id()), buyer(pki, next_resident_id())]
    names = names or [f"买受人{i}" for i in range(len(people))]
    joint = co_ownership == parties_pb2.CO_OWNERSHIP_JOINT
    share = 0 if joint else 10_000 // len(people)
    filing = pb.PurchaseFiling(
        unit_number=unit,
        project=f"projects/渝住建预售({unit[15:24]})",
        developer=seller_of(pki, seller),
        buyers=[
            parties_pb2.Buyer(
                name=names[i],
                resident_id=p.party.removeprefix("buyers/"),
                share_basis_points=share + (10_000 - share * len(people) if i == 0 and not joint else 0),
                home_count=parties_pb2.HOME_COUNT_ONLY,
            )
            for i, p in enumerate(people)
        ],
        price_ex_vat_fen=120_000_000,
        vat_fen=10_800_000,
        gross_area_dm2=9_000,
        co_ownership=co_ownership,
        certificate_per_owner=certificate_per_owner,
    )
    if with_loan:
        filing.loan.CopyFrom(
            parties_pb2.Loan(
                bank=BANK, amount_fen=80_000_000, term_months=360, mortgage_contract_number=f"DK-{unit[-6:]}"
            )
        )
    data = canonical_bytes(filing)
    signer = Party(f"organizations/{filing.developer.uscc}", pki.caller(seller))
    filing.signatures.extend([signer.signature(data), *(p.signature(data) for p in people)])
    if with_loan:
        filing.loan.bank_signature.CopyFrom(bank_party(pki).signature(data))
    return filing, people


def joint_cancellation(pki: Pki, people: list[Party], unit: str, contract_digest: bytes, with_bank: bool):
    """The developer's and buyers' consent to cancel the contract, and the bank's to release its
    pre-mortgage, each over its own statement (docs/signing.md)."""
    text = statements.cancel_contract(unit, contract_digest)
    signatures = [p.signature(text) for p in (developer(pki), *people)]
    if with_bank:
        signatures.append(bank_party(pki).signature(statements.release_premortgage(unit, contract_digest)))
    return parties_pb2.JointConsent(signatures=signatures)


async def file_purchase(stub, filing) -> pb.Purchase:
    reply = await stub.FilePurchase(pb.FilePurchaseRequest(request_id=str(uuid.uuid4()), filing=filing))
    return reply.purchase


async def until(stub, name: str, *states: int, seconds: float = 60) -> pb.Purchase:
    """Follows the purchase's changes (WatchPurchase) until it reaches one of `states`."""
    stream = stub.WatchPurchase(pb.WatchPurchaseRequest(name=name))
    try:
        async with asyncio.timeout(seconds):
            async for change in stream:
                if change.purchase.state in states:
                    return change.purchase
    finally:
        # The server holds a watch until the call ends (and bounds how many a caller holds).
        stream.cancel()
    raise AssertionError(f"{name} ended without reaching {states}")


async def until_waiting(
    stub, name: str, seconds: float = 60, step: int = pb.STEP_KIND_TAX_PAID
) -> pb.Purchase:
    """The purchase once `step` waits (by default for its tax, with the building still to come,
    and no step running: a cancellation sent now does not meet a busy purchase)."""
    stream = stub.WatchPurchase(pb.WatchPurchaseRequest(name=name))
    try:
        async with asyncio.timeout(seconds):
            async for change in stream:
                waiting = next((s for s in change.purchase.steps if s.kind == step), None)
                if waiting is not None and waiting.state == pb.STEP_STATE_WAITING:
                    return change.purchase
    finally:
        stream.cancel()
    raise AssertionError(f"{name} ended without waiting for its building")


async def until_step(stub, name: str, step: int, failures: int, seconds: float = 60) -> pb.Purchase:
    """The purchase once `step` has failed `failures` times and is to be tried again."""
    stream = stub.WatchPurchase(pb.WatchPurchaseRequest(name=name))
    try:
        async with asyncio.timeout(seconds):
            async for change in stream:
                found = next((s for s in change.purchase.steps if s.kind == step), None)
                if found is not None and found.attempts >= failures and found.HasField("last_error"):
                    return change.purchase
    finally:
        stream.cancel()
    raise AssertionError(f"{name} ended before step {step} failed {failures} times")


async def pay(offices, purchase: pb.Purchase) -> tax_pb.Assessment:
    """The lending bank (`offices.tax_as_bank`) collects the tax still due on a financed purchase's
    assessment, the tax bureau (`offices.tax_bureau`) a cash purchase's: all of it at first; the
    补税 after a reassessment on the as-built area."""
    collector = offices.tax_as_bank if purchase.filing.HasField("loan") else offices.tax_bureau
    assessment = (
        await collector.GetAssessment(tax_pb.GetAssessmentRequest(name=purchase.documents.tax_assessment))
    ).assessment
    return (
        await collector.RecordPayment(
            tax_pb.RecordPaymentRequest(
                request_id=rid(),
                assessment=assessment.name,
                payment=tax_pb.Payment(
                    payment_reference=f"PAY-{uuid.uuid4().hex[:12]}",
                    amount_fen=assessment.tax_fen - assessment.paid_fen,
                ),
            )
        )
    ).assessment


async def paid_and_idle(offices, desk, purchase: pb.Purchase) -> pb.Purchase:
    """Pays the tax due and returns the purchase once the payment's word has moved it on and it
    waits, idle, for its building: the tax office tells the saga at once (WatchClearances), so a
    cancellation sent right after paying could meet the step running."""
    await pay(offices, purchase)
    return await until_waiting(desk, purchase.name, step=pb.STEP_KIND_BUILDING_FIRST_REGISTERED)


async def complete(
    desk, building: str, surveyed: dict[str, int] | None = None, renumbered: dict[str, str] | None = None
) -> pb.BuildingCompletion:
    """The developer declares the building complete, with the as-built areas of `surveyed`
    (unit number -> dm²); other units keep their presale area. `renumbered` maps a surveyed
    presale unit to the as-built number the survey gave it."""
    reply = await desk.CompleteBuilding(
        pb.CompleteBuildingRequest(
            request_id=rid(),
            building_number=building,
            completion_record_number=f"渝建竣备{building[-6:]}",
            common_parts=["物业管理用房"],
            survey=[
                pb.SurveyedUnit(
                    presale_unit_number=unit,
                    unit_number=(renumbered or {}).get(unit, unit),
                    gross_area_dm2=area,
                )
                for unit, area in (surveyed or {}).items()
            ],
        )
    )
    return reply.completion


async def to_certificate(offices, pki: Pki, desk) -> tuple[pb.Purchase, str]:
    """One purchase with bank A's loan on a building of its own, filed by developer A, paid and
    completed: the purchase at CERTIFICATE_READY, and its unit."""
    building, (unit, _) = await presale(offices)
    filing, _ = signed_filing(pki, unit, with_loan=True)
    purchase = await file_purchase(desk, filing)
    await pay(offices, await until(desk, purchase.name, pb.PURCHASE_STATE_AWAITING_COMPLETION))
    await complete(desk, building)
    return await until(desk, purchase.name, pb.PURCHASE_STATE_CERTIFICATE_READY), unit
