"""Contract use cases: presale projects, drafting, signing, filing, cancelling (网签备案)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from functools import partial

import asyncpg
import grpc

from deedflow.contract.v1 import contract_service_pb2 as pb
from deedflow.registry.v1 import registry_service_pb2 as registry_pb
from deedflow.registry.v1 import registry_service_pb2_grpc
from deedflow.type.v1 import parties_pb2
from deedflow.type.v1.reasons import Reason
from services.contract import repository
from services.contract.domain import (
    ContractState,
    buyer_party,
    canonical_bytes,
    check_can_cancel,
    check_can_file,
    check_can_sign,
    digest_of,
    filing_due,
    filing_number,
)
from services.contract.records import Contract, ContractRecord, ContractSignature, Project, UnitOnSale
from services.contract.render import contract_message, project_message
from shared import statements
from shared.auth import Caller, caller
from shared.batches import answer_together
from shared.errors import AlreadyExists, FailedPrecondition, NotFound
from shared.ids import building_of, request_derived_id
from shared.journal import Journal, Operation, Render
from shared.names import parse_uuid_name
from shared.parties import is_party
from shared.purchase_terms import signed_statement, signer_identity
from shared.signing import algorithm_of, verify
from shared.transactions import Transactions, WorkOf

# Contract ids derive from the request that created them.
_NAMESPACE = uuid.UUID("0b6f4a8e-3c1d-4f5e-9a7b-2d8c6e4f1a30")


def parse_contract_name(name: str) -> uuid.UUID:
    return parse_uuid_name(name, "contracts")


class Contracts:
    def __init__(self, journal: Journal, ca_pem: bytes, peer: Callable[[str], grpc.aio.Channel]) -> None:
        self.tx = Transactions(journal, "deedflow.contract.v1.ContractService")
        self.ca_pem = ca_pem
        self.peer = peer
        journal.driver("CreateProject", self._project_recorded)

    @property
    def registry(self) -> registry_service_pb2_grpc.RegistryServiceStub:
        return registry_service_pb2_grpc.RegistryServiceStub(self.peer("registry"))

    # Use cases: each opens its transactions around the named units of work below.

    async def create_project(self, request: pb.CreateProjectRequest) -> pb.CreateProjectResponse | bytes:
        return await self.tx.operate(
            "CreateProject", request, "CreateProject", partial(self._project_begun, request=request)
        )

    async def get_project(self, name: str) -> pb.Project:
        return await self.tx.read(self._project_shown, name)

    async def list_units(
        self, project: str, building_number: str, sale_state: str, after: str, size: int
    ) -> tuple[list[UnitOnSale], bool]:
        """A page of a project's (or a building's) units, and whether more follow."""
        return await self.tx.read(self._units, project, building_number, sale_state, after, size)

    async def get_unit(self, unit_number: str) -> tuple[UnitOnSale, list[str]]:
        """The unit on sale and the reasons it may not be sold now."""
        row = await self.tx.query(repository.unit, unit_number)
        if row is None:
            raise NotFound(f"unit {unit_number} is not covered by any presale permit")
        reasons = [b.reason for b in await self.unit_blockers(unit_number, [])]
        if row.contract_id is not None:
            reasons.insert(0, Reason.UNIT_ALREADY_CONTRACTED)
        return row, reasons

    async def create_contract(self, request: pb.CreateContractRequest) -> pb.CreateContractResponse:
        await self.tx.read(self.check_unit, request.terms)
        blockers = await self.contract_blockers(request.terms)
        return await self.tx.write(
            "CreateContract", request, pb.CreateContractResponse, self._created, request, blockers
        )

    async def party_to(self, name: str, who: Caller) -> uuid.UUID:
        """The contract's id, once the caller is known to be a party to it (else NOT_FOUND)."""
        contract_id = parse_contract_name(name)
        developer = await self.tx.query(repository.contract_developer, contract_id)
        if developer is None or not is_party(who, developer):
            raise NotFound(f"no contract {name!r}")
        return contract_id

    async def get_contract(self, name: str, who: Caller) -> ContractRecord:
        return await self.tx.query(self._readable, name, who)

    async def list_contracts(
        self, project: str, unit_number: str, state: str, after: uuid.UUID | None, size: int
    ) -> tuple[list[ContractRecord], bool]:
        """A page of contracts, and whether more follow."""
        return await self.tx.read(self._contracts, project, unit_number, state, after, size)

    async def sign_contract(self, request: pb.SignContractRequest, who: Caller) -> pb.SignContractResponse:
        contract_id = await self.party_to(request.name, who)
        return await self.tx.write(
            "SignContract", request, pb.SignContractResponse, self._signed, contract_id, request.signature
        )

    async def file_contract(self, request: pb.FileContractRequest, who: Caller) -> pb.FileContractResponse:
        contract_id = await self.party_to(request.name, who)
        return await self.tx.write("FileContract", request, pb.FileContractResponse, self._filed, contract_id)

    async def cancel_contract(
        self, request: pb.CancelContractRequest, contract_id: uuid.UUID
    ) -> pb.CancelContractResponse:
        blockers = await self.reopening_blockers(contract_id)
        return await self.tx.write(
            "CancelContract",
            request,
            pb.CancelContractResponse,
            self._cancelled,
            contract_id,
            request,
            blockers,
        )

    async def mark_contract_transferred(
        self, request: pb.MarkContractTransferredRequest
    ) -> pb.MarkContractTransferredResponse:
        return await self.tx.write(
            "MarkContractTransferred",
            request,
            pb.MarkContractTransferredResponse,
            await self._marking_transferred(request),
        )

    async def mark_contracts_transferred(
        self, batch: pb.MarkContractsTransferredRequest
    ) -> list[pb.MarkContractTransferredOutcome]:
        """Each contract of the batch marked as alone, in one transaction for all."""
        return await answer_together(
            self.tx,
            "MarkContractTransferred",
            batch,
            pb.MarkContractTransferredResponse,
            pb.MarkContractTransferredOutcome,
            "deedflow.contract",
            self._marking_transferred,
            self.mark_contract_transferred,
        )

    # Units of work, each in the transaction its use case opened.

    async def _project_begun(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        operation: uuid.UUID,
        request: pb.CreateProjectRequest,
    ) -> str:
        await self.record_project(connection, at, request)
        return f"projects/{request.presale_permit_number}"

    async def _project_recorded(self, op: Operation) -> Render:
        """CreateProject's driver: the units' facts go into the book, then the answer."""
        request = pb.CreateProjectRequest.FromString(op.input)
        await self.record_buildings(op, request)
        return partial(self._project_created, request=request)

    async def _project_created(
        self, connection: asyncpg.Connection, request: pb.CreateProjectRequest
    ) -> pb.CreateProjectResponse:
        project = project_message(await self.project(connection, f"projects/{request.presale_permit_number}"))
        project.building_numbers.extend(sorted({building_of(u.unit_number) for u in request.units}))
        return pb.CreateProjectResponse(project=project)

    async def _project_shown(self, connection: asyncpg.Connection, name: str) -> pb.Project:
        row = await self.project(connection, name)
        project = project_message(row)
        project.building_numbers.extend(
            await repository.project_buildings(connection, row.presale_permit_number)
        )
        return project

    async def _units(
        self,
        connection: asyncpg.Connection,
        project: str,
        building_number: str,
        sale_state: str,
        after: str,
        size: int,
    ) -> tuple[list[UnitOnSale], bool]:
        permit = (await self.project(connection, project)).presale_permit_number if project else None
        rows = await repository.units(connection, permit, building_number, sale_state, after, size + 1)
        return rows[:size], len(rows) > size

    async def _created(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        request: pb.CreateContractRequest,
        blockers: list[registry_pb.Restriction],
    ) -> pb.CreateContractResponse:
        record = await self.new_contract(connection, at, request.request_id, request.terms, blockers)
        # Signed in the same transaction: one refused signature and nothing is created.
        for i, signature in enumerate(request.signatures):
            record = await self.sign(connection, at, record.row.id, signature, f"signatures[{i}]")
        return pb.CreateContractResponse(contract=contract_message(record))

    async def _readable(self, connection: asyncpg.Connection, name: str, who: Caller) -> ContractRecord:
        # The row is read once: it names the seller the caller must be a party to.
        row = await repository.contract(connection, parse_contract_name(name))
        if row is None or not is_party(who, row.developer_uscc):
            raise NotFound(f"no contract {name!r}")
        return await self.record_of(connection, row)

    async def _contracts(
        self,
        connection: asyncpg.Connection,
        project: str,
        unit_number: str,
        state: str,
        after: uuid.UUID | None,
        size: int,
    ) -> tuple[list[ContractRecord], bool]:
        rows = await repository.contracts(
            connection, project.removeprefix("projects/"), unit_number, state, after, size + 1
        )
        return [await self.load(connection, r.id) for r in rows[:size]], len(rows) > size

    async def _signed(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        contract_id: uuid.UUID,
        signature: parties_pb2.Signature,
    ) -> pb.SignContractResponse:
        return pb.SignContractResponse(
            contract=contract_message(await self.sign(connection, at, contract_id, signature))
        )

    async def _filed(
        self, connection: asyncpg.Connection, at: dt.datetime, contract_id: uuid.UUID
    ) -> pb.FileContractResponse:
        return pb.FileContractResponse(
            contract=contract_message(await self.file(connection, at, contract_id))
        )

    async def _cancelled(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        contract_id: uuid.UUID,
        request: pb.CancelContractRequest,
        blockers: list[registry_pb.Restriction],
    ) -> pb.CancelContractResponse:
        record = await self.cancel(connection, at, contract_id, request, blockers)
        return pb.CancelContractResponse(contract=contract_message(record))

    async def _marking_transferred(
        self, request: pb.MarkContractTransferredRequest
    ) -> WorkOf[pb.MarkContractTransferredResponse]:
        """The unit of work marking one contract (it needs no reads beforehand)."""
        return partial(self._transferred, request=request)

    async def _transferred(
        self, connection: asyncpg.Connection, at: dt.datetime, request: pb.MarkContractTransferredRequest
    ) -> pb.MarkContractTransferredResponse:
        record = await self.mark_transferred(
            connection, at, parse_contract_name(request.name), request.certificate_number
        )
        return pb.MarkContractTransferredResponse(contract=contract_message(record))

    # Projects (楼盘表)

    async def record_project(
        self, connection: asyncpg.Connection, at: dt.datetime, request: pb.CreateProjectRequest
    ) -> None:
        """The project and its units (楼盘表); their facts go into the book after this commits."""
        created = await repository.insert_project(
            connection,
            Project(
                presale_permit_number=request.presale_permit_number,
                display_name=request.display_name,
                developer_name=request.developer.name,
                developer_uscc=request.developer.uscc,
                permit_time=request.permit_time.ToDatetime(tzinfo=dt.UTC)
                if request.HasField("permit_time")
                else None,
                create_time=at,
            ),
        )
        if not created:
            raise AlreadyExists(
                Reason.PROJECT_EXISTS, f"permit {request.presale_permit_number} is already registered", {}
            )
        units = [
            (u.unit_number, building_of(u.unit_number), u.room_label, u.gross_area_dm2, u.residential)
            for u in request.units
        ]
        taken = await repository.insert_units(connection, request.presale_permit_number, units)
        if taken:
            raise AlreadyExists(
                Reason.UNIT_ON_ANOTHER_PERMIT,
                f"{len(taken)} units are already covered by another permit, e.g. {taken[0]}",
                {"unit_number": taken[0]},
            )

    async def record_buildings(self, op: Operation, request: pb.CreateProjectRequest) -> None:
        """The units' physical facts go into the book once, from here (条例 24: asked for once)."""
        by_building: dict[str, list[pb.ProjectUnit]] = {}
        for u in request.units:
            by_building.setdefault(building_of(u.unit_number), []).append(u)
        await op.call_many(
            [
                (
                    f"building/{building}",
                    self.registry.CreateBuilding,
                    registry_pb.CreateBuildingRequest(
                        building_number=building,
                        units=[
                            registry_pb.UnitFacts(
                                unit_number=u.unit_number,
                                address=f"{request.display_name} {u.room_label}".strip(),
                                gross_area_dm2=u.gross_area_dm2,
                                use="住宅" if u.residential else "非住宅",
                            )
                            for u in members
                        ],
                    ),
                    registry_pb.CreateBuildingResponse,
                )
                for building, members in sorted(by_building.items())
            ]
        )

    async def project(self, connection: asyncpg.Connection, name: str) -> Project:
        permit = name.removeprefix("projects/")
        found = await repository.project(connection, permit)
        if found is None:
            raise NotFound(f"no project {name!r}")
        return found

    async def unit_blockers(self, unit_number: str, buyers: list[str]) -> list[registry_pb.Restriction]:
        reply = await self.registry.CheckDisposal(
            registry_pb.CheckDisposalRequest(
                unit_number=unit_number, disposal=registry_pb.DISPOSAL_CONTRACT, beneficiaries=buyers
            )
        )
        return list(reply.restrictions)

    # Contracts

    async def load(
        self, connection: asyncpg.Connection, contract_id: uuid.UUID, lock: bool = False
    ) -> ContractRecord:
        row = await (repository.lock_contract if lock else repository.contract)(connection, contract_id)
        if row is None:
            raise NotFound(f"no contract contracts/{contract_id}")
        return await self.record_of(connection, row)

    async def record_of(self, connection: asyncpg.Connection, row: Contract) -> ContractRecord:
        """The contract of a row in hand, with its terms and signatures."""
        terms = pb.ContractTerms.FromString(row.canonical_bytes)
        return ContractRecord(row, terms, await repository.signatures(connection, row.id))

    async def check_unit(self, connection: asyncpg.Connection, terms: pb.ContractTerms) -> None:
        """The unit is on this developer's presale and has no live contract (城市房地产管理法 45)."""
        unit = await repository.unit(connection, terms.unit_number)
        if unit is None:
            raise FailedPrecondition(
                Reason.UNIT_NOT_ON_PRESALE, f"unit {terms.unit_number} is not covered by any presale permit"
            )
        if unit.developer_uscc != terms.developer.uscc:
            raise FailedPrecondition(
                Reason.UNIT_NOT_ON_PRESALE,
                f"the presale permit of unit {terms.unit_number} is held by another developer",
            )
        if unit.contract_id is not None:
            raise _already_contracted(terms.unit_number)

    async def contract_blockers(self, terms: pb.ContractTerms) -> list[registry_pb.Restriction]:
        """What the register says against a new contract on the unit, read before the write."""
        return await self.unit_blockers(terms.unit_number, [buyer_party(b.resident_id) for b in terms.buyers])

    async def new_contract(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        request_id: str,
        terms: pb.ContractTerms,
        blockers: list[registry_pb.Restriction],
    ) -> ContractRecord:
        await self.check_unit(connection, terms)
        if blockers:
            first = blockers[0]
            raise FailedPrecondition(
                Reason(first.reason),
                f"the register refuses a new contract: {first.reason}",
                {"entry": first.entry},
            )
        canonical = canonical_bytes(terms)
        contract_id = request_derived_id(_NAMESPACE, caller().uri, request_id, "contract")
        try:
            # The partial unique index is what holds "one live contract per unit" under races.
            await repository.insert_contract(
                connection,
                contract_id,
                terms.unit_number,
                terms.developer.uscc,
                canonical,
                digest_of(canonical),
                at,
            )
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name == "contract_terms_once":
                raise terms_used(terms.unit_number) from None
            raise _already_contracted(terms.unit_number) from None
        return await self.load(connection, contract_id)

    async def sign(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        contract_id: uuid.UUID,
        signature: parties_pb2.Signature,
        slot: str = "signature",
    ) -> ContractRecord:
        """Adds one party's signature (the request's field `slot`) once it verifies."""
        record = await self.load(connection, contract_id, lock=True)
        signed = {s.signer for s in record.signatures}
        check_can_sign(record.state, signature.signer, record.parties, signed, slot)
        algorithm = algorithm_of(signature.algorithm, slot, signature.signer)
        evidence = verify(
            algorithm,
            signature.certificate_pem,
            signature.signature,
            signed_statement(signature.signer, record.terms),
            self.ca_pem,
            signer_identity(signature.signer, record.terms),
            at,
            slot,
            signature.signer,
        )
        await repository.insert_signature(
            connection,
            ContractSignature(
                contract_id=contract_id,
                signer=signature.signer,
                algorithm=algorithm.value,
                signature=signature.signature,
                certificate_pem=signature.certificate_pem,
                certificate_sha256=evidence.certificate_sha256,
                digest=evidence.digest,
                sign_time=signature.sign_time.ToDatetime(tzinfo=dt.UTC)
                if signature.HasField("sign_time")
                else None,
                verify_time=at,
            ),
        )
        if len(signed) + 1 == len(record.parties):
            await repository.set_state(connection, contract_id, ContractState.SIGNED.value, at)
        return await self.load(connection, contract_id)

    async def file(
        self, connection: asyncpg.Connection, at: dt.datetime, contract_id: uuid.UUID
    ) -> ContractRecord:
        record = await self.load(connection, contract_id, lock=True)
        check_can_file(record.state, record.pending)
        due = filing_due(max((s.verify_time for s in record.signatures), default=None))
        number = filing_number(at.year, await repository.next_filing_serial(connection))
        row = await repository.set_state(
            connection,
            contract_id,
            ContractState.FILED.value,
            at,
            filing_number=number,
            file_time=at,
            filing_due_time=due,
        )
        return record.moved(row)

    async def reopening_blockers(self, contract_id: uuid.UUID) -> list[registry_pb.Restriction]:
        """What the register holds against the unit reopening, read before the cancellation."""
        record = await self.tx.read(self.load, contract_id)
        if record.state is not ContractState.FILED:
            return []
        return await self.unit_blockers(record.terms.unit_number, [])

    async def cancel(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        contract_id: uuid.UUID,
        request: pb.CancelContractRequest,
        blockers: list[registry_pb.Restriction],
    ) -> ContractRecord:
        record = await self.load(connection, contract_id, lock=True)
        check_can_cancel(record.state)
        basis = self._cancellation_basis(record, request, at)
        if record.state is ContractState.FILED:
            # The unit may not reopen while a pre-registration protects these buyers (民法典 221).
            held = [b for b in blockers if b.reason == Reason.PRE_REGISTRATION_HELD_BY_OTHER]
            if held:
                raise FailedPrecondition(
                    Reason.PRE_REGISTRATION_IN_FORCE,
                    "cancel the pre-registration (and any pre-mortgage) before the filing",
                    {"entry": held[0].entry},
                )
        row = await repository.set_state(
            connection, contract_id, ContractState.CANCELLED.value, at, cancellation_basis=basis
        )
        return record.moved(row)

    def _cancellation_basis(
        self, record: ContractRecord, request: pb.CancelContractRequest, at: dt.datetime
    ) -> str:
        if request.HasField("court_ruling"):
            ruling = request.court_ruling
            return (
                f"court ruling {ruling.authority} {ruling.ruling_number}"
                f" of {ruling.ruling_time.ToDatetime():%Y-%m-%d},"
                f" document sha256 {ruling.document_sha256.hex()}"
            )
        consenting = set()
        text = statements.cancel_contract(record.terms.unit_number, record.row.digest)
        for i, signature in enumerate(request.joint.signatures):
            if signature.signer in record.parties:
                slot = f"joint.signatures[{i}]"
                verify(
                    algorithm_of(signature.algorithm, slot, signature.signer),
                    signature.certificate_pem,
                    signature.signature,
                    text,
                    self.ca_pem,
                    signer_identity(signature.signer, record.terms),
                    at,
                    slot,
                    signature.signer,
                )
                consenting.add(signature.signer)
        missing = [p for p in record.parties if p not in consenting]
        if missing:
            raise FailedPrecondition(
                Reason.CANCELLATION_CONSENT_MISSING,
                f"cancellation needs every party's signature or a court ruling; missing {', '.join(missing)}",
                {"missing": ",".join(missing)},
            )
        return "joint: every party signed"

    async def mark_transferred(
        self, connection: asyncpg.Connection, at: dt.datetime, contract_id: uuid.UUID, certificate_number: str
    ) -> ContractRecord:
        record = await self.load(connection, contract_id, lock=True)
        if record.state is not ContractState.FILED:
            raise FailedPrecondition(
                Reason.CONTRACT_NOT_FILED, f"the contract is {record.state.value.lower()}, not filed"
            )
        row = await repository.set_state(
            connection,
            contract_id,
            ContractState.TRANSFERRED.value,
            at,
            certificate_number=certificate_number,
        )
        return record.moved(row)


def terms_used(unit_number: str) -> FailedPrecondition:
    """Signed terms are used once (docs/signing.md, "Replay"): a new contract on the same terms
    carries a new developer_reference, and new signatures."""
    return FailedPrecondition(
        Reason.TERMS_ALREADY_USED,
        f"a contract with exactly these terms for unit {unit_number} was made before;"
        " a new contract needs its own developer_reference and signatures",
        {"unit_number": unit_number},
    )


def _already_contracted(unit_number: str) -> FailedPrecondition:
    return FailedPrecondition(
        Reason.UNIT_ALREADY_CONTRACTED,
        f"unit {unit_number} already has a live contract",
        {"unit_number": unit_number},
    )
