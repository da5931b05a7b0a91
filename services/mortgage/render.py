"""A mortgage as the mortgage office answers it: the proto built from its record."""

from __future__ import annotations

from deedflow.mortgage.v1 import mortgage_service_pb2 as pb
from deedflow.type.v1 import parties_pb2
from services.mortgage.records import Mortgage
from shared.timestamps import to_timestamp


def mortgage_message(row: Mortgage) -> pb.Mortgage:
    return pb.Mortgage(
        name=f"mortgages/{row.id}",
        unit_number=row.unit_number,
        loan=parties_pb2.Loan.FromString(row.loan),
        mortgagors=pb.Mortgage.FromString(row.mortgagors).mortgagors,
        state=f"MORTGAGE_STATE_{row.state}",
        registry_case=f"cases/{row.case_number}" if row.case_number else "",
        proof_number=row.proof_number,
        entry=row.entry,
        priority_time=to_timestamp(row.priority_time),
        register_time=to_timestamp(row.register_time),
        premortgage=row.premortgage,
        discharge_time=to_timestamp(row.discharge_time),
    )
