"""TransferService over gRPC: proto <-> use cases, role checks, nothing else."""

from __future__ import annotations

import asyncio

from deedflow.transfer.v1 import transfer_service_pb2 as pb
from deedflow.transfer.v1 import transfer_service_pb2_grpc
from services.transfer.render import certificate_message, readable, seller, transfer_message
from services.transfer.service import Transfers
from shared import paging
from shared.auth import caller
from shared.batches import outcomes, refuse_repeated_request_ids
from shared.documents import issue
from shared.errors import DomainError, FieldViolation, InvalidArgument, NotFound
from shared.grpc.types import Context
from shared.ids import building_of
from shared.outcomes import REFUSALS
from shared.parties import require_own_sale, require_party
from shared.permits import building_developer, require_permit_holder

REFUSAL_CODES = frozenset(code.value[0] for code in REFUSALS)


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
        return await self.service.lodge_first_registration(request, who)

    async def GetFirstRegistration(
        self, request: pb.GetFirstRegistrationRequest, context: Context
    ) -> pb.GetFirstRegistrationResponse:
        return pb.GetFirstRegistrationResponse(
            first_registration=await self.service.get_first_registration(request.building_number)
        )

    async def RecordSiteInspection(
        self, request: pb.RecordSiteInspectionRequest, context: Context
    ) -> pb.RecordSiteInspectionResponse:
        if request.outcome == pb.SITE_INSPECTION_OUTCOME_NOT_AS_DESCRIBED and not request.findings.strip():
            raise InvalidArgument([FieldViolation("findings", "say what is not as described")])
        await building_developer(self.service.contracts, request.building_number)
        return await self.service.record_site_inspection(request, caller())

    async def LodgeTransfer(
        self, request: pb.LodgeTransferRequest, context: Context
    ) -> pb.LodgeTransferResponse | bytes:
        who = caller()
        require_own_sale(who, request.application.developer.uscc, "application.developer.uscc")
        return await self.service.lodge_transfer(request, who)

    async def LodgeTransfers(
        self, request: pb.LodgeTransfersRequest, context: Context
    ) -> pb.LodgeTransfersResponse:
        """Each request as LodgeTransfer alone, its stored answer looked up first; all side by
        side, so their calls to the other offices go out together."""
        refuse_repeated_request_ids(request.requests)

        async def one(single: pb.LodgeTransferRequest) -> pb.LodgeTransferResponse | DomainError:
            try:
                stored = await self.service.answered_transfer(single)
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
            reply = await self.service.lodge_transfer(single, who)
            return pb.LodgeTransferResponse.FromString(reply) if isinstance(reply, bytes) else reply

        response = pb.BatchLodgeTransfersResponse(outcomes=await self.service.batch(request, lodge))
        if all(o.HasField("transfer") or o.error.code in REFUSAL_CODES for o in response.outcomes):
            # Every unit has its final answer: the batch's own answer is kept for its retries.
            return await self.service.keep_batch_answer(request, response)
        return response

    async def GetTransfer(self, request: pb.GetTransferRequest, context: Context) -> pb.GetTransferResponse:
        row = await self.service.get_transfer(request.name)
        require_party(caller(), request.name, developer=seller(row))
        return pb.GetTransferResponse(transfer=transfer_message(row))

    async def GetCertificate(
        self, request: pb.GetCertificateRequest, context: Context
    ) -> pb.GetCertificateResponse:
        number = request.name.removeprefix("certificates/")
        row = await self.service.get_certificate(number)
        if row is None or not readable(caller(), row):
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
        rows = await self.service.list_certificates(request.unit_number, paging.position(request), size + 1)
        who = caller()
        return pb.ListCertificatesResponse(
            certificates=[certificate_message(r) for r in rows[:size] if readable(who, r)],
            next_page_token=paging.issue(rows[size - 1].certificate_number, request)
            if len(rows) > size
            else "",
        )

    async def ReleaseCertificates(
        self, request: pb.ReleaseCertificatesRequest, context: Context
    ) -> pb.ReleaseCertificatesResponse:
        return await self.service.release_certificates(request)
