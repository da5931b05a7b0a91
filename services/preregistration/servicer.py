"""PreregistrationService over gRPC: proto <-> use cases, role checks, nothing else."""

from __future__ import annotations

from deedflow.preregistration.v1 import preregistration_service_pb2 as pb
from deedflow.preregistration.v1 import preregistration_service_pb2_grpc
from services.preregistration.records import Premortgage, Preregistration
from services.preregistration.service import Preregistrations
from shared.auth import caller
from shared.batches import read_each
from shared.errors import FieldViolation, InvalidArgument
from shared.grpc.types import Context
from shared.parties import require_own_loan, require_ruling_actor


class PreregistrationServicer(preregistration_service_pb2_grpc.PreregistrationServiceServicer):
    def __init__(self, service: Preregistrations) -> None:
        self.service = service

    async def LodgePreregistration(
        self, request: pb.LodgePreregistrationRequest, context: Context
    ) -> pb.LodgePreregistrationResponse | bytes:
        return await self.service.lodge_preregistration(request, caller())

    async def LodgePremortgage(
        self, request: pb.LodgePremortgageRequest, context: Context
    ) -> pb.LodgePremortgageResponse | bytes:
        who = caller()
        require_own_loan(who, request.loan.bank.uscc, "loan.bank.uscc")
        if request.loan.amount_fen <= 0:
            raise InvalidArgument([FieldViolation("loan.amount_fen", "must be positive")])
        return await self.service.lodge_premortgage(request, who)

    async def GetPreregistration(
        self, request: pb.GetPreregistrationRequest, context: Context
    ) -> pb.GetPreregistrationResponse:
        return await self.service.get_preregistration(request, caller())

    async def GetPremortgage(
        self, request: pb.GetPremortgageRequest, context: Context
    ) -> pb.GetPremortgageResponse:
        return await self.service.get_premortgage(request, caller())

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
        await self.service.visible(Preregistration, request.name, who)
        if not request.HasField("joint") and not request.HasField("court_ruling"):
            raise InvalidArgument([FieldViolation("basis", "joint consent or a court ruling is required")])
        return await self.service.cancel_preregistration(request, who)

    async def ReleasePremortgage(
        self, request: pb.ReleasePremortgageRequest, context: Context
    ) -> pb.ReleasePremortgageResponse | bytes:
        who = caller()
        require_ruling_actor(who, request)
        await self.service.visible(Premortgage, request.name, who)
        return await self.service.release_premortgage(request, who)

    async def MarkConverted(
        self, request: pb.MarkConvertedRequest, context: Context
    ) -> pb.MarkConvertedResponse:
        return await self.service.mark_converted(request)

    async def MarkManyConverted(
        self, request: pb.MarkManyConvertedRequest, context: Context
    ) -> pb.MarkManyConvertedResponse:
        return pb.MarkManyConvertedResponse(outcomes=await self.service.mark_many_converted(request))
