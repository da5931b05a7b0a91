"""Deed-tax use cases: assess, collect, clear, refund (契税法 4-12)."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import asyncpg
import grpc

from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from deedflow.contract.v1 import contract_service_pb2_grpc
from deedflow.tax.v1 import tax_service_pb2 as pb
from deedflow.type.v1 import parties_pb2
from deedflow.type.v1.reasons import Reason
from services.tax import clearance_feed, render, repository
from services.tax.domain import (
    LIVE,
    AssessmentState,
    HomeCount,
    clearance_number,
    deed_tax_fen,
    deed_tax_rate,
)
from services.tax.records import Assessment
from shared import statements
from shared.auth import Caller, Role, caller
from shared.batches import answer_together
from shared.errors import AlreadyExists, FailedPrecondition, NotFound
from shared.ids import request_derived_id
from shared.journal import Journal
from shared.names import parse_uuid_name
from shared.transactions import Transactions, WorkOf

_NAMESPACE = uuid.UUID("5c2e9d41-7f3a-4b8e-a1d6-3e9f0c7b2a58")


def parse_assessment_name(name: str) -> uuid.UUID:
    return parse_uuid_name(name, "assessments")


@dataclass(frozen=True)
class SignedTerms:
    """What an assessment keeps of the contract's signed terms."""

    # SHA-256 of the statement every buyer signed (their declaration of the home count).
    digest: bytes
    # The lending bank's USCC, '' without a loan.
    lending_bank: str


def lender_of(terms: contract_pb.ContractTerms) -> str:
    return terms.loan.bank.uscc if terms.with_loan else ""


class DeedTax:
    def __init__(
        self,
        journal: Journal,
        provincial_rate_bp: int,
        peer: Callable[[str], grpc.aio.Channel],
        collecting_banks: frozenset[str] = frozenset(),
    ) -> None:
        self.tx = Transactions(journal, "deedflow.tax.v1.TaxService")
        self.provincial_rate_bp = provincial_rate_bp
        self.peer = peer
        self.collecting_banks = collecting_banks

    @property
    def contracts(self) -> contract_service_pb2_grpc.ContractServiceStub:
        return contract_service_pb2_grpc.ContractServiceStub(self.peer("contract"))

    async def signed_terms(self, request: pb.AssessDeedTaxRequest) -> SignedTerms:
        """The contract terms every buyer signed: the figures of the assessment must be theirs
        (the VAT-exclusive price, 契税法 4; each buyer's home count, 公告2024年第16号). Returns the
        digest of that signed statement and the lending bank, kept with the assessment. Read
        before any transaction."""
        contract = (
            await self.contracts.GetContract(contract_pb.GetContractRequest(name=request.contract))
        ).contract
        if contract.state == contract_pb.CONTRACT_STATE_CANCELLED:
            raise FailedPrecondition(Reason.CONTRACT_CANCELLED, f"{request.contract} is cancelled")
        terms = contract.terms
        declared = {b.resident_id: b.home_count for b in terms.buyers}
        asked = {b.resident_id: b.home_count for b in request.buyers}
        wrong = []
        if terms.unit_number != request.unit_number:
            wrong.append("unit_number")
        if terms.price_ex_vat_fen != request.price_ex_vat_fen:
            wrong.append("price_ex_vat_fen")
        if asked != declared:
            wrong.append("buyers")
        if request.home_count != max(declared.values(), default=0):
            wrong.append("home_count")
        if wrong:
            raise FailedPrecondition(
                Reason.TAX_FIGURES_NOT_AS_SIGNED,
                f"{', '.join(wrong)} differ from the terms the buyers signed in {request.contract}",
                {"fields": ",".join(wrong)},
            )
        return SignedTerms(hashlib.sha256(statements.contract_terms(terms)).digest(), lender_of(terms))

    async def lending_bank(self, row: Assessment) -> str:
        """The USCC of the bank lending on the assessed contract ('' without a loan). An
        assessment made before the bank was kept with it asks the contract office."""
        if row.lending_bank_uscc is not None:
            bank: str = row.lending_bank_uscc
            return bank
        contract = (
            await self.contracts.GetContract(contract_pb.GetContractRequest(name=row.contract))
        ).contract
        return lender_of(contract.terms)

    def lender_filter(self, who: Caller) -> str:
        """The lending bank a listing is limited to: the caller, for a bank that is not a
        collecting agent ('' for no limit)."""
        if who.role is Role.BANK and who.id not in self.collecting_banks:
            return who.id
        return ""

    async def require_collector(self, name: str, who: Caller) -> None:
        """A bank reads or records the payment of an assessment only of a contract it lends on,
        or as a collecting agent (代征) the deployment names; to any other bank the assessment
        does not exist. Checked before the transaction: an assessment's lending bank never
        changes."""
        if who.role is not Role.BANK or who.id in self.collecting_banks:
            return
        row = await self.tx.read(self.load, name)
        if await self.lending_bank(row) != who.id:
            raise NotFound(f"no assessment {name!r}")

    async def require_contract_failed(self, contract: str) -> None:
        """契税法 12: tax is refunded only when the contract failed before registration."""
        state = (
            await self.contracts.GetContract(contract_pb.GetContractRequest(name=contract))
        ).contract.state
        if state != contract_pb.CONTRACT_STATE_CANCELLED:
            shown = contract_pb.ContractState.Name(state).removeprefix("CONTRACT_STATE_").lower()
            raise FailedPrecondition(
                Reason.CONTRACT_NOT_CANCELLED,
                f"{contract} is {shown}; deed tax is refunded only for a contract that failed"
                " before registration (契税法 12)",
                {"contract": contract},
            )

    # Use cases: each opens its transaction (with the request's idempotency record, for a
    # write) around a named unit of work below.

    async def assess_deed_tax(self, request: pb.AssessDeedTaxRequest) -> pb.AssessDeedTaxResponse:
        signed = await self.signed_terms(request)
        return await self.tx.write(
            "AssessDeedTax", request, pb.AssessDeedTaxResponse, self._assessed, request, signed
        )

    async def get_assessment(self, name: str) -> pb.Assessment:
        await self.require_collector(name, caller())
        return await self.tx.read(self._shown, name)

    async def list_assessments(
        self, contract: str, state: str, after: uuid.UUID | None, size: int
    ) -> tuple[list[pb.Assessment], bool]:
        """A page of assessments (a bank that is no collecting agent sees only those it lends
        on), and whether more follow."""
        lender = self.lender_filter(caller())
        return await self.tx.read(self._page, contract, state, after, size, lender)

    async def record_payment(self, request: pb.RecordPaymentRequest) -> pb.RecordPaymentResponse:
        who = caller()
        await self.require_collector(request.assessment, who)
        return await self.tx.write(
            "RecordPayment", request, pb.RecordPaymentResponse, self._paid, request, who.uri
        )

    async def get_clearance(self, contract: str) -> pb.Clearance:
        return await self.tx.query(self._clearance, contract)

    async def refund_deed_tax(self, request: pb.RefundDeedTaxRequest) -> pb.RefundDeedTaxResponse:
        # 契税法 12: a refund only for a contract that failed before registration. The contract
        # office says whether it did; read before any transaction here is open.
        row = await self.tx.read(self.load, request.assessment)
        await self.require_contract_failed(row.contract)
        return await self.tx.write(
            "RefundDeedTax", request, pb.RefundDeedTaxResponse, self._refunded, request
        )

    async def consume_clearance(self, request: pb.ConsumeClearanceRequest) -> pb.ConsumeClearanceResponse:
        return await self.tx.write(
            "ConsumeClearance", request, pb.ConsumeClearanceResponse, self._consumed, request
        )

    async def consume_clearances(
        self, batch: pb.ConsumeClearancesRequest
    ) -> list[pb.ConsumeClearanceOutcome]:
        """Each clearance of the batch consumed as alone, in one transaction for all."""
        return await answer_together(
            self.tx,
            "ConsumeClearance",
            batch,
            pb.ConsumeClearanceResponse,
            pb.ConsumeClearanceOutcome,
            "deedflow.tax",
            self._consuming,
            self.consume_clearance,
        )

    async def reassess_deed_tax(self, request: pb.ReassessDeedTaxRequest) -> pb.ReassessDeedTaxResponse:
        return await self.tx.write(
            "ReassessDeedTax", request, pb.ReassessDeedTaxResponse, self._reassessed, request
        )

    async def release_clearance(self, request: pb.ReleaseClearanceRequest) -> pb.ReleaseClearanceResponse:
        return await self.tx.write(
            "ReleaseClearance", request, pb.ReleaseClearanceResponse, self._released, request
        )

    # Units of work, each in the transaction its use case opened.

    async def _assessed(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        request: pb.AssessDeedTaxRequest,
        signed: SignedTerms,
    ) -> pb.AssessDeedTaxResponse:
        row = await self._assess(connection, at, request, signed)
        return pb.AssessDeedTaxResponse(assessment=await render.assessment(connection, row))

    async def _shown(self, connection: asyncpg.Connection, name: str) -> pb.Assessment:
        return await render.assessment(connection, await self.load(connection, name))

    async def _page(
        self,
        connection: asyncpg.Connection,
        contract: str,
        state: str,
        after: uuid.UUID | None,
        size: int,
        lender: str,
    ) -> tuple[list[pb.Assessment], bool]:
        rows = await repository.assessments(connection, contract, state, after, size + 1, lender)
        return [await render.assessment(connection, r) for r in rows[:size]], len(rows) > size

    async def _paid(
        self, connection: asyncpg.Connection, at: dt.datetime, request: pb.RecordPaymentRequest, recorder: str
    ) -> pb.RecordPaymentResponse:
        row = await self._record_payment(connection, at, request.assessment, request.payment, recorder)
        return pb.RecordPaymentResponse(assessment=await render.assessment(connection, row))

    async def _clearance(self, connection: asyncpg.Connection, contract: str) -> pb.Clearance:
        row = await self.clearance(connection, contract)
        return render.clearance_message(row, await repository.payments(connection, row.id))

    async def _refunded(
        self, connection: asyncpg.Connection, at: dt.datetime, request: pb.RefundDeedTaxRequest
    ) -> pb.RefundDeedTaxResponse:
        row = await self._refund(connection, at, request.assessment, request.reason)
        return pb.RefundDeedTaxResponse(
            assessment=await render.assessment(connection, row), refund_fen=row.refund_fen
        )

    async def _consuming(self, request: pb.ConsumeClearanceRequest) -> WorkOf[pb.ConsumeClearanceResponse]:
        """The unit of work consuming one clearance of a batch (it needs no reads beforehand)."""
        return partial(self._consumed, request=request)

    async def _consumed(
        self, connection: asyncpg.Connection, at: dt.datetime, request: pb.ConsumeClearanceRequest
    ) -> pb.ConsumeClearanceResponse:
        row = await self._consume(connection, at, request.clearance_number, request.transfer_case)
        return pb.ConsumeClearanceResponse(assessment=await render.assessment(connection, row))

    async def _reassessed(
        self, connection: asyncpg.Connection, at: dt.datetime, request: pb.ReassessDeedTaxRequest
    ) -> pb.ReassessDeedTaxResponse:
        row = await self._reassess(connection, at, request)
        return pb.ReassessDeedTaxResponse(assessment=await render.assessment(connection, row))

    async def _released(
        self, connection: asyncpg.Connection, at: dt.datetime, request: pb.ReleaseClearanceRequest
    ) -> pb.ReleaseClearanceResponse:
        row = await self._release(connection, at, request.clearance_number, request.transfer_case)
        return pb.ReleaseClearanceResponse(assessment=await render.assessment(connection, row))

    # The rules each unit of work applies to the office's records.

    async def _assess(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        request: pb.AssessDeedTaxRequest,
        signed: SignedTerms,
    ) -> Assessment:
        home_count = HomeCount(parties_pb2.HomeCount.Name(request.home_count).removeprefix("HOME_COUNT_"))
        rate = deed_tax_rate(home_count, request.gross_area_dm2, request.residential, self.provincial_rate_bp)
        figures = {
            "unit_number": request.unit_number,
            "price_ex_vat_fen": request.price_ex_vat_fen,
            "gross_area_dm2": request.gross_area_dm2,
            "home_count": home_count.value,
            "residential": request.residential,
        }
        existing = await repository.live_assessment_of(connection, request.contract)
        if existing is not None:
            if {k: getattr(existing, k) for k in figures} == figures:
                return existing
            raise AlreadyExists(
                Reason.CONTRACT_ALREADY_ASSESSED,
                f"{request.contract} is assessed with other figures; refund that assessment first",
                {"assessment": f"assessments/{existing.id}"},
            )
        assessment_id = request_derived_id(
            _NAMESPACE, caller().uri, request.request_id, request.contract, at.isoformat()
        )
        buyers = pb.AssessDeedTaxRequest(buyers=request.buyers).SerializeToString(deterministic=True)
        try:
            await repository.insert_assessment(
                connection,
                {
                    "id": assessment_id,
                    "contract": request.contract,
                    "buyers": buyers,
                    **figures,
                    "rate_basis_points": rate.basis_points,
                    "rate_basis": rate.basis,
                    "declaration_sha256": signed.digest,
                    "lending_bank_uscc": signed.lending_bank,
                    "tax_fen": deed_tax_fen(request.price_ex_vat_fen, rate.basis_points),
                    "state": AssessmentState.ASSESSED.value,
                    "assess_time": at,
                    "update_time": at,
                },
            )
        except asyncpg.UniqueViolationError:
            raise AlreadyExists(
                Reason.CONTRACT_ALREADY_ASSESSED, f"{request.contract} was assessed by a concurrent request"
            ) from None
        return await self.reloaded(connection, assessment_id)

    async def load(self, connection: asyncpg.Connection, name: str, lock: bool = False) -> Assessment:
        row = await repository.assessment(connection, parse_assessment_name(name), lock)
        if row is None:
            raise NotFound(f"no assessment {name!r}")
        return row

    async def reloaded(self, connection: asyncpg.Connection, assessment_id: uuid.UUID) -> Assessment:
        """An assessment this transaction has just written or locked, as it stands now."""
        row = await repository.assessment(connection, assessment_id)
        if row is None:
            raise RuntimeError(f"assessment {assessment_id} is gone inside the transaction that wrote it")
        return row

    async def _record_payment(
        self, connection: asyncpg.Connection, at: dt.datetime, name: str, payment: pb.Payment, recorder: str
    ) -> Assessment:
        row = await self.load(connection, name, lock=True)
        earlier = await repository.payment(connection, payment.payment_reference)
        if earlier is not None:
            if earlier.assessment_id == row.id and earlier.amount_fen == payment.amount_fen:
                return row  # the same payment reported again: nothing more to do
            raise AlreadyExists(
                Reason.PAYMENT_REFERENCE_USED,
                f"payment {payment.payment_reference} was already recorded for another assessment or amount",
                {"payment_reference": payment.payment_reference},
            )
        if AssessmentState(row.state) is not AssessmentState.ASSESSED:
            raise FailedPrecondition(Reason.ASSESSMENT_NOT_PAYABLE, f"the assessment is {row.state.lower()}")
        due = row.tax_fen - row.paid_fen
        if payment.amount_fen != due:
            raise FailedPrecondition(
                Reason.PAYMENT_AMOUNT_MISMATCH,
                f"paid {payment.amount_fen} fen, due {due} fen",
                {"due_fen": str(due)},
            )
        paid_time = payment.paid_time.ToDatetime(tzinfo=dt.UTC) if payment.HasField("paid_time") else at
        await repository.insert_payment(
            connection, payment.payment_reference, row.id, payment.amount_fen, paid_time, recorder
        )
        number = clearance_number(at.year, await repository.next_clearance_serial(connection))
        await repository.update(
            connection,
            row.id,
            at,
            state=AssessmentState.PAID.value,
            clearance_number=number,
            paid_fen=row.paid_fen + payment.amount_fen,
        )
        # A purchase waiting for this tax hears of it when the payment commits, not at its next look.
        await clearance_feed.announce(connection, row.contract)
        return await self.reloaded(connection, row.id)

    async def _reassess(
        self, connection: asyncpg.Connection, at: dt.datetime, request: pb.ReassessDeedTaxRequest
    ) -> Assessment:
        """补税 / 退税 on the as-built area (契税法 4; 公告2024年第16号): the rate row and the tax are
        worked out again on the surveyed area and the price settled for it. More tax makes the
        rest due again (the clearance is void until it is paid); less is refunded and recorded.
        The same figures again change nothing."""
        row = await self.load(connection, request.assessment, lock=True)
        state = AssessmentState(row.state)
        if state not in (AssessmentState.ASSESSED, AssessmentState.PAID):
            raise FailedPrecondition(
                Reason.ASSESSMENT_CLOSED, f"the assessment is {state.value.lower()}; it is not reassessed"
            )
        if (row.gross_area_dm2, row.price_ex_vat_fen) == (
            request.gross_area_dm2,
            request.price_ex_vat_fen,
        ):
            return row
        rate = deed_tax_rate(
            HomeCount(row.home_count), request.gross_area_dm2, row.residential, self.provincial_rate_bp
        )
        tax = deed_tax_fen(request.price_ex_vat_fen, rate.basis_points)
        changes = {
            "gross_area_dm2": request.gross_area_dm2,
            "price_ex_vat_fen": request.price_ex_vat_fen,
            "rate_basis_points": rate.basis_points,
            "rate_basis": rate.basis,
            "tax_fen": tax,
        }
        paid = row.paid_fen
        if tax > paid and state is AssessmentState.PAID:
            changes.update(state=AssessmentState.ASSESSED.value, clearance_number=None)  # 补税 due
        elif tax < paid:
            changes.update(paid_fen=tax, refund_fen=row.refund_fen + paid - tax)  # 退税
        await repository.update(connection, row.id, at, **changes)
        await repository.insert_reassessment(connection, row, request, tax, at)
        return await self.reloaded(connection, row.id)

    async def clearance(self, connection: asyncpg.Connection, contract: str) -> Assessment:
        """The clearance of a contract, looked up (条例 24), or why there is none."""
        row = await repository.live_assessment_of(connection, contract)
        if row is None:
            latest = await repository.latest_assessment_of(connection, contract)
            if latest is None:
                raise NotFound(f"no deed-tax assessment for {contract}")
            raise FailedPrecondition(
                Reason.DEED_TAX_REFUNDED, f"the deed tax of {contract} was refunded or voided"
            )
        if AssessmentState(row.state) is AssessmentState.ASSESSED:
            raise FailedPrecondition(
                Reason.DEED_TAX_UNPAID,
                f"deed tax of {row.tax_fen} fen is due for {contract}",
                {"due_fen": str(row.tax_fen)},
            )
        return row

    async def _refund(
        self, connection: asyncpg.Connection, at: dt.datetime, name: str, reason: str
    ) -> Assessment:
        row = await self.load(connection, name, lock=True)
        state = AssessmentState(row.state)
        if state is AssessmentState.CONSUMED:
            raise FailedPrecondition(
                Reason.CLEARANCE_USED_BY_TRANSFER,
                f"the clearance was used by {row.transfer_case}; no refund (契税法 12)",
            )
        if state not in LIVE:
            raise FailedPrecondition(
                Reason.ALREADY_REFUNDED, f"the assessment is already {state.value.lower()}"
            )
        # Whatever was paid and not yet refunded goes back: the whole tax, or for a contract that
        # failed while 补税 was due, what was paid before it.
        refunded = row.paid_fen > 0
        await repository.update(
            connection,
            row.id,
            at,
            state=(AssessmentState.REFUNDED if refunded else AssessmentState.VOIDED).value,
            refund_fen=row.refund_fen + row.paid_fen,
            paid_fen=0,
            refund_reason=reason,
        )
        return await self.reloaded(connection, row.id)

    async def _consume(
        self, connection: asyncpg.Connection, at: dt.datetime, number: str, transfer_case: str
    ) -> Assessment:
        row = await repository.by_clearance(connection, number, lock=True)
        if row is None:
            raise NotFound(f"no clearance {number}")
        state = AssessmentState(row.state)
        if state is AssessmentState.CONSUMED and row.transfer_case == transfer_case:
            return row
        if state is AssessmentState.CONSUMED:
            raise FailedPrecondition(
                Reason.CLEARANCE_USED_BY_TRANSFER,
                f"clearance {number} is held by {row.transfer_case}",
                {"transfer_case": row.transfer_case},
            )
        if state is not AssessmentState.PAID:
            raise FailedPrecondition(
                Reason.DEED_TAX_REFUNDED
                if state in (AssessmentState.REFUNDED, AssessmentState.VOIDED)
                else Reason.DEED_TAX_UNPAID,
                f"clearance {number} cannot be used: the assessment is {state.value.lower()}",
            )
        return await repository.update(
            connection, row.id, at, state=AssessmentState.CONSUMED.value, transfer_case=transfer_case
        )

    async def _release(
        self, connection: asyncpg.Connection, at: dt.datetime, number: str, transfer_case: str
    ) -> Assessment:
        """Gives back a clearance held for a transfer case the book refused: paid again, so a
        new application may use it, or a failed contract have it refunded."""
        row = await repository.by_clearance(connection, number, lock=True)
        if row is None:
            raise NotFound(f"no clearance {number}")
        state = AssessmentState(row.state)
        if state is AssessmentState.CONSUMED and row.transfer_case != transfer_case:
            raise FailedPrecondition(
                Reason.CLEARANCE_USED_BY_TRANSFER,
                f"clearance {number} is held by {row.transfer_case}, not {transfer_case}",
                {"transfer_case": row.transfer_case},
            )
        if state is AssessmentState.CONSUMED:
            await repository.update(
                connection, row.id, at, state=AssessmentState.PAID.value, transfer_case=""
            )
        return await self.reloaded(connection, row.id)
