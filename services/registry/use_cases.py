"""The register's use cases as its RPCs name them (不动产登记簿): each opens its transaction, with
the request's idempotency record for a write, around a named unit of work of the book
(service.Book), and answers with the response the servicer gives."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

import asyncpg
from google.protobuf.message import Message

from deedflow.registry.v1 import document_pb2
from deedflow.registry.v1 import registry_service_pb2 as pb
from services.registry import log
from services.registry.books import BookSummary, SignedCheckpoint, checkpoint_message, no_book
from services.registry.domain import (
    Disposal,
    NewEntry,
    Restriction,
    Ruling,
    UnitFacts,
    UnitView,
    seizure_term_limit,
)
from services.registry.erasure import erase_holder
from services.registry.key_files import KeyFiles
from services.registry.render import committed_message, entry_message, unit_message
from services.registry.service import Book, CaseToCommit
from services.registry.witnessing import Witnesses
from shared.checkpoint import book_verifier_key, key_id
from shared.documents import BookKey
from shared.errors import DomainError, FieldViolation, InvalidArgument, NotFound
from shared.signed_note import parse_verifier_key
from shared.timestamps import from_timestamp, to_timestamp


def application_time(request: Message, now: dt.datetime) -> dt.datetime | None:
    """When the transfer was applied for; an application cannot be lodged in the future."""
    applied = from_timestamp(request, "application_time")
    if applied is not None and applied > now:
        raise InvalidArgument([FieldViolation("application_time", "is after now")])
    return applied


def _applied(case: CaseToCommit, request: pb.CommitCaseRequest, at: dt.datetime) -> CaseToCommit:
    """The case with its application time, judged against the moment it is entered."""
    return replace(case, applied_time=application_time(request, at))


class RegistryOffice:
    def __init__(self, book: Book, key_files: KeyFiles, witnesses: Witnesses | None = None) -> None:
        self.book = book
        self.key_files = key_files
        self.witnesses = witnesses
        self.tx = book.tx
        self.books = book.books

    # The book's units and entries

    async def create_building(
        self, request: pb.CreateBuildingRequest, units: list[UnitFacts]
    ) -> pb.CreateBuildingResponse:
        return await self.tx.write(
            "CreateBuilding",
            request,
            pb.CreateBuildingResponse,
            self._building_created,
            request.building_number,
            units,
        )

    async def unit(self, unit_number: str, at: dt.datetime | None) -> UnitView:
        return await self.tx.query(self.book.unit_view, unit_number, at)

    async def units(self, asked: list[tuple[str, dt.datetime | None]]) -> list[UnitView | NotFound]:
        return await self.tx.query(self.book.unit_views, asked)

    async def check(
        self, unit_number: str, disposal: Disposal, beneficiaries: list[str], applied: dt.datetime | None
    ) -> list[Restriction]:
        return await self.tx.query(self.book.check, unit_number, disposal, beneficiaries, applied)

    # 登簿

    async def commit_case(
        self, request: pb.CommitCaseRequest, case: CaseToCommit, actor: str
    ) -> pb.CommitCaseResponse:
        return await self.tx.write(
            "CommitCase", request, pb.CommitCaseResponse, self._case_committed, request, case, actor
        )

    async def commit_cases(
        self,
        requests: Sequence[pb.CommitCaseRequest],
        cases: dict[str, CaseToCommit],
        actor: str,
        alone: Callable[[pb.CommitCaseRequest], Awaitable[pb.CommitCaseResponse]],
    ) -> list[pb.CommitCaseResponse | DomainError]:
        """Many cases entered in one register transaction (Book.commit_cases); a request the set
        could not take goes through `alone`."""
        work = partial(self._cases_committed, cases=cases, actor=actor)
        return await self.tx.write_many("CommitCase", requests, pb.CommitCaseResponse, work, alone)

    async def record_first_registration(
        self,
        request: pb.RecordFirstRegistrationRequest,
        surveyed: dict[str, int],
        renumbered: dict[str, str],
        actor: str,
    ) -> pb.RecordFirstRegistrationResponse:
        return await self.tx.write(
            "RecordFirstRegistration",
            request,
            pb.RecordFirstRegistrationResponse,
            self._first_registered,
            request,
            surveyed,
            renumbered,
            actor,
        )

    # Seizures, objections, corrections, agreements

    async def seize(
        self, request: pb.SeizeUnitRequest, ruling: Ruling, end: dt.datetime | None, actor: str
    ) -> pb.SeizeUnitResponse:
        return await self.tx.write(
            "SeizeUnit", request, pb.SeizeUnitResponse, self._seized, request, ruling, end, actor
        )

    async def renew_seizure(
        self,
        request: pb.RenewSeizureRequest,
        entry: tuple[str, int],
        ruling: Ruling,
        end: dt.datetime,
        actor: str,
    ) -> pb.RenewSeizureResponse:
        return await self.tx.write(
            "RenewSeizure", request, pb.RenewSeizureResponse, self._renewed, entry, ruling, end, actor
        )

    async def release_seizure(
        self, request: pb.ReleaseSeizureRequest, entry: tuple[str, int], ruling: Ruling, actor: str
    ) -> pb.ReleaseSeizureResponse:
        return await self.tx.write(
            "ReleaseSeizure", request, pb.ReleaseSeizureResponse, self._released, entry, ruling, actor
        )

    async def add_objection(
        self, request: pb.AddObjectionRequest, new: NewEntry, act: str, actor: str
    ) -> pb.AddObjectionResponse:
        return await self.tx.write(
            "AddObjection", request, pb.AddObjectionResponse, self._objection_added, request, new, act, actor
        )

    async def rotate_book_key(self, request: pb.RotateBookKeyRequest) -> pb.RotateBookKeyResponse:
        """The new key is staged as a file before the rotation commits and taken up after it."""
        new = self.key_files.stage(request.authority)
        rotated = await self.tx.write(
            "RotateBookKey", request, pb.RotateBookKeyResponse, self._rotated, request, new
        )
        history = [
            BookKey(
                parse_verifier_key(k.verifier_key).public_key,
                k.first_size,
                k.last_size if k.HasField("last_size") else None,
            )
            for k in rotated.keys
        ]
        self.books.keys.take_up(request.authority, key_id(history[-1].public_key))
        self.key_files.publish(request.authority, history)
        return rotated

    async def _rotated(
        self, connection: asyncpg.Connection, at: dt.datetime, request: pb.RotateBookKeyRequest, new: Any
    ) -> pb.RotateBookKeyResponse:
        authority = request.authority
        if await log.size(connection, authority) == 0:
            raise no_book(authority)
        signed, history = await self.books.rotate(connection, authority, request.retiring_key_id, new)
        return pb.RotateBookKeyResponse(
            checkpoint=checkpoint_message(signed),
            note=signed.note or "",
            keys=[
                pb.BookKeyRange(
                    verifier_key=book_verifier_key(authority, k.public_key),
                    first_size=k.first,
                    last_size=k.last,
                )
                for k in history
            ],
        )

    async def erase_holder(self, request: pb.EraseHolderRequest) -> pb.EraseHolderResponse:
        return await self.tx.write(
            "EraseHolder", request, pb.EraseHolderResponse, self._holder_erased, request
        )

    async def _holder_erased(
        self, connection: asyncpg.Connection, at: dt.datetime, request: pb.EraseHolderRequest
    ) -> pb.EraseHolderResponse:
        entries = await erase_holder(self.book, connection, at, request.holder)
        return pb.EraseHolderResponse(entries=entries)

    async def record_agreement(
        self, request: pb.RecordAgreementRequest, new: NewEntry, act: str, actor: str
    ) -> pb.RecordAgreementResponse:
        return await self.tx.write(
            "RecordAgreement",
            request,
            pb.RecordAgreementResponse,
            self._agreement_recorded,
            request,
            new,
            act,
            actor,
        )

    async def lift_objection(
        self, request: pb.LiftObjectionRequest, entry: tuple[str, int], lawsuit: Ruling | None, actor: str
    ) -> pb.LiftObjectionResponse:
        return await self.tx.write(
            "LiftObjection", request, pb.LiftObjectionResponse, self._lifted, entry, lawsuit, actor
        )

    async def request_correction(
        self, request: pb.RequestCorrectionRequest, entry: tuple[str, int], actor: str
    ) -> pb.RequestCorrectionResponse:
        return await self.tx.write(
            "RequestCorrection",
            request,
            pb.RequestCorrectionResponse,
            self._correction_requested,
            entry,
            request.grounds,
            actor,
        )

    async def resolve_correction(
        self,
        request: pb.ResolveCorrectionRequest,
        correction: tuple[str, int],
        corrected: NewEntry | None,
        actor: str,
    ) -> pb.ResolveCorrectionResponse:
        return await self.tx.write(
            "ResolveCorrection",
            request,
            pb.ResolveCorrectionResponse,
            self._correction_resolved,
            correction,
            corrected,
            actor,
        )

    # The books' public parts: checkpoints, proofs, leaves, sealed documents

    async def summaries(self) -> list[BookSummary]:
        return await self.tx.read(self.books.summaries)

    async def checkpoint(self, authority: str) -> SignedCheckpoint:
        return await self.tx.read(self.books.checkpoint, authority)

    async def inclusion(
        self, entry: tuple[str, int], tree_size: int
    ) -> tuple[int, list[bytes], bytes, SignedCheckpoint]:
        return await self.tx.read(self.books.inclusion, *entry, tree_size)

    async def consistency(self, authority: str, first: int, second: int) -> list[bytes]:
        return await self.tx.read(self.books.consistency, authority, first, second)

    async def seal_document(
        self, entry: str, kind: str, number: str, body: dict[str, Any]
    ) -> document_pb2.SignedDocument:
        """Sealed on the book's latest checkpoint; with witnesses, on one a quorum of them has
        cosigned, asked for between two transactions (never inside one)."""
        if self.witnesses is None:
            return await self.tx.read(self.book.seal_document, entry, kind, number, body)
        authority, index = await self.tx.read(self.book.leaf_of, entry)
        witnessed = await self.witnesses.covering(authority, index + 1)
        on = (witnessed.checkpoint.tree_size, witnessed.note)
        return await self.tx.read(self.book.seal_document, entry, kind, number, body, on)

    async def leaves(self, authority: str, start: int, limit: int) -> tuple[list[bytes], int]:
        return await self.tx.read(self.books.leaves_from, authority, start, limit)

    async def checkpoints(self, authority: str, after: int, limit: int) -> list[SignedCheckpoint]:
        return await self.tx.read(self.books.checkpoints, authority, after, limit)

    # Units of work, each in the transaction its use case opened.

    async def _building_created(
        self, connection: asyncpg.Connection, at: dt.datetime, building_number: str, units: list[UnitFacts]
    ) -> pb.CreateBuildingResponse:
        views = await self.book.create_building(connection, building_number, units)
        return pb.CreateBuildingResponse(units=[unit_message(v) for v in views])

    async def _case_committed(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        request: pb.CommitCaseRequest,
        case: CaseToCommit,
        actor: str,
    ) -> pb.CommitCaseResponse:
        committed = await self.book.commit_case(connection, at, _applied(case, request, at), actor)
        return committed_message(committed, at)

    async def _cases_committed(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        requests: list[pb.CommitCaseRequest],
        *,
        cases: dict[str, CaseToCommit],
        actor: str,
    ) -> list[Message | DomainError]:
        judged: list[tuple[str, CaseToCommit]] = []
        answers: dict[str, Message | DomainError] = {}
        for one in requests:
            try:
                judged.append((one.request_id, _applied(cases[one.request_id], one, at)))
            except DomainError as refused:
                answers[one.request_id] = refused
        committed = await self.book.commit_cases(connection, at, [c for _, c in judged], actor)
        for (request_id, _), result in zip(judged, committed, strict=True):
            answers[request_id] = result if isinstance(result, DomainError) else committed_message(result, at)
        return [answers[one.request_id] for one in requests]

    async def _first_registered(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        request: pb.RecordFirstRegistrationRequest,
        surveyed: dict[str, int],
        renumbered: dict[str, str],
        actor: str,
    ) -> pb.RecordFirstRegistrationResponse:
        created = await self.book.record_first_registration(
            connection,
            at,
            request.building_number,
            request.registry_case,
            request.owner,
            list(request.unit_numbers),
            list(request.common_parts),
            actor,
            surveyed,
            renumbered,
        )
        return pb.RecordFirstRegistrationResponse(
            entries=[entry_message(v) for v in created], register_time=to_timestamp(at)
        )

    async def _seized(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        request: pb.SeizeUnitRequest,
        ruling: Ruling,
        end: dt.datetime | None,
        actor: str,
    ) -> pb.SeizeUnitResponse:
        created = await self.book.seize(
            connection,
            at,
            request.unit_number,
            ruling,
            request.pre_seizure,
            from_timestamp(request, "start_time"),
            end,
            actor,
            request.debtor,
            request.whole_building,
        )
        return pb.SeizeUnitResponse(entry=entry_message(created))

    async def _renewed(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        entry: tuple[str, int],
        ruling: Ruling,
        end: dt.datetime,
        actor: str,
    ) -> pb.RenewSeizureResponse:
        if end > seizure_term_limit(at):
            raise InvalidArgument(
                [FieldViolation("end_time", "a renewal runs at most three years (民诉法解释 485)")]
            )
        renewed = await self.book.renew_seizure(connection, at, *entry, ruling, end, actor)
        return pb.RenewSeizureResponse(entry=entry_message(renewed))

    async def _released(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        entry: tuple[str, int],
        ruling: Ruling,
        actor: str,
    ) -> pb.ReleaseSeizureResponse:
        released, promoted = await self.book.release_seizure(connection, at, *entry, ruling, actor)
        response = pb.ReleaseSeizureResponse(released=entry_message(released))
        if promoted is not None:
            response.promoted.CopyFrom(entry_message(promoted))
        return response

    async def _objection_added(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        request: pb.AddObjectionRequest,
        new: NewEntry,
        act: str,
        actor: str,
    ) -> pb.AddObjectionResponse:
        created = await self.book.add_objection(connection, at, request.unit_number, new, act, actor)
        return pb.AddObjectionResponse(entry=entry_message(created))

    async def _agreement_recorded(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        request: pb.RecordAgreementRequest,
        new: NewEntry,
        act: str,
        actor: str,
    ) -> pb.RecordAgreementResponse:
        created = await self.book.append_simple(connection, at, request.unit_number, new, act, actor)
        return pb.RecordAgreementResponse(entry=entry_message(created))

    async def _lifted(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        entry: tuple[str, int],
        lawsuit: Ruling | None,
        actor: str,
    ) -> pb.LiftObjectionResponse:
        lifted = await self.book.lift_objection(connection, at, *entry, lawsuit, actor)
        return pb.LiftObjectionResponse(entry=entry_message(lifted))

    async def _correction_requested(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        entry: tuple[str, int],
        grounds: str,
        actor: str,
    ) -> pb.RequestCorrectionResponse:
        created = await self.book.request_correction(connection, at, *entry, grounds, actor)
        return pb.RequestCorrectionResponse(entry=entry_message(created))

    async def _correction_resolved(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        correction: tuple[str, int],
        corrected: NewEntry | None,
        actor: str,
    ) -> pb.ResolveCorrectionResponse:
        touched = await self.book.resolve_correction(connection, at, *correction, corrected, actor)
        return pb.ResolveCorrectionResponse(entries=[entry_message(v) for v in touched])
