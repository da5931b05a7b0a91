"""Party commitments (shared/commitments.py) and what a document says of a person
(shared/documents.for_document)."""

from __future__ import annotations

from deedflow.preregistration.v1 import preregistration_service_pb2 as prereg_pb
from deedflow.transfer.v1 import transfer_service_pb2 as transfer_pb
from deedflow.type.v1 import parties_pb2
from shared.commitments import ERASED_PREFIX, erased, holder_commitment, holder_openings, new_salt, opens
from shared.documents import for_document, holders_agree


def _minor(resident_id: str) -> parties_pb2.Buyer:
    return parties_pb2.Buyer(
        name="张小",
        resident_id=resident_id,
        share_basis_points=5000,
        home_count=parties_pb2.HOME_COUNT_SECOND,
        guardian=parties_pb2.Guardian(name="张大", resident_id="110101198001010031", relationship="父母"),
    )


def test_each_holder_s_opening_opens_their_commitment_and_no_other():
    salt = new_salt()
    holders = ["buyers/110101199003070018", "buyers/110101199103070015"]
    commitments = [holder_commitment(salt, i, h).hex() for i, h in enumerate(holders)]
    openings = holder_openings(salt, holders)
    assert opens(openings[0], holders[0], commitments[0])
    assert not opens(openings[0], holders[0], commitments[1])
    assert not opens(openings[1], holders[0], commitments[1])
    assert holders_agree(holders, commitments, openings)
    assert not holders_agree(list(reversed(holders)), commitments, openings)
    assert not holders_agree(holders, commitments, openings[:1])
    # An uppercase commitment is not the leaf's: both readers compare lowercase hex exactly.
    assert not holders_agree(holders, [c.upper() for c in commitments], openings)


def test_an_erased_holder_keeps_the_commitment_the_leaf_carries():
    salt = new_salt()
    holder = "buyers/110101199003070018"
    commitment = holder_commitment(salt, 0, holder)
    marker = erased(commitment)
    assert marker.startswith(ERASED_PREFIX)
    assert holder_commitment(salt, 0, marker) == commitment
    assert holders_agree([marker], [commitment.hex()], [bytes(32)])


def test_one_holder_commits_apart_at_two_positions_and_under_two_salts():
    holder = "buyers/110101199003070018"
    salt = new_salt()
    assert holder_commitment(salt, 0, holder) != holder_commitment(salt, 1, holder)
    assert holder_commitment(salt, 0, holder) != holder_commitment(new_salt(), 0, holder)


def test_a_document_leaves_out_home_counts_and_guardians_at_any_depth():
    certificate = transfer_pb.Certificate(owners=[_minor("110101201503070012")], unit_number="500112")
    premortgage = prereg_pb.Premortgage(mortgagors=[_minor("110101201503070012")])
    for message in (certificate, premortgage):
        shown = str(for_document(message))
        assert "home_count" not in shown
        assert "guardian" not in shown
        assert "110101198001010031" not in shown
        assert "110101201503070012" in shown
    # The office's own record is untouched.
    assert certificate.owners[0].HasField("guardian")
