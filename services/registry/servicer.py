"""RegistryService over gRPC: proto <-> domain, role checks, nothing else."""

from __future__ import annotations

import datetime as dt
import uuid

from deedflow.registry.v1 import registry_service_pb2 as pb
from deedflow.registry.v1 import registry_service_pb2_grpc
from deedflow.type.v1 import parties_pb2
from services.registry.books import checkpoint_message
from services.registry.domain import (
    Disposal,
    EntryKind,
    NewEntry,
    Ruling,
    UnitFacts,
    parse_entry_name,
    seizure_term_limit,
)
from services.registry.render import as_seen_by, entry_message, restriction_message, unit_message
from services.registry.service import CaseToCommit
from services.registry.use_cases import RegistryOffice, application_time
from shared import documents, paging, strict_json
from shared.auth import caller
from shared.batches import outcomes, refuse_repeated_request_ids
from shared.districts import DISTRICTS, authority_violations
from shared.errors import DomainError, FieldViolation, InvalidArgument
from shared.grpc.types import Context
from shared.ids import building_of, request_derived_id
from shared.timestamps import from_timestamp
from shared.transactions import all_answered

DEFAULT_PAGE = 100
MAX_PAGE = 1000
DEFAULT_LEAF_PAGE = 1000
MAX_LEAF_PAGE = 10000
# Certificates or proofs one case may issue: one per co-owner at most (CQ 26).
MAX_DOCUMENTS = 20


# Names the clerk's acts that have no case of their own (an objection, an agreement) by the
# clerk's request id, scoped by the clerk: two clerks choosing one request id name two acts.
_ACTS = uuid.UUID("b6d1f0a2-4c3e-4e7a-9f58-2d1c7a6b3e94")


def _act_name(collection: str, request_id: str) -> str:
    return f"{collection}/{request_derived_id(_ACTS, caller().uri, request_id, collection)}"


def _ruling(message: parties_pb2.CourtRuling) -> Ruling:
    return Ruling(message.authority, message.ruling_number)


def _entry_sequence(name: str, field: str, unit_number: str | None = None) -> tuple[str, int]:
    try:
        unit, sequence = parse_entry_name(name)
    except ValueError as exc:
        raise InvalidArgument([FieldViolation(field, str(exc))]) from None
    if unit_number is not None and unit != unit_number:
        raise InvalidArgument([FieldViolation(field, f"is not an entry of unit {unit_number}")])
    return unit, sequence


def _disposal(value: int, field: str) -> Disposal:
    if value == pb.DISPOSAL_UNSPECIFIED:
        raise InvalidArgument([FieldViolation(field, "is required")])
    return Disposal(pb.Disposal.Name(value).removeprefix("DISPOSAL_"))


def _related_sequence(request: pb.AddObjectionRequest | pb.RecordAgreementRequest) -> int | None:
    """The sequence of the request's related_entry on its unit, if it names one."""
    if not request.related_entry:
        return None
    return _entry_sequence(request.related_entry, "related_entry", request.unit_number)[1]


def _new_entry(message: pb.NewEntry, field: str, unit_number: str) -> NewEntry:
    if message.kind == pb.ENTRY_KIND_UNSPECIFIED:
        raise InvalidArgument([FieldViolation(f"{field}.kind", "is required")])
    related = None
    if message.related_entry:
        related = _entry_sequence(message.related_entry, f"{field}.related_entry", unit_number)[1]
    if message.share_basis_points and len(message.share_basis_points) != len(message.holders):
        raise InvalidArgument([FieldViolation(f"{field}.share_basis_points", "needs one share per holder")])
    return NewEntry(
        EntryKind(pb.EntryKind.Name(message.kind).removeprefix("ENTRY_KIND_")),
        tuple(message.holders),
        tuple(message.share_basis_points),
        message.amount_fen,
        from_timestamp(message, "priority_time"),
        related,
        message.note,
    )


def _case_to_commit(request: pb.CommitCaseRequest) -> CaseToCommit:
    """The case a CommitCase request enters, its fields checked (INVALID_ARGUMENT otherwise)."""
    disposal = _disposal(request.disposal, "disposal")
    new_entries = [
        _new_entry(e, f"new_entries[{i}]", request.unit_number) for i, e in enumerate(request.new_entries)
    ]
    ended = [
        _entry_sequence(name, f"ended_entries[{i}]", request.unit_number)[1]
        for i, name in enumerate(request.ended_entries)
    ]
    documents_asked = [
        FieldViolation(field, f"must be between 0 and {MAX_DOCUMENTS}")
        for field in ("issue_certificates", "issue_proofs")
        if not 0 <= getattr(request, field) <= MAX_DOCUMENTS
    ]
    if documents_asked:
        raise InvalidArgument(documents_asked)
    return CaseToCommit(
        request.unit_number,
        request.registry_case,
        disposal,
        list(request.beneficiaries),
        new_entries,
        ended,
        request.issue_certificates,
        request.issue_proofs,
        request.ruling if request.HasField("ruling") else None,
    )


def _renumbering_violations(request: pb.RecordFirstRegistrationRequest) -> list[FieldViolation]:
    """Each renumbering maps one presale unit of the building to one new as-built unit among
    those registered; no unit is named twice."""
    violations = []
    seen: set[str] = set()
    for i, renumbering in enumerate(request.renumbered):
        field = f"renumbered[{i}]"
        pair = (renumbering.presale_unit_number, renumbering.unit_number)
        if pair[0] == pair[1]:
            violations.append(
                FieldViolation(field, "the as-built number is the presale one: nothing changes")
            )
        elif any(building_of(u) != request.building_number for u in pair):
            violations.append(
                FieldViolation(field, f"names a unit outside building {request.building_number}")
            )
        elif seen & set(pair):
            violations.append(FieldViolation(field, "names a unit another renumbering names"))
        elif request.unit_numbers and pair[1] not in request.unit_numbers:
            violations.append(FieldViolation(f"{field}.unit_number", "is not among unit_numbers"))
        seen.update(pair)
    return violations


class RegistryServicer(registry_service_pb2_grpc.RegistryServiceServicer):
    def __init__(self, office: RegistryOffice) -> None:
        self.office = office
        self.clock = office.book.clock

    async def CreateBuilding(
        self, request: pb.CreateBuildingRequest, context: Context
    ) -> pb.CreateBuildingResponse:
        unknown = authority_violations([("building_number", request.building_number)])
        if unknown:
            raise InvalidArgument(unknown)
        units = [
            UnitFacts(
                u.unit_number,
                building_of(u.unit_number),
                u.address,
                u.gross_area_dm2,
                u.use,
                u.presale_unit_number,
            )
            for u in request.units
        ]
        return await self.office.create_building(request, units)

    async def GetUnit(self, request: pb.GetUnitRequest, context: Context) -> pb.GetUnitResponse:
        at = from_timestamp(request, "as_of_time")
        view = await self.office.unit(request.unit_number, at)
        unit = unit_message(view, every_entry=request.with_history)
        as_seen_by(caller(), unit.entries)
        return pb.GetUnitResponse(unit=unit)

    async def GetUnits(self, request: pb.GetUnitsRequest, context: Context) -> pb.GetUnitsResponse:
        asked = [(r.unit_number, from_timestamp(r, "as_of_time")) for r in request.requests]
        views = await self.office.units(asked)
        who = caller()
        results: list[pb.GetUnitResponse | DomainError] = []
        for one, view in zip(request.requests, views, strict=True):
            if isinstance(view, DomainError):
                results.append(view)
                continue
            unit = unit_message(view, every_entry=one.with_history)
            as_seen_by(who, unit.entries)
            results.append(pb.GetUnitResponse(unit=unit))
        return pb.GetUnitsResponse(outcomes=outcomes(results, pb.GetUnitOutcome, "deedflow.registry"))

    async def ListEntries(self, request: pb.ListEntriesRequest, context: Context) -> pb.ListEntriesResponse:
        at = from_timestamp(request, "as_of_time")
        view = await self.office.unit(request.unit_number, at)
        offset = int(paging.position(request) or "0")
        size = min(request.page_size or DEFAULT_PAGE, MAX_PAGE)
        page = view.entries[offset : offset + size]
        more = offset + size < len(view.entries)
        entries = [entry_message(v) for v in page]
        as_seen_by(caller(), entries)
        return pb.ListEntriesResponse(
            entries=entries, next_page_token=paging.issue(str(offset + size), request) if more else ""
        )

    async def CheckDisposal(
        self, request: pb.CheckDisposalRequest, context: Context
    ) -> pb.CheckDisposalResponse:
        disposal = _disposal(request.disposal, "disposal")
        applied = application_time(request, self.clock.now())
        found = await self.office.check(request.unit_number, disposal, list(request.beneficiaries), applied)
        return pb.CheckDisposalResponse(
            allowed=not found, restrictions=[restriction_message(r) for r in found]
        )

    async def CommitCase(self, request: pb.CommitCaseRequest, context: Context) -> pb.CommitCaseResponse:
        return await self.office.commit_case(request, _case_to_commit(request), caller().uri)

    async def CommitCases(self, request: pb.CommitCasesRequest, context: Context) -> pb.CommitCasesResponse:
        """Many CommitCase requests entered in one register transaction (Book.commit_cases)."""
        actor = caller()
        refuse_repeated_request_ids(request.requests)
        results: list[pb.CommitCaseResponse | DomainError | None] = [None] * len(request.requests)
        cases = {}
        for i, one in enumerate(request.requests):
            try:
                cases[one.request_id] = _case_to_commit(one)
            except DomainError as refused:
                results[i] = refused
        taken = [i for i, result in enumerate(results) if result is None]
        written = await self.office.commit_cases(
            [request.requests[i] for i in taken],
            cases,
            actor.uri,
            lambda one: self.CommitCase(one, context),
        )
        for i, result in zip(taken, written, strict=True):
            results[i] = result
        answered: list[pb.CommitCaseResponse | DomainError] = all_answered(results)
        return pb.CommitCasesResponse(outcomes=outcomes(answered, pb.CommitCaseOutcome, "deedflow.registry"))

    async def RecordFirstRegistration(
        self, request: pb.RecordFirstRegistrationRequest, context: Context
    ) -> pb.RecordFirstRegistrationResponse:
        actor = caller()
        surveyed = {a.unit_number: a.gross_area_dm2 for a in request.surveyed_areas}
        if len(surveyed) != len(request.surveyed_areas):
            raise InvalidArgument([FieldViolation("surveyed_areas", "names a unit twice")])
        violations = [
            FieldViolation(f"unit_numbers[{i}]", f"is not in building {request.building_number}")
            for i, unit in enumerate(request.unit_numbers)
            if building_of(unit) != request.building_number
        ]
        violations.extend(_renumbering_violations(request))
        if violations:
            raise InvalidArgument(violations)
        renumbered = {r.unit_number: r.presale_unit_number for r in request.renumbered}
        return await self.office.record_first_registration(request, surveyed, renumbered, actor.uri)

    async def SeizeUnit(self, request: pb.SeizeUnitRequest, context: Context) -> pb.SeizeUnitResponse:
        actor = caller()
        now = self.clock.now()
        start = from_timestamp(request, "start_time") or now
        end = from_timestamp(request, "end_time")
        violations = []
        if start > now:
            # The seizure binds from its entry in the book, so its term cannot begin later: a
            # term counted from a future start would run past three years from when it binds.
            violations.append(
                FieldViolation("start_time", "a seizure binds from its entry; its term cannot start later")
            )
        if end is None:
            violations.append(
                FieldViolation("end_time", "a seizure has a term (民诉法解释 485); give its end")
            )
        elif end <= start:
            violations.append(FieldViolation("end_time", "must be after the term's start"))
        elif end > seizure_term_limit(start):
            violations.append(
                FieldViolation("end_time", "a term of real property is at most three years (民诉法解释 485)")
            )
        if request.whole_building and request.debtor:
            violations.append(FieldViolation("whole_building", "a building's seizure has no debtor-buyer"))
        if request.debtor and not request.pre_seizure:
            violations.append(FieldViolation("debtor", "names the debtor of a pre-seizure (预查封) only"))
        elif request.debtor and not request.debtor.startswith("buyers/"):
            violations.append(FieldViolation("debtor", 'is "buyers/{resident_id}"'))
        if violations:
            raise InvalidArgument(violations)
        return await self.office.seize(request, _ruling(request.ruling), end, actor.uri)

    async def RenewSeizure(
        self, request: pb.RenewSeizureRequest, context: Context
    ) -> pb.RenewSeizureResponse:
        entry = _entry_sequence(request.entry, "entry")
        # Required by the field rules: the validation layer refused a request without it.
        end = request.end_time.ToDatetime(tzinfo=dt.UTC)
        return await self.office.renew_seizure(request, entry, _ruling(request.ruling), end, caller().uri)

    async def ReleaseSeizure(
        self, request: pb.ReleaseSeizureRequest, context: Context
    ) -> pb.ReleaseSeizureResponse:
        entry = _entry_sequence(request.entry, "entry")
        return await self.office.release_seizure(request, entry, _ruling(request.ruling), caller().uri)

    async def AddObjection(
        self, request: pb.AddObjectionRequest, context: Context
    ) -> pb.AddObjectionResponse:
        related = _related_sequence(request)
        new = NewEntry(
            EntryKind.OBJECTION, (request.objector,), related_sequence=related, note=request.grounds
        )
        act = _act_name("objections", request.request_id)
        return await self.office.add_objection(request, new, act, caller().uri)

    async def RotateBookKey(
        self, request: pb.RotateBookKeyRequest, context: Context
    ) -> pb.RotateBookKeyResponse:
        return await self.office.rotate_book_key(request)

    async def EraseHolder(self, request: pb.EraseHolderRequest, context: Context) -> pb.EraseHolderResponse:
        return await self.office.erase_holder(request)

    async def LiftObjection(
        self, request: pb.LiftObjectionRequest, context: Context
    ) -> pb.LiftObjectionResponse:
        entry = _entry_sequence(request.entry, "entry")
        lawsuit = _ruling(request.lawsuit) if request.HasField("lawsuit") else None
        return await self.office.lift_objection(request, entry, lawsuit, caller().uri)

    async def RequestCorrection(
        self, request: pb.RequestCorrectionRequest, context: Context
    ) -> pb.RequestCorrectionResponse:
        entry = _entry_sequence(request.entry, "entry")
        return await self.office.request_correction(request, entry, caller().uri)

    async def ResolveCorrection(
        self, request: pb.ResolveCorrectionRequest, context: Context
    ) -> pb.ResolveCorrectionResponse:
        correction = _entry_sequence(request.correction, "correction")
        corrected = (
            _new_entry(request.corrected, "corrected", correction[0])
            if request.HasField("corrected")
            else None
        )
        return await self.office.resolve_correction(request, correction, corrected, caller().uri)

    async def RecordAgreement(
        self, request: pb.RecordAgreementRequest, context: Context
    ) -> pb.RecordAgreementResponse:
        related = _related_sequence(request)
        new = NewEntry(
            EntryKind.AGREEMENT,
            related_sequence=related,
            note=request.terms,
            restricts_transfer=request.restricts_transfer,
        )
        act = _act_name("agreements", request.request_id)
        return await self.office.record_agreement(request, new, act, caller().uri)

    async def ListBooks(self, request: pb.ListBooksRequest, context: Context) -> pb.ListBooksResponse:
        rows = await self.office.summaries()
        keys = self.office.books.keys
        return pb.ListBooksResponse(
            books=[
                pb.BookSummary(
                    authority=book.authority,
                    district=DISTRICTS.get(book.authority, ""),
                    tree_size=book.size,
                    signed_tree_size=book.signed,
                    public_key=keys.public(book.authority),
                    verifier_key=keys.verifier_key(book.authority),
                    witness_alarms=book.witness_alarms,
                )
                for book in rows
            ]
        )

    async def GetCheckpoint(
        self, request: pb.GetCheckpointRequest, context: Context
    ) -> pb.GetCheckpointResponse:
        checkpoint = await self.office.checkpoint(request.authority)
        keys = self.office.books.keys
        return pb.GetCheckpointResponse(
            checkpoint=checkpoint_message(checkpoint),
            public_key=keys.public(request.authority),
            note=keys.note(checkpoint),
            verifier_key=keys.verifier_key(request.authority),
        )

    async def GetInclusionProof(
        self, request: pb.GetInclusionProofRequest, context: Context
    ) -> pb.GetInclusionProofResponse:
        entry = _entry_sequence(request.entry, "entry")
        index, path, leaf, checkpoint = await self.office.inclusion(entry, request.tree_size)
        return pb.GetInclusionProofResponse(
            leaf_index=index,
            tree_size=checkpoint.tree_size,
            audit_path=path,
            leaf=leaf,
            checkpoint=checkpoint_message(checkpoint),
        )

    async def GetConsistencyProof(
        self, request: pb.GetConsistencyProofRequest, context: Context
    ) -> pb.GetConsistencyProofResponse:
        proof = await self.office.consistency(
            request.authority, request.first_tree_size, request.second_tree_size
        )
        return pb.GetConsistencyProofResponse(proof=proof)

    async def SealDocument(
        self, request: pb.SealDocumentRequest, context: Context
    ) -> pb.SealDocumentResponse:
        _entry_sequence(request.entry, "entry")
        try:
            body = strict_json.loads(request.body)
        except strict_json.JsonRefused as exc:
            raise InvalidArgument([FieldViolation("body", f"must be a JSON object: {exc}")]) from None
        if not isinstance(body, dict):
            raise InvalidArgument([FieldViolation("body", "must be a JSON object")])
        if request.kind not in documents.KINDS:
            raise InvalidArgument([FieldViolation("kind", f"must be one of {', '.join(documents.KINDS)}")])
        document = await self.office.seal_document(request.entry, request.kind, request.number, body)
        return pb.SealDocumentResponse(document=document)

    async def ListLeaves(self, request: pb.ListLeavesRequest, context: Context) -> pb.ListLeavesResponse:
        if request.start_index < 0:
            raise InvalidArgument([FieldViolation("start_index", "must not be negative")])
        limit = min(request.page_size or DEFAULT_LEAF_PAGE, MAX_LEAF_PAGE)
        leaves, size = await self.office.leaves(request.authority, request.start_index, limit)
        return pb.ListLeavesResponse(leaves=leaves, tree_size=size)

    async def ListCheckpoints(
        self, request: pb.ListCheckpointsRequest, context: Context
    ) -> pb.ListCheckpointsResponse:
        after = int(paging.position(request) or 0)
        size = min(request.page_size or DEFAULT_PAGE, MAX_PAGE)
        found = await self.office.checkpoints(request.authority, after, size + 1)
        return pb.ListCheckpointsResponse(
            checkpoints=[checkpoint_message(c) for c in found[:size]],
            next_page_token=paging.issue(str(found[size - 1].tree_size), request)
            if len(found) > size
            else "",
            public_key=self.office.books.keys.public(request.authority),
        )
