"""ContractService over gRPC: proto <-> use cases, role checks, nothing else."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg

from deedflow.contract.v1 import contract_service_pb2 as pb
from deedflow.contract.v1 import contract_service_pb2_grpc
from deedflow.type.v1 import parties_pb2
from deedflow.type.v1.reasons import Reason
from services.contract import repository
from services.contract.domain import ContractState, term_violations
from services.contract.records import Project, UnitOnSale
from services.contract.service import ContractRecord, Contracts, parse_contract_name
from shared import guardians, paging, statements
from shared.auth import caller
from shared.batches import answer_together, read_each
from shared.districts import authority_violations
from shared.errors import FieldViolation, InvalidArgument, NotFound
from shared.grpc.types import Context
from shared.ids import building_of
from shared.journal import Operation, Render
from shared.parties import is_party, require_own_sale, require_ruling_actor
from shared.timestamps import to_timestamp
from shared.transactions import WorkOf

DEFAULT_PAGE = 100
MAX_PAGE = 1000


def _page_size(value: int) -> int:
    return min(value or DEFAULT_PAGE, MAX_PAGE)


def project_message(row: Project) -> pb.Project:
    return pb.Project(
        name=f"projects/{row.presale_permit_number}",
        display_name=row.display_name,
        presale_permit_number=row.presale_permit_number,
        developer=parties_pb2.Organization(name=row.developer_name, uscc=row.developer_uscc),
        permit_time=to_timestamp(row.permit_time),
        create_time=to_timestamp(row.create_time),
    )


_SALE_STATE = {
    None: pb.UNIT_SALE_STATE_ON_SALE,
    ContractState.DRAFTED.value: pb.UNIT_SALE_STATE_CONTRACTING,
    ContractState.SIGNED.value: pb.UNIT_SALE_STATE_CONTRACTING,
    ContractState.FILED.value: pb.UNIT_SALE_STATE_CONTRACTED,
    ContractState.TRANSFERRED.value: pb.UNIT_SALE_STATE_TRANSFERRED,
}


def unit_message(row: UnitOnSale, restricted: bool = False) -> pb.Unit:
    """The unit as the caller may see it: which contract holds it is the developer's business."""
    shown = row.contract_id is not None and is_party(caller(), row.developer_uscc)
    return pb.Unit(
        name=f"units/{row.unit_number}",
        unit_number=row.unit_number,
        project=f"projects/{row.presale_permit_number}",
        room_label=row.room_label,
        gross_area_dm2=row.gross_area_dm2,
        residential=row.residential,
        sale_state=pb.UNIT_SALE_STATE_RESTRICTED if restricted else _SALE_STATE[row.contract_state],
        contract=f"contracts/{row.contract_id}" if shown else "",
        developer_uscc=row.developer_uscc,
    )


def contract_message(record: ContractRecord) -> pb.Contract:
    row = record.row
    return pb.Contract(
        name=f"contracts/{row.id}",
        terms=record.terms,
        state=f"CONTRACT_STATE_{row.state}",
        canonical_bytes=statements.contract_terms(record.terms),
        digest=row.digest,
        signatures=[
            pb.SignatureEvidence(
                signature=parties_pb2.Signature(
                    signer=s.signer,
                    algorithm=f"SIGNATURE_ALGORITHM_{s.algorithm}",
                    signature=s.signature,
                    certificate_pem=s.certificate_pem,
                    sign_time=to_timestamp(s.sign_time),
                ),
                certificate_sha256=s.certificate_sha256,
                digest=s.digest,
                verify_time=to_timestamp(s.verify_time),
            )
            for s in record.signatures
        ],
        pending_signers=record.pending,
        filing_number=row.filing_number or "",
        file_time=to_timestamp(row.file_time),
        filing_due_time=to_timestamp(row.filing_due_time),
        filed_late=row.file_time is not None
        and row.filing_due_time is not None
        and row.file_time > row.filing_due_time,
        cancellation_basis=row.cancellation_basis,
        create_time=to_timestamp(row.create_time),
        update_time=to_timestamp(row.update_time),
    )


class ContractServicer(contract_service_pb2_grpc.ContractServiceServicer):
    def __init__(self, contracts: Contracts) -> None:
        self.contracts = contracts
        self.tx = contracts.tx
        contracts.tx.journal.driver("CreateProject", self._recorded_project)

    async def _recorded_project(self, op: Operation) -> Render:
        request = pb.CreateProjectRequest.FromString(op.input)
        await self.contracts.record_buildings(op, request)

        async def render(connection: asyncpg.Connection) -> pb.CreateProjectResponse:
            row = await self.contracts.project(connection, f"projects/{request.presale_permit_number}")
            project = project_message(row)
            project.building_numbers.extend(sorted({building_of(u.unit_number) for u in request.units}))
            return pb.CreateProjectResponse(project=project)

        return render

    async def CreateProject(
        self, request: pb.CreateProjectRequest, context: Context
    ) -> pb.CreateProjectResponse | bytes:
        unknown = authority_violations(
            (f"units[{i}].unit_number", u.unit_number) for i, u in enumerate(request.units)
        )
        if unknown:
            raise InvalidArgument(unknown)

        async def begin(connection: asyncpg.Connection, at: dt.datetime, operation: uuid.UUID) -> str:
            await self.contracts.create_project(connection, at, request)
            return f"projects/{request.presale_permit_number}"

        return await self.tx.operate("CreateProject", request, "CreateProject", begin)

    async def GetProject(self, request: pb.GetProjectRequest, context: Context) -> pb.GetProjectResponse:
        async def work(connection: asyncpg.Connection) -> pb.Project:
            row = await self.contracts.project(connection, request.name)
            project = project_message(row)
            project.building_numbers.extend(
                await repository.project_buildings(connection, row.presale_permit_number)
            )
            return project

        return pb.GetProjectResponse(project=await self.tx.read(work))

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

        after = paging.position(request)

        async def work(connection: asyncpg.Connection) -> tuple[list[UnitOnSale], bool]:
            permit = None
            if request.project:
                permit = (await self.contracts.project(connection, request.project)).presale_permit_number
            size = _page_size(request.page_size)
            rows = await repository.units(
                connection,
                permit,
                request.building_number,
                sale_state,
                after,
                size + 1,
            )
            return rows[:size], len(rows) > size

        rows, more = await self.tx.read(work)
        wanted = [
            r for r in rows if not request.sale_state or _SALE_STATE[r.contract_state] == request.sale_state
        ]
        return pb.ListUnitsResponse(
            units=[unit_message(r) for r in wanted],
            next_page_token=paging.issue(rows[-1].unit_number, request) if more else "",
        )

    async def GetUnit(self, request: pb.GetUnitRequest, context: Context) -> pb.GetUnitResponse:
        row = await self.tx.query(lambda c: repository.unit(c, request.unit_number))
        if row is None:
            raise NotFound(f"unit {request.unit_number} is not covered by any presale permit")
        blockers = await self.contracts.unit_blockers(request.unit_number, [])
        reasons = [b.reason for b in blockers]
        if row.contract_id is not None:
            reasons.insert(0, Reason.UNIT_ALREADY_CONTRACTED)
        return pb.GetUnitResponse(
            unit=unit_message(row, restricted=Reason.UNIT_SEIZED in reasons), blocking_reasons=reasons
        )

    async def CreateContract(
        self, request: pb.CreateContractRequest, context: Context
    ) -> pb.CreateContractResponse:
        require_own_sale(caller(), request.terms.developer.uscc, "terms.developer.uscc")
        today = guardians.day_of(self.tx.clock.now())
        violations = term_violations(request.terms) + guardians.violations(
            request.terms.buyers, today, "terms"
        )
        if violations:
            raise InvalidArgument(violations)
        await self.tx.read(lambda c: self.contracts.check_unit(c, request.terms))
        blockers = await self.contracts.contract_blockers(request.terms)

        async def work(connection: asyncpg.Connection, at: dt.datetime) -> pb.CreateContractResponse:
            record = await self.contracts.create_contract(
                connection, at, request.request_id, request.terms, blockers
            )
            # Signed in the same transaction: one refused signature and nothing is created.
            for i, signature in enumerate(request.signatures):
                record = await self.contracts.sign(
                    connection, at, record.row.id, signature, f"signatures[{i}]"
                )
            return pb.CreateContractResponse(contract=contract_message(record))

        return await self.tx.write("CreateContract", request, pb.CreateContractResponse, work)

    async def _party_to(self, name: str) -> uuid.UUID:
        """The contract's id, once the caller is known to be a party to it (else NOT_FOUND)."""
        contract_id = parse_contract_name(name)
        developer = await self.tx.query(lambda c: repository.contract_developer(c, contract_id))
        if developer is None or not is_party(caller(), developer):
            raise NotFound(f"no contract {name!r}")
        return contract_id

    async def GetContract(self, request: pb.GetContractRequest, context: Context) -> pb.GetContractResponse:
        contract_id = parse_contract_name(request.name)
        who = caller()

        async def read(connection: asyncpg.Connection) -> ContractRecord:
            # The row is read once: it names the seller the caller must be a party to.
            row = await repository.contract(connection, contract_id)
            if row is None or not is_party(who, row.developer_uscc):
                raise NotFound(f"no contract {request.name!r}")
            return await self.contracts.record_of(connection, row)

        return pb.GetContractResponse(contract=contract_message(await self.tx.query(read)))

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
        size = _page_size(request.page_size)
        state = pb.ContractState.Name(request.state).removeprefix("CONTRACT_STATE_") if request.state else ""

        async def work(connection: asyncpg.Connection) -> tuple[list[ContractRecord], bool]:
            rows = await repository.contracts(
                connection,
                request.project.removeprefix("projects/"),
                request.unit_number,
                state,
                after,
                size + 1,
            )
            return [await self.contracts.load(connection, r.id) for r in rows[:size]], len(rows) > size

        records, more = await self.tx.read(work)
        who = caller()
        return pb.ListContractsResponse(
            contracts=[contract_message(r) for r in records if is_party(who, r.row.developer_uscc)],
            next_page_token=paging.issue(str(records[-1].row.id), request) if more else "",
        )

    async def SignContract(
        self, request: pb.SignContractRequest, context: Context
    ) -> pb.SignContractResponse:
        contract_id = await self._party_to(request.name)

        async def work(connection: asyncpg.Connection, at: dt.datetime) -> pb.SignContractResponse:
            record = await self.contracts.sign(connection, at, contract_id, request.signature)
            return pb.SignContractResponse(contract=contract_message(record))

        return await self.tx.write("SignContract", request, pb.SignContractResponse, work)

    async def FileContract(
        self, request: pb.FileContractRequest, context: Context
    ) -> pb.FileContractResponse:
        contract_id = await self._party_to(request.name)

        async def work(connection: asyncpg.Connection, at: dt.datetime) -> pb.FileContractResponse:
            record = await self.contracts.file(connection, at, contract_id)
            return pb.FileContractResponse(contract=contract_message(record))

        return await self.tx.write("FileContract", request, pb.FileContractResponse, work)

    async def CancelContract(
        self, request: pb.CancelContractRequest, context: Context
    ) -> pb.CancelContractResponse:
        require_ruling_actor(caller(), request)
        contract_id = await self._party_to(request.name)
        if not request.HasField("joint") and not request.HasField("court_ruling"):
            raise InvalidArgument([FieldViolation("basis", "joint consent or a court ruling is required")])
        blockers = await self.contracts.reopening_blockers(contract_id)

        async def work(connection: asyncpg.Connection, at: dt.datetime) -> pb.CancelContractResponse:
            record = await self.contracts.cancel(connection, at, contract_id, request, blockers)
            return pb.CancelContractResponse(contract=contract_message(record))

        return await self.tx.write("CancelContract", request, pb.CancelContractResponse, work)

    async def MarkContractTransferred(
        self, request: pb.MarkContractTransferredRequest, context: Context
    ) -> pb.MarkContractTransferredResponse:
        return await self.tx.write(
            "MarkContractTransferred",
            request,
            pb.MarkContractTransferredResponse,
            await self._mark_transferred(request),
        )

    async def MarkContractsTransferred(
        self, request: pb.MarkContractsTransferredRequest, context: Context
    ) -> pb.MarkContractsTransferredResponse:
        outcomes = await answer_together(
            self.tx,
            "MarkContractTransferred",
            request,
            pb.MarkContractTransferredResponse,
            pb.MarkContractTransferredOutcome,
            "deedflow.contract",
            self._mark_transferred,
            lambda one: self.MarkContractTransferred(one, context),
        )
        return pb.MarkContractsTransferredResponse(outcomes=outcomes)

    async def _mark_transferred(
        self, request: pb.MarkContractTransferredRequest
    ) -> WorkOf[pb.MarkContractTransferredResponse]:
        contract_id = parse_contract_name(request.name)

        async def work(connection: asyncpg.Connection, at: dt.datetime) -> pb.MarkContractTransferredResponse:
            record = await self.contracts.mark_transferred(
                connection, at, contract_id, request.certificate_number
            )
            return pb.MarkContractTransferredResponse(contract=contract_message(record))

        return work
