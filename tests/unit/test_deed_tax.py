"""The 2024 deed-tax table and its rounding, on DOMAIN.md's cases: 财政部 税务总局 住房城乡建设部
《关于促进房地产市场平稳健康发展有关税收政策的公告》(公告2024年第16号, from 2024-12-01), on the
base and rates of 契税法 3-6 (price excluding VAT; the provincial rate within 3-5 %)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.tax.config import TaxSettings
from services.tax.domain import CHONGQING_RATE_BP, HomeCount, deed_tax_fen, deed_tax_rate

YUAN = 100


@pytest.mark.parametrize(
    ("home_count", "area_dm2", "price_yuan", "tax_fen"),
    [
        (HomeCount.ONLY, 12_000, 1_200_000, 12_000 * YUAN),
        (HomeCount.ONLY, 14_000, 1_400_000, 14_000 * YUAN),
        (HomeCount.ONLY, 14_001, 1_400_100, 2_100_150),  # ¥21,001.50
        (HomeCount.SECOND, 15_000, 1_800_000, 36_000 * YUAN),
        (HomeCount.THIRD_OR_LATER, 9_000, 900_000, 27_000 * YUAN),
    ],
    ids=["only-120m2", "only-140.00m2", "only-140.01m2", "second-150m2", "third-90m2"],
)
def test_domain_worked_cases(home_count, area_dm2, price_yuan, tax_fen):
    """公告2024年第16号: DOMAIN.md's five worked cases, exact in fen."""
    rate = deed_tax_rate(home_count, area_dm2, residential=True, provincial_bp=CHONGQING_RATE_BP)
    assert deed_tax_fen(price_yuan * YUAN, rate.basis_points) == tax_fen


def test_140_00_is_small_and_140_01_is_large():
    """公告2024年第16号: the 140 m² line is inclusive (≤ 140.00 m²)."""
    assert deed_tax_rate(HomeCount.ONLY, 14_000, True, 300).basis_points == 100
    assert deed_tax_rate(HomeCount.ONLY, 14_001, True, 300).basis_points == 150
    assert deed_tax_rate(HomeCount.SECOND, 14_000, True, 300).basis_points == 100
    assert deed_tax_rate(HomeCount.SECOND, 14_001, True, 300).basis_points == 200


def test_non_residential_and_third_homes_take_the_configured_provincial_rate():
    """契税法 3: the province sets 3-5 %; Chongqing 3 %, another province's 4 % when configured."""
    assert deed_tax_rate(HomeCount.ONLY, 5_000, False, 300).basis_points == 300
    assert deed_tax_rate(HomeCount.THIRD_OR_LATER, 5_000, True, 400).basis_points == 400


def test_half_a_fen_rounds_up_and_less_rounds_down():
    # 1.5 % of 1 fen-odd prices: 100,000.01 yuan x 1.5 % = 1,500.00015 yuan -> 150,000 fen
    assert deed_tax_fen(10_000_001, 150) == 150_000
    # 1.5 % of 33 fen = 0.495 fen -> 0; of 34 fen = 0.51 fen -> 1; 1 % of 50 fen = 0.5 fen -> 1
    assert deed_tax_fen(33, 150) == 0
    assert deed_tax_fen(34, 150) == 1
    assert deed_tax_fen(50, 100) == 1
    assert deed_tax_fen(49, 100) == 0


@pytest.mark.parametrize("basis_points", [0, -5, 250, 299, 501, 600])
def test_a_provincial_rate_outside_3_to_5_percent_stops_the_service_at_start(basis_points, monkeypatch):
    """契税法 3: the provincial rate lies within 3 % to 5 %; any other is refused at start."""
    monkeypatch.setenv("DEEDFLOW_TAX_PROVINCIAL_RATE_BASIS_POINTS", str(basis_points))
    with pytest.raises(ValidationError, match="provincial_rate_basis_points"):
        TaxSettings()


@pytest.mark.parametrize("basis_points", [300, 400, 500])
def test_a_provincial_rate_within_3_to_5_percent_is_taken(basis_points, monkeypatch):
    monkeypatch.setenv("DEEDFLOW_TAX_PROVINCIAL_RATE_BASIS_POINTS", str(basis_points))
    assert TaxSettings().provincial_rate_basis_points == basis_points
