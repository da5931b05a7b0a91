"""Mortgage use cases (抵押登记 and 注销) and their case handlers."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

import asyncpg
import grpc

from deedflow.mortgage.v1 import mortgage_service_pb2 as pb
from deedflow.registry.v1 import registry_service_pb2 as registry_pb
from deedflow.registry.v1 import registry_service_pb2_grpc
from deedflow.type.v1 import parties_pb2
from deedflow.type.v1.reasons import Reason
from services.mortgage.domain import (
    MortgageState,
    check_dischargeable,
    check_mortgagors_own,
    may_read_mortgage,
)
from services.mortgage.records import Mortgage
from services.mortgage.render import mortgage_message
from shared import statements
from shared.auth import Caller, caller
from shared.batches import answer_together, calls_together
from shared.casework.domain import CaseKind
from shared.casework.render import case_message
from shared.casework.service import Case, CaseBook, Registered, entering, lodge_or_enter, refuse_if_restricted
from shared.consent import identity, require_consent
from shared.documents import attach_proof
from shared.errors import FailedPrecondition, NotFound
from shared.grpc.coalescing import Coalescer
from shared.ids import request_derived_id
from shared.journal import Journal, Operation
from shared.names import parse_uuid_name
from shared.parties import require_party
from shared.records import typed, typed_all
from shared.sql import insert_returning
from shared.transactions import Transactions, WorkOf

_NAMESPACE = uuid.UUID("e1b7c3a5-9d2f-4e6b-8a0c-5f4d3b2a1c98")


def parse_mortgage_name(name: str) -> uuid.UUID:
    return parse_uuid_name(name, "mortgages")


def mortgagor_ids(row: Mortgage) -> list[str]:
    """The resident IDs of a mortgage row's mortgagors."""
    return [m.resident_id for m in pb.Mortgage.FromString(row.mortgagors).mortgagors]


def _names(buyers: Iterable[parties_pb2.Buyer]) -> list[str]:
    return [f"buyers/{b.resident_id}" for b in buyers]


async def _insert(connection: asyncpg.Connection, row: dict[str, Any]) -> Mortgage:
    """A new mortgage; the row as written."""
    return typed(Mortgage, await insert_returning(connection, "mortgage", row))


async def _update(
    connection: asyncpg.Connection, mortgage_id: uuid.UUID, at: dt.datetime, **columns: Any
) -> None:
    assignments = "".join(f", {name} = ${i}" for i, name in enumerate(columns, start=3))
    await connection.execute(
        f"UPDATE mortgage SET update_time = $2{assignments} WHERE id = $1", mortgage_id, at, *columns.values()
    )


async def _entered_as(
    connection: asyncpg.Connection, at: dt.datetime, mortgage_id: uuid.UUID, columns: dict[str, Any]
) -> None:
    """The mortgage as its entry in the book left it, written with the case's answer."""
    await _update(connection, mortgage_id, at, **columns)


async def _discharged(connection: asyncpg.Connection, at: dt.datetime, mortgage_id: uuid.UUID) -> None:
    """The mortgage discharged when its entry ends, written with the case's answer."""
    await _update(connection, mortgage_id, at, state=MortgageState.DISCHARGED.value, discharge_time=at)


class Mortgages:
    def __init__(self, journal: Journal, peer: Callable[[str], grpc.aio.Channel], ca_pem: bytes) -> None:
        self.tx = Transactions(journal, "deedflow.mortgage.v1.MortgageService")
        self.peer = peer
        # The CA whose certificates bind the mortgagors' signing keys.
        self.ca_pem = ca_pem
        self.handler = _Handler(self)
        self.cases = CaseBook(
            "DY", {CaseKind.MORTGAGE: self.handler, CaseKind.MORTGAGE_DISCHARGE: self.handler}, journal.domain
        )
        self.unit: Coalescer[registry_pb.GetUnitRequest, registry_pb.GetUnitResponse] = calls_together(
            lambda: self.registry, "GetUnit", "GetUnits", registry_pb.GetUnitsRequest
        )
        journal.driver("LodgeMortgage", entering(self.cases, pb.LodgeMortgageRequest, self._lodged))
        journal.driver(
            "DischargeMortgage", entering(self.cases, pb.DischargeMortgageRequest, self._discharging)
        )

    # Use cases: each opens its transactions around the named units of work below.

    async def lodge_mortgage(self, request: pb.LodgeMortgageRequest) -> pb.LodgeMortgageResponse | bytes:
        who = caller()
        self.check_consent(request, self.tx.clock.now())
        # The mortgagors must own the flat (民法典 395): refused before a case is lodged.
        await self.handler.check_owners(
            request.unit_number, {f"buyers/{m.resident_id}" for m in request.mortgagors}
        )
        return await lodge_or_enter(
            self.tx,
            "LodgeMortgage",
            request,
            pb.LodgeMortgageResponse,
            self._lodged,
            self.lodge,
            request,
            who.uri,
        )

    async def record_converted_mortgage(
        self, request: pb.RecordConvertedMortgageRequest
    ) -> pb.RecordConvertedMortgageResponse:
        return await self.tx.write(
            "RecordConvertedMortgage",
            request,
            pb.RecordConvertedMortgageResponse,
            await self._recording_converted(request),
        )

    async def record_converted_mortgages(
        self, batch: pb.RecordConvertedMortgagesRequest
    ) -> list[pb.RecordConvertedMortgageOutcome]:
        """Each converted mortgage of the batch recorded as alone, in one transaction for all."""
        return await answer_together(
            self.tx,
            "RecordConvertedMortgage",
            batch,
            pb.RecordConvertedMortgageResponse,
            pb.RecordConvertedMortgageOutcome,
            "deedflow.mortgage",
            self._recording_converted,
            self.record_converted_mortgage,
        )

    async def get_mortgage(self, name: str, with_document: bool) -> pb.GetMortgageResponse:
        row = await self.tx.read(self.load_readable, name, caller())
        response = pb.GetMortgageResponse(mortgage=mortgage_message(row))
        if with_document:
            await attach_proof(
                self.registry, row.entry, row.proof_number, response.mortgage, response.proof_document
            )
        return response

    async def list_mortgages(
        self, unit_number: str, bank_uscc: str, state: str, after: str, limit: int
    ) -> list[Mortgage]:
        return await self.tx.read(self.list, unit_number, bank_uscc, state, after, limit)

    async def discharge_mortgage(
        self, request: pb.DischargeMortgageRequest
    ) -> pb.DischargeMortgageResponse | bytes:
        return await lodge_or_enter(
            self.tx,
            "DischargeMortgage",
            request,
            pb.DischargeMortgageResponse,
            self._discharging,
            self.lodge_discharge,
            request,
            caller(),
        )

    # Units of work and answers, each in the transaction its use case opened.

    async def _lodged(
        self, connection: asyncpg.Connection, request: pb.LodgeMortgageRequest, case: Case
    ) -> pb.LodgeMortgageResponse:
        row = await self.load(connection, case.subject)
        return pb.LodgeMortgageResponse(mortgage=mortgage_message(row), case_record=case_message(case))

    async def _discharging(
        self, connection: asyncpg.Connection, request: pb.DischargeMortgageRequest, case: Case
    ) -> pb.DischargeMortgageResponse:
        row = await self.load(connection, request.name)
        return pb.DischargeMortgageResponse(mortgage=mortgage_message(row), case_record=case_message(case))

    async def _recording_converted(
        self, request: pb.RecordConvertedMortgageRequest
    ) -> WorkOf[pb.RecordConvertedMortgageResponse]:
        """The mortgage entry is read from the book first, with no transaction open."""
        entry = await self.converted_entry(request)
        return partial(self._converted, request=request, entry=entry)

    async def _converted(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        request: pb.RecordConvertedMortgageRequest,
        entry: registry_pb.Entry,
    ) -> pb.RecordConvertedMortgageResponse:
        row = await self.record_converted(connection, at, request, entry)
        return pb.RecordConvertedMortgageResponse(mortgage=mortgage_message(row))

    @property
    def registry(self) -> registry_service_pb2_grpc.RegistryServiceStub:
        return registry_service_pb2_grpc.RegistryServiceStub(self.peer("registry"))

    async def load(self, connection: asyncpg.Connection, name: str, lock: bool = False) -> Mortgage:
        suffix = " FOR UPDATE" if lock else ""
        row = await connection.fetchrow(
            f"SELECT * FROM mortgage WHERE id = $1{suffix}", parse_mortgage_name(name)
        )
        if row is None:
            raise NotFound(f"no mortgage {name!r}")
        return typed(Mortgage, row)

    def check_consent(self, request: pb.LodgeMortgageRequest, at: dt.datetime) -> None:
        """民法典 400: a written mortgage contract; every mortgagor signs its terms with their own key."""
        require_consent(
            request.mortgagor_signatures,
            {
                party: identity("buyer", party)
                for party in (f"buyers/{m.resident_id}" for m in request.mortgagors)
            },
            statements.mortgage(request.unit_number, request.loan, request.mortgagors),
            self.ca_pem,
            at,
            Reason.MORTGAGOR_CONSENT_MISSING,
            "mortgagor_signatures",
        )

    @staticmethod
    def mortgage_id(request: pb.LodgeMortgageRequest, actor: str) -> uuid.UUID:
        return request_derived_id(_NAMESPACE, actor, request.request_id, request.unit_number)

    async def lodge(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        entering: uuid.UUID | None,
        request: pb.LodgeMortgageRequest,
        actor: str,
    ) -> Case:
        mortgage_id = self.mortgage_id(request, actor)
        case = await self.cases.lodge(
            connection,
            at,
            CaseKind.MORTGAGE,
            request.unit_number,
            [f"organizations/{request.loan.bank.uscc}", *_names(request.mortgagors)],
            f"mortgages/{mortgage_id}",
            actor,
            entering,
        )
        await _insert(
            connection,
            {
                "id": mortgage_id,
                "unit_number": request.unit_number,
                "bank_uscc": request.loan.bank.uscc,
                "loan": request.loan.SerializeToString(deterministic=True),
                "mortgagors": pb.Mortgage(mortgagors=request.mortgagors).SerializeToString(
                    deterministic=True
                ),
                "state": MortgageState.LODGED.value,
                "case_number": case.number,
                "update_time": at,
            },
        )
        return case

    async def converted_entry(self, request: pb.RecordConvertedMortgageRequest) -> registry_pb.Entry:
        """The mortgage entry a transfer created, as the book shows it (read before writing)."""
        unit = (await self.unit(registry_pb.GetUnitRequest(unit_number=request.unit_number))).unit
        entry = next((e for e in unit.entries if e.name == request.entry), None)
        if (
            entry is None
            or entry.kind != registry_pb.ENTRY_KIND_MORTGAGE
            or entry.state != registry_pb.ENTRY_STATE_CURRENT
        ):
            raise FailedPrecondition(
                Reason.ENTRY_NOT_CURRENT, f"{request.entry} is not a current mortgage in the book"
            )
        return entry

    async def record_converted(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        request: pb.RecordConvertedMortgageRequest,
        entry: registry_pb.Entry,
    ) -> Mortgage:
        """The mortgage a transfer converted from a pre-mortgage, with the proof the register
        numbered for the bank."""
        existing = await connection.fetchrow("SELECT * FROM mortgage WHERE entry = $1", request.entry)
        if existing is not None:
            return typed(Mortgage, existing)
        mortgage_id = uuid.uuid5(_NAMESPACE, f"converted/{request.entry}")
        return await _insert(
            connection,
            {
                "id": mortgage_id,
                "unit_number": request.unit_number,
                "bank_uscc": request.loan.bank.uscc,
                "loan": request.loan.SerializeToString(deterministic=True),
                "mortgagors": pb.Mortgage(mortgagors=request.mortgagors).SerializeToString(
                    deterministic=True
                ),
                "state": MortgageState.REGISTERED.value,
                "proof_number": request.proof_number,
                "entry": request.entry,
                "priority_time": entry.priority_time.ToDatetime(tzinfo=dt.UTC),
                "register_time": entry.entry_time.ToDatetime(tzinfo=dt.UTC),
                "premortgage": request.premortgage,
                "update_time": at,
            },
        )

    async def load_readable(self, connection: asyncpg.Connection, name: str, who: Caller) -> Mortgage:
        """A mortgage as a reader sees it: its mortgagee bank, an official, or a mortgagor with
        the buyer certificate of their own key (their proof); to anyone else it does not exist."""
        row = await self.load(connection, name)
        if not may_read_mortgage(who, row.bank_uscc, mortgagor_ids(row)):
            raise NotFound(f"no {name!r}")
        return row

    async def load_for(
        self, connection: asyncpg.Connection, name: str, who: Caller, lock: bool = False
    ) -> Mortgage:
        """A mortgage as its mortgagee bank or an official sees it; to anyone else it does not
        exist, so another bank learns nothing by probing names."""
        row = await self.load(connection, name, lock)
        require_party(who, name, banks=[row.bank_uscc])
        return row

    async def lodge_discharge(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        entering: uuid.UUID | None,
        request: pb.DischargeMortgageRequest,
        who: Caller,
    ) -> Case:
        row = await self.load_for(connection, request.name, who, lock=True)
        check_dischargeable(MortgageState(row.state))
        case = await self.cases.lodge(
            connection,
            at,
            CaseKind.MORTGAGE_DISCHARGE,
            row.unit_number,
            [f"organizations/{row.bank_uscc}"],
            request.name,
            who.uri,
            entering,
        )
        await _update(connection, row.id, at, discharge_case_number=case.number)
        return case

    async def list(
        self,
        connection: asyncpg.Connection,
        unit_number: str,
        bank_uscc: str,
        state: str,
        after: str,
        limit: int,
    ) -> list[Mortgage]:
        rows = await connection.fetch(
            "SELECT * FROM mortgage WHERE ($1 = '' OR unit_number = $1) AND ($2 = '' OR bank_uscc = $2)"
            " AND ($3 = '' OR state = $3) AND ($4 = '' OR id::text > $4) ORDER BY id LIMIT $5",
            unit_number,
            bank_uscc,
            state,
            after,
            limit,
        )
        return typed_all(Mortgage, rows)


class _Handler:
    def __init__(self, service: Mortgages) -> None:
        self.service = service

    async def check_owners(self, unit_number: str, mortgagors: set[str]) -> None:
        """The mortgagors are the unit's registered owners (民法典 395), as the book shows it."""
        unit = (await self.service.registry.GetUnit(registry_pb.GetUnitRequest(unit_number=unit_number))).unit
        owners = [
            set(e.holders)
            for e in unit.entries
            if e.kind == registry_pb.ENTRY_KIND_OWNERSHIP and e.state == registry_pb.ENTRY_STATE_CURRENT
        ]
        check_mortgagors_own(owners, mortgagors)

    async def review(self, case: Case) -> None:
        if case.kind is CaseKind.MORTGAGE_DISCHARGE:
            return
        row = await self.service.tx.read(self.service.load, case.subject)
        mortgagors = set(_names(pb.Mortgage.FromString(row.mortgagors).mortgagors))
        await self.check_owners(row.unit_number, mortgagors)
        reply = await self.service.registry.CheckDisposal(
            registry_pb.CheckDisposalRequest(
                unit_number=row.unit_number,
                disposal=registry_pb.DISPOSAL_MORTGAGE,
                beneficiaries=[*mortgagors, f"organizations/{row.bank_uscc}"],
            )
        )
        refuse_if_restricted(reply.restrictions)

    async def register(self, op: Operation, case: Case) -> Registered:
        row = await op.read(partial(self.service.load, name=case.subject))
        mortgagors = _names(pb.Mortgage.FromString(row.mortgagors).mortgagors)
        commit = registry_pb.CommitCaseRequest(unit_number=row.unit_number, registry_case=case.name)
        if case.kind is CaseKind.MORTGAGE_DISCHARGE:
            commit.disposal = registry_pb.DISPOSAL_CANCELLATION
            commit.ended_entries.append(row.entry)
            await op.call(
                "commit",
                self.service.registry.CommitCase,
                commit,
                registry_pb.CommitCaseResponse,
                refusable=True,
            )
            return Registered([row.entry], apply=partial(_discharged, mortgage_id=row.id))
        loan = parties_pb2.Loan.FromString(row.loan)
        commit.disposal = registry_pb.DISPOSAL_MORTGAGE
        commit.beneficiaries.extend([*mortgagors, f"organizations/{row.bank_uscc}"])
        commit.new_entries.add(
            kind=registry_pb.ENTRY_KIND_MORTGAGE,
            holders=[f"organizations/{row.bank_uscc}"],
            amount_fen=loan.amount_fen,
            note=f"抵押登记; 抵押合同 {loan.mortgage_contract_number}",
        )
        commit.issue_proofs = 1
        reply = await op.call(
            "commit", self.service.registry.CommitCase, commit, registry_pb.CommitCaseResponse, refusable=True
        )
        entry = reply.entries[0]
        number = reply.proof_numbers[0]
        entered = {
            "state": MortgageState.REGISTERED.value,
            "entry": entry.name,
            "proof_number": number,
            "priority_time": entry.priority_time.ToDatetime(tzinfo=dt.UTC),
            "register_time": reply.register_time.ToDatetime(tzinfo=dt.UTC),
        }
        return Registered([entry.name], number, partial(_entered_as, mortgage_id=row.id, columns=entered))

    async def abandon(self, connection: asyncpg.Connection, case: Case, at: dt.datetime) -> None:
        if case.kind is CaseKind.MORTGAGE:
            row = await self.service.load(connection, case.subject, lock=True)
            await _update(connection, row.id, at, state=MortgageState.ABANDONED.value)
