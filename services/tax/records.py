"""The deed-tax office's records (契税核定, 缴税, 重新核定) as its tables hold them."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from shared.records import table


@table("tax", "assessment")
@dataclass(frozen=True, slots=True)
class Assessment:
    """A deed-tax assessment of one contract, and its clearance once paid (完税证明)."""

    id: uuid.UUID
    contract: str
    unit_number: str
    buyers: bytes
    price_ex_vat_fen: int
    gross_area_dm2: int
    home_count: str
    residential: bool
    rate_basis_points: int
    rate_basis: str
    tax_fen: int
    state: str
    clearance_number: str | None
    refund_fen: int
    refund_reason: str
    transfer_case: str
    assess_time: dt.datetime
    update_time: dt.datetime
    paid_fen: int
    declaration_sha256: bytes | None
    lending_bank_uscc: str | None


@table("tax", "payment")
@dataclass(frozen=True, slots=True)
class Payment:
    """A payment recorded against an assessment, and who recorded it."""

    payment_reference: str
    assessment_id: uuid.UUID
    amount_fen: int
    paid_time: dt.datetime
    recorded_by: str


@table("tax", "reassessment")
@dataclass(frozen=True, slots=True)
class Reassessment:
    """One reassessment (重新核定) of an assessment, numbered in order."""

    assessment_id: uuid.UUID
    sequence: int
    gross_area_dm2: int
    price_ex_vat_fen: int
    tax_fen_before: int
    tax_fen_after: int
    reason: str
    reassess_time: dt.datetime
