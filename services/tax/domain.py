"""Deed tax (契税) rules: the 2024 rate table, exact amounts in fen, the assessment's lifecycle.

Rates (财政部 税务总局 住房城乡建设部 公告2024年第16号, from 2024-12-01), on the contract price
excluding VAT (契税法 4-6), by the buyer family's home count and the gross floor area:

    only home:   <= 140.00 m²  1 %,   > 140.00 m²  1.5 %
    second home: <= 140.00 m²  1 %,   > 140.00 m²  2 %
    third or later, or non-residential: the provincial rate (Chongqing 3 %, configurable)

Rounding: the tax is price_fen x rate_basis_points / 10000, rounded half up to the fen. Half a
fen arises only from a price with an odd fen at 1.5 %; it rounds up, in the treasury's favour,
as the tax bureau's own systems do.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

AREA_THRESHOLD_DM2 = 14_000  # 140.00 m²
BASIS_POINTS = 10_000
CHONGQING_RATE_BP = 300
# 契税法 3: each province sets its rate within 3 % to 5 %.
PROVINCIAL_RATE_MIN_BP = 300
PROVINCIAL_RATE_MAX_BP = 500


class HomeCount(StrEnum):
    ONLY = "ONLY"
    SECOND = "SECOND"
    THIRD_OR_LATER = "THIRD_OR_LATER"


class AssessmentState(StrEnum):
    ASSESSED = "ASSESSED"
    PAID = "PAID"
    CONSUMED = "CONSUMED"
    REFUNDED = "REFUNDED"
    VOIDED = "VOIDED"


LIVE = frozenset({AssessmentState.ASSESSED, AssessmentState.PAID, AssessmentState.CONSUMED})


@dataclass(frozen=True)
class Rate:
    basis_points: int
    basis: str


def deed_tax_rate(home_count: HomeCount, gross_area_dm2: int, residential: bool, provincial_bp: int) -> Rate:
    """The rate row of the 2024 table that applies."""
    if not residential:
        return Rate(provincial_bp, "non-residential: provincial rate")
    if home_count is HomeCount.THIRD_OR_LATER:
        return Rate(provincial_bp, "third home or later: provincial rate")
    small = gross_area_dm2 <= AREA_THRESHOLD_DM2
    if home_count is HomeCount.ONLY:
        return Rate(100, "only home, <= 140 m²") if small else Rate(150, "only home, > 140 m²")
    return Rate(100, "second home, <= 140 m²") if small else Rate(200, "second home, > 140 m²")


def deed_tax_fen(price_ex_vat_fen: int, rate_bp: int) -> int:
    """price x rate, rounded half up to the fen, in integers only."""
    return (price_ex_vat_fen * rate_bp * 2 + BASIS_POINTS) // (BASIS_POINTS * 2)


def clearance_number(year: int, serial: int) -> str:
    """完税凭证 number, e.g. 渝税契完(2026)0000042."""
    return f"渝税契完({year}){serial:07d}"
