"""The as-built area settled against the contract area: 商品房销售管理办法 20 (建设部令第88号) and
the national model contract 商品房买卖合同(预售)示范文本 GF-2014-0171, its ±3 % clause."""

from __future__ import annotations

import pytest

from services.orchestrator.domain import area_settlement, settled_tax_base

PRICE = 130_800_000  # ¥1,308,000 including VAT, for 90.00 m²
CONTRACT = 9_000


@pytest.mark.parametrize(
    ("surveyed", "basis_points", "adjustment", "rescind"),
    [
        (9_000, 0, 0, False),
        (9_050, 55, 726_667, False),  # +0.56 %: ¥7,266.67 more, on the real area
        (9_270, 300, 3_924_000, False),  # exactly +3 %: still settled on the real area
        (8_730, -300, -3_924_000, False),  # exactly -3 %
        (9_360, 400, 3_924_000, True),  # +4 %: the buyer pays for 3 %, the developer bears 1 %
        (8_640, -400, -6_540_000, True),  # -4 %: 3 % refunded, the 1 % beyond refunded twice
    ],
)
def test_the_difference_is_settled_as_the_model_contract_agrees(surveyed, basis_points, adjustment, rescind):
    settlement = area_settlement(PRICE, CONTRACT, surveyed)
    assert settlement.difference_basis_points == basis_points
    assert settlement.price_adjustment_fen == adjustment
    assert settlement.rescission_offered is rescind
    assert (settlement.contract_area_dm2, settlement.surveyed_area_dm2) == (CONTRACT, surveyed)


def test_one_hundredth_of_a_square_metre_past_3_percent_offers_rescission():
    """The tolerance includes 3 % itself (含3%) and nothing beyond it."""
    assert not area_settlement(PRICE, 10_000, 10_300).rescission_offered
    assert area_settlement(PRICE, 10_000, 10_301).rescission_offered
    assert area_settlement(PRICE, 10_000, 9_699).rescission_offered


def test_the_tax_base_moves_by_the_vat_exclusive_share_of_the_settlement():
    """契税法 4: the base excludes VAT; ¥1,200,000 + ¥108,000 VAT, refunded ¥65,400 for a smaller
    flat, is taxed on ¥1,140,000, and +¥7,266.67 on ¥1,206,666.67."""
    assert settled_tax_base(120_000_000, 10_800_000, -6_540_000) == 114_000_000
    assert settled_tax_base(120_000_000, 10_800_000, 726_667) == 120_666_667
    assert settled_tax_base(120_000_000, 0, 500) == 120_000_500
