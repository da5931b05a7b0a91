"""The register's rule for a presale unit renumbered at the as-built survey (担保制度解释 52): its
entries in force continue on the as-built unit with their rank and terms."""

from __future__ import annotations

import datetime as dt

from services.registry.domain import (
    Entry,
    EntryKind,
    EntryState,
    Ruling,
    StateEvent,
    carried_entries,
    view_entries,
)

T0 = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
COURT = Ruling("重庆市渝北区人民法院", "(2026)渝0112执1号")


def _entry(sequence: int, kind: EntryKind, at: dt.datetime, *events: StateEvent, **fields) -> Entry:
    first = StateEvent(fields.pop("state", EntryState.CURRENT), f"cases/{sequence}", "clerk", at)
    return Entry(
        unit_number="500112001001GB00001F00010001",
        sequence=sequence,
        kind=kind,
        holders=fields.pop("holders", ("buyers/110105199001011234",)),
        shares=(10000,),
        amount_fen=fields.pop("amount_fen", 0),
        priority_time=at,
        created_by_case=f"cases/{sequence}",
        entered_by="clerk",
        entry_time=at,
        leaf_index=sequence,
        events=(first, *events),
        **fields,
    )


def test_entries_in_force_are_carried_with_their_rank_terms_and_queue():
    """担保制度解释 52: the 预抵押 keeps its date; a seizure its term, a queued one its place; an
    objection under a lawsuit stays so; a historic entry stays behind; references follow."""
    seizure_end = T0 + dt.timedelta(days=700)
    entries = [
        _entry(1, EntryKind.PREREGISTRATION, T0),
        _entry(
            2, EntryKind.PREMORTGAGE, T0 + dt.timedelta(days=1), amount_fen=80_000_000, related_sequence=1
        ),
        _entry(
            3,
            EntryKind.OBJECTION,
            T0 + dt.timedelta(days=2),
            StateEvent(EntryState.HISTORIC, "cases/9", "clerk", T0 + dt.timedelta(days=3)),
        ),
        _entry(4, EntryKind.SEIZURE, T0 + dt.timedelta(days=4), ruling=COURT, expire_time=seizure_end),
        _entry(
            5,
            EntryKind.SEIZURE,
            T0 + dt.timedelta(days=5),
            ruling=COURT,
            expire_time=seizure_end,
            state=EntryState.PENDING,
        ),
        _entry(
            6,
            EntryKind.OBJECTION,
            T0 + dt.timedelta(days=6),
            StateEvent(EntryState.CURRENT, "lawsuits/1", "clerk", T0 + dt.timedelta(days=7), COURT),
        ),
    ]
    now = T0 + dt.timedelta(days=10)
    carried = carried_entries(view_entries(entries, None, now))
    assert [origin.entry.sequence for origin, _ in carried] == [1, 2, 4, 5, 6]
    new = [entry for _, entry in carried]
    assert [e.priority_time for e in new] == [entries[i].priority_time for i in (0, 1, 3, 4, 5)]
    assert [e.carried_from for e in new] == [entries[i].name for i in (0, 1, 3, 4, 5)]
    assert new[1].amount_fen == 80_000_000
    assert new[1].related_sequence == 1
    assert [e.initial_state for e in new[2:4]] == [EntryState.CURRENT, EntryState.PENDING]
    assert new[2].expire_time == seizure_end
    assert new[2].ruling == COURT
    assert new[4].ruling == COURT  # the lawsuit keeps the objection from lapsing (民法典 220)


def test_a_carried_objection_lapses_fifteen_days_after_it_was_first_registered():
    """民法典 220: an objection lapses 15 days after its registration without a lawsuit; carrying it
    to the as-built unit does not give it fifteen days more."""
    objection = _entry(1, EntryKind.OBJECTION, T0)
    ((_, carried),) = carried_entries(view_entries([objection], None, T0 + dt.timedelta(days=1)))
    later = T0 + dt.timedelta(days=10)
    successor = Entry(
        unit_number="500112001001GB00001F00010091",
        sequence=1,
        kind=carried.kind,
        holders=carried.holders,
        shares=carried.shares,
        amount_fen=0,
        priority_time=carried.priority_time,
        created_by_case="cases/fr",
        entered_by="clerk",
        entry_time=later,
        leaf_index=9,
        events=(StateEvent(carried.initial_state, "cases/fr", "clerk", later),),
        carried_from=carried.carried_from,
    )
    (view,) = view_entries([successor], None, T0 + dt.timedelta(days=15, seconds=1))
    assert view.state is EntryState.HISTORIC
    assert view.end_time == T0 + dt.timedelta(days=15)
