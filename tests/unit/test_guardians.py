"""Minor buyers and their guardians (民法典 17, 27, 34-35; CQ 15): who is a minor on the day, what
a guardian must be, and what the guardian signs in the minor's place."""

from __future__ import annotations

import datetime as dt

import pytest

from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from deedflow.type.v1 import parties_pb2
from shared import guardians, statements
from shared.ids import resident_id_check_char
from shared.purchase_terms import signed_statement, signer_identity


def _id(birth: str, sequence: str = "123") -> str:
    first17 = f"500112{birth}{sequence}"
    return first17 + resident_id_check_char(first17)


CHILD = _id("20120520")
PARENT = _id("19840310")
DAY = dt.date(2026, 12, 1)


def test_eighteen_is_counted_to_the_birthday():
    """民法典 17: adult from the 18th birthday."""
    eighteen = _id("20081201")
    assert not guardians.is_minor(eighteen, DAY)
    assert guardians.is_minor(eighteen, DAY - dt.timedelta(days=1))
    assert guardians.age_on(CHILD, DAY) == 14


def test_a_minor_needs_an_adult_guardian_and_an_adult_none():
    guardian = parties_pb2.Guardian(name="父", resident_id=PARENT, relationship="父母")
    minor_alone = parties_pb2.Buyer(name="子", resident_id=CHILD, share_basis_points=10_000)
    assert [v.field for v in guardians.violations([minor_alone], DAY, "terms")] == [
        "terms.buyers[0].guardian"
    ]
    represented = parties_pb2.Buyer(
        name="子", resident_id=CHILD, share_basis_points=10_000, guardian=guardian
    )
    assert guardians.violations([represented], DAY, "terms") == []
    adult_with_guardian = parties_pb2.Buyer(
        name="父", resident_id=PARENT, share_basis_points=10_000, guardian=guardian
    )
    assert "adult" in guardians.violations([adult_with_guardian], DAY, "terms")[0].description
    child_guardian = parties_pb2.Guardian(name="兄", resident_id=_id("20100101"), relationship="兄")
    by_a_child = parties_pb2.Buyer(
        name="子", resident_id=CHILD, share_basis_points=10_000, guardian=child_guardian
    )
    assert guardians.violations([by_a_child], DAY, "terms")[0].field == "terms.buyers[0].guardian.resident_id"


def test_the_guardian_signs_for_the_minor_over_a_declaration_of_the_minors_interest():
    """民法典 35: the guardian disposes for the ward only in the ward's interest, and says so in the
    signed bytes; the minor's slot is signed with the guardian's certificate."""
    guardian = parties_pb2.Guardian(name="父", resident_id=PARENT, relationship="父母")
    terms = contract_pb.ContractTerms(
        unit_number="500112001002GB00015F00030502",
        buyers=[
            parties_pb2.Buyer(name="子", resident_id=CHILD, share_basis_points=10_000, guardian=guardian)
        ],
    )
    party = f"buyers/{CHILD}"
    assert signer_identity(party, terms) == f"deedflow://buyer/{PARENT}"
    text = signed_statement(party, terms)
    assert text.startswith(statements.VERSION + b"purpose: contract-terms-by-guardian\n")
    assert f"ward: buyers/{CHILD}\n".encode() in text
    assert "民法典 35".encode() in text
    assert text != statements.contract_terms(terms)


@pytest.mark.parametrize("party", ["organizations/91500112MA5U0DF01L", f"buyers/{PARENT}"])
def test_parties_without_a_guardian_sign_the_plain_terms(party):
    terms = contract_pb.ContractTerms(
        unit_number="500112001002GB00015F00030502",
        buyers=[parties_pb2.Buyer(name="父", resident_id=PARENT, share_basis_points=10_000)],
    )
    assert signed_statement(party, terms) == statements.contract_terms(terms)
