"""The seed data is synthetic, valid and says it is fictional."""

from __future__ import annotations

import seeds
from shared.ids import validate_resident_id, validate_unit_number, validate_uscc


def test_identifiers_are_valid_and_distinct():
    units = seeds.units()
    buyers = seeds.buyers()
    assert len(units) == 120
    assert {u.unit_number[:24] for u in units} == set(seeds.BUILDINGS)
    assert len({u.unit_number for u in units}) == 120
    assert len({b.resident_id for b in buyers}) == 200
    for unit in units:
        validate_unit_number(unit.unit_number)
    for buyer in buyers:
        assert validate_resident_id(buyer.resident_id) == buyer.resident_id
    for uscc in (seeds.DEVELOPER_USCC, *(b.uscc for b in seeds.BANKS)):
        validate_uscc(uscc)
    assert len(seeds.BANKS) == 3


def test_every_name_says_it_is_made_up():
    assert all("测试" in b.name for b in seeds.buyers())
    assert all("虚构" in b.name for b in seeds.BANKS)
    assert "虚构" in seeds.DEVELOPER_NAME
    assert "虚构" in seeds.PROJECT_NAME
