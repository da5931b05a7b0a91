"""Pre-registration and pre-mortgage use cases, and the case handlers that enter them in the
book through the registry."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from typing import Any

import asyncpg
import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from deedflow.casework.v1 import casework_service_pb2 as case_pb
from deedflow.casework.v1 import casework_service_pb2_grpc
from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from deedflow.contract.v1 import contract_service_pb2_grpc
from deedflow.preregistration.v1 import preregistration_service_pb2 as pb
from deedflow.registry.v1 import document_pb2, registry_service_pb2_grpc
from deedflow.registry.v1 import registry_service_pb2 as registry_pb
from deedflow.type.v1 import parties_pb2
from deedflow.type.v1.reasons import Reason
from services.preregistration import repository
from services.preregistration.domain import RightState, check_in_force
from services.preregistration.records import Premortgage, Preregistration, Right, RightT
from services.preregistration.render import premortgage_message, preregistration_message
from shared import guardians, statements
from shared.auth import Caller, Role
from shared.batches import answer_together
from shared.casework.domain import CaseKind
from shared.casework.render import case_message
from shared.casework.service import Case, CaseBook, Registered, entering, lodge_or_enter, refuse_if_restricted
from shared.consent import identity, require_consent
from shared.documents import attach_proof, lapsed_at, standing_entry
from shared.errors import FailedPrecondition, FieldViolation, InvalidArgument, NotFound
from shared.ids import request_derived_id
from shared.journal import Journal, Operation
from shared.names import parse_uuid_name
from shared.parties import require_party
from shared.permits import require_permit_holder
from shared.transactions import Transactions, WorkOf


def parse_name(name: str, collection: str) -> uuid.UUID:
    return parse_uuid_name(name, collection)


def _holders(row: Preregistration) -> list[parties_pb2.Buyer]:
    return list(pb.Preregistration.FromString(row.holders).holders)


def _buyer_names(buyers: Iterable[parties_pb2.Buyer]) -> list[str]:
    return [f"buyers/{b.resident_id}" for b in buyers]


class Preregistrations:
    def __init__(self, journal: Journal, ca_pem: bytes, peer: Callable[[str], grpc.aio.Channel]) -> None:
        self.tx = Transactions(journal, "deedflow.preregistration.v1.PreregistrationService")
        self.ca_pem = ca_pem
        self.peer = peer
        handler = _Handler(self)
        self.cases = CaseBook(
            "YG",
            {
                CaseKind.PREREGISTRATION: handler,
                CaseKind.PREMORTGAGE: handler,
                CaseKind.PREREGISTRATION_CANCELLATION: handler,
                CaseKind.PREMORTGAGE_RELEASE: handler,
            },
            journal.domain,
        )
        journal.driver(
            "LodgePreregistration", entering(self.cases, pb.LodgePreregistrationRequest, self._prereg_lodged)
        )
        journal.driver(
            "LodgePremortgage", entering(self.cases, pb.LodgePremortgageRequest, self._premortgage_lodged)
        )
        journal.driver(
            "CancelPreregistration",
            entering(self.cases, pb.CancelPreregistrationRequest, self._cancellation_entered),
        )
        journal.driver(
            "ReleasePremortgage", entering(self.cases, pb.ReleasePremortgageRequest, self._release_entered)
        )

    @property
    def registry(self) -> registry_service_pb2_grpc.RegistryServiceStub:
        return registry_service_pb2_grpc.RegistryServiceStub(self.peer("registry"))

    @property
    def contracts(self) -> contract_service_pb2_grpc.ContractServiceStub:
        return contract_service_pb2_grpc.ContractServiceStub(self.peer("contract"))

    # Use cases: each opens its transactions around the named units of work below.

    async def lodge_preregistration(
        self, request: pb.LodgePreregistrationRequest, who: Caller
    ) -> pb.LodgePreregistrationResponse | bytes:
        contract = await self.filed_contract(request)
        if who.role is Role.CLERK:
            # The buyers' side alone (CQ 61 ¶2), at the counter: each buyer signed the application.
            self.check_buyers_application(request, contract, self.tx.clock.now())
        else:
            # The seller's side: only the developer of the contract lodges its buyers' 预告.
            require_permit_holder(
                who, contract.terms.developer.uscc, request.developer.uscc, "developer.uscc", request.contract
            )
        return await lodge_or_enter(
            self.tx,
            "LodgePreregistration",
            request,
            pb.LodgePreregistrationResponse,
            self._prereg_lodged,
            self.lodge_preregistration_case,
            request,
            contract,
            who.uri,
        )

    async def lodge_premortgage(
        self, request: pb.LodgePremortgageRequest, who: Caller
    ) -> pb.LodgePremortgageResponse | bytes:
        await self.check_premortgage_consent(request, who, self.tx.clock.now())
        return await lodge_or_enter(
            self.tx,
            "LodgePremortgage",
            request,
            pb.LodgePremortgageResponse,
            self._premortgage_lodged,
            self.lodge_premortgage_case,
            request,
            who.uri,
        )

    async def visible(self, kind: type[RightT], name: str, who: Caller) -> RightT:
        """The right as the party who acts on it finds it (load_for)."""
        return await self.tx.query(self.load_for, kind, name, who)

    async def get_preregistration(
        self, request: pb.GetPreregistrationRequest, who: Caller
    ) -> pb.GetPreregistrationResponse:
        row = await self.tx.query(self.load_readable, Preregistration, request.name, who)
        response = pb.GetPreregistrationResponse(preregistration=preregistration_message(row))
        await self._shown(row, response.preregistration, request, response.proof_document)
        return response

    async def get_premortgage(
        self, request: pb.GetPremortgageRequest, who: Caller
    ) -> pb.GetPremortgageResponse:
        row = await self.tx.query(self.load_readable, Premortgage, request.name, who)
        response = pb.GetPremortgageResponse(premortgage=premortgage_message(row))
        await self._shown(row, response.premortgage, request, response.proof_document)
        return response

    async def cancel_preregistration(
        self, request: pb.CancelPreregistrationRequest, who: Caller
    ) -> pb.CancelPreregistrationResponse | bytes:
        await self.check_cancellation_consent(request, self.tx.clock.now())
        begin = partial(
            self._lodged_as_subject, lodge=self.lodge_cancellation, request=request, actor=who.uri
        )
        return await self.tx.operate("CancelPreregistration", request, "CancelPreregistration", begin)

    async def release_premortgage(
        self, request: pb.ReleasePremortgageRequest, who: Caller
    ) -> pb.ReleasePremortgageResponse | bytes:
        await self.check_release_consent(request, self.tx.clock.now())
        begin = partial(self._lodged_as_subject, lodge=self.lodge_release, request=request, actor=who.uri)
        return await self.tx.operate("ReleasePremortgage", request, "ReleasePremortgage", begin)

    async def mark_converted(self, request: pb.MarkConvertedRequest) -> pb.MarkConvertedResponse:
        return await self.tx.write(
            "MarkConverted", request, pb.MarkConvertedResponse, await self._converting(request)
        )

    async def mark_many_converted(self, batch: pb.MarkManyConvertedRequest) -> list[pb.MarkConvertedOutcome]:
        """Each conversion of the batch marked as alone, in one transaction for all."""
        return await answer_together(
            self.tx,
            "MarkConverted",
            batch,
            pb.MarkConvertedResponse,
            pb.MarkConvertedOutcome,
            "deedflow.preregistration",
            self._converting,
            self.mark_converted,
        )

    # Units of work and answers, each in the transaction its use case opened.

    async def _prereg_lodged(
        self, connection: asyncpg.Connection, request: pb.LodgePreregistrationRequest, case: Case
    ) -> pb.LodgePreregistrationResponse:
        row = await self.load_case_record(connection, Preregistration, case)
        return pb.LodgePreregistrationResponse(
            preregistration=preregistration_message(row), case_record=case_message(case)
        )

    async def _premortgage_lodged(
        self, connection: asyncpg.Connection, request: pb.LodgePremortgageRequest, case: Case
    ) -> pb.LodgePremortgageResponse:
        row = await self.load_case_record(connection, Premortgage, case)
        return pb.LodgePremortgageResponse(
            premortgage=premortgage_message(row), case_record=case_message(case)
        )

    async def _cancellation_entered(
        self, connection: asyncpg.Connection, request: pb.CancelPreregistrationRequest, case: Case
    ) -> pb.CancelPreregistrationResponse:
        row = await self.load(connection, Preregistration, request.name)
        return pb.CancelPreregistrationResponse(preregistration=preregistration_message(row))

    async def _release_entered(
        self, connection: asyncpg.Connection, request: pb.ReleasePremortgageRequest, case: Case
    ) -> pb.ReleasePremortgageResponse:
        row = await self.load(connection, Premortgage, request.name)
        return pb.ReleasePremortgageResponse(premortgage=premortgage_message(row))

    @staticmethod
    async def _lodged_as_subject(
        connection: asyncpg.Connection,
        at: dt.datetime,
        operation: uuid.UUID,
        *,
        lodge: Callable[[asyncpg.Connection, dt.datetime, uuid.UUID | None, Any, str], Awaitable[Case]],
        request: Any,
        actor: str,
    ) -> str:
        """An operation's first transaction lodging its case: the case is its subject."""
        case = await lodge(connection, at, operation, request, actor)
        return case.name

    async def _converting(self, request: pb.MarkConvertedRequest) -> WorkOf[pb.MarkConvertedResponse]:
        """The unit of work marking one conversion (it needs no reads beforehand)."""
        return partial(self._converted, request=request)

    async def _converted(
        self, connection: asyncpg.Connection, at: dt.datetime, request: pb.MarkConvertedRequest
    ) -> pb.MarkConvertedResponse:
        prereg, premortgage = await self.convert(
            connection, at, request.preregistration, request.transfer_case
        )
        response = pb.MarkConvertedResponse(preregistration=preregistration_message(prereg))
        if premortgage is not None:
            response.premortgage.CopyFrom(premortgage_message(premortgage))
        return response

    async def _shown(
        self,
        row: Right,
        message: pb.Preregistration | pb.Premortgage,
        request: pb.GetPreregistrationRequest | pb.GetPremortgageRequest,
        proof_document: document_pb2.SignedDocument,
    ) -> None:
        """A right as its reader asked for it: as the book shows it unless `as_recorded`, with its
        proof's signed document if `with_document`."""
        if not request.as_recorded:
            await self._as_the_book_shows(message)
        if request.with_document:
            await attach_proof(self.registry, row.entry, row.proof_number, message, proof_document)

    async def _as_the_book_shows(self, message: pb.Preregistration | pb.Premortgage) -> None:
        """The book prevails (民法典 216-217): a 预告 or 预抵押 the law has ended by lapse (民法典
        221: no transfer applied for within 90 days of first registration) shows as lapsed,
        with its lapse time, although no case of this office ended it."""
        # Renumbered at the as-built survey, it names the as-built unit the book carried it to,
        # with its rank (担保制度解释 52), where the transfer will find it.
        entry = await standing_entry(self.registry, message)
        lapse = lapsed_at(entry) if entry is not None else None
        if lapse is not None and not await self._transfer_applied_by(message.unit_number, lapse):
            message.state = pb.PREREGISTRATION_STATE_LAPSED
            message.lapse_time.CopyFrom(lapse)

    async def _transfer_applied_by(self, unit_number: str, lapse_time: Timestamp) -> bool:
        """Whether a transfer of the unit applied for (受理) by `lapse_time` is still pending at the
        transfer office: then the 预告, and the 预抵押 waiting on it, have not lapsed (民法典 221 counts
        the application; 担保制度解释 52), and the book will enter them as they stood."""
        by = lapse_time.ToDatetime(tzinfo=dt.UTC) + dt.timedelta(milliseconds=1)
        request = case_pb.ListCasesRequest(
            kinds=[case_pb.CASE_KIND_TRANSFER], unit_number=unit_number, page_size=1
        )
        request.lodged_before.FromDatetime(by)
        pending = await casework_service_pb2_grpc.CaseworkServiceStub(self.peer("transfer")).ListCases(
            request
        )
        return bool(pending.cases)

    # Loading the office's records, as each reader may see them.

    async def load(
        self, connection: asyncpg.Connection, kind: type[RightT], name: str, lock: bool = False
    ) -> RightT:
        row = await repository.get(connection, kind, parse_name(name, f"{kind.TABLE}s"), lock)
        if row is None:
            raise NotFound(f"no {kind.TABLE} {name!r}")
        return row

    async def load_case_record(
        self, connection: asyncpg.Connection, kind: type[RightT], case: Case
    ) -> RightT:
        """The right a case of this office lodged; a case always has its right."""
        row = await repository.by_case(connection, kind, case.number)
        if row is None:
            raise RuntimeError(f"{case.name} names no {kind.TABLE} of this office: its records disagree")
        return row

    async def load_for(
        self, connection: asyncpg.Connection, kind: type[RightT], name: str, who: Caller
    ) -> RightT:
        """A right as the party who acts on it finds it: a pre-registration by its developer, a
        pre-mortgage by its bank; to other callers who are not officials it does not exist."""
        row = await self.load(connection, kind, name)
        if isinstance(row, Preregistration):
            developer = parties_pb2.Organization.FromString(row.developer).uscc
            require_party(who, name, developer=developer)
        else:
            require_party(who, name, banks=[parties_pb2.Loan.FromString(row.loan).bank.uscc])
        return row

    async def load_readable(
        self, connection: asyncpg.Connection, kind: type[RightT], name: str, who: Caller
    ) -> RightT:
        """A right as its readers see it: a pre-registration (预告) by its developer and by the
        banks that lodged a pre-mortgage on it, whose security it is; a pre-mortgage (预抵押) by
        its bank and by the developer of the pre-registration it stands on, whose interim
        guarantee (阶段性担保) of the loan ends when the mortgage is entered. Officials read
        all; to anyone else it does not exist."""
        row = await self.load(connection, kind, name)
        if isinstance(row, Preregistration):
            preregistration = row
            banks = await repository.premortgage_banks(connection, row.id)
        else:
            preregistration = await self.load(
                connection, Preregistration, f"preregistrations/{row.preregistration_id}"
            )
            banks = [parties_pb2.Loan.FromString(row.loan).bank.uscc]
        developer = parties_pb2.Organization.FromString(preregistration.developer).uscc
        require_party(who, name, developer=developer, banks=banks)
        return row

    # 预告登记

    async def filed_contract(self, request: pb.LodgePreregistrationRequest) -> contract_pb.Contract:
        """The filed contract a pre-registration stands on (CQ 61), read before anything is
        written: a mismatch refuses the application at the door."""
        contract = (
            await self.contracts.GetContract(contract_pb.GetContractRequest(name=request.contract))
        ).contract
        if contract.state != contract_pb.CONTRACT_STATE_FILED:
            raise FailedPrecondition(
                Reason.CONTRACT_NOT_FILED, "a pre-registration stands on a filed contract (CQ 61)"
            )
        if contract.terms.unit_number != request.unit_number:
            raise InvalidArgument([FieldViolation("unit_number", f"is not the unit of {request.contract}")])
        if contract.terms.developer.uscc != request.developer.uscc:
            raise InvalidArgument(
                [FieldViolation("developer.uscc", f"is not the seller in {request.contract}")]
            )
        holders = list(request.holders) or list(contract.terms.buyers)
        if sorted(b.resident_id for b in holders) != sorted(b.resident_id for b in contract.terms.buyers):
            raise InvalidArgument([FieldViolation("holders", f"must be the buyers of {request.contract}")])
        filed: contract_pb.Contract = contract
        return filed

    def check_buyers_application(
        self, request: pb.LodgePreregistrationRequest, contract: contract_pb.Contract, at: dt.datetime
    ) -> None:
        """The buyers apply alone (CQ 61 ¶2): every buyer of the filed contract signed the
        preregistration-by-buyers statement with their own certificate (a minor's guardian with
        theirs), and the clerk lodges it for a clerk's review."""
        if request.auto_register:
            raise InvalidArgument(
                [FieldViolation("auto_register", "the buyers' own application is reviewed by a clerk")]
            )
        text = statements.preregistration_by_buyers(request.unit_number, contract.digest)
        parties = guardians.signing_parties(contract.terms.buyers)
        require_consent(
            request.buyer_signatures,
            parties,
            text,
            self.ca_pem,
            at,
            Reason.BUYER_APPLICATION_UNSIGNED,
            "buyer_signatures",
        )

    @staticmethod
    def preregistration_id(request: pb.LodgePreregistrationRequest, actor: str) -> uuid.UUID:
        return request_derived_id(
            uuid.NAMESPACE_URL, actor, request.request_id, "preregistration", request.contract
        )

    async def lodge_preregistration_case(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        entering: uuid.UUID | None,
        request: pb.LodgePreregistrationRequest,
        contract: contract_pb.Contract,
        actor: str,
    ) -> Case:
        holders = list(request.holders) or list(contract.terms.buyers)
        right_id = self.preregistration_id(request, actor)
        applicants = [f"organizations/{request.developer.uscc}", *_buyer_names(holders)]
        case = await self.cases.lodge(
            connection,
            at,
            CaseKind.PREREGISTRATION,
            request.unit_number,
            applicants,
            f"preregistrations/{right_id}",
            actor,
            entering,
        )
        try:
            await repository.insert(
                connection,
                Preregistration(
                    id=right_id,
                    unit_number=request.unit_number,
                    contract=request.contract,
                    filing_number=contract.filing_number,
                    holders=pb.Preregistration(holders=holders).SerializeToString(deterministic=True),
                    developer=request.developer.SerializeToString(deterministic=True),
                    state=RightState.PENDING.value,
                    case_number=case.number,
                    proof_number="",
                    entry="",
                    register_time=None,
                    update_time=at,
                ),
            )
        except asyncpg.UniqueViolationError:
            raise FailedPrecondition(
                Reason.PRE_REGISTRATION_HELD_BY_OTHER,
                f"{request.contract} already has a pre-registration lodged or in force",
            ) from None
        return case

    # 预抵押

    @staticmethod
    def premortgage_id(request: pb.LodgePremortgageRequest, actor: str) -> uuid.UUID:
        return request_derived_id(
            uuid.NAMESPACE_URL, actor, request.request_id, "premortgage", request.preregistration
        )

    async def check_premortgage_consent(
        self, request: pb.LodgePremortgageRequest, who: Caller, at: dt.datetime
    ) -> None:
        """Every holder, the future mortgagor, signs the mortgage's terms (民法典 400): checked
        before anything is written. A bank's word that the buyers agreed proves nothing; our
        orchestrator lodges only loans the holders signed into their contract terms."""
        if who.role is Role.SERVICE:
            return
        prereg = await self.tx.read(self.load, Preregistration, request.preregistration)
        holders = _holders(prereg)
        require_consent(
            request.mortgagor_signatures,
            guardians.signing_parties(holders),
            statements.mortgage(prereg.unit_number, request.loan, holders),
            self.ca_pem,
            at,
            Reason.MORTGAGOR_CONSENT_MISSING,
            "mortgagor_signatures",
        )

    async def lodge_premortgage_case(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        entering: uuid.UUID | None,
        request: pb.LodgePremortgageRequest,
        actor: str,
    ) -> Case:
        prereg = await self.load(connection, Preregistration, request.preregistration, lock=True)
        check_in_force(RightState(prereg.state), "pre-registration", Reason.PRE_REGISTRATION_MISSING)
        if await repository.live_premortgage_of(connection, prereg.id) is not None:
            raise FailedPrecondition(
                Reason.PREMORTGAGE_IN_FORCE, "the pre-registration already carries a pre-mortgage"
            )
        mortgagors = _holders(prereg)
        right_id = self.premortgage_id(request, actor)
        applicants = [f"organizations/{request.loan.bank.uscc}", *_buyer_names(mortgagors)]
        case = await self.cases.lodge(
            connection,
            at,
            CaseKind.PREMORTGAGE,
            prereg.unit_number,
            applicants,
            f"premortgages/{right_id}",
            actor,
            entering,
        )
        await repository.insert(
            connection,
            Premortgage(
                id=right_id,
                unit_number=prereg.unit_number,
                preregistration_id=prereg.id,
                bank_uscc=request.loan.bank.uscc,
                loan=request.loan.SerializeToString(deterministic=True),
                mortgagors=pb.Premortgage(mortgagors=mortgagors).SerializeToString(deterministic=True),
                state=RightState.PENDING.value,
                case_number=case.number,
                proof_number="",
                entry="",
                register_time=None,
                update_time=at,
            ),
        )
        return case

    # Cancellation and release

    async def check_cancellation_consent(
        self, request: pb.CancelPreregistrationRequest, at: dt.datetime
    ) -> None:
        """The developer's and every holder's signed consent (or a court ruling), checked before
        anything is written; the contract's digest is read from the contract office."""
        if request.HasField("court_ruling"):
            return
        prereg = await self.tx.read(self.load, Preregistration, request.name)
        developer = parties_pb2.Organization.FromString(prereg.developer)
        parties = guardians.signing_parties(_holders(prereg))
        seller = f"organizations/{developer.uscc}"
        parties[seller] = identity("developer", seller)
        require_consent(
            request.joint.signatures,
            parties,
            statements.cancel_contract(prereg.unit_number, await self._contract_digest(prereg.contract)),
            self.ca_pem,
            at,
            Reason.CANCELLATION_CONSENT_MISSING,
            "joint.signatures",
        )

    async def lodge_cancellation(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        entering: uuid.UUID | None,
        request: pb.CancelPreregistrationRequest,
        actor: str,
    ) -> Case:
        prereg = await self.load(connection, Preregistration, request.name, lock=True)
        check_in_force(RightState(prereg.state), "pre-registration", Reason.PRE_REGISTRATION_NOT_IN_FORCE)
        if await repository.live_premortgage_of(connection, prereg.id) is not None:
            raise FailedPrecondition(
                Reason.PREMORTGAGE_IN_FORCE, "release the pre-mortgage, with the bank's consent, first"
            )
        return await self.cases.lodge(
            connection,
            at,
            CaseKind.PREREGISTRATION_CANCELLATION,
            prereg.unit_number,
            [actor],
            request.name,
            actor,
            entering,
        )

    async def check_release_consent(self, request: pb.ReleasePremortgageRequest, at: dt.datetime) -> None:
        """The mortgagee bank's signed consent (or a court ruling), checked before anything is
        written."""
        if request.HasField("court_ruling"):
            return
        if not request.HasField("mortgagee_consent"):
            raise FailedPrecondition(
                Reason.MORTGAGEE_CONSENT_MISSING,
                "the mortgagee bank's signed consent or a court ruling is needed",
            )
        premortgage, prereg_of = await self.tx.read(self._standing_on, request.name)
        bank = f"organizations/{premortgage.bank_uscc}"
        require_consent(
            [request.mortgagee_consent],
            {bank: identity("bank", bank)},
            statements.release_premortgage(
                prereg_of.unit_number, await self._contract_digest(prereg_of.contract)
            ),
            self.ca_pem,
            at,
            Reason.MORTGAGEE_CONSENT_MISSING,
            "mortgagee_consent[]",
        )

    async def lodge_release(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        entering: uuid.UUID | None,
        request: pb.ReleasePremortgageRequest,
        actor: str,
    ) -> Case:
        premortgage = await self.load(connection, Premortgage, request.name, lock=True)
        check_in_force(RightState(premortgage.state), "pre-mortgage", Reason.PREMORTGAGE_NOT_IN_FORCE)
        return await self.cases.lodge(
            connection,
            at,
            CaseKind.PREMORTGAGE_RELEASE,
            premortgage.unit_number,
            [actor],
            request.name,
            actor,
            entering,
        )

    async def _standing_on(
        self, connection: asyncpg.Connection, name: str
    ) -> tuple[Premortgage, Preregistration]:
        """A pre-mortgage and the pre-registration it stands on."""
        premortgage = await self.load(connection, Premortgage, name)
        stands_on = f"preregistrations/{premortgage.preregistration_id}"
        return premortgage, await self.load(connection, Preregistration, stands_on)

    async def _contract_digest(self, contract: str) -> bytes:
        reply = await self.contracts.GetContract(contract_pb.GetContractRequest(name=contract))
        digest: bytes = reply.contract.digest
        return digest

    async def convert(
        self, connection: asyncpg.Connection, at: dt.datetime, name: str, transfer_case: str
    ) -> tuple[Preregistration, Premortgage | None]:
        prereg = await self.load(connection, Preregistration, name, lock=True)
        state = RightState(prereg.state)
        premortgage = await repository.standing_premortgage_of(connection, prereg.id)
        if state is not RightState.CONVERTED:
            check_in_force(state, "pre-registration", Reason.PRE_REGISTRATION_NOT_IN_FORCE)
            prereg = await repository.update(
                connection, Preregistration, prereg.id, at, state=RightState.CONVERTED.value
            )
            if premortgage is not None:
                premortgage = await repository.update(
                    connection, Premortgage, premortgage.id, at, state=RightState.CONVERTED.value
                )
        return prereg, premortgage


def _ruling_of(op: Operation) -> parties_pb2.CourtRuling | None:
    """The court ruling a cancellation or release operation was asked on, if it was."""
    request: pb.CancelPreregistrationRequest | pb.ReleasePremortgageRequest
    if op.kind == "CancelPreregistration":
        request = pb.CancelPreregistrationRequest.FromString(op.input)
    elif op.kind == "ReleasePremortgage":
        request = pb.ReleasePremortgageRequest.FromString(op.input)
    else:
        return None
    return request.court_ruling if request.HasField("court_ruling") else None


async def _set_state(connection: asyncpg.Connection, row: Right, at: dt.datetime, **columns: Any) -> None:
    """Sets columns of either right (its state, and what its entry in the book gave it)."""
    if isinstance(row, Preregistration):
        await repository.update(connection, Preregistration, row.id, at, **columns)
    else:
        await repository.update(connection, Premortgage, row.id, at, **columns)


async def _entered_as(
    connection: asyncpg.Connection, at: dt.datetime, row: Right, columns: dict[str, Any]
) -> None:
    """The right as its entry in the book left it, written with the case's answer."""
    await _set_state(connection, row, at, **columns)


class _Handler:
    """Enters each kind of case in the book through the registry's CommitCase."""

    def __init__(self, service: Preregistrations) -> None:
        self.service = service

    async def _subject(self, connection: asyncpg.Connection, case: Case, lock: bool = False) -> Right:
        if case.subject.startswith("preregistrations/"):
            return await self.service.load(connection, Preregistration, case.subject, lock)
        return await self.service.load(connection, Premortgage, case.subject, lock)

    def _disposal(self, case: Case, row: Right) -> tuple[registry_pb.Disposal, list[str]]:
        if case.kind is CaseKind.PREREGISTRATION and isinstance(row, Preregistration):
            return registry_pb.DISPOSAL_PREREGISTRATION, _buyer_names(_holders(row))
        if case.kind is CaseKind.PREMORTGAGE and isinstance(row, Premortgage):
            mortgagors = pb.Premortgage.FromString(row.mortgagors).mortgagors
            return registry_pb.DISPOSAL_PREMORTGAGE, [
                *_buyer_names(mortgagors),
                f"organizations/{row.bank_uscc}",
            ]
        return registry_pb.DISPOSAL_CANCELLATION, []

    async def review(self, case: Case) -> None:
        row = await self.service.tx.read(self._subject, case)
        disposal, beneficiaries = self._disposal(case, row)
        reply = await self.service.registry.CheckDisposal(
            registry_pb.CheckDisposalRequest(
                unit_number=case.row.unit_number, disposal=disposal, beneficiaries=beneficiaries
            )
        )
        refuse_if_restricted(reply.restrictions)

    async def register(self, op: Operation, case: Case) -> Registered:
        row = await op.read(self._subject, case)
        disposal, beneficiaries = self._disposal(case, row)
        request = registry_pb.CommitCaseRequest(
            unit_number=case.row.unit_number,
            registry_case=case.name,
            disposal=disposal,
            beneficiaries=beneficiaries,
        )
        issues_proof = case.kind in (CaseKind.PREREGISTRATION, CaseKind.PREMORTGAGE)
        if case.kind is CaseKind.PREREGISTRATION and isinstance(row, Preregistration):
            holders = _holders(row)
            request.new_entries.add(
                kind=registry_pb.ENTRY_KIND_PREREGISTRATION,
                holders=_buyer_names(holders),
                share_basis_points=[b.share_basis_points for b in holders],
                note=f"预告登记; 网签备案 {row.filing_number}",
            )
        elif case.kind is CaseKind.PREMORTGAGE and isinstance(row, Premortgage):
            loan = parties_pb2.Loan.FromString(row.loan)
            request.new_entries.add(
                kind=registry_pb.ENTRY_KIND_PREMORTGAGE,
                holders=[f"organizations/{row.bank_uscc}"],
                amount_fen=loan.amount_fen,
                note=f"预购商品房抵押预告登记; 抵押合同 {loan.mortgage_contract_number}",
            )
        else:
            request.ended_entries.append(row.entry)
            ruling = _ruling_of(op)
            if ruling is not None:
                request.ruling.CopyFrom(ruling)
        request.issue_proofs = 1 if issues_proof else 0
        reply = await op.call(
            "commit",
            self.service.registry.CommitCase,
            request,
            registry_pb.CommitCaseResponse,
            refusable=True,
        )
        if not issues_proof:
            cancelled = {"state": RightState.CANCELLED.value}
            return Registered([row.entry], apply=partial(_entered_as, row=row, columns=cancelled))
        number = reply.proof_numbers[0]
        in_force = {
            "state": RightState.IN_FORCE.value,
            "proof_number": number,
            "entry": reply.entries[0].name,
            "register_time": reply.register_time.ToDatetime(tzinfo=dt.UTC),
        }
        return Registered(
            [e.name for e in reply.entries], number, partial(_entered_as, row=row, columns=in_force)
        )

    async def abandon(self, connection: asyncpg.Connection, case: Case, at: dt.datetime) -> None:
        if case.kind in (CaseKind.PREREGISTRATION, CaseKind.PREMORTGAGE):
            row = await self._subject(connection, case, lock=True)
            await _set_state(connection, row, at, state=RightState.ABANDONED.value)
