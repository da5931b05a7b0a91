"""ContractService over gRPC: proto <-> use cases, role checks, nothing else."""

from __future__ import annotations

import uuid

from deedflow.contract.v1 import contract_service_pb2 as pb
from deedflow.contract.v1 import contract_service_pb2_grpc
from deedflow.type.v1.reasons import Reason
from services.contract.domain import term_violations
from services.contract.render import SALE_STATE, contract_message, unit_message
from services.contract.service import Contracts
from shared import guardians, paging
from shared.auth import caller
from shared.batches import read_each
from shared.districts import authority_violations
from shared.errors import FieldViolation, InvalidArgument
from shared.grpc.types import Context
from shared.parties import is_party, require_own_sale, require_ruling_actor

DEFAULT_PAGE = 100
MAX_PAGE = 1000


def _page_size(value: int) -> int:
    return min(value or DEFAULT_PAGE, MAX_PAGE)


class ContractServicer(contract_service_pb2_grpc.ContractServiceServicer):
    def __init__(self, contracts: Contracts) -> None:
        self.contracts = contracts

    async def CreateProject(
        self, request: pb.CreateProjectRequest, context: Context
    ) -> pb.CreateProjectResponse | bytes:
        unknown = authority_violations(
            (f"units[{i}].unit_number", u.unit_number) for i, u in enumerate(request.units)
        )
        if unknown:
            raise InvalidArgument(unknown)
        return await self.contracts.create_project(request)

    async def GetProject(self, request: pb.GetProjectRequest, context: Context) -> pb.GetProjectResponse:
        return pb.GetProjectResponse(project=await self.contracts.get_project(request.name))

    async def ListUnits(self, request: pb.ListUnitsRequest, context: Context) -> pb.ListUnitsResponse:
        if request.sale_state == pb.UNIT_SALE_STATE_RESTRICTED:
            raise InvalidArgument(
                [FieldViolation("sale_state", "RESTRICTED comes from the register; ask GetUnit for one unit")]
            )
        sale_state = (
            pb.UnitSaleState.Name(request.sale_state).removeprefix("UNIT_SALE_STATE_")
            if request.sale_state
            else ""
        )
        if not request.project and not request.building_number:
            raise InvalidArgument([FieldViolation("project", "a project or a building_number is required")])
        rows, more = await self.contracts.list_units(
            request.project,
            request.building_number,
            sale_state,
            paging.position(request),
            _page_size(request.page_size),
        )
        wanted = [
            r for r in rows if not request.sale_state or SALE_STATE[r.contract_state] == request.sale_state
        ]
        return pb.ListUnitsResponse(
            units=[unit_message(r) for r in wanted],
            next_page_token=paging.issue(rows[-1].unit_number, request) if more else "",
        )

    async def GetUnit(self, request: pb.GetUnitRequest, context: Context) -> pb.GetUnitResponse:
        row, reasons = await self.contracts.get_unit(request.unit_number)
        return pb.GetUnitResponse(
            unit=unit_message(row, restricted=Reason.UNIT_SEIZED in reasons), blocking_reasons=reasons
        )

    async def CreateContract(
        self, request: pb.CreateContractRequest, context: Context
    ) -> pb.CreateContractResponse:
        require_own_sale(caller(), request.terms.developer.uscc, "terms.developer.uscc")
        today = guardians.day_of(self.contracts.tx.clock.now())
        violations = term_violations(request.terms) + guardians.violations(
            request.terms.buyers, today, "terms"
        )
        if violations:
            raise InvalidArgument(violations)
        return await self.contracts.create_contract(request)

    async def GetContract(self, request: pb.GetContractRequest, context: Context) -> pb.GetContractResponse:
        return pb.GetContractResponse(
            contract=contract_message(await self.contracts.get_contract(request.name, caller()))
        )

    async def GetContracts(
        self, request: pb.GetContractsRequest, context: Context
    ) -> pb.GetContractsResponse:
        return pb.GetContractsResponse(
            outcomes=await read_each(
                request.requests,
                lambda r: self.GetContract(r, context),
                pb.GetContractOutcome,
                "deedflow.contract",
            )
        )

    async def ListContracts(
        self, request: pb.ListContractsRequest, context: Context
    ) -> pb.ListContractsResponse:
        position = paging.position(request)
        after = uuid.UUID(position) if position else None
        state = pb.ContractState.Name(request.state).removeprefix("CONTRACT_STATE_") if request.state else ""
        records, more = await self.contracts.list_contracts(
            request.project, request.unit_number, state, after, _page_size(request.page_size)
        )
        who = caller()
        return pb.ListContractsResponse(
            contracts=[contract_message(r) for r in records if is_party(who, r.row.developer_uscc)],
            next_page_token=paging.issue(str(records[-1].row.id), request) if more else "",
        )

    async def SignContract(
        self, request: pb.SignContractRequest, context: Context
    ) -> pb.SignContractResponse:
        return await self.contracts.sign_contract(request, caller())

    async def FileContract(
        self, request: pb.FileContractRequest, context: Context
    ) -> pb.FileContractResponse:
        return await self.contracts.file_contract(request, caller())

    async def CancelContract(
        self, request: pb.CancelContractRequest, context: Context
    ) -> pb.CancelContractResponse:
        who = caller()
        require_ruling_actor(who, request)
        contract_id = await self.contracts.party_to(request.name, who)
        if not request.HasField("joint") and not request.HasField("court_ruling"):
            raise InvalidArgument([FieldViolation("basis", "joint consent or a court ruling is required")])
        return await self.contracts.cancel_contract(request, contract_id)

    async def MarkContractTransferred(
        self, request: pb.MarkContractTransferredRequest, context: Context
    ) -> pb.MarkContractTransferredResponse:
        return await self.contracts.mark_contract_transferred(request)

    async def MarkContractsTransferred(
        self, request: pb.MarkContractsTransferredRequest, context: Context
    ) -> pb.MarkContractsTransferredResponse:
        return pb.MarkContractsTransferredResponse(
            outcomes=await self.contracts.mark_contracts_transferred(request)
        )
