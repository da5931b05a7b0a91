"""Mortgage use cases (抵押登记 and 注销) and their case handlers."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

import asyncpg
import grpc

from deedflow.mortgage.v1 import mortgage_service_pb2 as pb
from deedflow.registry.v1 import registry_service_pb2 as registry_pb
from deedflow.registry.v1 import registry_service_pb2_grpc
from deedflow.type.v1 import parties_pb2
from services.mortgage.domain import (
    MortgageState,
    check_dischargeable,
    check_mortgagors_own,
)
from shared.auth import Caller
from shared.casework import repository as case_repository
from shared.casework.domain import CaseKind, proof_number
from shared.casework.service import Case, CaseBook, Registered, refuse_if_restricted, step_request_id
from shared.clock import Clock
from shared.consent import mortgage_text, require_consent
from shared.db import Database
from shared.errors import FailedPrecondition, NotFound
from shared.names import parse_uuid_name
from shared.parties import require_party
from shared.sql import insert_row
from shared.transactions import Transactions

_NAMESPACE = uuid.UUID("e1b7c3a5-9d2f-4e6b-8a0c-5f4d3b2a1c98")


def parse_mortgage_name(name: str) -> uuid.UUID:
    return parse_uuid_name(name, "mortgages")


def _names(buyers) -> list[str]:
    return [f"buyers/{b.resident_id}" for b in buyers]


async def _insert(connection, row: dict) -> None:
    await insert_row(connection, "mortgage", row)


async def _update(connection, mortgage_id: uuid.UUID, at: dt.datetime, **columns) -> None:
    assignments = "".join(f", {name} = ${i}" for i, name in enumerate(columns, start=3))
    await connection.execute(
        f"UPDATE mortgage SET update_time = $2{assignments} WHERE id = $1", mortgage_id, at, *columns.values()
    )


class Mortgages:
    def __init__(
        self, database: Database, clock: Clock, peer: Callable[[str], grpc.aio.Channel], ca_pem: bytes
    ) -> None:
        self.tx = Transactions(database, clock, "deedflow.mortgage.v1.MortgageService")
        self.peer = peer
        # The CA whose certificates bind the mortgagors' signing keys.
        self.ca_pem = ca_pem
        handler = _Handler(self)
        self.cases = CaseBook("DY", {CaseKind.MORTGAGE: handler, CaseKind.MORTGAGE_DISCHARGE: handler})

    @property
    def registry(self):
        return registry_service_pb2_grpc.RegistryServiceStub(self.peer("registry"))

    async def load(self, connection, name: str, lock: bool = False) -> asyncpg.Record:
        suffix = " FOR UPDATE" if lock else ""
        row = await connection.fetchrow(
            f"SELECT * FROM mortgage WHERE id = $1{suffix}", parse_mortgage_name(name)
        )
        if row is None:
            raise NotFound(f"no mortgage {name!r}")
        return row

    async def lodge(self, connection, at: dt.datetime, request: pb.LodgeMortgageRequest, actor: str):
        # 民法典 400: a written mortgage contract; every mortgagor signs its terms with their own key.
        require_consent(
            request.mortgagor_signatures,
            {f"buyers/{m.resident_id}": "buyer" for m in request.mortgagors},
            mortgage_text(request.unit_number, request.loan, request.mortgagors),
            self.ca_pem,
            at,
            "MORTGAGOR_CONSENT_MISSING",
        )
        mortgage_id = uuid.uuid5(_NAMESPACE, f"{request.unit_number}/{request.request_id}")
        case = await self.cases.lodge(
            connection,
            at,
            CaseKind.MORTGAGE,
            request.unit_number,
            [f"organizations/{request.loan.bank.uscc}", *_names(request.mortgagors)],
            f"mortgages/{mortgage_id}",
            actor,
            auto_register=False,
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
        if request.auto_register:
            case = await self.cases.approve(connection, at, case.name, actor)
            case = await self.cases.register(connection, at, case.name, actor)
        return await self.load(connection, f"mortgages/{mortgage_id}"), case

    async def record_converted(self, connection, at: dt.datetime, request: pb.RecordConvertedMortgageRequest):
        """The mortgage a transfer converted from a pre-mortgage, with its proof for the bank."""
        existing = await connection.fetchrow("SELECT * FROM mortgage WHERE entry = $1", request.entry)
        if existing is not None:
            return existing
        unit = (await self.registry.GetUnit(registry_pb.GetUnitRequest(unit_number=request.unit_number))).unit
        entry = next((e for e in unit.entries if e.name == request.entry), None)
        if (
            entry is None
            or entry.kind != registry_pb.ENTRY_KIND_MORTGAGE
            or entry.state != registry_pb.ENTRY_STATE_CURRENT
        ):
            raise FailedPrecondition(
                "ENTRY_NOT_CURRENT", f"{request.entry} is not a current mortgage in the book"
            )
        serial = await case_repository.next_serial(connection, "document_number_seq")
        mortgage_id = uuid.uuid5(_NAMESPACE, f"converted/{request.entry}")
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
                "state": MortgageState.REGISTERED.value,
                "proof_number": proof_number(at.year, request.unit_number, serial),
                "entry": request.entry,
                "priority_time": entry.priority_time.ToDatetime(tzinfo=dt.UTC),
                "register_time": entry.entry_time.ToDatetime(tzinfo=dt.UTC),
                "premortgage": request.premortgage,
                "update_time": at,
            },
        )
        return await self.load(connection, f"mortgages/{mortgage_id}")

    async def load_for(self, connection, name: str, who: Caller, lock: bool = False) -> asyncpg.Record:
        """A mortgage as its mortgagee bank or an official sees it; to anyone else it does not
        exist, so another bank learns nothing by probing names."""
        row = await self.load(connection, name, lock)
        require_party(who, name, banks=[row["bank_uscc"]])
        return row

    async def discharge(self, connection, at: dt.datetime, request: pb.DischargeMortgageRequest, who: Caller):
        row = await self.load_for(connection, request.name, who, lock=True)
        actor = who.uri
        check_dischargeable(MortgageState(row["state"]))
        case = await self.cases.lodge(
            connection,
            at,
            CaseKind.MORTGAGE_DISCHARGE,
            row["unit_number"],
            [f"organizations/{row['bank_uscc']}"],
            request.name,
            actor,
            auto_register=False,
        )
        await _update(connection, row["id"], at, discharge_case_number=case.number)
        if request.auto_register:
            case = await self.cases.approve(connection, at, case.name, actor)
            case = await self.cases.register(connection, at, case.name, actor)
        return await self.load(connection, request.name), case

    async def list(self, connection, unit_number: str, bank_uscc: str, state: str, after: str, limit: int):
        return await connection.fetch(
            "SELECT * FROM mortgage WHERE ($1 = '' OR unit_number = $1) AND ($2 = '' OR bank_uscc = $2)"
            " AND ($3 = '' OR state = $3) AND ($4 = '' OR id::text > $4) ORDER BY id LIMIT $5",
            unit_number,
            bank_uscc,
            state,
            after,
            limit,
        )


class _Handler:
    def __init__(self, service: Mortgages) -> None:
        self.service = service

    async def review(self, connection, case: Case, at: dt.datetime) -> None:
        row = await self.service.load(connection, case.subject)
        if case.kind is CaseKind.MORTGAGE_DISCHARGE:
            return
        unit = (
            await self.service.registry.GetUnit(registry_pb.GetUnitRequest(unit_number=row["unit_number"]))
        ).unit
        owners = [
            set(e.holders)
            for e in unit.entries
            if e.kind == registry_pb.ENTRY_KIND_OWNERSHIP and e.state == registry_pb.ENTRY_STATE_CURRENT
        ]
        mortgagors = set(_names(pb.Mortgage.FromString(row["mortgagors"]).mortgagors))
        check_mortgagors_own(owners, mortgagors)
        reply = await self.service.registry.CheckDisposal(
            registry_pb.CheckDisposalRequest(
                unit_number=row["unit_number"],
                disposal=registry_pb.DISPOSAL_MORTGAGE,
                beneficiaries=[*mortgagors, f"organizations/{row['bank_uscc']}"],
            )
        )
        refuse_if_restricted(reply.restrictions)

    async def register(self, connection, case: Case, at: dt.datetime) -> Registered:
        row = await self.service.load(connection, case.subject, lock=True)
        mortgagors = _names(pb.Mortgage.FromString(row["mortgagors"]).mortgagors)
        commit = registry_pb.CommitCaseRequest(
            request_id=step_request_id(case.number, "commit"),
            unit_number=row["unit_number"],
            registry_case=case.name,
        )
        if case.kind is CaseKind.MORTGAGE_DISCHARGE:
            commit.disposal = registry_pb.DISPOSAL_CANCELLATION
            commit.ended_entries.append(row["entry"])
            reply = await self.service.registry.CommitCase(commit)
            await _update(connection, row["id"], at, state=MortgageState.DISCHARGED.value, discharge_time=at)
            return Registered([row["entry"]])
        loan = parties_pb2.Loan.FromString(row["loan"])
        commit.disposal = registry_pb.DISPOSAL_MORTGAGE
        commit.beneficiaries.extend([*mortgagors, f"organizations/{row['bank_uscc']}"])
        commit.new_entries.add(
            kind=registry_pb.ENTRY_KIND_MORTGAGE,
            holders=[f"organizations/{row['bank_uscc']}"],
            amount_fen=loan.amount_fen,
            note=f"抵押登记; 抵押合同 {loan.mortgage_contract_number}",
        )
        reply = await self.service.registry.CommitCase(commit)
        entry = reply.entries[0]
        number = proof_number(
            at.year, row["unit_number"], await case_repository.next_serial(connection, "document_number_seq")
        )
        await _update(
            connection,
            row["id"],
            at,
            state=MortgageState.REGISTERED.value,
            entry=entry.name,
            proof_number=number,
            priority_time=entry.priority_time.ToDatetime(tzinfo=dt.UTC),
            register_time=reply.register_time.ToDatetime(tzinfo=dt.UTC),
        )
        return Registered([entry.name], number)

    async def abandon(self, connection, case: Case, at: dt.datetime) -> None:
        if case.kind is CaseKind.MORTGAGE:
            row = await self.service.load(connection, case.subject, lock=True)
            await _update(connection, row["id"], at, state=MortgageState.ABANDONED.value)
