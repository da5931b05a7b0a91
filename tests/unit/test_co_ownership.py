"""Co-ownership (共有, 民法典 297-308; CQ 26): sole ownership, by shares (按份共有) with shares
summing to the whole, and joint ownership (共同共有) with no shares."""

from __future__ import annotations

import pytest

from deedflow.type.v1 import parties_pb2
from shared import co_ownership

A, B = "11010519491231002X", "360426199101010071"


def _buyers(*shares: int) -> list[parties_pb2.Buyer]:
    return [
        parties_pb2.Buyer(name=f"买受人{i}", resident_id=rid, share_basis_points=share)
        for i, (rid, share) in enumerate(zip((A, B), shares, strict=False))
    ]


@pytest.mark.parametrize(
    ("shares", "form"),
    [
        ((10_000,), parties_pb2.CO_OWNERSHIP_SOLE),
        ((10_000,), parties_pb2.CO_OWNERSHIP_UNSPECIFIED),
        ((6_000, 4_000), parties_pb2.CO_OWNERSHIP_BY_SHARES),
        ((5_000, 5_000), parties_pb2.CO_OWNERSHIP_UNSPECIFIED),
        ((0, 0), parties_pb2.CO_OWNERSHIP_JOINT),
    ],
)
def test_each_form_is_recordable(shares, form):
    assert co_ownership.violations(_buyers(*shares), form, "terms") == []


@pytest.mark.parametrize(
    ("shares", "form", "field", "why"),
    [
        ((5_000, 5_000), parties_pb2.CO_OWNERSHIP_SOLE, "terms.co_ownership", "one buyer"),
        ((10_000,), parties_pb2.CO_OWNERSHIP_JOINT, "terms.co_ownership", "two buyers"),
        ((10_000,), parties_pb2.CO_OWNERSHIP_BY_SHARES, "terms.co_ownership", "two buyers"),
        ((5_000, 5_000), parties_pb2.CO_OWNERSHIP_JOINT, "terms.buyers[0].share_basis_points", "no shares"),
        ((6_000, 3_000), parties_pb2.CO_OWNERSHIP_BY_SHARES, "terms.buyers", "sum to 9000"),
        ((10_000, 0), parties_pb2.CO_OWNERSHIP_BY_SHARES, "terms.buyers[1].share_basis_points", "positive"),
    ],
)
def test_shares_that_do_not_fit_the_form_are_refused(shares, form, field, why):
    found = co_ownership.violations(_buyers(*shares), form, "terms")
    assert any(v.field == field and why in v.description for v in found), found


def test_the_same_buyer_twice_is_refused():
    twice = [parties_pb2.Buyer(name="甲", resident_id=A, share_basis_points=5_000)] * 2
    found = co_ownership.violations(twice, parties_pb2.CO_OWNERSHIP_BY_SHARES, "filing")
    assert [v.field for v in found] == ["filing.buyers[1].resident_id"]


def test_the_book_writes_each_form_by_its_chinese_name():
    assert co_ownership.LABELS[co_ownership.JOINT] == "共同共有"
    assert co_ownership.LABELS[co_ownership.BY_SHARES] == "按份共有"
    assert co_ownership.LABELS[co_ownership.SOLE] == "单独所有"
