"""TransferService over gRPC: proto <-> use cases, role checks, nothing else."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Sequence

import asyncpg
from google.protobuf.message import Message

from deedflow.transfer.v1 import transfer_service_pb2 as pb
from deedflow.transfer.v1 import transfer_service_pb2_grpc
from services.transfer import repository
from services.transfer.domain import may_read_certificate
from services.transfer.records import CertificateOfTransfer, FirstRegistration, SiteInspection, Transfer
from services.transfer.service import SALE_FACTS, Transfers, parse_transfer_name, site_inspection_name
from shared import paging
from shared.auth import Caller, Role, caller
from shared.batches import outcomes, refuse_repeated_request_ids
from shared.casework.service import Case, entering, lodge_or_enter
from shared.casework.servicer import case_message
from shared.documents import issue
from shared.errors import DomainError, FieldViolation, InvalidArgument, NotFound
from shared.grpc.types import Context
from shared.ids import building_of
from shared.outcomes import REFUSALS
from shared.parties import require_own_sale, require_party
from shared.permits import building_developer, require_permit_holder
from shared.timestamps import to_timestamp

REFUSAL_CODES = frozenset(code.value[0] for code in REFUSALS)


def _state(value: str) -> str:
    """The state's enum value name, which a message constructor takes (an unknown one raises)."""
    return f"REGISTRATION_STATE_{value}"


def site_inspection_message(row: SiteInspection) -> pb.SiteInspection:
    return pb.SiteInspection(
        name=site_inspection_name(row),
        building_number=row.building_number,
        outcome=f"SITE_INSPECTION_OUTCOME_{row.outcome}",
        findings=row.findings,
        inspector=row.inspector,
        inspect_time=to_timestamp(row.inspect_time),
    )


def first_registration_message(
    row: FirstRegistration, inspection: SiteInspection | None = None
) -> pb.FirstRegistration:
    request = pb.LodgeFirstRegistrationRequest.FromString(row.request)
    return pb.FirstRegistration(
        site_inspection=site_inspection_message(inspection) if inspection else None,
        name=f"first-registrations/{row.building_number}",
        building_number=row.building_number,
        developer=request.developer,
        completion=request.completion,
        units=request.units,
        common_parts=request.common_parts,
        state=_state(row.state),
        registry_case=f"cases/{row.case_number}",
        register_time=to_timestamp(row.register_time),
    )


def transfer_message(row: Transfer) -> pb.Transfer:
    return pb.Transfer(
        name=f"transfers/{row.id}",
        application=pb.TransferApplication.FromString(row.application),
        state=_state(row.state),
        registry_case=f"cases/{row.case_number}",
        ownership_entry=row.ownership_entry,
        mortgage_entry=row.mortgage_entry,
        mortgage_priority_time=to_timestamp(row.mortgage_priority_time),
        certificates=[f"certificates/{n}" for n in row.certificates],
        mortgage_proof_number=row.mortgage_proof_number,
        register_time=to_timestamp(row.register_time),
        fee_fen=row.fee_fen,
    )


def _seller(row: Transfer | CertificateOfTransfer) -> str:
    """The USCC of the developer that sold the unit, from the transfer's application."""
    return pb.TransferApplication.FromString(row.application).developer.uscc


def certificate_message(row: CertificateOfTransfer) -> pb.Certificate:
    return pb.Certificate(
        name=f"certificates/{row.certificate_number}",
        certificate_number=row.certificate_number,
        unit_number=row.unit_number,
        owners=pb.Certificate.FromString(row.owners).owners,
        co_ownership=pb.Certificate.FromString(row.owners).co_ownership,
        address=row.address,
        gross_area_dm2=row.gross_area_dm2,
        use=row.use,
        right_type="国有建设用地使用权/房屋所有权",
        right_source="买卖",
        right_nature="出让/市场化商品房",
        encumbrances=row.encumbrances,
        entry=row.entry,
        register_time=to_timestamp(row.register_time),
        issue_time=to_timestamp(row.issue_time),
        release_time=to_timestamp(row.release_time) if row.release_time else None,
    )


def _readable(who: Caller, row: CertificateOfTransfer) -> bool:
    owners = pb.Certificate.FromString(row.owners).owners
    return may_read_certificate(
        who, _seller(row), [o.resident_id for o in owners], row.release_time is not None
    )


def _survey_violations(request: pb.LodgeFirstRegistrationRequest) -> list[FieldViolation]:
    """The survey maps presale units one to one onto as-built units of the same building."""
    violations = []
    presale: set[str] = set()
    as_built: set[str] = set()
    for i, unit in enumerate(request.units):
        for field, number, seen in (
            ("presale_unit_number", unit.presale_unit_number, presale),
            ("unit_number", unit.unit_number, as_built),
        ):
            if building_of(number) != request.building_number:
                violations.append(
                    FieldViolation(f"units[{i}].{field}", f"is not in building {request.building_number}")
                )
            elif number in seen:
                violations.append(
                    FieldViolation(f"units[{i}].{field}", "names a unit another survey line names")
                )
            seen.add(number)
    return violations


class TransferServicer(transfer_service_pb2_grpc.TransferServiceServicer):
    def __init__(self, service: Transfers) -> None:
        self.service = service
        self.tx = service.tx
        journal = service.tx.journal
        journal.driver(
            "LodgeFirstRegistration",
            entering(service.cases, pb.LodgeFirstRegistrationRequest, self._first_registration_response),
        )
        journal.driver(
            "LodgeTransfer", entering(service.cases, pb.LodgeTransferRequest, self._transfer_response)
        )

    async def _first_registration_response(
        self, connection: asyncpg.Connection, request: pb.LodgeFirstRegistrationRequest, case: Case
    ) -> pb.LodgeFirstRegistrationResponse:
        row = await repository.first_registration(connection, request.building_number)
        if row is None:
            raise RuntimeError(f"{case.name} lodged no first registration of {request.building_number}")
        inspection = await repository.latest_site_inspection(connection, request.building_number)
        return pb.LodgeFirstRegistrationResponse(
            first_registration=first_registration_message(row, inspection), case_record=case_message(case)
        )

    async def _transfer_response(
        self, connection: asyncpg.Connection, request: pb.LodgeTransferRequest, case: Case
    ) -> pb.LodgeTransferResponse:
        row = await self.service.load_transfer(connection, case.subject)
        return pb.LodgeTransferResponse(transfer=transfer_message(row), case_record=case_message(case))

    async def LodgeFirstRegistration(
        self, request: pb.LodgeFirstRegistrationRequest, context: Context
    ) -> pb.LodgeFirstRegistrationResponse | bytes:
        who = caller()
        require_own_sale(who, request.developer.uscc, "developer.uscc")
        holder = await building_developer(self.service.contracts, request.building_number)
        require_permit_holder(
            who, holder, request.developer.uscc, "developer.uscc", f"buildings/{request.building_number}"
        )
        survey_violations = _survey_violations(request) or await self.service.renumbered_onto_the_book(
            request
        )
        if survey_violations:
            raise InvalidArgument(survey_violations)

        async def lodge(connection: asyncpg.Connection, at: dt.datetime, operation: uuid.UUID | None) -> Case:
            return await self.service.lodge_first_registration(connection, at, request, who.uri, operation)

        return await lodge_or_enter(
            self.tx,
            "LodgeFirstRegistration",
            request,
            pb.LodgeFirstRegistrationResponse,
            lodge,
            self._first_registration_response,
        )

    async def GetFirstRegistration(
        self, request: pb.GetFirstRegistrationRequest, context: Context
    ) -> pb.GetFirstRegistrationResponse:
        async def read(connection: asyncpg.Connection) -> pb.FirstRegistration:
            row = await repository.first_registration(connection, request.building_number)
            if row is None:
                raise NotFound(f"building {request.building_number} has no first registration")
            inspection = await repository.latest_site_inspection(connection, request.building_number)
            return first_registration_message(row, inspection)

        return pb.GetFirstRegistrationResponse(first_registration=await self.tx.read(read))

    async def RecordSiteInspection(
        self, request: pb.RecordSiteInspectionRequest, context: Context
    ) -> pb.RecordSiteInspectionResponse:
        who = caller()
        if request.outcome == pb.SITE_INSPECTION_OUTCOME_NOT_AS_DESCRIBED and not request.findings.strip():
            raise InvalidArgument([FieldViolation("findings", "say what is not as described")])
        await building_developer(self.service.contracts, request.building_number)

        async def work(connection: asyncpg.Connection, at: dt.datetime) -> pb.RecordSiteInspectionResponse:
            row = await self.service.record_site_inspection(connection, at, request, who.uri)
            return pb.RecordSiteInspectionResponse(site_inspection=site_inspection_message(row))

        return await self.tx.write("RecordSiteInspection", request, pb.RecordSiteInspectionResponse, work)

    async def _lodge(self, request: pb.LodgeTransferRequest, who: Caller) -> pb.LodgeTransferResponse | bytes:
        remembered: dict[str, Sequence[Message]] | None = None
        if request.auto_register and who.role is Role.SERVICE:
            # The platform's filing, entered at once: the facts its entry rests on are read and
            # judged before anything is lodged (a refusal leaves no case), and its operation keeps
            # them, so the entry does not read them again.
            remembered = {SALE_FACTS: await self.service.sale_facts_at_the_door(request.application, who)}
        else:
            await self.service.check_seller(request.application, who)

        async def lodge(connection: asyncpg.Connection, at: dt.datetime, operation: uuid.UUID | None) -> Case:
            return await self.service.lodge_transfer(
                connection, at, request.request_id, request.application, who.uri, operation
            )

        return await lodge_or_enter(
            self.tx,
            "LodgeTransfer",
            request,
            pb.LodgeTransferResponse,
            lodge,
            self._transfer_response,
            remembered,
        )

    async def LodgeTransfer(
        self, request: pb.LodgeTransferRequest, context: Context
    ) -> pb.LodgeTransferResponse | bytes:
        who = caller()
        require_own_sale(who, request.application.developer.uscc, "application.developer.uscc")
        return await self._lodge(request, who)

    async def LodgeTransfers(
        self, request: pb.LodgeTransfersRequest, context: Context
    ) -> pb.LodgeTransfersResponse:
        """Each request as LodgeTransfer alone, its stored answer looked up first; all side by
        side, so their calls to the other offices go out together."""
        refuse_repeated_request_ids(request.requests)

        async def one(single: pb.LodgeTransferRequest) -> pb.LodgeTransferResponse | DomainError:
            try:
                stored = await self.tx.journal.answer(self.tx.key("LodgeTransfer", single.request_id), single)
                reply = stored if stored is not None else await self.LodgeTransfer(single, context)
            except DomainError as refused:
                return refused
            return pb.LodgeTransferResponse.FromString(reply) if isinstance(reply, bytes) else reply

        results = await asyncio.gather(*(one(single) for single in request.requests))
        return pb.LodgeTransfersResponse(
            outcomes=outcomes(results, pb.LodgeTransferOutcome, "deedflow.transfer")
        )

    async def BatchLodgeTransfers(
        self, request: pb.BatchLodgeTransfersRequest, context: Context
    ) -> pb.BatchLodgeTransfersResponse | bytes:
        who = caller()
        for i, application in enumerate(request.applications):
            require_own_sale(who, application.developer.uscc, f"applications[{i}].developer.uscc")
        outside = [
            FieldViolation(f"applications[{i}].unit_number", f"is not in building {request.building_number}")
            for i, a in enumerate(request.applications)
            if building_of(a.unit_number) != request.building_number
        ]
        if outside:
            raise InvalidArgument(outside)

        async def lodge(single: pb.LodgeTransferRequest) -> pb.LodgeTransferResponse:
            reply = await self._lodge(single, who)
            return pb.LodgeTransferResponse.FromString(reply) if isinstance(reply, bytes) else reply

        response = pb.BatchLodgeTransfersResponse(outcomes=await self.service.batch(request, lodge))
        if all(o.HasField("transfer") or o.error.code in REFUSAL_CODES for o in response.outcomes):
            # Every unit has its final answer: the batch's own answer is kept for its retries.
            return await self.tx.keep("BatchLodgeTransfers", request, response)
        return response

    async def GetTransfer(self, request: pb.GetTransferRequest, context: Context) -> pb.GetTransferResponse:
        row = await self.tx.read(lambda c: self.service.load_transfer(c, request.name))
        require_party(caller(), request.name, developer=_seller(row))
        return pb.GetTransferResponse(transfer=transfer_message(row))

    async def GetCertificate(
        self, request: pb.GetCertificateRequest, context: Context
    ) -> pb.GetCertificateResponse:
        number = request.name.removeprefix("certificates/")
        row = await self.tx.read(lambda c: repository.certificate(c, number))
        if row is None or not _readable(caller(), row):
            raise NotFound(f"no certificate {request.name!r}")
        certificate = await self.service.as_the_book_shows(certificate_message(row))
        response = pb.GetCertificateResponse(certificate=certificate)
        if request.with_document:
            response.document.CopyFrom(
                await issue(self.service.registry, certificate.entry, "certificate", number, certificate)
            )
        return response

    async def ListCertificates(
        self, request: pb.ListCertificatesRequest, context: Context
    ) -> pb.ListCertificatesResponse:
        size = min(request.page_size or 100, 1000)
        after = paging.position(request)
        rows = await self.tx.read(
            lambda c: repository.certificates_of(c, request.unit_number, after, size + 1)
        )
        who = caller()
        return pb.ListCertificatesResponse(
            certificates=[certificate_message(r) for r in rows[:size] if _readable(who, r)],
            next_page_token=paging.issue(rows[size - 1].certificate_number, request)
            if len(rows) > size
            else "",
        )

    async def ReleaseCertificates(
        self, request: pb.ReleaseCertificatesRequest, context: Context
    ) -> pb.ReleaseCertificatesResponse:
        transfer = parse_transfer_name(request.transfer)
        released = request.release_time.ToDatetime(tzinfo=dt.UTC)

        async def work(connection: asyncpg.Connection, at: dt.datetime) -> pb.ReleaseCertificatesResponse:
            if await repository.transfer(connection, transfer) is None:
                raise NotFound(f"no transfer {request.transfer!r}")
            rows = await repository.release_certificates(connection, transfer, released)
            return pb.ReleaseCertificatesResponse(certificates=[certificate_message(r) for r in rows])

        return await self.tx.write("ReleaseCertificates", request, pb.ReleaseCertificatesResponse, work)
