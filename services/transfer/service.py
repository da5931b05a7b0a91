"""First registration and transfer use cases, and the case handlers that enter them in the book.

A transfer's 登簿 is one register transaction (the registry's CommitCase): the buyers' ownership
and, with a loan, the mortgage converted from the pre-mortgage keeping its priority date (CQ 66,
担保制度解释 52), while the developer's ownership, the pre-registration and the pre-mortgage end;
the register numbers the certificates and the bank's proof in that same transaction. The
bookkeeping that follows (tax clearance used, pre-registration converted, contract performed, the
bank's mortgage recorded) comes after the point of no return: each is a recorded step of the
case's operation, taken until it succeeds, never twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import asyncpg
import grpc
from google.protobuf.message import Message

from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from deedflow.contract.v1 import contract_service_pb2_grpc
from deedflow.mortgage.v1 import mortgage_service_pb2 as mortgage_pb
from deedflow.mortgage.v1 import mortgage_service_pb2_grpc
from deedflow.preregistration.v1 import preregistration_service_pb2 as prereg_pb
from deedflow.preregistration.v1 import preregistration_service_pb2_grpc
from deedflow.registry.v1 import registry_service_pb2 as registry_pb
from deedflow.registry.v1 import registry_service_pb2_grpc
from deedflow.tax.v1 import tax_service_pb2 as tax_pb
from deedflow.tax.v1 import tax_service_pb2_grpc
from deedflow.transfer.v1 import transfer_service_pb2 as pb
from deedflow.type.v1 import parties_pb2
from deedflow.type.v1.reasons import Reason
from services.transfer import repository
from services.transfer.domain import RegistrationState, fee_fen
from services.transfer.records import CertificateOfTransfer, Transfer
from services.transfer.render import (
    certificate_message,
    first_registration_message,
    site_inspection_message,
    site_inspection_name,
    transfer_message,
)
from shared import co_ownership
from shared.auth import Caller, Role
from shared.batches import calls_together
from shared.casework.domain import CaseKind
from shared.casework.render import case_message
from shared.casework.service import Case, CaseBook, Registered, entering, lodge_or_enter, refuse_if_restricted
from shared.documents import as_corrected, lapsed_at, standing_entry
from shared.errors import (
    AlreadyExists,
    DomainError,
    FailedPrecondition,
    FieldViolation,
    NotFound,
)
from shared.grpc.coalescing import Coalescer
from shared.grpc.status import to_status
from shared.ids import request_derived_id
from shared.journal import Journal, Operation, Refused
from shared.money import yuan
from shared.names import parse_uuid_name
from shared.outcomes import status_of
from shared.permits import require_permit_holder
from shared.timestamps import to_timestamp
from shared.transactions import Transactions

# How many units of a handover batch are registered at once: each holds a connection while it
# writes its records, so this stays under the pool size.
BATCH_CONCURRENCY = 4
_NAMESPACE = uuid.UUID("7a4c2e91-0b3d-4f6a-8e5c-9d1b2a3f4c60")


def parse_transfer_name(name: str) -> uuid.UUID:
    return parse_uuid_name(name, "transfers")


def _buyer_names(buyers: Iterable[parties_pb2.Buyer]) -> list[str]:
    return [f"buyers/{b.resident_id}" for b in buyers]


def transfer_id(actor: str, unit_number: str, request_id: str) -> uuid.UUID:
    return request_derived_id(_NAMESPACE, actor, request_id, unit_number)


SITE_AS_DESCRIBED = "AS_DESCRIBED"


def sale_as_recorded(
    application: pb.TransferApplication, prereg: prereg_pb.Preregistration, terms: contract_pb.ContractTerms
) -> None:
    """The application transfers the unit and contract its pre-registration records, to that
    pre-registration's holders (民法典 221), in the co-ownership and shares of the filed contract
    (民法典 298-299)."""
    if prereg.unit_number != application.unit_number or prereg.contract != application.contract:
        raise FailedPrecondition(
            Reason.PRE_REGISTRATION_NOT_IN_FORCE, "the pre-registration is for another unit or contract"
        )
    if sorted(b.resident_id for b in prereg.holders) != sorted(b.resident_id for b in application.buyers):
        raise FailedPrecondition(
            Reason.TRANSFEREES_NOT_HOLDERS,
            "the buyers named are not the holders of the pre-registration",
        )
    if co_ownership.form_of(application.buyers, application.co_ownership) != co_ownership.form_of(
        terms.buyers, terms.co_ownership
    ) or sorted((b.resident_id, b.share_basis_points) for b in application.buyers) != sorted(
        (b.resident_id, b.share_basis_points) for b in terms.buyers
    ):
        raise FailedPrecondition(
            Reason.CO_OWNERSHIP_NOT_AS_CONTRACTED,
            "the buyers' co-ownership and shares must be those of the filed contract (民法典 298-299)",
        )


def in_force_when_applied(
    application: pb.TransferApplication, prereg: prereg_pb.Preregistration, applied: dt.datetime
) -> prereg_pb.Preregistration:
    """The pre-registration of the application's unit and contract, in force when the transfer
    was applied for: one that lapsed after the application still carries it."""
    if prereg.unit_number != application.unit_number or prereg.contract != application.contract:
        raise FailedPrecondition(
            Reason.PRE_REGISTRATION_NOT_IN_FORCE, "the pre-registration is for another unit or contract"
        )
    lapsed_after_application = (
        prereg.state == prereg_pb.PREREGISTRATION_STATE_LAPSED
        and prereg.lapse_time.ToDatetime(tzinfo=dt.UTC) >= applied
    )
    if prereg.state == prereg_pb.PREREGISTRATION_STATE_LAPSED and not lapsed_after_application:
        raise FailedPrecondition(
            Reason.PRE_REGISTRATION_LAPSED,
            "no transfer was applied for within 90 days of first registration (民法典 221)",
        )
    if prereg.state != prereg_pb.PREREGISTRATION_STATE_IN_FORCE and not lapsed_after_application:
        raise FailedPrecondition(
            Reason.PRE_REGISTRATION_NOT_IN_FORCE, "the buyers' pre-registration is not in force"
        )
    return prereg


def _sold_by(who: Caller, application: pb.TransferApplication, prereg: prereg_pb.Preregistration) -> None:
    """The application is made in the name of the developer that sold the pre-registered sale,
    and by it (or by the platform on its behalf)."""
    require_permit_holder(
        who,
        prereg.developer.uscc,
        application.developer.uscc,
        "application.developer.uscc",
        application.preregistration,
    )


async def require_site_inspected(connection: asyncpg.Connection, building_number: str) -> None:
    """CQ 21: the registry inspects a building on site (实地查看) before its first registration;
    the latest inspection must have found it as the completion acceptance and survey describe."""
    latest = await repository.latest_site_inspection(connection, building_number)
    if latest is None:
        raise FailedPrecondition(
            Reason.SITE_NOT_INSPECTED,
            f"the registry has not inspected building {building_number} on site (CQ 21)",
            {"building_number": building_number},
        )
    if latest.outcome != SITE_AS_DESCRIBED:
        raise FailedPrecondition(
            Reason.SITE_INSPECTION_FAILED,
            f"the latest site inspection found building {building_number} not as described:"
            f" {latest.findings} (CQ 21)",
            {"site_inspection": site_inspection_name(latest)},
        )


class Transfers:
    def __init__(self, journal: Journal, peer: Callable[[str], grpc.aio.Channel]) -> None:
        self.tx = Transactions(journal, "deedflow.transfer.v1.TransferService")
        self.peer = peer
        self.cases = CaseBook(
            "ZY",
            {CaseKind.FIRST_REGISTRATION: _FirstRegistration(self), CaseKind.TRANSFER: _Transfer(self)},
            journal.domain,
        )
        # The transfers entered side by side (a building's handover) reach each office together:
        # the register enters their cases in one transaction, the others record them in one.
        self.commit: Coalescer[registry_pb.CommitCaseRequest, registry_pb.CommitCaseResponse] = (
            calls_together(lambda: self.registry, "CommitCase", "CommitCases", registry_pb.CommitCasesRequest)
        )
        self.unit: Coalescer[registry_pb.GetUnitRequest, registry_pb.GetUnitResponse] = calls_together(
            lambda: self.registry, "GetUnit", "GetUnits", registry_pb.GetUnitsRequest
        )
        self._calls_together()
        journal.driver(
            "LodgeFirstRegistration",
            entering(self.cases, pb.LodgeFirstRegistrationRequest, self._first_registration_lodged),
        )
        journal.driver("LodgeTransfer", entering(self.cases, pb.LodgeTransferRequest, self._transfer_lodged))

    def _calls_together(self) -> None:
        """The other offices' calls of transfers entered side by side, sent together."""
        self.read_clearance: Coalescer[tax_pb.GetClearanceRequest, tax_pb.GetClearanceResponse] = (
            calls_together(lambda: self.tax, "GetClearance", "GetClearances", tax_pb.GetClearancesRequest)
        )
        self.read_preregistration: Coalescer[
            prereg_pb.GetPreregistrationRequest, prereg_pb.GetPreregistrationResponse
        ] = calls_together(
            lambda: self.preregistrations,
            "GetPreregistration",
            "GetPreregistrations",
            prereg_pb.GetPreregistrationsRequest,
        )
        self.read_premortgage: Coalescer[
            prereg_pb.GetPremortgageRequest, prereg_pb.GetPremortgageResponse
        ] = calls_together(
            lambda: self.preregistrations,
            "GetPremortgage",
            "GetPremortgages",
            prereg_pb.GetPremortgagesRequest,
        )
        self.read_contract: Coalescer[contract_pb.GetContractRequest, contract_pb.GetContractResponse] = (
            calls_together(
                lambda: self.contracts, "GetContract", "GetContracts", contract_pb.GetContractsRequest
            )
        )
        self.consume_clearance: Coalescer[tax_pb.ConsumeClearanceRequest, tax_pb.ConsumeClearanceResponse] = (
            calls_together(
                lambda: self.tax, "ConsumeClearance", "ConsumeClearances", tax_pb.ConsumeClearancesRequest
            )
        )
        self.mark_converted: Coalescer[prereg_pb.MarkConvertedRequest, prereg_pb.MarkConvertedResponse] = (
            calls_together(
                lambda: self.preregistrations,
                "MarkConverted",
                "MarkManyConverted",
                prereg_pb.MarkManyConvertedRequest,
            )
        )
        self.mark_contract_transferred: Coalescer[
            contract_pb.MarkContractTransferredRequest, contract_pb.MarkContractTransferredResponse
        ] = calls_together(
            lambda: self.contracts,
            "MarkContractTransferred",
            "MarkContractsTransferred",
            contract_pb.MarkContractsTransferredRequest,
        )
        self.record_converted_mortgage: Coalescer[
            mortgage_pb.RecordConvertedMortgageRequest, mortgage_pb.RecordConvertedMortgageResponse
        ] = calls_together(
            lambda: self.mortgages,
            "RecordConvertedMortgage",
            "RecordConvertedMortgages",
            mortgage_pb.RecordConvertedMortgagesRequest,
        )

    @property
    def registry(self) -> registry_service_pb2_grpc.RegistryServiceStub:
        return registry_service_pb2_grpc.RegistryServiceStub(self.peer("registry"))

    @property
    def tax(self) -> tax_service_pb2_grpc.TaxServiceStub:
        return tax_service_pb2_grpc.TaxServiceStub(self.peer("tax"))

    @property
    def preregistrations(self) -> preregistration_service_pb2_grpc.PreregistrationServiceStub:
        return preregistration_service_pb2_grpc.PreregistrationServiceStub(self.peer("preregistration"))

    @property
    def contracts(self) -> contract_service_pb2_grpc.ContractServiceStub:
        return contract_service_pb2_grpc.ContractServiceStub(self.peer("contract"))

    @property
    def mortgages(self) -> mortgage_service_pb2_grpc.MortgageServiceStub:
        return mortgage_service_pb2_grpc.MortgageServiceStub(self.peer("mortgage"))

    # Use cases: each opens its transactions around the named units of work below.

    async def lodge_first_registration(
        self, request: pb.LodgeFirstRegistrationRequest, who: Caller
    ) -> pb.LodgeFirstRegistrationResponse | bytes:
        return await lodge_or_enter(
            self.tx,
            "LodgeFirstRegistration",
            request,
            pb.LodgeFirstRegistrationResponse,
            self._first_registration_lodged,
            self.lodge_first_registration_case,
            request,
            who.uri,
        )

    async def get_first_registration(self, building_number: str) -> pb.FirstRegistration:
        return await self.tx.read(self._first_registration, building_number)

    async def record_site_inspection(
        self, request: pb.RecordSiteInspectionRequest, who: Caller
    ) -> pb.RecordSiteInspectionResponse:
        return await self.tx.write(
            "RecordSiteInspection",
            request,
            pb.RecordSiteInspectionResponse,
            self._inspected,
            request,
            who.uri,
        )

    async def lodge_transfer(
        self, request: pb.LodgeTransferRequest, who: Caller
    ) -> pb.LodgeTransferResponse | bytes:
        remembered: dict[str, Sequence[Message]] | None = None
        if request.auto_register and who.role is Role.SERVICE:
            # The platform's filing, entered at once: the facts its entry rests on are read and
            # judged before anything is lodged (a refusal leaves no case), and its operation keeps
            # them, so the entry does not read them again.
            remembered = {SALE_FACTS: await self.sale_facts_at_the_door(request.application, who)}
        else:
            await self.check_seller(request.application, who)
        return await lodge_or_enter(
            self.tx,
            "LodgeTransfer",
            request,
            pb.LodgeTransferResponse,
            self._transfer_lodged,
            self.lodge_transfer_case,
            request.request_id,
            request.application,
            who.uri,
            remembered=remembered,
        )

    async def answered_transfer(self, request: pb.LodgeTransferRequest) -> bytes | None:
        """The stored answer to a LodgeTransfer request (joining its operation if under way)."""
        return await self.tx.journal.answer(self.tx.key("LodgeTransfer", request.request_id), request)

    async def keep_batch_answer(
        self, request: pb.BatchLodgeTransfersRequest, response: pb.BatchLodgeTransfersResponse
    ) -> bytes:
        """A batch whose every unit has its final answer keeps that answer for its retries."""
        return await self.tx.keep("BatchLodgeTransfers", request, response)

    async def get_transfer(self, name: str) -> Transfer:
        return await self.tx.read(self.load_transfer, name)

    async def get_certificate(self, number: str) -> CertificateOfTransfer | None:
        return await self.tx.read(repository.certificate, number)

    async def list_certificates(
        self, unit_number: str, after: str, limit: int
    ) -> list[CertificateOfTransfer]:
        return await self.tx.read(repository.certificates_of, unit_number, after, limit)

    async def release_certificates(
        self, request: pb.ReleaseCertificatesRequest
    ) -> pb.ReleaseCertificatesResponse:
        return await self.tx.write(
            "ReleaseCertificates", request, pb.ReleaseCertificatesResponse, self._released, request
        )

    # Units of work and answers, each in the transaction its use case opened.

    async def _first_registration_lodged(
        self, connection: asyncpg.Connection, request: pb.LodgeFirstRegistrationRequest, case: Case
    ) -> pb.LodgeFirstRegistrationResponse:
        row = await repository.first_registration(connection, request.building_number)
        if row is None:
            raise RuntimeError(f"{case.name} lodged no first registration of {request.building_number}")
        inspection = await repository.latest_site_inspection(connection, request.building_number)
        return pb.LodgeFirstRegistrationResponse(
            first_registration=first_registration_message(row, inspection), case_record=case_message(case)
        )

    async def _transfer_lodged(
        self, connection: asyncpg.Connection, request: pb.LodgeTransferRequest, case: Case
    ) -> pb.LodgeTransferResponse:
        row = await self.load_transfer(connection, case.subject)
        return pb.LodgeTransferResponse(transfer=transfer_message(row), case_record=case_message(case))

    async def _first_registration(
        self, connection: asyncpg.Connection, building_number: str
    ) -> pb.FirstRegistration:
        row = await repository.first_registration(connection, building_number)
        if row is None:
            raise NotFound(f"building {building_number} has no first registration")
        inspection = await repository.latest_site_inspection(connection, building_number)
        return first_registration_message(row, inspection)

    async def _inspected(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        request: pb.RecordSiteInspectionRequest,
        inspector: str,
    ) -> pb.RecordSiteInspectionResponse:
        """实地查看 (CQ 21): what the registry's inspector found at the building."""
        outcome = pb.SiteInspectionOutcome.Name(request.outcome).removeprefix("SITE_INSPECTION_OUTCOME_")
        row = await repository.add_site_inspection(
            connection, request.building_number, outcome, request.findings, inspector, at
        )
        return pb.RecordSiteInspectionResponse(site_inspection=site_inspection_message(row))

    async def _released(
        self, connection: asyncpg.Connection, at: dt.datetime, request: pb.ReleaseCertificatesRequest
    ) -> pb.ReleaseCertificatesResponse:
        transfer = parse_transfer_name(request.transfer)
        if await repository.transfer(connection, transfer) is None:
            raise NotFound(f"no transfer {request.transfer!r}")
        released = request.release_time.ToDatetime(tzinfo=dt.UTC)
        rows = await repository.release_certificates(connection, transfer, released)
        return pb.ReleaseCertificatesResponse(certificates=[certificate_message(r) for r in rows])

    # 首次登记

    async def lodge_first_registration_case(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        entering: uuid.UUID | None,
        request: pb.LodgeFirstRegistrationRequest,
        actor: str,
    ) -> Case:
        existing = await repository.first_registration(connection, request.building_number, lock=True)
        if existing is not None and existing.state != RegistrationState.ABANDONED.value:
            raise AlreadyExists(
                Reason.ALREADY_FIRST_REGISTERED,
                f"building {request.building_number} is already lodged or registered"
                f" by case {existing.case_number}",
                {"case": f"cases/{existing.case_number}"},
            )
        if entering:
            # Entered at once: the inspection must be on record already (a clerk's case waits).
            await require_site_inspected(connection, request.building_number)
        case = await self.cases.lodge(
            connection,
            at,
            CaseKind.FIRST_REGISTRATION,
            request.building_number,
            [f"organizations/{request.developer.uscc}"],
            f"first-registrations/{request.building_number}",
            actor,
            entering,
        )
        row = {
            "request": request.SerializeToString(deterministic=True),
            "state": RegistrationState.LODGED.value,
            "case_number": case.number,
        }
        if existing is None:
            await repository.insert(
                connection,
                "first_registration",
                {"building_number": request.building_number, "update_time": at, **row},
            )
        else:
            await repository.update_first_registration(connection, request.building_number, at, **row)
        return case

    async def renumbered_onto_the_book(
        self, request: pb.LodgeFirstRegistrationRequest
    ) -> list[FieldViolation]:
        """A survey line that renumbers a presale unit must give it a number the book does not
        hold yet (担保制度解释 52: one property before and after). Read with no transaction open."""
        violations = []
        for i, unit in enumerate(request.units):
            if unit.unit_number == unit.presale_unit_number:
                continue
            try:
                await self.registry.GetUnit(registry_pb.GetUnitRequest(unit_number=unit.unit_number))
            except grpc.aio.AioRpcError as exc:
                if exc.code() != grpc.StatusCode.NOT_FOUND:
                    raise
                continue
            violations.append(
                FieldViolation(
                    f"units[{i}].unit_number", "is already a unit of the book; the survey numbers it anew"
                )
            )
        return violations

    # 转移登记

    async def lodge_transfer_case(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        entering: uuid.UUID | None,
        request_id: str,
        application: pb.TransferApplication,
        actor: str,
    ) -> Case:
        transfer = transfer_id(actor, application.unit_number, request_id)
        case = await self.cases.lodge(
            connection,
            at,
            CaseKind.TRANSFER,
            application.unit_number,
            [f"organizations/{application.developer.uscc}", *_buyer_names(application.buyers)],
            f"transfers/{transfer}",
            actor,
            entering,
        )
        try:
            await repository.insert(
                connection,
                "transfer",
                {
                    "id": transfer,
                    "unit_number": application.unit_number,
                    "application": application.SerializeToString(deterministic=True),
                    "state": RegistrationState.LODGED.value,
                    "case_number": case.number,
                    "update_time": at,
                },
            )
        except asyncpg.UniqueViolationError:
            raise FailedPrecondition(
                Reason.TRANSFER_ALREADY_LODGED,
                f"unit {application.unit_number} has a transfer lodged or registered",
            ) from None
        return case

    async def check_seller(self, application: pb.TransferApplication, who: Caller) -> None:
        """Before anything is lodged: the application transfers the sale its pre-registration
        records (民法典 221), from that sale's developer to its holders. Read with no transaction
        open, so a refusal leaves no case behind. The platform's own filing (a service caller) is
        checked here only for what it names existing; its consistency is judged with the facts
        its entry reads anyway, as the book shows them (sale_facts), which spares asking the
        register for the pre-registration's history twice."""
        platform = who.role is Role.SERVICE
        prereg, terms = await asyncio.gather(
            self.preregistration_of(application, as_recorded=platform), self.terms_of(application)
        )
        _sold_by(who, application, prereg)
        if not platform:
            sale_as_recorded(application, prereg, terms)

    async def sale_facts_at_the_door(self, application: pb.TransferApplication, who: Caller) -> list[Message]:
        """The sale facts of a filing to be entered at once, read now and judged as of now: its
        sale is the one its pre-registration records, in force (民法典 221), from that sale's
        developer. The register judges the unit again, atomically, at the entry."""
        facts = await self.sale_facts(application, self.tx.clock.now())
        _sold_by(who, application, SaleFacts.of(facts).preregistration)
        return facts

    async def preregistration_of(
        self, application: pb.TransferApplication, as_recorded: bool = False
    ) -> prereg_pb.Preregistration:
        return (
            await self.read_preregistration(
                prereg_pb.GetPreregistrationRequest(name=application.preregistration, as_recorded=as_recorded)
            )
        ).preregistration

    async def terms_of(self, application: pb.TransferApplication) -> contract_pb.ContractTerms:
        return (
            await self.read_contract(contract_pb.GetContractRequest(name=application.contract))
        ).contract.terms

    async def sale_facts(self, application: pb.TransferApplication, applied: dt.datetime) -> list[Message]:
        """What the transfer rests on, read once and side by side from the offices that hold it:
        the buyers' pre-registration in force (民法典 221) for the sale the filed contract records,
        the bank's pre-mortgage, the unit and its history as the book shows it, and the tax
        clearance (契税法 11); in the order of _FACTS. Read with no transaction open."""
        # The pre-registration office's records as recorded: the book's view of them (a lapse,
        # a correction, the carrying at the survey) is taken here from the unit's history, read
        # in the same round, rather than by that office asking the register again for each.
        reads = [
            self.read_clearance(tax_pb.GetClearanceRequest(contract=application.contract)),
            self.preregistration_of(application, as_recorded=True),
            self.terms_of(application),
            self.unit(registry_pb.GetUnitRequest(unit_number=application.unit_number, with_history=True)),
        ]
        if application.premortgage:
            reads.append(
                self.read_premortgage(
                    prereg_pb.GetPremortgageRequest(name=application.premortgage, as_recorded=True)
                )
            )
        clearance_reply, prereg, terms, unit_reply, *premortgage_reply = await asyncio.gather(*reads)
        assert isinstance(clearance_reply, tax_pb.GetClearanceResponse)
        assert isinstance(prereg, prereg_pb.Preregistration)
        assert isinstance(terms, contract_pb.ContractTerms)
        assert isinstance(unit_reply, registry_pb.GetUnitResponse)
        premortgage = prereg_pb.Premortgage()
        if premortgage_reply:
            assert isinstance(premortgage_reply[0], prereg_pb.GetPremortgageResponse)
            premortgage = premortgage_reply[0].premortgage
        unit = unit_reply.unit
        # The entries this transfer ends as the book stands now, after any correction.
        history = list(unit.entries)
        records: tuple[prereg_pb.Preregistration | prereg_pb.Premortgage, ...] = (prereg, premortgage)
        for record in records:
            current = await standing_entry(self.registry, record, history)
            if current is not None:
                record.entry = current.name
                lapse = lapsed_at(current)
                if lapse is not None and record is prereg:
                    prereg.state = prereg_pb.PREREGISTRATION_STATE_LAPSED
                    prereg.lapse_time.CopyFrom(lapse)
        in_force_when_applied(application, prereg, applied)
        sale_as_recorded(application, prereg, terms)
        return [prereg, premortgage, unit, clearance_reply.clearance, terms]

    async def batch(
        self,
        request: pb.BatchLodgeTransfersRequest,
        lodge: Callable[[pb.LodgeTransferRequest], Awaitable[pb.LodgeTransferResponse]],
    ) -> list[pb.TransferOutcome]:
        """Each unit as its own transfer (its own request id, derived from the batch's): one
        unit's refusal does not undo another's transfer."""
        gate = asyncio.Semaphore(BATCH_CONCURRENCY)

        async def one(application: pb.TransferApplication) -> pb.TransferOutcome:
            outcome = pb.TransferOutcome(unit_number=application.unit_number)
            single = pb.LodgeTransferRequest(
                request_id=str(
                    uuid.uuid5(_NAMESPACE, f"batch/{request.request_id}/{application.unit_number}")
                ),
                application=application,
                auto_register=request.auto_register,
            )
            async with gate:
                try:
                    reply = await lodge(single)
                    outcome.transfer.CopyFrom(reply.transfer)
                except DomainError as exc:
                    outcome.error.CopyFrom(to_status(exc, "deedflow.transfer"))
                except grpc.aio.AioRpcError as exc:
                    outcome.error.CopyFrom(status_of(exc))
            return outcome

        return list(await asyncio.gather(*(one(a) for a in request.applications)))

    async def as_the_book_shows(self, certificate: pb.Certificate) -> pb.Certificate:
        """The certificate rendered from the book (民法典 216-217): when a correction (更正登记)
        ended the ownership entry it was issued from, it follows each correction to the entry
        that replaced it and shows that entry's owners and shares, naming the corrections.
        Read with no transaction open."""
        current, corrections = await as_corrected(self.registry, certificate.entry)
        certificate.corrections.extend(corrections)
        if not certificate.corrections or current is None:
            return certificate
        names = {o.resident_id: o.name for o in certificate.owners}
        issued = list(certificate.owners)
        del certificate.owners[:]
        for i, holder in enumerate(current.holders):
            resident_id = holder.removeprefix("buyers/")
            # A corrected ID keeps the name of the owner in its place (the book records IDs).
            name = names.get(resident_id) or (issued[i].name if i < len(issued) else "")
            share = current.share_basis_points[i] if i < len(current.share_basis_points) else 0
            certificate.owners.add(name=name, resident_id=resident_id, share_basis_points=share)
        certificate.entry = current.name
        return certificate

    async def load_transfer(self, connection: asyncpg.Connection, name: str, lock: bool = False) -> Transfer:
        row = await repository.transfer(connection, parse_transfer_name(name), lock)
        if row is None:
            raise NotFound(f"no transfer {name!r}")
        return row


async def _first_registered(
    connection: asyncpg.Connection, at: dt.datetime, building_number: str, register_time: dt.datetime
) -> None:
    """The building's first registration as the book entered it, written with the case's answer."""
    await repository.update_first_registration(
        connection, building_number, at, state=RegistrationState.REGISTERED.value, register_time=register_time
    )


class _FirstRegistration:
    def __init__(self, service: Transfers) -> None:
        self.service = service

    async def review(self, case: Case) -> None:
        """The site inspected and found as described (CQ 21); the register checks the building
        itself at 登簿, in the transaction that enters it."""
        await self.service.tx.read(require_site_inspected, case.row.unit_number)

    async def register(self, op: Operation, case: Case) -> Registered:
        await op.read(require_site_inspected, case.row.unit_number)
        row = await op.read(repository.first_registration, case.row.unit_number)
        if row is None:
            # Lodged in the transaction that lodged its case: never missing unless we have a bug.
            raise RuntimeError(f"{case.name} has no first registration of {case.row.unit_number}")
        request = pb.LodgeFirstRegistrationRequest.FromString(row.request)
        reply = await op.call(
            "first-registration",
            self.service.registry.RecordFirstRegistration,
            registry_pb.RecordFirstRegistrationRequest(
                building_number=request.building_number,
                registry_case=case.name,
                owner=f"organizations/{request.developer.uscc}",
                unit_numbers=[u.unit_number for u in request.units],
                common_parts=request.common_parts,
                surveyed_areas=[
                    registry_pb.SurveyedArea(unit_number=u.unit_number, gross_area_dm2=u.gross_area_dm2)
                    for u in request.units
                ],
                # A presale unit numbered anew by the survey keeps its 预告 and 预抵押, with their
                # rank, on the as-built unit (担保制度解释 52).
                renumbered=[
                    registry_pb.Renumbering(
                        presale_unit_number=u.presale_unit_number, unit_number=u.unit_number
                    )
                    for u in request.units
                    if u.presale_unit_number != u.unit_number
                ],
            ),
            registry_pb.RecordFirstRegistrationResponse,
            refusable=True,
        )
        registered = partial(
            _first_registered,
            building_number=request.building_number,
            register_time=reply.register_time.ToDatetime(tzinfo=dt.UTC),
        )
        return Registered([e.name for e in reply.entries], apply=registered)

    async def abandon(self, connection: asyncpg.Connection, case: Case, at: dt.datetime) -> None:
        await repository.update_first_registration(
            connection, case.row.unit_number, at, state=RegistrationState.ABANDONED.value
        )


# The facts a transfer's entry rests on, remembered by its operation under SALE_FACTS (named anew
# when the terms joined them: an entry begun before reads them again).
SALE_FACTS = "sale-facts"
_FACTS = (
    prereg_pb.Preregistration,
    prereg_pb.Premortgage,
    registry_pb.Unit,
    tax_pb.Clearance,
    contract_pb.ContractTerms,
)


@dataclass(frozen=True)
class SaleFacts:
    """The facts a transfer rests on (sale_facts), by name; kept in the journal in _FACTS' order."""

    preregistration: prereg_pb.Preregistration
    premortgage: prereg_pb.Premortgage
    unit: registry_pb.Unit
    clearance: tax_pb.Clearance
    terms: contract_pb.ContractTerms

    @classmethod
    def of(cls, facts: Sequence[Message]) -> SaleFacts:
        preregistration, premortgage, unit, clearance, terms = facts
        assert isinstance(preregistration, prereg_pb.Preregistration)
        assert isinstance(premortgage, prereg_pb.Premortgage)
        assert isinstance(unit, registry_pb.Unit)
        assert isinstance(clearance, tax_pb.Clearance)
        assert isinstance(terms, contract_pb.ContractTerms)
        return cls(preregistration, premortgage, unit, clearance, terms)


class _Transfer:
    def __init__(self, service: Transfers) -> None:
        self.service = service

    async def _application(self, case: Case) -> tuple[Transfer, pb.TransferApplication]:
        row = await self.service.tx.query(self.service.load_transfer, case.subject)
        return row, pb.TransferApplication.FromString(row.application)

    async def _preregistration(
        self, application: pb.TransferApplication, applied: dt.datetime
    ) -> prereg_pb.Preregistration:
        """The buyers' 预告, in force when the transfer was applied for: one that lapsed after
        the application still carries it (民法典 221 counts the application, not the entry)."""
        return in_force_when_applied(application, await self.service.preregistration_of(application), applied)

    async def review(self, case: Case) -> None:
        """Tax paid (契税法 11), pre-registration in force (民法典 221), no restriction on the unit."""
        _, application = await self._application(case)
        await self.service.read_clearance(tax_pb.GetClearanceRequest(contract=application.contract))
        await self._preregistration(application, case.row.lodge_time)
        reply = await self.service.registry.CheckDisposal(
            registry_pb.CheckDisposalRequest(
                unit_number=application.unit_number,
                disposal=registry_pb.DISPOSAL_TRANSFER,
                beneficiaries=_buyer_names(application.buyers),
                application_time=to_timestamp(case.row.lodge_time),
            )
        )
        refuse_if_restricted(reply.restrictions)

    async def register(self, op: Operation, case: Case) -> Registered:
        if op.kind == "LodgeTransfer":
            # The platform's filing, entered by the operation that lodged it: the application is
            # the one its request carries (and its transfer row records).
            transfer = parse_transfer_name(case.subject)
            application = pb.LodgeTransferRequest.FromString(op.input).application
        else:
            row, application = await self._application(case)
            transfer = row.id
        facts = SaleFacts.of(
            await op.remember(
                # The platform's filing read them at the door (TransferServicer._lodge); a clerk's
                # case reads them here, as the book stands at its entry.
                SALE_FACTS,
                lambda: self.service.sale_facts(application, case.row.lodge_time),
                _FACTS,
            )
        )
        prereg, premortgage, unit, clearance = (
            facts.preregistration,
            facts.premortgage,
            facts.unit,
            facts.clearance,
        )
        form = co_ownership.form_of(application.buyers, application.co_ownership)
        commit = _commit_request(case, application, form, prereg, premortgage, unit)
        committed = await self._enter(op, case, clearance, commit)
        # Past this point the buyers own the flat (民法典 209, 214): every step below is taken.
        ownership = committed.entries[0]
        mortgage = committed.entries[1] if premortgage.name else None
        numbers = list(committed.certificate_numbers)
        proof_number = committed.proof_numbers[0] if mortgage else ""
        await op.call_many(self._after_entry(case, application, premortgage, numbers, mortgage, proof_number))
        loan = premortgage.loan
        entered = Entered(
            transfer=transfer,
            application=application,
            form=form,
            facts=unit.facts,
            ownership=ownership.name,
            mortgage=mortgage,
            numbers=numbers,
            proof_number=proof_number,
            encumbrances=[f"抵押权: {loan.bank.name} {yuan(loan.amount_fen)}, {proof_number}"]
            if mortgage
            else [],
            register_time=committed.register_time.ToDatetime(tzinfo=dt.UTC),
        )
        return Registered([e.name for e in committed.entries], numbers[0], partial(record_entered, entered))

    async def _enter(
        self,
        op: Operation,
        case: Case,
        clearance: tax_pb.Clearance,
        commit: registry_pb.CommitCaseRequest,
    ) -> registry_pb.CommitCaseResponse:
        """Holds the deed-tax clearance for the case, then has the book enter it (登簿); a book
        that refuses the case gives the clearance back."""
        # The clearance is held for this case before 登簿 (契税法 12): from now no refund can fall
        # between the review and the entry; if the book refuses the case, it is given back.
        clearance_hold = {"clearance_number": clearance.clearance_number, "transfer_case": case.name}
        # Both requests are known now: their intents are committed together, before the first.
        op.intend([("tax-hold", tax_pb.ConsumeClearanceRequest(**clearance_hold)), ("commit", commit)])
        await op.call(
            "tax-hold",
            self.service.consume_clearance,
            tax_pb.ConsumeClearanceRequest(**clearance_hold),
            tax_pb.ConsumeClearanceResponse,
            refusable=True,
        )
        try:
            return await op.call(
                "commit", self.service.commit, commit, registry_pb.CommitCaseResponse, refusable=True
            )
        except Refused:
            await op.call(
                "tax-release",
                self.service.tax.ReleaseClearance,
                tax_pb.ReleaseClearanceRequest(**clearance_hold),
                tax_pb.ReleaseClearanceResponse,
            )
            raise

    def _after_entry(
        self,
        case: Case,
        application: pb.TransferApplication,
        premortgage: prereg_pb.Premortgage,
        numbers: list[str],
        mortgage: registry_pb.Entry | None,
        proof_number: str,
    ) -> list[tuple[str, Any, Message, type[Message]]]:
        """The offices told of the entry, side by side: the pre-registration converted, the
        contract transferred and, for a financed purchase, the pre-mortgage become a mortgage."""
        steps: list[tuple[str, Any, Message, type[Message]]] = [
            (
                "convert",
                self.service.mark_converted,
                prereg_pb.MarkConvertedRequest(
                    preregistration=application.preregistration, transfer_case=case.name
                ),
                prereg_pb.MarkConvertedResponse,
            ),
            (
                "contract",
                self.service.mark_contract_transferred,
                contract_pb.MarkContractTransferredRequest(
                    name=application.contract, certificate_number=numbers[0]
                ),
                contract_pb.MarkContractTransferredResponse,
            ),
        ]
        if mortgage is not None:
            steps.append(
                (
                    "mortgage",
                    self.service.record_converted_mortgage,
                    mortgage_pb.RecordConvertedMortgageRequest(
                        unit_number=application.unit_number,
                        premortgage=application.premortgage,
                        entry=mortgage.name,
                        loan=premortgage.loan,
                        mortgagors=application.buyers,
                        priority_time=mortgage.priority_time,
                        proof_number=proof_number,
                    ),
                    mortgage_pb.RecordConvertedMortgageResponse,
                )
            )
        return steps

    async def abandon(self, connection: asyncpg.Connection, case: Case, at: dt.datetime) -> None:
        row = await self.service.load_transfer(connection, case.subject, lock=True)
        await repository.update_transfer(connection, row.id, at, state=RegistrationState.ABANDONED.value)


def _commit_request(
    case: Case,
    application: pb.TransferApplication,
    form: parties_pb2.CoOwnership,
    prereg: prereg_pb.Preregistration,
    premortgage: prereg_pb.Premortgage,
    unit: registry_pb.Unit,
) -> registry_pb.CommitCaseRequest:
    """What the book enters for the transfer: the buyers' ownership (and the bank's mortgage, for
    a financed purchase), ending the seller's, the 预告 and the 预抵押."""
    financed = bool(premortgage.name)
    owners = [
        e
        for e in unit.entries
        if e.kind == registry_pb.ENTRY_KIND_OWNERSHIP and e.state == registry_pb.ENTRY_STATE_CURRENT
    ]
    commit = registry_pb.CommitCaseRequest(
        unit_number=application.unit_number,
        registry_case=case.name,
        disposal=registry_pb.DISPOSAL_TRANSFER,
        beneficiaries=_buyer_names(application.buyers),
        ended_entries=[*(e.name for e in owners), prereg.entry, *([premortgage.entry] if financed else [])],
        issue_certificates=len(application.buyers) if application.certificate_per_owner else 1,
        issue_proofs=1 if financed else 0,
        application_time=to_timestamp(case.row.lodge_time),
    )
    commit.new_entries.add(
        kind=registry_pb.ENTRY_KIND_OWNERSHIP,
        holders=_buyer_names(application.buyers),
        # Joint owners (共同共有) hold the whole together: the book records no shares.
        share_basis_points=[]
        if form == co_ownership.JOINT
        else [b.share_basis_points for b in application.buyers],
        note=f"转移登记; 买卖; {co_ownership.LABELS[form]}",
    )
    if financed:
        commit.new_entries.add(
            kind=registry_pb.ENTRY_KIND_MORTGAGE,
            holders=[f"organizations/{premortgage.loan.bank.uscc}"],
            amount_fen=premortgage.loan.amount_fen,
            related_entry=premortgage.entry,
            note="预抵押转抵押 (CQ 66)",
        )
    return commit


@dataclass(frozen=True)
class Entered:
    """What the book entered for a transfer, for this office's own records."""

    transfer: uuid.UUID
    application: pb.TransferApplication
    form: parties_pb2.CoOwnership
    facts: registry_pb.UnitFacts
    ownership: str
    mortgage: registry_pb.Entry | None
    numbers: list[str]
    proof_number: str
    encumbrances: list[str]
    register_time: dt.datetime


async def record_entered(entered: Entered, connection: asyncpg.Connection, at: dt.datetime) -> None:
    """The certificates issued and the transfer registered, with the case's move to registered.
    Every co-owner's copy is the same certificate (CQ 26): all owners, the form, the shares; only
    the number differs."""
    owners = pb.Certificate(owners=entered.application.buyers, co_ownership=entered.form)
    for number in entered.numbers:
        await repository.insert(
            connection,
            "certificate",
            {
                "certificate_number": number,
                "unit_number": entered.application.unit_number,
                "transfer_id": entered.transfer,
                "owners": owners.SerializeToString(deterministic=True),
                "address": entered.facts.address,
                # The register prevails (条例 8): the surveyed area once recorded.
                "gross_area_dm2": entered.facts.surveyed_area_dm2 or entered.facts.gross_area_dm2,
                "use": entered.facts.use,
                "encumbrances": entered.encumbrances,
                "entry": entered.ownership,
                "register_time": entered.register_time,
                "issue_time": at,
            },
        )
    mortgage = entered.mortgage
    await repository.update_transfer(
        connection,
        entered.transfer,
        at,
        state=RegistrationState.REGISTERED.value,
        ownership_entry=entered.ownership,
        mortgage_entry=mortgage.name if mortgage else "",
        mortgage_priority_time=mortgage.priority_time.ToDatetime(tzinfo=dt.UTC) if mortgage else None,
        mortgage_proof_number=entered.proof_number,
        certificates=entered.numbers,
        fee_fen=fee_fen(len(entered.numbers)),
        register_time=entered.register_time,
    )
