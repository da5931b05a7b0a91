"""An assessment as the tax office answers it: the proto built from its records, with personal
data masked for any caller who is not an official."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from deedflow.tax.v1 import tax_service_pb2 as pb
from services.tax import repository
from services.tax.records import Assessment, Payment, Reassessment
from shared.auth import caller
from shared.logging import mask_personal_ids
from shared.parties import OFFICIALS
from shared.timestamps import to_timestamp


def assessment_message(
    row: Assessment, payments: Sequence[Payment], reassessments: Sequence[Reassessment] = ()
) -> pb.Assessment:
    return pb.Assessment(
        name=f"assessments/{row.id}",
        contract=row.contract,
        unit_number=row.unit_number,
        buyers=pb.AssessDeedTaxRequest.FromString(row.buyers).buyers,
        price_ex_vat_fen=row.price_ex_vat_fen,
        gross_area_dm2=row.gross_area_dm2,
        home_count=f"HOME_COUNT_{row.home_count}",
        residential=row.residential,
        rate_basis_points=row.rate_basis_points,
        tax_fen=row.tax_fen,
        rate_basis=row.rate_basis,
        state=f"ASSESSMENT_STATE_{row.state}",
        clearance_number=row.clearance_number or "",
        payments=[
            pb.Payment(
                payment_reference=p.payment_reference,
                amount_fen=p.amount_fen,
                paid_time=to_timestamp(p.paid_time),
                recorded_by=p.recorded_by,
            )
            for p in payments
        ],
        assess_time=to_timestamp(row.assess_time),
        update_time=to_timestamp(row.update_time),
        transfer_case=row.transfer_case,
        paid_fen=row.paid_fen,
        declaration_sha256=row.declaration_sha256 or b"",
        lending_bank=f"organizations/{row.lending_bank_uscc}" if row.lending_bank_uscc else "",
        reassessments=[
            pb.Reassessment(
                gross_area_dm2=r.gross_area_dm2,
                price_ex_vat_fen=r.price_ex_vat_fen,
                tax_fen_before=r.tax_fen_before,
                tax_fen_after=r.tax_fen_after,
                reason=r.reason,
                reassess_time=to_timestamp(r.reassess_time),
            )
            for r in reassessments
        ],
    )


async def assessment(connection: asyncpg.Connection, row: Assessment) -> pb.Assessment:
    """The assessment as the caller may see it: a bank collecting the tax sees the buyers'
    resident IDs masked (only officials see personal data whole: 条例 28)."""
    shown = assessment_message(
        row,
        await repository.payments(connection, row.id),
        await repository.reassessments(connection, row.id),
    )
    if caller().role not in OFFICIALS:
        for buyer in shown.buyers:
            buyer.resident_id = mask_personal_ids(buyer.resident_id)
    return shown


def clearance_message(row: Assessment, payments: Sequence[Payment]) -> pb.Clearance:
    """The clearance of a paid assessment (完税证明): its number, and who recorded the last payment."""
    return pb.Clearance(
        clearance_number=row.clearance_number,
        contract=row.contract,
        unit_number=row.unit_number,
        tax_fen=row.tax_fen,
        paid_time=to_timestamp(payments[-1].paid_time) if payments else None,
        paid_by=payments[-1].recorded_by if payments else "",
    )
