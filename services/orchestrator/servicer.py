"""PurchaseService over gRPC: proto <-> use cases, role and object checks, nothing else."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import uuid
from collections.abc import AsyncIterator

from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from deedflow.type.v1.reasons import Reason
from services.orchestrator.domain import filing_violations
from services.orchestrator.engine import Door
from services.orchestrator.service import Purchases, parse_purchase_name
from shared import guardians, paging, statements
from shared.auth import Caller, Role, caller
from shared.consent import identity, verify_each
from shared.errors import (
    FieldViolation,
    InvalidArgument,
    PermissionDenied,
    ResourceExhausted,
)
from shared.grpc.types import Context
from shared.parties import require_own_loan, require_own_sale, require_ruling_actor
from shared.permits import building_developer, require_permit_holder
from shared.purchase_terms import canonical_bytes, contract_terms, signed_statement, signer_identity
from shared.signing import algorithm_of, verify


def _signers(filing: pb.PurchaseFiling) -> dict[str, str]:
    """Each party that signs the contract terms, by its party name, with the certificate
    identity its signature must come from (a minor buyer's guardian's for the minor)."""
    terms = contract_terms(filing)
    parties = [f"organizations/{filing.developer.uscc}", *(f"buyers/{b.resident_id}" for b in filing.buyers)]
    return {party: signer_identity(party, terms) for party in parties}


class PurchaseServicer(orchestrator_service_pb2_grpc.PurchaseServiceServicer):
    def __init__(
        self, purchases: Purchases, ca_pem: bytes, max_watches: int = 1000, door: Door | None = None
    ) -> None:
        self.purchases = purchases
        self.door = door or Door()
        self.max_watches = max_watches
        self._watches: collections.Counter[str] = collections.Counter()
        self.clock = purchases.tx.clock
        self.ca_pem = ca_pem

    def _verify_signatures(self, filing: pb.PurchaseFiling, at: dt.datetime) -> None:
        """Every signature over the contract's canonical bytes, checked before anything happens,
        so a bad one is refused at the door instead of leaving a half-signed contract."""
        terms = contract_terms(filing)
        signers = _signers(filing)
        expected = [
            (f"filing.signatures[{i}]", s, signers.get(s.signer), signed_statement(s.signer, terms))
            for i, s in enumerate(filing.signatures)
        ]
        if filing.HasField("loan"):
            # The bank's slot counts only from the loan's bank's own certificate, whatever the
            # signer field says (a typed-in name proves nothing).
            bank = identity("bank", f"organizations/{filing.loan.bank.uscc}")
            expected.append(
                ("filing.loan.bank_signature", filing.loan.bank_signature, bank, canonical_bytes(filing))
            )
        for slot, signature, signer, data in expected:
            if signer is None:
                raise PermissionDenied(
                    Reason.SIGNER_NOT_A_PARTY,
                    f"{slot} names {signature.signer or 'nobody'}, who is not a party to the contract",
                    {"slot": slot, "signer": signature.signer},
                )
            verify(
                algorithm_of(signature.algorithm, slot, signature.signer),
                signature.certificate_pem,
                signature.signature,
                data,
                self.ca_pem,
                signer,
                at,
                slot,
                signature.signer,
            )

    async def _verify_consent(self, request: pb.CancelPurchaseRequest, who: Caller) -> None:
        """Every signature in the joint consent verified at the door, over the statement of the
        act it consents to (shared/statements.py), from the named party's own certificate: the
        developer's and buyers' over cancel-contract, the bank's over release-premortgage."""
        row = await self.purchases.find(request.name, who)
        filing = pb.PurchaseFiling.FromString(row.filing)
        digest = statements.terms_digest(contract_terms(filing))
        at = self.clock.now()
        verify_each(
            request.joint.signatures,
            _signers(filing),
            statements.cancel_contract(filing.unit_number, digest),
            self.ca_pem,
            at,
            "joint.signatures",
        )
        if filing.HasField("loan"):
            bank = f"organizations/{filing.loan.bank.uscc}"
            verify_each(
                request.joint.signatures,
                {bank: identity("bank", bank)},
                statements.release_premortgage(filing.unit_number, digest),
                self.ca_pem,
                at,
                "joint.signatures",
            )

    async def FilePurchase(
        self, request: pb.FilePurchaseRequest, context: Context
    ) -> pb.FilePurchaseResponse | bytes:
        self.door.filing()
        who = caller()
        filing = request.filing
        require_own_sale(who, filing.developer.uscc, "filing.developer.uscc")
        if filing.HasField("loan"):
            require_own_loan(who, filing.loan.bank.uscc, "filing.loan.bank.uscc")
        today = guardians.day_of(self.clock.now())
        violations = filing_violations(filing) + guardians.violations(filing.buyers, today, "filing")
        if violations:
            raise InvalidArgument(violations)
        await self.purchases.refuse_if_taken(request)
        # The contract office is asked while the signatures are checked here: its answer's wait
        # overlaps this process's own work. A bad signature is still refused first.
        precheck = asyncio.ensure_future(self.purchases.precheck(filing))
        try:
            self._verify_signatures(filing, self.clock.now())
        except BaseException:
            precheck.cancel()
            with contextlib.suppress(BaseException):
                await precheck
            raise
        return await self.purchases.file(request, await precheck)

    async def GetPurchase(self, request: pb.GetPurchaseRequest, context: Context) -> pb.GetPurchaseResponse:
        return pb.GetPurchaseResponse(purchase=await self.purchases.get_purchase(request.name, caller()))

    async def ListPurchases(
        self, request: pb.ListPurchasesRequest, context: Context
    ) -> pb.ListPurchasesResponse:
        who = caller()
        position = paging.position(request)
        after = uuid.UUID(position) if position else None
        developer = who.id if who.role is Role.DEVELOPER else request.developer_uscc
        bank = who.id if who.role is Role.BANK else ""
        state = pb.PurchaseState.Name(request.state).removeprefix("PURCHASE_STATE_") if request.state else ""
        size = min(request.page_size or 50, 500)
        found, more = await self.purchases.list_purchases(
            developer, bank, request.building_number, state, after, size
        )
        return pb.ListPurchasesResponse(
            purchases=found,
            next_page_token=paging.issue(found[-1].name.removeprefix("purchases/"), request) if more else "",
        )

    async def WatchPurchase(
        self, request: pb.WatchPurchaseRequest, context: Context
    ) -> AsyncIterator[pb.WatchPurchaseResponse]:
        who = caller()
        parse_purchase_name(request.name)
        # Each stream holds a task and a listener: a caller may hold only so many at once.
        if self._watches[who.uri] >= self.max_watches:
            raise ResourceExhausted(
                Reason.TOO_MANY_WATCHES,
                f"this caller already watches {self._watches[who.uri]} purchases; end one first",
                {"limit": str(self.max_watches)},
            )
        self._watches[who.uri] += 1
        try:
            async for purchase in self.purchases.watch(request.name, request.after_version, who):
                yield pb.WatchPurchaseResponse(purchase=purchase)
        finally:
            self._watches[who.uri] -= 1
            if not self._watches[who.uri]:
                del self._watches[who.uri]

    async def CompleteBuilding(
        self, request: pb.CompleteBuildingRequest, context: Context
    ) -> pb.CompleteBuildingResponse | bytes:
        who = caller()
        building = request.building_number
        holder = await building_developer(self.purchases.clients.contract, building)
        require_permit_holder(who, holder, who.id, "building_number", f"buildings/{building}")
        return await self.purchases.complete_building(request, who)

    async def GetBuildingCompletion(
        self, request: pb.GetBuildingCompletionRequest, context: Context
    ) -> pb.GetBuildingCompletionResponse:
        who = caller()
        if who.role is Role.DEVELOPER:
            # Another developer's building, its purchases and their problems, does not exist.
            holder = await building_developer(self.purchases.clients.contract, request.building_number)
            require_permit_holder(
                who, holder, who.id, "building_number", f"buildings/{request.building_number}"
            )
        return pb.GetBuildingCompletionResponse(
            completion=await self.purchases.get_building_completion(request.building_number)
        )

    async def ConfirmHandover(
        self, request: pb.ConfirmHandoverRequest, context: Context
    ) -> pb.ConfirmHandoverResponse | bytes:
        return await self.purchases.confirm_handover(request, caller())

    async def CancelPurchase(
        self, request: pb.CancelPurchaseRequest, context: Context
    ) -> pb.CancelPurchaseResponse:
        who = caller()
        require_ruling_actor(who, request, frozenset({Role.CLERK}))
        if not request.HasField("joint") and not request.HasField("court_ruling"):
            raise InvalidArgument([FieldViolation("basis", "joint consent or a court ruling is required")])
        if request.HasField("joint"):
            await self._verify_consent(request, who)
        return await self.purchases.cancel_purchase(request, who)

    async def ResumePurchase(
        self, request: pb.ResumePurchaseRequest, context: Context
    ) -> pb.ResumePurchaseResponse:
        return await self.purchases.resume_purchase(request, caller())
