"""The register's use cases. Each runs inside one transaction that the caller of `write` or
`read` opens; a unit's row lock orders every change to that unit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import asyncpg

from deedflow.registry.v1 import document_pb2
from deedflow.type.v1 import parties_pb2
from deedflow.type.v1.reasons import Reason
from services.registry import repository
from services.registry.books import Books, checkpoint_message
from services.registry.domain import (
    SEIZURE_KINDS,
    Disposal,
    Entry,
    EntryKind,
    EntryState,
    EntryView,
    NewEntry,
    Restriction,
    Ruling,
    StateEvent,
    UnitFacts,
    UnitView,
    carried_entries,
    check_objection_not_repeated,
    converted_priority,
    entry_name,
    parse_entry_name,
    restrictions,
    seizure_end,
    seizure_in_effect,
    view_entries,
)
from shared import documents
from shared.commitments import holder_openings
from shared.districts import authority_of
from shared.errors import (
    AlreadyExists,
    DomainError,
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    NotFound,
)
from shared.ids import building_of
from shared.journal import Journal
from shared.numbering import allocate, certificate_number, proof_number
from shared.transactions import Transactions, all_answered


def refuse(found: list[Restriction]) -> FailedPrecondition:
    """The first restriction as the error, every one of them in its metadata."""
    first = found[0]
    metadata = {"reasons": ",".join(r.reason for r in found), "legal_basis": first.legal_basis}
    if first.entry:
        metadata["entry"] = first.entry
    return FailedPrecondition(
        first.reason, f"{first.reason}: refused by the register ({first.legal_basis})", metadata
    )


@dataclass
class _Planned:
    """What a case will append to one unit: new entries and state moves of existing ones."""

    facts: UnitFacts
    entries: list[Entry]
    new: list[tuple[NewEntry, dt.datetime]] = field(default_factory=list)
    moves: list[tuple[int, StateEvent]] = field(default_factory=list)
    # The case entering the plan, when a batch enters several cases at once.
    case: str = ""

    def next_sequence(self) -> int:
        return max((e.sequence for e in self.entries), default=0) + len(self.new) + 1

    def add(self, new: NewEntry, priority_time: dt.datetime) -> int:
        sequence = self.next_sequence()
        self.new.append((new, priority_time))
        return sequence

    def move(self, sequence: int, event: StateEvent) -> None:
        self.moves.append((sequence, event))


@dataclass(frozen=True)
class CaseToCommit:
    """One case to enter (登簿): see Book.commit_cases."""

    unit_number: str
    case: str
    disposal: Disposal
    beneficiaries: list[str]
    new_entries: list[NewEntry]
    ended: list[int]
    certificates: int = 0
    proofs: int = 0
    ruling: parties_pb2.CourtRuling | None = None
    applied_time: dt.datetime | None = None


@dataclass(frozen=True)
class CaseCommitted:
    """What entering a case appended, and the numbers of the documents it issues."""

    entries: list[EntryView]
    certificates: list[str]
    proofs: list[str]


def _rows_of(
    plan: _Planned,
    case: str,
    actor: str,
    at: dt.datetime,
    leaf: int,
    entries: list[tuple[Any, ...]],
    events: list[tuple[Any, ...]],
) -> int:
    """The plan's entry and event rows, from leaf index `leaf` on, added to `entries` and
    `events`; the next free leaf index."""
    unit_number = plan.facts.unit_number
    sequence = max((e.sequence for e in plan.entries), default=0)
    events_of = {e.sequence: len(e.events) for e in plan.entries}
    for new, priority_time in plan.new:
        sequence += 1
        entries.append(
            repository.entry_row(
                unit_number, sequence, new, priority_time, plan.case or case, actor, at, leaf
            )
        )
        first_event = StateEvent(new.initial_state, plan.case or case, actor, at, new.ruling)
        events.append(repository.event_row(unit_number, sequence, 1, first_event, leaf + 1))
        events_of[sequence] = 1
        leaf += 2
    for moved, event in plan.moves:
        events_of[moved] += 1
        events.append(repository.event_row(unit_number, moved, events_of[moved], event, leaf))
        leaf += 1
    return leaf


# Buildings whose first registration time a process keeps (then it starts again).
MAX_BUILDINGS_REMEMBERED = 100_000


class Book:
    """不动产登记簿: reads and appends, with the restriction engine consulted atomically."""

    def __init__(self, journal: Journal, books: Books) -> None:
        self.clock = journal.clock
        self.tx = Transactions(journal, "deedflow.registry.v1.RegistryService")
        self.books = books
        self._first_registered: dict[str, dt.datetime] = {}

    async def leaf_of(self, connection: asyncpg.Connection, entry: str) -> tuple[str, int]:
        """The book and leaf index of an entry."""
        unit_number, sequence = parse_entry_name(entry)
        index = await connection.fetchval(
            "SELECT leaf_index FROM entry WHERE unit_number = $1 AND sequence = $2", unit_number, sequence
        )
        if index is None:
            raise NotFound(f"no entry {entry!r}")
        return authority_of(unit_number), index

    async def seal_document(
        self,
        connection: asyncpg.Connection,
        entry: str,
        kind: str,
        number: str,
        body: dict[str, Any],
        witnessed: tuple[int, str] | None = None,
    ) -> document_pb2.SignedDocument:
        """Issues a document resting on `entry`: the book states the unit and holders, the entry's
        inclusion proof ties it to a signed checkpoint of the unit's authority's book (the book's
        latest, or `witnessed`: the size and note of one its witnesses cosigned), and the seal,
        with that book's key, binds them all."""
        unit_number, sequence = parse_entry_name(entry)
        row = await connection.fetchrow(
            "SELECT holders, salt FROM entry WHERE unit_number = $1 AND sequence = $2", unit_number, sequence
        )
        if row is None:
            raise NotFound(f"no entry {entry!r}")
        holders: list[str] = row["holders"]
        if body.get("unit_number", unit_number) != unit_number:
            raise InvalidArgument([FieldViolation("body", f"names another unit than {unit_number}")])
        size, note = witnessed or (0, "")
        index, path, leaf, checkpoint = await self.books.inclusion(connection, unit_number, sequence, size)
        content = documents.compose_content(kind, number, entry, unit_number, holders, body, self.clock.now())
        return document_pb2.SignedDocument(
            content=content,
            leaf=leaf,
            holder_openings=holder_openings(row["salt"], holders) if row["salt"] is not None else [],
            leaf_index=index,
            audit_path=path,
            checkpoint=checkpoint_message(checkpoint),
            checkpoint_note=note or self.books.keys.note(checkpoint),
            seal=documents.seal(
                self.books.keys.signer_of(checkpoint),
                content,
                leaf,
                checkpoint.tree_size,
                checkpoint.root_hash,
            ),
        )

    # Reads

    async def unit_view(
        self,
        connection: asyncpg.Connection,
        unit_number: str,
        at: dt.datetime | None = None,
        applied_time: dt.datetime | None = None,
    ) -> UnitView:
        facts = await repository.read_unit(connection, unit_number)
        if facts is None:
            raise NotFound(f"unit {unit_number} is not in the book")
        return await self._view(connection, facts, at or self.clock.now(), applied_time)

    async def unit_views(
        self, connection: asyncpg.Connection, asked: list[tuple[str, dt.datetime | None]]
    ) -> list[UnitView | NotFound]:
        """unit_view for many (unit, as of) at once: the facts and the entries of every unit read in
        one statement each; NotFound in the place of a unit not in the book."""
        numbers = sorted({unit for unit, _ in asked})
        facts = await repository.read_units(connection, numbers)
        books = await repository.entries_of(connection, list(facts))
        now = self.clock.now()
        views: list[UnitView | NotFound] = []
        for unit, at in asked:
            found = facts.get(unit)
            if found is None:
                views.append(NotFound(f"unit {unit} is not in the book"))
                continue
            first = await self._first_registration_time(connection, found.building_number)
            when = at or now
            views.append(UnitView(found, first, view_entries(books.get(unit, []), first, when), when))
        return views

    async def _view(
        self,
        connection: asyncpg.Connection,
        facts: UnitFacts,
        at: dt.datetime,
        applied_time: dt.datetime | None = None,
        first: dt.datetime | None = None,
    ) -> UnitView:
        """The unit as the book shows it at `at`; `first`, the building's first registration
        when the caller has just made it (not yet committed, so not to be remembered)."""
        first = first or await self._first_registration_time(connection, facts.building_number)
        entries = (await repository.entries_of(connection, [facts.unit_number])).get(facts.unit_number, [])
        return UnitView(facts, first, view_entries(entries, first, at, applied_time), at)

    async def check(
        self,
        connection: asyncpg.Connection,
        unit_number: str,
        disposal: Disposal,
        beneficiaries: list[str],
        applied_time: dt.datetime | None = None,
    ) -> list[Restriction]:
        """The restrictions on the disposal now; a transfer applied for at `applied_time` is
        judged by whether its 预告 was in force when it was applied for (民法典 221)."""
        applied = applied_time if disposal is Disposal.TRANSFER else None
        view = await self.unit_view(connection, unit_number, applied_time=applied)
        return restrictions(view, disposal, beneficiaries)

    # Changes

    async def create_building(
        self, connection: asyncpg.Connection, building_number: str, units: list[UnitFacts]
    ) -> list[UnitView]:
        violations = [
            FieldViolation(f"units[{i}].unit_number", f"is not in building {building_number}")
            for i, unit in enumerate(units)
            if unit.building_number != building_number
        ]
        if violations:
            raise InvalidArgument(violations)
        await repository.insert_building(connection, building_number)
        existing = await repository.find_units(connection, [u.unit_number for u in units])
        for unit in units:
            known = existing.get(unit.unit_number)
            if known is None:
                await repository.insert_unit(connection, unit)
            elif known.presale_facts != unit:
                raise AlreadyExists(
                    Reason.UNIT_FACTS_DIFFER,
                    f"unit {unit.unit_number} is already in the book with other facts",
                    {"unit_number": unit.unit_number},
                )
        now = self.clock.now()
        return [await self._view(connection, unit, now) for unit in units]

    async def _plan(self, connection: asyncpg.Connection, unit_number: str) -> _Planned:
        facts = _open_to_change(unit_number, await repository.lock_unit(connection, unit_number))
        entries = (await repository.entries_of(connection, [unit_number])).get(unit_number, [])
        return _Planned(facts, entries)

    async def _planned_view(
        self,
        connection: asyncpg.Connection,
        unit_number: str,
        at: dt.datetime,
        applied_time: dt.datetime | None = None,
    ) -> tuple[_Planned, UnitView]:
        """The unit locked for a change, and the book's view of it at `at` (for a transfer
        applied for at `applied_time`)."""
        plan = await self._plan(connection, unit_number)
        first = await self._first_registration_time(connection, plan.facts.building_number)
        return plan, UnitView(plan.facts, first, view_entries(plan.entries, first, at, applied_time), at)

    async def _apply(
        self, connection: asyncpg.Connection, plans: list[_Planned], case: str, actor: str, at: dt.datetime
    ) -> None:
        """Writes every planned entry (each with its first state event) and move, taking
        consecutive leaves of each unit's authority's book: the books in code order, so that two
        cases spanning the same books take their locks in one order."""
        by_book: dict[str, list[_Planned]] = {}
        for plan in plans:
            by_book.setdefault(authority_of(plan.facts.unit_number), []).append(plan)
        entries: list[tuple[Any, ...]] = []
        events: list[tuple[Any, ...]] = []
        appended: list[tuple[str, int, int]] = []
        for authority in sorted(by_book):
            leaves = sum(2 * len(p.new) + len(p.moves) for p in by_book[authority])
            if leaves == 0:
                continue
            leaf = first = await self.books.allocate(connection, authority, leaves)
            appended.append((authority, first, leaves))
            for plan in by_book[authority]:
                leaf = _rows_of(plan, case, actor, at, leaf, entries, events)
        if not appended:
            return
        if entries:
            await repository.insert_entries(connection, entries)
        await repository.insert_events(connection, events)
        for authority, first, leaves in appended:
            await self.books.appended(connection, authority, first, leaves)

    def _current(self, view: UnitView, sequence: int) -> EntryView:
        for entry_view in view.entries:
            if entry_view.entry.sequence == sequence:
                if entry_view.state is not EntryState.CURRENT:
                    raise FailedPrecondition(
                        Reason.ENTRY_NOT_CURRENT,
                        f"{entry_view.entry.name} is {entry_view.state.value.lower()}, not current",
                        {"entry": entry_view.entry.name},
                    )
                return entry_view
        raise NotFound(f"no entry {sequence} on unit {view.facts.unit_number}")

    async def _after(
        self,
        connection: asyncpg.Connection,
        plan: _Planned,
        at: dt.datetime,
        first: dt.datetime | None = None,
    ) -> UnitView:
        return await self._view(connection, plan.facts, at, first=first)

    async def _first_registration_time(
        self, connection: asyncpg.Connection, building_number: str
    ) -> dt.datetime | None:
        """When the building was first registered: once set it never changes (a building is
        first-registered once), so a time read from the book is kept for the process."""
        known = self._first_registered.get(building_number)
        if known is None:
            known = await repository.first_registration_time(connection, building_number)
            if known is not None:
                if len(self._first_registered) >= MAX_BUILDINGS_REMEMBERED:
                    self._first_registered.clear()
                self._first_registered[building_number] = known
        return known

    async def _entry_after(
        self, connection: asyncpg.Connection, plan: _Planned, at: dt.datetime, sequence: int
    ) -> EntryView:
        """One entry of the unit as the book shows it once the plan is applied."""
        after = await self._after(connection, plan, at)
        return next(v for v in after.entries if v.entry.sequence == sequence)

    async def commit_case(
        self, connection: asyncpg.Connection, at: dt.datetime, case: CaseToCommit, actor: str
    ) -> CaseCommitted:
        """登簿 of one case: see commit_cases; its refusal raised."""
        (committed,) = await self.commit_cases(connection, at, [case], actor)
        if isinstance(committed, DomainError):
            raise committed
        return committed

    async def commit_cases(
        self, connection: asyncpg.Connection, at: dt.datetime, cases: list[CaseToCommit], actor: str
    ) -> list[CaseCommitted | DomainError]:
        """登簿: checks each case's restrictions at this moment, then appends and ends its entries
        and numbers the documents it issues. A transfer applied for at `applied_time` finds its
        预告 and 预抵押 as they stood then (民法典 221: the lapse counts the application, not the
        entry). Many cases are entered together, with one advance of the log: every unit locked and
        read in one statement each, every case judged, the admitted ones written at once. A refused
        case (its DomainError in its place) writes nothing. Two cases of one unit are entered one
        after the other, the second judged with the first in the book."""
        results: list[CaseCommitted | DomainError | None] = [None] * len(cases)
        waiting = list(range(len(cases)))
        while waiting:
            units: dict[str, int] = {}
            for i in waiting:
                units.setdefault(cases[i].unit_number, i)
            taking = set(units.values())
            waiting = [i for i in waiting if i not in taking]
            await self._commit_round(connection, at, [(i, cases[i]) for i in sorted(taking)], actor, results)
        # Every case is in one round's results now: committed, or refused.
        return all_answered(results)

    async def _commit_round(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        cases: list[tuple[int, CaseToCommit]],
        actor: str,
        results: list[CaseCommitted | DomainError | None],
    ) -> None:
        """Enters cases of distinct units, each result in its place in `results`."""
        locked = await repository.lock_units(connection, sorted(c.unit_number for _, c in cases))
        books = await repository.entries_of(connection, list(locked))
        admitted: list[tuple[int, CaseToCommit, _Planned, list[int]]] = []
        for i, case in cases:
            try:
                facts = _open_to_change(case.unit_number, locked.get(case.unit_number))
                plan = _Planned(facts, books.get(case.unit_number, []), case=case.case)
                first = await self._first_registration_time(connection, facts.building_number)
                applied = case.applied_time if case.disposal is Disposal.TRANSFER else None
                view = UnitView(facts, first, view_entries(plan.entries, first, at, applied), at)
                admitted.append((i, case, plan, self._judge(view, plan, case, actor, at)))
            except DomainError as refused:
                results[i] = refused
        if not admitted:
            return
        await self._apply(connection, [plan for _, _, plan, _ in admitted], "", actor, at)
        after = await repository.entries_of(connection, [c.unit_number for _, c, _, _ in admitted])
        numbers = await self._issue_many(connection, at, [c for _, c, _, _ in admitted])
        for (i, case, plan, created), (certificates, proofs) in zip(admitted, numbers, strict=True):
            first = await self._first_registration_time(connection, plan.facts.building_number)
            views = view_entries(after.get(case.unit_number, []), first, at)
            results[i] = CaseCommitted(
                [v for v in views if v.entry.sequence in created], certificates, proofs
            )

    def _judge(
        self, view: UnitView, plan: _Planned, case: CaseToCommit, actor: str, at: dt.datetime
    ) -> list[int]:
        """Plans the case on its unit if the book allows it now; the sequences it will create."""
        found = restrictions(view, case.disposal, case.beneficiaries)
        if found:
            raise refuse(found)
        ended_by = None
        note = ""
        if case.ruling is not None:
            ended_by = Ruling(case.ruling.authority, case.ruling.ruling_number)
            date = case.ruling.ruling_time.ToDatetime()
            note = f"裁判日期 {date:%Y-%m-%d}; 裁判文书 sha256 {case.ruling.document_sha256.hex()}"
        for sequence in case.ended:
            self._current(view, sequence)
            plan.move(sequence, StateEvent(EntryState.HISTORIC, case.case, actor, at, ended_by, note))
        created = []
        for new in case.new_entries:
            priority = at
            if new.kind is EntryKind.MORTGAGE and new.related_sequence is not None:
                source = self._current(view, new.related_sequence)
                if source.entry.kind is EntryKind.PREMORTGAGE:
                    priority = converted_priority(source)
            created.append(plan.add(new, priority))
        return created

    async def _issue_many(
        self, connection: asyncpg.Connection, at: dt.datetime, cases: list[CaseToCommit]
    ) -> list[tuple[list[str], list[str]]]:
        """Numbers every case's certificates and proofs: one allocation per kind and authority,
        one insert of every number."""
        numbers: list[tuple[list[str], list[str]]] = [([], []) for _ in cases]
        rows = []
        for kind, slot, render in (("CERTIFICATE", 0, certificate_number), ("PROOF", 1, proof_number)):
            wanted: dict[str, list[int]] = {}
            for i, case in enumerate(cases):
                if (case.certificates, case.proofs)[slot] > 0:
                    wanted.setdefault(authority_of(case.unit_number), []).append(i)
            for authority, asking in wanted.items():
                count = sum((cases[i].certificates, cases[i].proofs)[slot] for i in asking)
                serials = iter(await allocate(connection, kind, authority, at.year, count))
                for i in asking:
                    case = cases[i]
                    for _ in range((case.certificates, case.proofs)[slot]):
                        number = render(at.year, case.unit_number, next(serials))
                        numbers[i][slot].append(number)
                        rows.append((number, kind, case.unit_number, case.case, at))
        if rows:
            # Each number is kept once (its primary key): no two documents share one.
            await connection.execute(
                "INSERT INTO issued_document (number, kind, unit_number, registry_case, issue_time)"
                " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])",
                *(list(column) for column in zip(*rows, strict=True)),
            )
        return numbers

    async def record_first_registration(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        building_number: str,
        case: str,
        owner: str,
        unit_numbers: list[str],
        common_parts: list[str],
        actor: str,
        surveyed: dict[str, int] | None = None,
        renumbered: dict[str, str] | None = None,
    ) -> list[EntryView]:
        """首次登记: the developer's ownership of every unit, in one transaction (CQ 29, 41), with
        each unit's as-built (实测) area recorded and written into its ownership entry (条例 8).
        `renumbered` maps an as-built unit to the presale unit it was surveyed from, when the
        number changed: that unit is entered from the presale one, whose entries in force move
        to it with their rank (担保制度解释 52)."""
        surveyed = surveyed or {}
        renumbered = renumbered or {}
        numbers = await self._units_to_register(
            connection, building_number, unit_numbers, surveyed, renumbered
        )
        # Every unit the registration touches locked in one statement, in unit-number order (as
        # CommitCases locks them), and the entries of the others read in one.
        locked = await repository.lock_units(connection, sorted({*numbers, *renumbered.values()}))
        books = await repository.entries_of(connection, [u for u in locked if u not in renumbered])
        plans = []
        for unit_number in sorted(numbers):
            if unit_number in renumbered:
                presale, plan = await self._renumber(
                    connection, at, renumbered[unit_number], unit_number, owner, case, actor
                )
                plans.append(presale)
            else:
                plan = _Planned(
                    _open_to_change(unit_number, locked.get(unit_number)), books.get(unit_number, [])
                )
            if plan.facts.building_number != building_number:
                raise InvalidArgument(
                    [FieldViolation("unit_numbers", f"{unit_number} is not in {building_number}")]
                )
            _refuse_first_registration_if_restricted(plan, owner, at)
            note = "首次登记"
            if unit_number in surveyed:
                area = surveyed[unit_number]
                await repository.record_survey(connection, unit_number, area, case, at)
                note = f"首次登记; 实测建筑面积 {area // 100}.{area % 100:02d} m²"
            if unit_number in renumbered:
                note = f"{note}; 预售单元 {renumbered[unit_number]}"
            plan.add(NewEntry(EntryKind.OWNERSHIP, (owner,), (10000,), note=note), at)
            plans.append(plan)
        await self._apply(connection, plans, case, actor, at)
        await repository.mark_first_registered(connection, building_number, at, case, common_parts)
        entered = [plan for plan in plans if not plan.facts.renumbered_to]
        after = await repository.entries_of(connection, [plan.facts.unit_number for plan in entered])
        return [view_entries(after.get(plan.facts.unit_number, []), at, at)[-1] for plan in entered]

    async def _units_to_register(
        self,
        connection: asyncpg.Connection,
        building_number: str,
        unit_numbers: list[str],
        surveyed: dict[str, int],
        renumbered: dict[str, str],
    ) -> list[str]:
        """The units a first registration enters (those named, else every unit of the building,
        as built), once the building is locked and found not yet first-registered."""
        building = await repository.lock_building(connection, building_number)
        if building is None:
            raise NotFound(f"building {building_number} is not in the book")
        if building.first_registration_time is not None:
            raise AlreadyExists(
                Reason.ALREADY_FIRST_REGISTERED,
                f"building {building_number} was first-registered by {building.first_registration_case}",
                {"building_number": building_number},
            )
        numbers = unit_numbers
        if not numbers:
            as_built = {presale: unit for unit, presale in renumbered.items()}
            numbers = [
                as_built.get(u, u) for u in await repository.units_of_building(connection, building_number)
            ]
        strays = sorted(set(surveyed) - set(numbers))
        if strays:
            raise InvalidArgument(
                [FieldViolation("surveyed_areas", f"{strays[0]} is not among the units registered")]
            )
        doubled = sorted(set(renumbered.values()) & set(numbers))
        if doubled:
            raise InvalidArgument(
                [FieldViolation("unit_numbers", f"{doubled[0]} was renumbered; register its as-built unit")]
            )
        return numbers

    async def _renumber(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        presale: str,
        as_built: str,
        owner: str,
        case: str,
        actor: str,
    ) -> tuple[_Planned, _Planned]:
        """The presale unit and its as-built successor, planned: the successor entered with the
        presale unit's facts and its entries in force (or queued) carried there; each of those
        ended on the presale unit, naming the entry that continues it."""
        old = await self._plan(connection, presale)
        if old.facts.building_number != building_of(as_built):
            raise InvalidArgument(
                [FieldViolation("renumbered", f"{presale} and {as_built} are in different buildings")]
            )
        if await repository.read_unit(connection, as_built) is not None:
            raise InvalidArgument(
                [FieldViolation("renumbered", f"{as_built} is already a unit of the book; number it anew")]
            )
        view = UnitView(old.facts, None, view_entries(old.entries, None, at), at)
        found = restrictions(view, Disposal.FIRST_REGISTRATION, [owner])
        if found:
            raise refuse(found)
        facts = UnitFacts(
            as_built,
            old.facts.building_number,
            old.facts.address,
            old.facts.gross_area_dm2,
            old.facts.use,
            presale,
        )
        await repository.renumber(connection, facts, presale)
        new = _Planned(facts, [])
        for origin, carried in carried_entries(view.entries):
            # A carried entry keeps its rank: its priority time is the entry's own, always set.
            successor = entry_name(as_built, new.add(carried, carried.priority_time or at))
            old.move(
                origin.entry.sequence,
                StateEvent(
                    EntryState.HISTORIC,
                    case,
                    actor,
                    at,
                    note=f"单元号变更: 转至 {successor} (担保制度解释 52)",
                    carried_to=successor,
                ),
            )
        old.facts = replace(old.facts, renumbered_to=as_built)
        return old, new

    async def seize(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        unit_number: str,
        ruling: Ruling,
        pre_seizure: bool,
        start: dt.datetime | None,
        end: dt.datetime | None,
        actor: str,
        debtor: str = "",
        whole_building: bool = False,
    ) -> EntryView:
        """查封 / 预查封; on a unit already seized it is queued (轮候查封). A pre-seizure of what a
        debtor-buyer is to acquire names the debtor as its holder (CQ 72-73). A seizure of the
        building under construction with its land is entered on every unit of the building, in
        one transaction, and also stops the building's first registration."""
        units = [unit_number]
        if whole_building:
            units = await repository.units_of_building(connection, building_of(unit_number))
        plans: list[_Planned] = []
        named: tuple[_Planned, int] | None = None
        for unit in sorted(units):
            plan, unit_view = await self._planned_view(connection, unit, at)
            state = EntryState.PENDING if seizure_in_effect(unit_view.entries) else EntryState.CURRENT
            queued = "轮候查封" if state is EntryState.PENDING else ""
            note = "; ".join(part for part in (queued, "在建工程及土地" if whole_building else "") if part)
            sequence = plan.add(
                NewEntry(
                    EntryKind.PRE_SEIZURE if pre_seizure else EntryKind.SEIZURE,
                    holders=(debtor,) if debtor else (),
                    ruling=ruling,
                    expire_time=end,
                    initial_state=state,
                    note=note,
                    covers_building=whole_building,
                ),
                start or at,
            )
            plans.append(plan)
            if unit == unit_number:
                named = (plan, sequence)
        if named is None:
            raise NotFound(f"unit {unit_number} is not in the book")
        await self._apply(connection, plans, _ruling_case(ruling), actor, at)
        return await self._entry_after(connection, named[0], at, named[1])

    async def renew_seizure(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        unit_number: str,
        sequence: int,
        ruling: Ruling,
        end: dt.datetime,
        actor: str,
    ) -> EntryView:
        """续封: before the term ends, the court moves its end on (查封规定 27); a seizure whose
        term ended is gone, and a new seizure, not a renewal, would be needed."""
        plan, unit_view = await self._planned_view(connection, unit_number, at)
        target = _seizure_not_ended(unit_view.entries, sequence, unit_number)
        current_end = seizure_end(target.entry, at)
        if current_end is not None and end <= current_end:
            raise InvalidArgument(
                [FieldViolation("end_time", f"must be after the current end, {current_end:%Y-%m-%d}")]
            )
        case = _ruling_case(ruling)
        plan.move(
            sequence,
            StateEvent(target.state, case, actor, at, ruling, f"续封至 {end:%Y-%m-%d}", expire_time=end),
        )
        await self._apply(connection, [plan], case, actor, at)
        return await self._entry_after(connection, plan, at, sequence)

    async def release_seizure(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        unit_number: str,
        sequence: int,
        ruling: Ruling,
        actor: str,
    ) -> tuple[EntryView, EntryView | None]:
        """解封: the seizure ends; the first queued one, if any, takes effect now."""
        plan, unit_view = await self._planned_view(connection, unit_number, at)
        view = unit_view.entries
        target = _seizure_not_ended(view, sequence, unit_number)
        case = _ruling_case(ruling)
        plan.move(sequence, StateEvent(EntryState.HISTORIC, case, actor, at, ruling))
        promoted_sequence = None
        if target.state is EntryState.CURRENT:
            queued = [v for v in view if v.entry.kind in SEIZURE_KINDS and v.state is EntryState.PENDING]
            if queued:
                promoted_sequence = queued[0].entry.sequence
                plan.move(
                    promoted_sequence, StateEvent(EntryState.CURRENT, case, actor, at, note="轮候查封生效")
                )
        await self._apply(connection, [plan], case, actor, at)
        after = {v.entry.sequence: v for v in (await self._after(connection, plan, at)).entries}
        return after[sequence], after.get(promoted_sequence) if promoted_sequence else None

    async def append_simple(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        unit_number: str,
        new: NewEntry,
        case: str,
        actor: str,
    ) -> EntryView:
        """Appends one restriction or agreement that no restriction blocks (objection, agreement)."""
        plan = await self._plan(connection, unit_number)
        if new.related_sequence is not None and not any(
            e.sequence == new.related_sequence for e in plan.entries
        ):
            raise NotFound(f"no entry {new.related_sequence} on unit {unit_number}")
        sequence = plan.add(new, at)
        await self._apply(connection, [plan], case, actor, at)
        return await self._entry_after(connection, plan, at, sequence)

    async def add_objection(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        unit_number: str,
        new: NewEntry,
        case: str,
        actor: str,
    ) -> EntryView:
        """Records an objection (异议登记), unless the same objector's objection on the same
        matter already lapsed (CQ 69 ¶3)."""
        _, view = await self._planned_view(connection, unit_number, at)
        check_objection_not_repeated(view.entries, new.holders[0], new.related_sequence)
        return await self.append_simple(connection, at, unit_number, new, case, actor)

    async def lift_objection(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        unit_number: str,
        sequence: int,
        lawsuit: Ruling | None,
        actor: str,
    ) -> EntryView:
        """Ends an objection, or records the lawsuit that keeps it in force past 15 days."""
        plan, view = await self._planned_view(connection, unit_number, at)
        target = self._current(view, sequence)
        if target.entry.kind is not EntryKind.OBJECTION:
            raise NotFound(f"{target.entry.name} is not an objection")
        case = _ruling_case(lawsuit) if lawsuit else f"objections/{unit_number}/{sequence}/lift"
        state = EntryState.CURRENT if lawsuit else EntryState.HISTORIC
        plan.move(sequence, StateEvent(state, case, actor, at, lawsuit, "起诉" if lawsuit else "异议注销"))
        await self._apply(connection, [plan], case, actor, at)
        return await self._entry_after(connection, plan, at, sequence)

    async def request_correction(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        unit_number: str,
        sequence: int,
        grounds: str,
        actor: str,
    ) -> EntryView:
        """Opens a correction of a current entry; pending, it blocks disposals."""
        plan, view = await self._planned_view(connection, unit_number, at)
        self._current(view, sequence)
        case = f"corrections/{unit_number}/{plan.next_sequence()}"
        created = plan.add(NewEntry(EntryKind.CORRECTION, related_sequence=sequence, note=grounds), at)
        await self._apply(connection, [plan], case, actor, at)
        return await self._entry_after(connection, plan, at, created)

    async def resolve_correction(
        self,
        connection: asyncpg.Connection,
        at: dt.datetime,
        unit_number: str,
        sequence: int,
        corrected: NewEntry | None,
        actor: str,
    ) -> list[EntryView]:
        """Closes a correction; with corrected facts, appends them and ends the wrong entry."""
        plan, view = await self._planned_view(connection, unit_number, at)
        correction = next((v for v in view.entries if v.entry.sequence == sequence), None)
        if correction is None or correction.entry.kind is not EntryKind.CORRECTION:
            raise NotFound(f"no correction {sequence} on unit {unit_number}")
        if correction.state is not EntryState.CURRENT:
            raise FailedPrecondition(
                Reason.CORRECTION_NOT_PENDING,
                f"{correction.entry.name} is already resolved",
                {"entry": correction.entry.name},
            )
        case = f"corrections/{unit_number}/{sequence}"
        plan.move(sequence, StateEvent(EntryState.HISTORIC, case, actor, at, note="更正完成"))
        touched = [sequence]
        if corrected is not None and correction.entry.related_sequence is not None:
            wrong = self._current(view, correction.entry.related_sequence)
            plan.move(wrong.entry.sequence, StateEvent(EntryState.HISTORIC, case, actor, at, note="更正"))
            corrected.related_sequence = wrong.entry.sequence
            touched.append(wrong.entry.sequence)
            touched.append(plan.add(corrected, wrong.entry.priority_time))
        await self._apply(connection, [plan], case, actor, at)
        after = {v.entry.sequence: v for v in (await self._after(connection, plan, at)).entries}
        return [after[s] for s in touched]


def _open_to_change(unit_number: str, facts: UnitFacts | None) -> UnitFacts:
    """The unit's facts, if the book holds it and it was not renumbered by the survey."""
    if facts is None:
        raise NotFound(f"unit {unit_number} is not in the book")
    if facts.renumbered_to:
        raise FailedPrecondition(
            Reason.UNIT_RENUMBERED,
            f"unit {unit_number} became {facts.renumbered_to} at the as-built survey; its entries"
            " in force were carried there (担保制度解释 52)",
            {"unit_number": facts.renumbered_to},
        )
    return facts


def _seizure_not_ended(views: Sequence[EntryView], sequence: int, unit_number: str) -> EntryView:
    """The seizure `sequence` of the unit, in effect or queued; one that ended is refused."""
    target = next((v for v in views if v.entry.sequence == sequence), None)
    if target is None or target.entry.kind not in SEIZURE_KINDS:
        raise NotFound(f"no seizure {sequence} on unit {unit_number}")
    if target.state is EntryState.HISTORIC:
        raise FailedPrecondition(
            Reason.ENTRY_NOT_CURRENT, f"{target.entry.name} has already ended", {"entry": target.entry.name}
        )
    return target


def _ruling_case(ruling: Ruling) -> str:
    return f"rulings/{ruling.authority}/{ruling.ruling_number}"


def _refuse_first_registration_if_restricted(plan: _Planned, owner: str, at: dt.datetime) -> None:
    """A unit already carrying entries (a seizure on the building in construction, say) is
    entered only where the register's rules allow the developer's ownership."""
    if plan.entries:
        view = UnitView(plan.facts, None, view_entries(plan.entries, None, at), at)
        found = restrictions(view, Disposal.FIRST_REGISTRATION, [owner])
        if found:
            raise refuse(found)
