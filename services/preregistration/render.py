"""Pre-registrations and pre-mortgages as the office answers them: the protos built from its
records."""

from __future__ import annotations

from deedflow.preregistration.v1 import preregistration_service_pb2 as pb
from deedflow.type.v1 import parties_pb2
from services.preregistration.records import Premortgage, Preregistration
from shared.timestamps import to_timestamp


def _state(value: str) -> str:
    """The state's enum value name, which a message constructor takes (an unknown one raises)."""
    return f"PREREGISTRATION_STATE_{value}"


def preregistration_message(row: Preregistration) -> pb.Preregistration:
    return pb.Preregistration(
        name=f"preregistrations/{row.id}",
        unit_number=row.unit_number,
        contract=row.contract,
        filing_number=row.filing_number,
        holders=pb.Preregistration.FromString(row.holders).holders,
        developer=parties_pb2.Organization.FromString(row.developer),
        state=_state(row.state),
        registry_case=f"cases/{row.case_number}",
        proof_number=row.proof_number,
        entry=row.entry,
        register_time=to_timestamp(row.register_time),
    )


def premortgage_message(row: Premortgage) -> pb.Premortgage:
    return pb.Premortgage(
        name=f"premortgages/{row.id}",
        unit_number=row.unit_number,
        preregistration=f"preregistrations/{row.preregistration_id}",
        loan=parties_pb2.Loan.FromString(row.loan),
        mortgagors=pb.Premortgage.FromString(row.mortgagors).mortgagors,
        state=_state(row.state),
        registry_case=f"cases/{row.case_number}",
        proof_number=row.proof_number,
        entry=row.entry,
        register_time=to_timestamp(row.register_time),
    )
