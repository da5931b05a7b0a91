"""PreregistrationService over gRPC: proto <-> use cases, role checks, nothing else."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
from google.protobuf.timestamp_pb2 import Timestamp

from deedflow.casework.v1 import casework_service_pb2 as case_pb
from deedflow.casework.v1 import casework_service_pb2_grpc
from deedflow.preregistration.v1 import preregistration_service_pb2 as pb
from deedflow.preregistration.v1 import preregistration_service_pb2_grpc
from deedflow.type.v1 import parties_pb2
from services.preregistration.records import Premortgage, Preregistration, RightT
from services.preregistration.service import Preregistrations
from shared.auth import Role, caller
from shared.batches import answer_together, read_each
from shared.casework.service import Case, entering, lodge_or_enter
from shared.casework.servicer import case_message
from shared.documents import attach_proof, lapsed_at, standing_entry
from shared.errors import FieldViolation, InvalidArgument
from shared.grpc.types import Context
from shared.parties import require_own_loan, require_ruling_actor
from shared.permits import require_permit_holder
from shared.timestamps import to_timestamp
from shared.transactions import WorkOf


def _state(value: str) -> str:
    """The state's enum value name, which a message constructor takes (an unknown one raises)."""
    return f"PREREGISTRATION_STATE_{value}"


def preregistration_message(row: Preregistration) -> pb.Preregistration:
    return pb.Preregistration(
        name=f"preregistrations/{row.id}",
        unit_number=row.unit_number,
        contract=row.contract,
        filing_number=row.filing_number,
        holders=pb.Preregistration.FromString(row.holders).holders,
        developer=parties_pb2.Organization.FromString(row.developer),
        state=_state(row.state),
        registry_case=f"cases/{row.case_number}",
        proof_number=row.proof_number,
        entry=row.entry,
        register_time=to_timestamp(row.register_time),
    )


def premortgage_message(row: Premortgage) -> pb.Premortgage:
    return pb.Premortgage(
        name=f"premortgages/{row.id}",
        unit_number=row.unit_number,
        preregistration=f"preregistrations/{row.preregistration_id}",
        loan=parties_pb2.Loan.FromString(row.loan),
        mortgagors=pb.Premortgage.FromString(row.mortgagors).mortgagors,
        state=_state(row.state),
        registry_case=f"cases/{row.case_number}",
        proof_number=row.proof_number,
        entry=row.entry,
        register_time=to_timestamp(row.register_time),
    )


class PreregistrationServicer(preregistration_service_pb2_grpc.PreregistrationServiceServicer):
    def __init__(self, service: Preregistrations) -> None:
        self.service = service
        self.tx = service.tx
        cases, journal = service.cases, service.tx.journal
        journal.driver(
            "LodgePreregistration",
            entering(cases, pb.LodgePreregistrationRequest, self._preregistration_response),
        )
        journal.driver(
            "LodgePremortgage", entering(cases, pb.LodgePremortgageRequest, self._premortgage_response)
        )
        journal.driver(
            "CancelPreregistration",
            entering(cases, pb.CancelPreregistrationRequest, self._cancellation_response),
        )
        journal.driver(
            "ReleasePremortgage", entering(cases, pb.ReleasePremortgageRequest, self._release_response)
        )

    async def _preregistration_response(
        self, connection: asyncpg.Connection, request: pb.LodgePreregistrationRequest, case: Case
    ) -> pb.LodgePreregistrationResponse:
        row = await self.service.load_case_record(connection, Preregistration, case)
        return pb.LodgePreregistrationResponse(
            preregistration=preregistration_message(row), case_record=case_message(case)
        )

    async def _premortgage_response(
        self, connection: asyncpg.Connection, request: pb.LodgePremortgageRequest, case: Case
    ) -> pb.LodgePremortgageResponse:
        row = await self.service.load_case_record(connection, Premortgage, case)
        return pb.LodgePremortgageResponse(
            premortgage=premortgage_message(row), case_record=case_message(case)
        )

    async def _cancellation_response(
        self, connection: asyncpg.Connection, request: pb.CancelPreregistrationRequest, case: Case
    ) -> pb.CancelPreregistrationResponse:
        row = await self.service.load(connection, Preregistration, request.name)
        return pb.CancelPreregistrationResponse(preregistration=preregistration_message(row))

    async def _release_response(
        self, connection: asyncpg.Connection, request: pb.ReleasePremortgageRequest, case: Case
    ) -> pb.ReleasePremortgageResponse:
        row = await self.service.load(connection, Premortgage, request.name)
        return pb.ReleasePremortgageResponse(premortgage=premortgage_message(row))

    async def LodgePreregistration(
        self, request: pb.LodgePreregistrationRequest, context: Context
    ) -> pb.LodgePreregistrationResponse | bytes:
        who = caller()
        contract = await self.service.filed_contract(request)
        if who.role is Role.CLERK:
            # The buyers' side alone (CQ 61 ¶2), at the counter: each buyer signed the application.
            self.service.check_buyers_application(request, contract, self.tx.clock.now())
        else:
            # The seller's side: only the developer of the contract lodges its buyers' 预告.
            require_permit_holder(
                who, contract.terms.developer.uscc, request.developer.uscc, "developer.uscc", request.contract
            )

        async def lodge(connection: asyncpg.Connection, at: dt.datetime, operation: uuid.UUID | None) -> Case:
            return await self.service.lodge_preregistration(
                connection, at, request, contract, who.uri, operation
            )

        return await lodge_or_enter(
            self.tx,
            "LodgePreregistration",
            request,
            pb.LodgePreregistrationResponse,
            lodge,
            self._preregistration_response,
        )

    async def LodgePremortgage(
        self, request: pb.LodgePremortgageRequest, context: Context
    ) -> pb.LodgePremortgageResponse | bytes:
        who = caller()
        require_own_loan(who, request.loan.bank.uscc, "loan.bank.uscc")
        if request.loan.amount_fen <= 0:
            raise InvalidArgument([FieldViolation("loan.amount_fen", "must be positive")])
        await self.service.check_premortgage_consent(request, who, self.tx.clock.now())

        async def lodge(connection: asyncpg.Connection, at: dt.datetime, operation: uuid.UUID | None) -> Case:
            return await self.service.lodge_premortgage(connection, at, request, who.uri, operation)

        return await lodge_or_enter(
            self.tx,
            "LodgePremortgage",
            request,
            pb.LodgePremortgageResponse,
            lodge,
            self._premortgage_response,
        )

    async def _visible(self, kind: type[RightT], name: str) -> RightT:
        visible: RightT = await self.tx.query(lambda c: self.service.load_for(c, kind, name, caller()))
        return visible

    async def _readable(self, kind: type[RightT], name: str) -> RightT:
        readable: RightT = await self.tx.query(lambda c: self.service.load_readable(c, kind, name, caller()))
        return readable

    async def _as_the_book_shows(self, message: pb.Preregistration | pb.Premortgage) -> None:
        """The book prevails (民法典 216-217): a 预告 or 预抵押 the law has ended by lapse (民法典
        221: no transfer applied for within 90 days of first registration) shows as lapsed,
        with its lapse time, although no case of this office ended it."""
        # Renumbered at the as-built survey, it names the as-built unit the book carried it to,
        # with its rank (担保制度解释 52), where the transfer will find it.
        entry = await standing_entry(self.service.registry, message)
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
        pending = await casework_service_pb2_grpc.CaseworkServiceStub(
            self.service.peer("transfer")
        ).ListCases(request)
        return bool(pending.cases)

    async def GetPreregistration(
        self, request: pb.GetPreregistrationRequest, context: Context
    ) -> pb.GetPreregistrationResponse:
        row = await self._readable(Preregistration, request.name)
        response = pb.GetPreregistrationResponse(preregistration=preregistration_message(row))
        if not request.as_recorded:
            await self._as_the_book_shows(response.preregistration)
        if request.with_document:
            await attach_proof(
                self.service.registry,
                row.entry,
                row.proof_number,
                response.preregistration,
                response.proof_document,
            )
        return response

    async def GetPremortgage(
        self, request: pb.GetPremortgageRequest, context: Context
    ) -> pb.GetPremortgageResponse:
        row = await self._readable(Premortgage, request.name)
        response = pb.GetPremortgageResponse(premortgage=premortgage_message(row))
        if not request.as_recorded:
            await self._as_the_book_shows(response.premortgage)
        if request.with_document:
            await attach_proof(
                self.service.registry,
                row.entry,
                row.proof_number,
                response.premortgage,
                response.proof_document,
            )
        return response

    async def GetPreregistrations(
        self, request: pb.GetPreregistrationsRequest, context: Context
    ) -> pb.GetPreregistrationsResponse:
        return pb.GetPreregistrationsResponse(
            outcomes=await read_each(
                request.requests,
                lambda r: self.GetPreregistration(r, context),
                pb.GetPreregistrationOutcome,
                "deedflow.preregistration",
            )
        )

    async def GetPremortgages(
        self, request: pb.GetPremortgagesRequest, context: Context
    ) -> pb.GetPremortgagesResponse:
        return pb.GetPremortgagesResponse(
            outcomes=await read_each(
                request.requests,
                lambda r: self.GetPremortgage(r, context),
                pb.GetPremortgageOutcome,
                "deedflow.preregistration",
            )
        )

    async def CancelPreregistration(
        self, request: pb.CancelPreregistrationRequest, context: Context
    ) -> pb.CancelPreregistrationResponse | bytes:
        who = caller()
        require_ruling_actor(who, request)
        await self._visible(Preregistration, request.name)
        if not request.HasField("joint") and not request.HasField("court_ruling"):
            raise InvalidArgument([FieldViolation("basis", "joint consent or a court ruling is required")])
        await self.service.check_cancellation_consent(request, self.tx.clock.now())

        async def begin(connection: asyncpg.Connection, at: dt.datetime, operation: uuid.UUID) -> str:
            case = await self.service.lodge_cancellation(connection, at, request, who.uri, operation)
            return case.name

        return await self.tx.operate("CancelPreregistration", request, "CancelPreregistration", begin)

    async def ReleasePremortgage(
        self, request: pb.ReleasePremortgageRequest, context: Context
    ) -> pb.ReleasePremortgageResponse | bytes:
        who = caller()
        require_ruling_actor(who, request)
        await self._visible(Premortgage, request.name)
        await self.service.check_release_consent(request, self.tx.clock.now())

        async def begin(connection: asyncpg.Connection, at: dt.datetime, operation: uuid.UUID) -> str:
            case = await self.service.lodge_release(connection, at, request, who.uri, operation)
            return case.name

        return await self.tx.operate("ReleasePremortgage", request, "ReleasePremortgage", begin)

    async def MarkConverted(
        self, request: pb.MarkConvertedRequest, context: Context
    ) -> pb.MarkConvertedResponse:
        return await self.tx.write(
            "MarkConverted", request, pb.MarkConvertedResponse, await self._convert(request)
        )

    async def MarkManyConverted(
        self, request: pb.MarkManyConvertedRequest, context: Context
    ) -> pb.MarkManyConvertedResponse:
        outcomes = await answer_together(
            self.tx,
            "MarkConverted",
            request,
            pb.MarkConvertedResponse,
            pb.MarkConvertedOutcome,
            "deedflow.preregistration",
            self._convert,
            lambda one: self.MarkConverted(one, context),
        )
        return pb.MarkManyConvertedResponse(outcomes=outcomes)

    async def _convert(self, request: pb.MarkConvertedRequest) -> WorkOf[pb.MarkConvertedResponse]:
        async def work(connection: asyncpg.Connection, at: dt.datetime) -> pb.MarkConvertedResponse:
            prereg, premortgage = await self.service.mark_converted(
                connection, at, request.preregistration, request.transfer_case
            )
            response = pb.MarkConvertedResponse(preregistration=preregistration_message(prereg))
            if premortgage is not None:
                response.premortgage.CopyFrom(premortgage_message(premortgage))
            return response

        return work
