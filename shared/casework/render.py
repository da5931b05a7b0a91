"""A registry case as the clerks' service answers it: the proto built from its record."""

from __future__ import annotations

from deedflow.casework.v1 import casework_service_pb2 as pb
from shared.casework.service import Case
from shared.timestamps import to_timestamp


def case_message(case: Case) -> pb.Case:
    row = case.row
    return pb.Case(
        name=case.name,
        case_number=case.number,
        kind=f"CASE_KIND_{row.kind}",
        state=f"CASE_STATE_{row.state}",
        unit_number=row.unit_number,
        applicants=row.applicants,
        lodge_time=to_timestamp(row.lodge_time),
        time_limit_working_days=row.time_limit_working_days,
        due_time=to_timestamp(row.due_time),
        corrections=[
            pb.Correction(subject=c["subject"], description=c["description"]) for c in case.corrections
        ],
        refusal_reasons=row.refusal_reasons,
        register_time=to_timestamp(row.register_time),
        entries=row.entries,
        document_number=row.document_number,
        history=[
            pb.CaseEvent(
                state=f"CASE_STATE_{e.state}",
                actor=e.actor,
                event_time=to_timestamp(e.event_time),
                notes=e.notes,
            )
            for e in case.history
        ],
        update_time=to_timestamp(row.update_time),
    )
