"""What each step of the purchase saga does, forward and (before the pivot) in compensation.

A step's call that may change another office's records is made by `Context.send`: its exact
request, carrying a request id derived from (purchase, step, direction, part), is recorded as the
step's intent before it leaves, and a retried or resumed step sends those same bytes again, so
the peer replays its first answer instead of acting twice (the journal's rule, decision 71).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

import grpc
from google.protobuf.message import Message

from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.preregistration.v1 import preregistration_service_pb2 as prereg_pb
from deedflow.tax.v1 import tax_service_pb2 as tax_pb
from deedflow.transfer.v1 import transfer_service_pb2 as transfer_pb
from deedflow.type.v1 import parties_pb2
from deedflow.type.v1.reasons import Reason
from services.orchestrator.clients import Clients
from services.orchestrator.domain import StepKind, area_settlement, home_count_for_tax, settled_tax_base
from shared import faults
from shared.durable import step_request_id
from shared.errors import FailedPrecondition
from shared.grpc.status import error_info
from shared.outcomes import status_of
from shared.purchase_terms import contract_terms

_NAMESPACE = uuid.UUID("c6f1d2e3-4a5b-4c7d-9e8f-0a1b2c3d4e5f")
RequestT = TypeVar("RequestT", bound=Message)
ResponseT = TypeVar("ResponseT")
# Records a step's intent, (kind, direction, the request's bytes), before its call leaves.
Intend = Callable[[StepKind, str, bytes], Awaitable[None]]


def fault_point(kind: StepKind, direction: str, moment: str) -> str:
    """The fault point at a boundary of a saga step (shared/faults.py)."""
    return f"orchestrator/saga/{kind.value}/{direction.lower()}/{moment}"


def request_id(
    purchase_id: uuid.UUID, step: StepKind, direction: str, part: str = "", generation: int = 0
) -> str:
    """The request id of a step's call: the same for every retry and resume of the step, and new
    only when a clerk resumes a step whose application was refused (a new application)."""
    suffix = f"/{generation}" if generation else ""
    return step_request_id(_NAMESPACE, f"{purchase_id}/{step.value}/{direction}/{part}{suffix}")


@dataclass
class Wait:
    """The step waits for an outside event; `until` is when to look again (None: only the event)."""

    until: dt.datetime | None


@dataclass
class Context:
    purchase_id: uuid.UUID
    filing: pb.PurchaseFiling
    documents: pb.PurchaseDocuments
    clients: Clients
    now: dt.datetime
    building_completed: bool
    cancellation: pb.CancelPurchaseRequest | None = None
    # Each step's application generation, by (kind, direction) as the step log records them.
    generations: dict[tuple[str, str], int] = field(default_factory=dict)
    # The unit's as-built survey (实测), once the building is completed.
    survey: pb.SurveyedUnit | None = None
    # How long to wait before asking again whether tax due is paid (a building's completion
    # asks at once).
    tax_recheck: dt.timedelta = dt.timedelta(minutes=5)
    # The unit as the building table showed it when the purchase was filed (None: not kept).
    unit: contract_pb.Unit | None = None
    # Whether the tax office may have a clearance to give: it has told of a payment for this
    # contract (or that words were missed), or the saga has asked before.
    tax_heard: bool = True
    # Each step's recorded intent, by (kind, direction): the request its call sent.
    intents: dict[tuple[str, str], bytes] = field(default_factory=dict)
    # How a new intent is recorded (the engine's write); None while a step is only replayed to
    # learn what it did (a compensation), which records nothing.
    intend: Intend | None = None

    def cancelling(self) -> pb.CancelPurchaseRequest:
        """The cancellation being carried out: compensations run only for one."""
        if self.cancellation is None:
            raise RuntimeError(f"purchase {self.purchase_id} is compensated with no cancellation")
        return self.cancellation

    def rid(self, step: StepKind, direction: str = "forward", part: str = "") -> str:
        generation = self.generations.get((step.value, direction.upper()), 0)
        return request_id(self.purchase_id, step, direction, part, generation)

    async def send(
        self,
        step: StepKind,
        direction: str,
        rpc: Callable[[RequestT], Awaitable[ResponseT]],
        request: RequestT,
    ) -> ResponseT:
        """The step's call that may change another office's records: the request recorded as
        the step's intent, then sent; a step with an intent recorded sends it again as recorded.
        A step makes at most one such call (its reads go straight to the peer)."""
        key = (step.value, direction.upper())
        recorded = self.intents.get(key)
        if recorded is not None:
            request = type(request).FromString(recorded)
        elif self.intend is not None:
            intent = request.SerializeToString(deterministic=True)
            await self.intend(step, direction, intent)
            self.intents[key] = intent
        if self.intend is not None:
            faults.reached(fault_point(step, direction, "before-call"))
        return await rpc(request)


def _reason(error: grpc.aio.AioRpcError) -> str | None:
    status = status_of(error)
    info = error_info(status)
    return info.reason if info else None


# Forward steps


async def sign_contract(ctx: Context) -> Wait | None:
    contract = (
        await ctx.send(
            StepKind.CONTRACT_SIGNED,
            "forward",
            ctx.clients.contract.CreateContract,
            # Created with every party's signature (the filing carries them, checked at the
            # door): one call and one transaction at the contract office, signed or not at all.
            contract_pb.CreateContractRequest(
                request_id=ctx.rid(StepKind.CONTRACT_SIGNED, part="create-signed"),
                terms=contract_terms(ctx.filing),
                signatures=ctx.filing.signatures,
            ),
        )
    ).contract
    ctx.documents.contract = contract.name
    return None


async def file_contract(ctx: Context) -> Wait | None:
    contract = (
        await ctx.send(
            StepKind.CONTRACT_FILED,
            "forward",
            ctx.clients.contract.FileContract,
            contract_pb.FileContractRequest(
                request_id=ctx.rid(StepKind.CONTRACT_FILED), name=ctx.documents.contract
            ),
        )
    ).contract
    ctx.documents.filing_number = contract.filing_number
    return None


async def assess_tax(ctx: Context) -> Wait | None:
    """The tax base is established, not declared (契税法 4-5): the area and planned use are the
    building table's (楼盘表) at the housing authority, as read at the filing's door; the price is
    the contract's, VAT excluded."""
    unit = ctx.unit
    if unit is None:
        unit = (
            await ctx.clients.contract.GetUnit(contract_pb.GetUnitRequest(unit_number=ctx.filing.unit_number))
        ).unit
    assessment = (
        await ctx.send(
            StepKind.TAX_ASSESSED,
            "forward",
            ctx.clients.tax.AssessDeedTax,
            tax_pb.AssessDeedTaxRequest(
                request_id=ctx.rid(StepKind.TAX_ASSESSED),
                contract=ctx.documents.contract,
                unit_number=ctx.filing.unit_number,
                buyers=ctx.filing.buyers,
                price_ex_vat_fen=ctx.filing.price_ex_vat_fen,
                gross_area_dm2=unit.gross_area_dm2,
                home_count=home_count_for_tax(ctx.filing),
                residential=unit.residential,
            ),
        )
    ).assessment
    ctx.documents.tax_assessment = assessment.name
    ctx.documents.tax_fen = assessment.tax_fen
    return None


async def preregister(ctx: Context) -> Wait | None:
    reply = await ctx.send(
        StepKind.PREREGISTERED,
        "forward",
        ctx.clients.preregistration.LodgePreregistration,
        prereg_pb.LodgePreregistrationRequest(
            request_id=ctx.rid(StepKind.PREREGISTERED),
            unit_number=ctx.filing.unit_number,
            contract=ctx.documents.contract,
            holders=ctx.filing.buyers,
            developer=ctx.filing.developer,
            auto_register=True,
        ),
    )
    ctx.documents.preregistration = reply.preregistration.name
    ctx.documents.preregistration_proof_number = reply.preregistration.proof_number
    return None


async def premortgage(ctx: Context) -> Wait | None:
    reply = await ctx.send(
        StepKind.PREMORTGAGED,
        "forward",
        ctx.clients.preregistration.LodgePremortgage,
        prereg_pb.LodgePremortgageRequest(
            request_id=ctx.rid(StepKind.PREMORTGAGED),
            preregistration=ctx.documents.preregistration,
            loan=ctx.filing.loan,
            auto_register=True,
        ),
    )
    ctx.documents.premortgage = reply.premortgage.name
    ctx.documents.premortgage_proof_number = reply.premortgage.proof_number
    return None


async def tax_paid(ctx: Context) -> Wait | None:
    """契税法 11: the transfer waits for the deed tax. The tax office tells the saga of each
    payment (WatchClearances, counted on the purchase): with no word yet there is nothing to ask,
    and the purchase waits for it (or for its own look again after tax_recheck, the net for a
    word that was lost)."""
    if not ctx.tax_heard:
        return Wait(ctx.now + ctx.tax_recheck)
    return await _clearance(ctx)


async def _clearance(ctx: Context) -> Wait | None:
    """The clearance of the contract, or a wait while the tax is unpaid."""
    try:
        clearance = (
            await ctx.clients.tax.GetClearance(tax_pb.GetClearanceRequest(contract=ctx.documents.contract))
        ).clearance
    except grpc.aio.AioRpcError as exc:
        if _reason(exc) == Reason.DEED_TAX_UNPAID:
            return Wait(ctx.now + ctx.tax_recheck)
        raise
    ctx.documents.tax_clearance_number = clearance.clearance_number
    # Who recorded the payment, shown with the purchase (and in its TAX_PAID event).
    ctx.documents.tax_paid_by = clearance.paid_by
    return None


async def building_first_registered(ctx: Context) -> Wait | None:
    """Waits for the building's first registration, then settles the as-built area against the
    contract's (商品房销售管理办法 20). Beyond ±3 % the buyers may rescind, so the purchase waits
    for their choice: a clerk resumes it if they keep the flat, or the parties cancel it."""
    if not ctx.building_completed:
        return Wait(None)
    if ctx.survey is None:
        return None
    terms = ctx.filing
    settlement = area_settlement(
        terms.price_ex_vat_fen + terms.vat_fen, terms.gross_area_dm2, ctx.survey.gross_area_dm2
    )
    ctx.documents.area_settlement.CopyFrom(settlement)
    buyers_chose = ctx.generations.get((StepKind.BUILDING_FIRST_REGISTERED.value, "FORWARD"), 0) > 0
    if settlement.rescission_offered and not buyers_chose:
        raise FailedPrecondition(
            Reason.AREA_DIFFERENCE_BEYOND_TOLERANCE,
            f"the as-built area differs from the contract's by"
            f" {settlement.difference_basis_points / 100:.2f} %: the buyers may rescind (CancelPurchase)"
            " or keep the flat (a clerk resumes the purchase)",
            {"difference_basis_points": str(settlement.difference_basis_points)},
        )
    return None


async def settle_tax(ctx: Context) -> Wait | None:
    """契税法 4, 公告2024年第16号: the tax base is the as-built area and the price settled for it.
    The tax is reassessed once the survey is in (补税 or 退税), and the transfer waits until any
    tax still due is paid."""
    if ctx.survey is None:
        return None
    filing = ctx.filing
    base = settled_tax_base(
        filing.price_ex_vat_fen, filing.vat_fen, ctx.documents.area_settlement.price_adjustment_fen
    )
    assessment = (
        await ctx.send(
            StepKind.TAX_SETTLED,
            "forward",
            ctx.clients.tax.ReassessDeedTax,
            tax_pb.ReassessDeedTaxRequest(
                request_id=ctx.rid(StepKind.TAX_SETTLED),
                assessment=ctx.documents.tax_assessment,
                gross_area_dm2=ctx.survey.gross_area_dm2,
                price_ex_vat_fen=base,
                reason=f"实测面积 {ctx.survey.gross_area_dm2 / 100:.2f} m²; 面积差异结算",
            ),
        )
    ).assessment
    ctx.documents.tax_fen = assessment.tax_fen
    # Reassessed: what is due now is asked, whatever word came before.
    return await _clearance(ctx)


async def transfer(ctx: Context) -> Wait | None:
    """The pivot: once the transfer is entered in the book, nothing is undone (民法典 214)."""
    application = transfer_pb.TransferApplication(
        # The unit as the survey numbered it; its 预告 and 预抵押 were carried there (担保制度解释 52).
        unit_number=ctx.survey.unit_number if ctx.survey else ctx.filing.unit_number,
        contract=ctx.documents.contract,
        preregistration=ctx.documents.preregistration,
        premortgage=ctx.documents.premortgage,
        buyers=ctx.filing.buyers,
        developer=ctx.filing.developer,
        co_ownership=ctx.filing.co_ownership,
        certificate_per_owner=ctx.filing.certificate_per_owner,
    )
    reply = await ctx.send(
        StepKind.TRANSFERRED,
        "forward",
        ctx.clients.lodge_transfer,
        transfer_pb.LodgeTransferRequest(
            request_id=ctx.rid(StepKind.TRANSFERRED), application=application, auto_register=True
        ),
    )
    ctx.documents.transfer = reply.transfer.name
    del ctx.documents.certificate_numbers[:]
    ctx.documents.certificate_numbers.extend(
        c.removeprefix("certificates/") for c in reply.transfer.certificates
    )
    ctx.documents.mortgage_proof_number = reply.transfer.mortgage_proof_number
    return None


async def mortgage_recorded(ctx: Context) -> Wait | None:
    """The transfer converted the pre-mortgage in the same register transaction (CQ 66) and the
    mortgage service issued the bank's proof; this step confirms it."""
    if not ctx.documents.mortgage_proof_number:
        reply = await ctx.clients.transfer.GetTransfer(
            transfer_pb.GetTransferRequest(name=ctx.documents.transfer)
        )
        ctx.documents.mortgage_proof_number = reply.transfer.mortgage_proof_number
    return None


async def certificate_ready(ctx: Context) -> Wait | None:
    """The transfer office issues the certificates in the transaction that records the transfer
    registered, and its answer names them: they are ready when the transfer is. Only an answer
    that named none is read again from the transfer."""
    if not ctx.documents.certificate_numbers:
        reply = await ctx.clients.transfer.GetTransfer(
            transfer_pb.GetTransferRequest(name=ctx.documents.transfer)
        )
        ctx.documents.certificate_numbers.extend(
            c.removeprefix("certificates/") for c in reply.transfer.certificates
        )
    return None


async def handed_over(ctx: Context) -> Wait | None:
    """Waits for ConfirmHandover, which completes this step itself."""
    return Wait(None)


# Compensations (before the pivot only), in the order DOMAIN.md gives


def _joint(ctx: Context) -> parties_pb2.JointConsent:
    """The developer's and buyers' consents; the bank's goes to the pre-mortgage release."""
    parties = {
        f"organizations/{ctx.filing.developer.uscc}",
        *(f"buyers/{b.resident_id}" for b in ctx.filing.buyers),
    }
    return parties_pb2.JointConsent(
        signatures=[s for s in ctx.cancelling().joint.signatures if s.signer in parties]
    )


async def release_premortgage(ctx: Context) -> None:
    request = prereg_pb.ReleasePremortgageRequest(
        request_id=ctx.rid(StepKind.PREMORTGAGED, "compensate"), name=ctx.documents.premortgage
    )
    if ctx.cancelling().HasField("court_ruling"):
        request.court_ruling.CopyFrom(ctx.cancelling().court_ruling)
    else:
        bank = f"organizations/{ctx.filing.loan.bank.uscc}"
        consent = next((s for s in ctx.cancelling().joint.signatures if s.signer == bank), None)
        if consent is not None:
            request.mortgagee_consent.CopyFrom(consent)
    await ctx.send(
        StepKind.PREMORTGAGED, "compensate", ctx.clients.preregistration.ReleasePremortgage, request
    )


async def cancel_preregistration(ctx: Context) -> None:
    request = prereg_pb.CancelPreregistrationRequest(
        request_id=ctx.rid(StepKind.PREREGISTERED, "compensate"), name=ctx.documents.preregistration
    )
    if ctx.cancelling().HasField("court_ruling"):
        request.court_ruling.CopyFrom(ctx.cancelling().court_ruling)
    else:
        request.joint.CopyFrom(_joint(ctx))
    await ctx.send(
        StepKind.PREREGISTERED, "compensate", ctx.clients.preregistration.CancelPreregistration, request
    )


async def cancel_contract(ctx: Context) -> None:
    request = contract_pb.CancelContractRequest(
        request_id=ctx.rid(StepKind.CONTRACT_SIGNED, "compensate"), name=ctx.documents.contract
    )
    if ctx.cancelling().HasField("court_ruling"):
        request.court_ruling.CopyFrom(ctx.cancelling().court_ruling)
    else:
        request.joint.CopyFrom(_joint(ctx))
    await ctx.send(StepKind.CONTRACT_SIGNED, "compensate", ctx.clients.contract.CancelContract, request)


async def refund_tax(ctx: Context) -> None:
    await ctx.send(
        StepKind.TAX_ASSESSED,
        "compensate",
        ctx.clients.tax.RefundDeedTax,
        tax_pb.RefundDeedTaxRequest(
            request_id=ctx.rid(StepKind.TAX_ASSESSED, "compensate"),
            assessment=ctx.documents.tax_assessment,
            reason=f"purchase cancelled before transfer ({ctx.documents.contract})",
        ),
    )
