"""A purchase as the API shows it, from its row and step log."""

from __future__ import annotations

from collections.abc import Iterable

from google.rpc import status_pb2

from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from services.orchestrator.domain import StepKind, StepState
from services.orchestrator.records import Purchase, PurchaseStep
from services.orchestrator.saga import FORWARD
from shared.timestamps import to_timestamp


def step_message(kind: StepKind, record: PurchaseStep | None) -> pb.PurchaseStep:
    if record is None:
        return pb.PurchaseStep(kind=f"STEP_KIND_{kind.value}", state=pb.STEP_STATE_PENDING)
    message = pb.PurchaseStep(
        kind=f"STEP_KIND_{kind.value}",
        state=f"STEP_STATE_{record.state}",
        start_time=to_timestamp(record.start_time),
        end_time=to_timestamp(record.end_time),
        attempts=record.attempts,
        next_attempt_time=to_timestamp(record.next_attempt_time),
    )
    if record.last_error:
        message.last_error.CopyFrom(status_pb2.Status.FromString(record.last_error))
    return message


def purchase_message(row: Purchase, step_rows: Iterable[PurchaseStep]) -> pb.Purchase:
    forward = {r.kind: r for r in step_rows if r.direction == "FORWARD"}
    compensations = {r.kind: r for r in step_rows if r.direction == "COMPENSATE"}
    steps = []
    for step in FORWARD:
        record = forward.get(step.kind.value)
        message = step_message(step.kind, record)
        compensation = compensations.get(step.kind.value)
        if (
            compensation is not None
            and compensation.state != StepState.PENDING.value
            and record is not None
            and record.state != StepState.COMPENSATED.value
        ):
            message.state = pb.STEP_STATE_COMPENSATING
            message.attempts = record.attempts + compensation.attempts
            if compensation.last_error:
                message.last_error.CopyFrom(status_pb2.Status.FromString(compensation.last_error))
        steps.append(message)
    purchase = pb.Purchase(
        name=f"purchases/{row.id}",
        filing=pb.PurchaseFiling.FromString(row.filing),
        state=f"PURCHASE_STATE_{row.state}",
        steps=steps,
        documents=pb.PurchaseDocuments.FromString(row.documents),
        version=row.version,
        building_number=row.building_number,
        create_time=to_timestamp(row.create_time),
        update_time=to_timestamp(row.update_time),
        handover_time=to_timestamp(row.handover_time),
    )
    if row.problem:
        purchase.problem.CopyFrom(status_pb2.Status.FromString(row.problem))
    return purchase
