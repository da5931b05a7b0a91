"""The register's rules (不动产登记簿, 条例 8-13): entry states, lapses, the restriction engine.

Pure functions over plain data; no I/O. The book is append-only: an entry's content never
changes, and its state moves only by new events (a pending seizure taking effect, an entry ended
by a case). Lapses that the law makes automatic (an objection after 15 days, a pre-registration
90 days after first registration, a seizure at its end date) are derived at the time asked about,
so they happen without anyone writing them down and an as-of query sees them as they were.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from deedflow.type.v1.reasons import Reason
from shared.errors import FailedPrecondition

# 民法典 220: an objection lapses if no lawsuit is brought within 15 days of its registration.
OBJECTION_LAPSE = dt.timedelta(days=15)
# 民诉法解释 485: a seizure of real property lasts at most three years, and so does each renewal
# (续封, 查封规定 27: renewed before it ends, or its effect is gone).
SEIZURE_MAX_YEARS = 3
# 民法典 221: a pre-registration lapses 90 days after registration of the unit became possible
# (the building's first registration) unless the transfer is registered.
PRE_REGISTRATION_LAPSE = dt.timedelta(days=90)


class EntryKind(StrEnum):
    OWNERSHIP = "OWNERSHIP"  # 所有权
    PREREGISTRATION = "PREREGISTRATION"  # 预告登记
    PREMORTGAGE = "PREMORTGAGE"  # 预抵押
    MORTGAGE = "MORTGAGE"  # 抵押权
    SEIZURE = "SEIZURE"  # 查封
    PRE_SEIZURE = "PRE_SEIZURE"  # 预查封
    OBJECTION = "OBJECTION"  # 异议
    CORRECTION = "CORRECTION"  # 更正
    AGREEMENT = "AGREEMENT"  # 约定, e.g. no transfer while mortgaged (民法典 406)


SEIZURE_KINDS = frozenset({EntryKind.SEIZURE, EntryKind.PRE_SEIZURE})
# A pre-mortgage is a pre-registration too (抵押预告登记) and lapses with the same rule.
PRE_REGISTRATION_KINDS = frozenset({EntryKind.PREREGISTRATION, EntryKind.PREMORTGAGE})


class EntryState(StrEnum):
    PENDING = "PENDING"
    CURRENT = "CURRENT"
    HISTORIC = "HISTORIC"


class Disposal(StrEnum):
    CONTRACT = "CONTRACT"
    PREREGISTRATION = "PREREGISTRATION"
    PREMORTGAGE = "PREMORTGAGE"
    FIRST_REGISTRATION = "FIRST_REGISTRATION"
    TRANSFER = "TRANSFER"
    MORTGAGE = "MORTGAGE"
    CANCELLATION = "CANCELLATION"


@dataclass(frozen=True)
class Ruling:
    authority: str
    ruling_number: str


@dataclass(frozen=True)
class StateEvent:
    """A move of an entry to a state, by a case (or ruling), at a time."""

    state: EntryState
    case: str
    actor: str
    time: dt.datetime
    ruling: Ruling | None = None
    note: str = ""
    # A renewal (续封) of a seizure: the seizure's new end.
    expire_time: dt.datetime | None = None
    # The entry that continues this one on the unit it was renumbered to (担保制度解释 52).
    carried_to: str = ""


@dataclass(frozen=True)
class Entry:
    unit_number: str
    sequence: int
    kind: EntryKind
    holders: tuple[str, ...]
    shares: tuple[int, ...]
    amount_fen: int
    priority_time: dt.datetime
    created_by_case: str
    entered_by: str
    entry_time: dt.datetime
    leaf_index: int
    events: tuple[StateEvent, ...]
    ruling: Ruling | None = None
    expire_time: dt.datetime | None = None
    related_sequence: int | None = None
    restricts_transfer: bool = False
    note: str = ""
    # A seizure of the building and its land, entered on each unit: it stops first registration.
    covers_building: bool = False
    # The presale unit's entry this one continues after renumbering (担保制度解释 52).
    carried_from: str = ""

    @property
    def name(self) -> str:
        return entry_name(self.unit_number, self.sequence)


def entry_name(unit_number: str, sequence: int) -> str:
    return f"units/{unit_number}/entries/{sequence}"


def parse_entry_name(name: str) -> tuple[str, int]:
    """'units/{unit_number}/entries/{sequence}' -> (unit_number, sequence); ValueError if not."""
    parts = name.split("/")
    if len(parts) != 4 or parts[0] != "units" or parts[2] != "entries" or not parts[3].isdigit():
        raise ValueError(f"not an entry name: {name!r}")
    return parts[1], int(parts[3])


@dataclass(frozen=True)
class EntryView:
    """An entry as it stood at a time: its state then, and when and by what it ended."""

    entry: Entry
    state: EntryState
    end_time: dt.datetime | None = None
    ended_by: str = ""
    queue_position: int = 0
    # The entry that continues it on the as-built unit, when renumbering ended it.
    carried_to: str = ""


@dataclass(frozen=True)
class UnitFacts:
    unit_number: str
    building_number: str
    address: str
    gross_area_dm2: int
    use: str
    presale_unit_number: str
    # The as-built (实测) area, recorded at first registration; the presale area until then.
    surveyed_area_dm2: int | None = None
    # The as-built unit this presale unit became at the survey, when its number changed.
    renumbered_to: str = ""

    @property
    def presale_facts(self) -> UnitFacts:
        """The facts as the building table filed them, without the survey."""
        return replace(self, surveyed_area_dm2=None, renumbered_to="")


@dataclass(frozen=True)
class UnitView:
    facts: UnitFacts
    first_registration_time: dt.datetime | None
    entries: tuple[EntryView, ...]
    at: dt.datetime

    def current(self, *kinds: EntryKind) -> list[EntryView]:
        return [
            v for v in self.entries if v.state is EntryState.CURRENT and (not kinds or v.entry.kind in kinds)
        ]


@dataclass(frozen=True)
class Restriction:
    reason: Reason
    legal_basis: str
    entry: str = ""


def _recorded_state(entry: Entry, at: dt.datetime) -> tuple[StateEvent | None, StateEvent | None]:
    """The last event at or before `at`, and the event that ended the entry if that is it."""
    last = None
    for event in entry.events:
        if event.time <= at:
            last = event
    ended = last if last is not None and last.state is EntryState.HISTORIC else None
    return last, ended


def seizure_term_limit(start: dt.datetime) -> dt.datetime:
    """The latest end of a seizure term (or renewal) starting at `start`: three years on."""
    try:
        return start.replace(year=start.year + SEIZURE_MAX_YEARS)
    except ValueError:  # 29 February
        return start.replace(year=start.year + SEIZURE_MAX_YEARS, day=28)


def seizure_end(entry: Entry, at: dt.datetime | None = None) -> dt.datetime | None:
    """When the seizure ends as known at `at` (None: now): its term, moved on by each renewal
    recorded before the term then running had ended."""
    end = entry.expire_time
    for event in entry.events:
        if event.expire_time is None or end is None or (at is not None and event.time > at):
            continue
        if event.time < end:
            end = event.expire_time
    return end


def _lapse_time(
    entry: Entry,
    first_registration_time: dt.datetime | None,
    applied_time: dt.datetime | None = None,
    at: dt.datetime | None = None,
) -> tuple[dt.datetime, str] | None:
    """When the law ends the entry by itself, and on what basis; None if it never lapses.

    `applied_time` is when the transfer now being decided was applied for (受理). 民法典 221 and
    CQ 60 lapse a 预告 only if registration is not *applied for* within 90 days, so an
    application lodged in time keeps the 预告, and the 预抵押 waiting on it (担保制度解释 52),
    in force for that transfer however long the registry takes to enter it."""
    if entry.kind is EntryKind.OBJECTION:
        if any(event.ruling is not None for event in entry.events):
            return None  # a lawsuit keeps the objection in force
        # From its priority time: an objection carried to a renumbered unit keeps its 15 days.
        return entry.priority_time + OBJECTION_LAPSE, OBJECTION_LAPSED
    end = seizure_end(entry, at) if entry.kind in SEIZURE_KINDS else None
    if end is not None:
        return end, "lapsed: seizure term ended (查封规定 27)"
    if entry.kind in PRE_REGISTRATION_KINDS and first_registration_time is not None:
        lapse = max(first_registration_time, entry.entry_time) + PRE_REGISTRATION_LAPSE
        if applied_time is not None and applied_time <= lapse:
            return None
        return lapse, "lapsed: no transfer applied for within 90 days of first registration (民法典 221)"
    return None


def view_entries(
    entries: Sequence[Entry],
    first_registration_time: dt.datetime | None,
    at: dt.datetime,
    applied_time: dt.datetime | None = None,
) -> tuple[EntryView, ...]:
    """Every entry entered by `at`, in book order, with its state at `at`.

    Queued seizures (轮候查封) take effect in order: when the seizure in effect ends (released or
    its term over), the earliest queued one that has not itself ended becomes current then.
    """
    views: list[EntryView] = []
    seizure_active = False
    queue = 0
    for entry in sorted(entries, key=lambda e: e.sequence):
        if entry.entry_time > at:
            continue
        last, ended = _recorded_state(entry, at)
        state = last.state if last is not None else EntryState.PENDING
        end_time = ended.time if ended else None
        ended_by = ended.case if ended else ""
        if entry.kind in SEIZURE_KINDS and state is EntryState.PENDING and not seizure_active:
            # Every seizure before it has ended by now: this queued one has taken effect.
            state = EntryState.CURRENT
        lapse = _lapse_time(entry, first_registration_time, applied_time, at)
        if state is EntryState.CURRENT and lapse is not None and lapse[0] <= at:
            state, end_time, ended_by = EntryState.HISTORIC, lapse[0], lapse[1]
        position = 0
        if entry.kind in SEIZURE_KINDS:
            if state is EntryState.CURRENT:
                seizure_active = True
            elif state is EntryState.PENDING:
                queue += 1
                position = queue
        carried_to = ended.carried_to if ended else ""
        views.append(EntryView(entry, state, end_time, ended_by, position, carried_to))
    return tuple(views)


OBJECTION_LAPSED = "lapsed: no lawsuit within 15 days (民法典 220)"


def check_objection_not_repeated(
    views: Iterable[EntryView], objector: str, related_sequence: int | None
) -> None:
    """CQ 69 ¶3: once an objection lapsed for want of a lawsuit, the same applicant may not
    object again on the same matter (the same entry, or the unit itself when none is named)."""
    for view in views:
        entry = view.entry
        if (
            entry.kind is EntryKind.OBJECTION
            and view.state is EntryState.HISTORIC
            and view.ended_by == OBJECTION_LAPSED
            and objector in entry.holders
            and entry.related_sequence == related_sequence
        ):
            raise FailedPrecondition(
                Reason.OBJECTION_REPEATED,
                f"{objector}'s objection {entry.name} on the same matter lapsed without a lawsuit;"
                " it may not be lodged again (CQ 69)",
                {"entry": entry.name},
            )


def seizure_in_effect(entries: Iterable[EntryView]) -> bool:
    return any(v.entry.kind in SEIZURE_KINDS and v.state is EntryState.CURRENT for v in entries)


def _debtor_acquiring(view: EntryView, disposal: Disposal, who: frozenset[str], owners: set[str]) -> bool:
    """A pre-seizure (预查封) on a debtor-buyer's 预告 seizes what the debtor is to acquire: it
    does not stop the debtor's own transfer, and once the unit is the debtor's it is a seizure
    (CQ 72-73) that stops everything a seizure does."""
    debtors = set(view.entry.holders)
    return (
        view.entry.kind is EntryKind.PRE_SEIZURE
        and bool(debtors)
        and disposal is Disposal.TRANSFER
        and debtors <= who
        and not debtors <= owners
    )


def _held_by_others(view: EntryView, beneficiaries: frozenset[str]) -> bool:
    return not set(view.entry.holders) <= beneficiaries


# What each restriction blocks (DOMAIN.md, "What blocks what").
_SEIZURE_BLOCKS = frozenset(
    {Disposal.CONTRACT, Disposal.PREREGISTRATION, Disposal.PREMORTGAGE, Disposal.TRANSFER, Disposal.MORTGAGE}
)
_OBJECTION_BLOCKS = frozenset(
    {Disposal.PREREGISTRATION, Disposal.PREMORTGAGE, Disposal.TRANSFER, Disposal.MORTGAGE}
)
_PRE_REGISTRATION_BLOCKS = _SEIZURE_BLOCKS
_CORRECTION_BLOCKS = _OBJECTION_BLOCKS
_NEEDS_FIRST_REGISTRATION = frozenset({Disposal.TRANSFER, Disposal.MORTGAGE})


def restrictions(unit: UnitView, disposal: Disposal, beneficiaries: Iterable[str]) -> list[Restriction]:
    """Every reason the disposal may not happen to the unit at `unit.at`, for these
    beneficiaries; empty when it may. Cancellations (注销) are never blocked."""
    if disposal is Disposal.CANCELLATION:
        return []
    if unit.facts.renumbered_to:
        return [Restriction(Reason.UNIT_RENUMBERED, "担保制度解释 52 (实测单元号变更)")]
    who = frozenset(beneficiaries)
    found: list[Restriction] = []
    owners = {h for v in unit.current(EntryKind.OWNERSHIP) for h in v.entry.holders}
    for view in unit.current():
        kind = view.entry.kind
        if kind in SEIZURE_KINDS and disposal in _SEIZURE_BLOCKS:
            if not _debtor_acquiring(view, disposal, who, owners):
                found.append(Restriction(Reason.UNIT_SEIZED, "查封规定; 民事诉讼法 (查封)", view.entry.name))
        elif kind in SEIZURE_KINDS and disposal is Disposal.FIRST_REGISTRATION and view.entry.covers_building:
            # The building and its land are seized: the developer's title cannot be entered.
            found.append(Restriction(Reason.UNIT_SEIZED, "查封规定 24 (在建工程及土地)", view.entry.name))
        elif kind is EntryKind.OBJECTION and disposal in _OBJECTION_BLOCKS:
            found.append(Restriction(Reason.OBJECTION_PENDING, "民法典 220", view.entry.name))
        elif (
            kind is EntryKind.PREREGISTRATION
            and disposal in _PRE_REGISTRATION_BLOCKS
            and _held_by_others(view, who)
        ):
            found.append(Restriction(Reason.PRE_REGISTRATION_HELD_BY_OTHER, "民法典 221", view.entry.name))
        elif kind is EntryKind.CORRECTION and disposal in _CORRECTION_BLOCKS:
            found.append(Restriction(Reason.CORRECTION_PENDING, "民法典 220 (更正登记)", view.entry.name))
        elif kind is EntryKind.AGREEMENT and view.entry.restricts_transfer and disposal is Disposal.TRANSFER:
            found.append(Restriction(Reason.TRANSFER_RESTRICTED_BY_AGREEMENT, "民法典 406", view.entry.name))
    if disposal in _NEEDS_FIRST_REGISTRATION and (
        unit.first_registration_time is None or unit.first_registration_time > unit.at
    ):
        found.append(Restriction(Reason.FIRST_REGISTRATION_MISSING, "CQ 29; 条例 14"))
    if disposal is Disposal.TRANSFER:
        found.extend(_own_pre_registration_lapsed(unit, who))
    return found


def _own_pre_registration_lapsed(unit: UnitView, beneficiaries: frozenset[str]) -> list[Restriction]:
    """A transfer to buyers whose pre-registration lapsed has lost its protection (民法典 221)."""
    own = [
        v
        for v in unit.entries
        if v.entry.kind is EntryKind.PREREGISTRATION and set(v.entry.holders) <= beneficiaries
    ]
    if any(v.state is EntryState.CURRENT for v in own):
        return []
    lapsed = [v for v in own if v.ended_by.startswith("lapsed")]
    return [Restriction(Reason.PRE_REGISTRATION_LAPSED, "民法典 221", lapsed[0].entry.name)] if lapsed else []


def converted_priority(source: EntryView) -> dt.datetime:
    """A mortgage converted from a pre-mortgage at transfer ranks from the pre-mortgage's date
    (CQ 66, 担保制度解释 52)."""
    return source.entry.priority_time


def carried_entries(views: Sequence[EntryView]) -> list[tuple[EntryView, NewEntry]]:
    """The entries in force (or queued) on a presale unit, as they continue, from sequence 1, on
    the new as-built unit it became at the survey (担保制度解释 52: the same property keeps its
    rights): same right, holders, terms and rank, in book order; a seizure keeps its end as
    renewed, an objection its lawsuit, and a reference to another carried entry follows it.
    Each with the presale entry it continues."""
    live = [v for v in views if v.state is not EntryState.HISTORIC]
    renumbered = {v.entry.sequence: i + 1 for i, v in enumerate(live)}
    carried = []
    for view in live:
        entry = view.entry
        rulings = [e.ruling for e in entry.events if e.ruling is not None]
        carried.append(
            (
                view,
                NewEntry(
                    kind=entry.kind,
                    holders=entry.holders,
                    shares=entry.shares,
                    amount_fen=entry.amount_fen,
                    priority_time=entry.priority_time,
                    related_sequence=renumbered.get(entry.related_sequence)
                    if entry.related_sequence
                    else None,
                    note=entry.note,
                    ruling=rulings[-1] if rulings else entry.ruling,
                    expire_time=seizure_end(entry) if entry.kind in SEIZURE_KINDS else entry.expire_time,
                    restricts_transfer=entry.restricts_transfer,
                    covers_building=entry.covers_building,
                    initial_state=view.state,
                    carried_from=entry.name,
                ),
            )
        )
    return carried


@dataclass
class NewEntry:
    """An entry a case asks to append."""

    kind: EntryKind
    holders: tuple[str, ...] = ()
    shares: tuple[int, ...] = ()
    amount_fen: int = 0
    priority_time: dt.datetime | None = None
    related_sequence: int | None = None
    note: str = ""
    ruling: Ruling | None = None
    expire_time: dt.datetime | None = None
    restricts_transfer: bool = False
    covers_building: bool = False
    initial_state: EntryState = EntryState.CURRENT
    carried_from: str = ""
