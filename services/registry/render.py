"""The register's entries and units as it answers them: the protos built from its views, with
holders masked for callers who are not officials."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from deedflow.registry.v1 import registry_service_pb2 as pb
from deedflow.type.v1 import parties_pb2
from services.registry.domain import SEIZURE_KINDS, EntryView, Restriction, UnitView, entry_name, seizure_end
from services.registry.service import CaseCommitted
from shared.auth import Caller
from shared.parties import shown_holder
from shared.timestamps import to_timestamp


def entry_message(view: EntryView) -> pb.Entry:
    entry = view.entry
    message = pb.Entry(
        name=entry.name,
        unit_number=entry.unit_number,
        sequence=entry.sequence,
        kind=f"ENTRY_KIND_{entry.kind.value}",
        state=f"ENTRY_STATE_{view.state.value}",
        holders=entry.holders,
        share_basis_points=entry.shares,
        amount_fen=entry.amount_fen,
        priority_time=to_timestamp(entry.priority_time),
        expire_time=to_timestamp(seizure_end(entry) if entry.kind in SEIZURE_KINDS else entry.expire_time),
        queue_position=view.queue_position,
        created_by_case=entry.created_by_case,
        ended_by_case=view.ended_by,
        entered_by=entry.entered_by,
        entry_time=to_timestamp(entry.entry_time),
        end_time=to_timestamp(view.end_time),
        related_entry=entry_name(entry.unit_number, entry.related_sequence) if entry.related_sequence else "",
        covers_building=entry.covers_building,
        carried_from=entry.carried_from,
        carried_to=view.carried_to,
        note=entry.note,
        leaf_index=entry.leaf_index,
    )
    if entry.ruling is not None:
        message.ruling.CopyFrom(
            parties_pb2.CourtRuling(
                authority=entry.ruling.authority, ruling_number=entry.ruling.ruling_number
            )
        )
    return message


def unit_message(view: UnitView, every_entry: bool = False) -> pb.Unit:
    facts = view.facts
    shown = view.entries if every_entry else [v for v in view.entries if v.state.value != "HISTORIC"]
    return pb.Unit(
        name=f"units/{facts.unit_number}",
        facts=pb.UnitFacts(
            unit_number=facts.unit_number,
            address=facts.address,
            gross_area_dm2=facts.gross_area_dm2,
            use=facts.use,
            presale_unit_number=facts.presale_unit_number,
            surveyed_area_dm2=facts.surveyed_area_dm2 or 0,
            renumbered_to=facts.renumbered_to,
        ),
        building_number=facts.building_number,
        first_registered=view.first_registration_time is not None and view.first_registration_time <= view.at,
        first_registration_time=to_timestamp(view.first_registration_time),
        entries=[entry_message(v) for v in shown],
        as_of_time=to_timestamp(view.at),
    )


def as_seen_by(who: Caller, entries: Iterable[pb.Entry]) -> None:
    """Masks buyers' resident IDs in holders for callers who are not officials."""
    for entry in entries:
        shown = [shown_holder(who, h) for h in entry.holders]
        del entry.holders[:]
        entry.holders.extend(shown)


def restriction_message(found: Restriction) -> pb.Restriction:
    return pb.Restriction(reason=found.reason, entry=found.entry, legal_basis=found.legal_basis)


def committed_message(committed: CaseCommitted, at: dt.datetime) -> pb.CommitCaseResponse:
    return pb.CommitCaseResponse(
        entries=[entry_message(v) for v in committed.entries],
        register_time=to_timestamp(at),
        certificate_numbers=committed.certificates,
        proof_numbers=committed.proofs,
    )
