"""A refused signature is a request error that says whose and why (issue 31): INVALID_ARGUMENT
whose field violation names the slot (`filing.signatures[1].signature`) with the reason, and an
ErrorInfo with the reason, slot and signer; a signature from the wrong party is
PERMISSION_DENIED. Each attack is tried on a real filing, and nothing is filed."""

from __future__ import annotations

import grpc
import pytest
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from grpc_status import rpc_status

from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from deedflow.type.v1 import parties_pb2
from shared import statements
from shared.grpc.status import bad_request, error_info
from shared.purchase_terms import canonical_bytes, contract_terms
from shared.signing import P256_ORDER
from tests.flows import next_resident_id, presale, rid
from tests.parties import buyer, developer
from tests.purchases import signed_filing
from tests.support import client_channel

INVALID = grpc.StatusCode.INVALID_ARGUMENT
DENIED = grpc.StatusCode.PERMISSION_DENIED


@pytest.fixture(scope="module")
async def desk(services, pki):
    async with client_channel(services["orchestrator"].server.port, pki, "developer") as channel:
        yield orchestrator_service_pb2_grpc.PurchaseServiceStub(channel)


def _wrong_key(pki, filing, people):
    """Buyer 1's slot: signed by another key, sent with buyer 1's own certificate."""
    forged = buyer(pki, next_resident_id()).signature(canonical_bytes(filing))
    forged.signer = people[0].party
    forged.certificate_pem = people[0].pair.cert_pem.decode()
    filing.signatures[1].CopyFrom(forged)


def _high_s(pki, filing, people):
    r, s = decode_dss_signature(filing.signatures[1].signature)
    filing.signatures[1].signature = encode_dss_signature(r, P256_ORDER - s)


def _wrong_purpose(pki, filing, people):
    """Buyer 1 signed the cancellation of this very contract, not its terms."""
    digest = statements.terms_digest(contract_terms(filing))
    filing.signatures[1].CopyFrom(people[0].signature(statements.cancel_contract(filing.unit_number, digest)))


def _other_unit(pki, filing, people):
    """Buyer 1's signature of the same sale of the flat next door."""
    other = pb.PurchaseFiling()
    other.CopyFrom(filing)
    other.unit_number = filing.unit_number[:-4] + "9999"
    filing.signatures[1].CopyFrom(people[0].signature(canonical_bytes(other)))


def _another_partys_certificate(pki, filing, people):
    """Buyer 1's slot filled by someone else, with their own certificate."""
    stranger = buyer(pki, next_resident_id()).signature(canonical_bytes(filing))
    stranger.signer = people[0].party
    filing.signatures[1].CopyFrom(stranger)


def _not_a_party(pki, filing, people):
    """Every party signed; a stranger's signature is put among theirs, in slot 1."""
    signatures = list(filing.signatures)
    signatures.insert(1, buyer(pki, next_resident_id()).signature(canonical_bytes(filing)))
    filing.ClearField("signatures")
    filing.signatures.extend(signatures)


def _unsupported_algorithm(pki, filing, people):
    filing.signatures[1].algorithm = parties_pb2.SIGNATURE_ALGORITHM_UNSPECIFIED


def _key_mismatch(pki, filing, people):
    filing.signatures[1].algorithm = parties_pb2.SIGNATURE_ALGORITHM_ED25519


ATTACKS = {
    "wrong key": (_wrong_key, INVALID, "SIGNATURE_MISMATCH", "filing.signatures[1].signature"),
    "high S": (_high_s, INVALID, "SIGNATURE_NOT_CANONICAL", "filing.signatures[1].signature"),
    "wrong purpose": (_wrong_purpose, INVALID, "SIGNATURE_WRONG_PURPOSE", "filing.signatures[1].signature"),
    "other unit": (_other_unit, INVALID, "SIGNATURE_MISMATCH", "filing.signatures[1].signature"),
    "unsupported algorithm": (
        _unsupported_algorithm,
        INVALID,
        "SIGNATURE_ALGORITHM_UNSUPPORTED",
        "filing.signatures[1].algorithm",
    ),
    "key of another algorithm": (
        _key_mismatch,
        INVALID,
        "SIGNATURE_KEY_MISMATCH",
        "filing.signatures[1].certificate_pem",
    ),
    "another party's certificate": (
        _another_partys_certificate,
        DENIED,
        "CERTIFICATE_OF_ANOTHER_PARTY",
        None,
    ),
    "not a party": (_not_a_party, DENIED, "SIGNER_NOT_A_PARTY", None),
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
async def test_a_bad_signature_names_its_slot_signer_and_reason(offices, pki, desk, attack):
    alter, code, reason, field = ATTACKS[attack]
    _, (unit, _) = await presale(offices)
    filing, people = signed_filing(pki, unit, with_loan=True)
    alter(pki, filing, people)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await desk.FilePurchase(pb.FilePurchaseRequest(request_id=rid(), filing=filing))
    status = rpc_status.from_call(refused.value)
    info = error_info(status)
    assert (refused.value.code(), info.reason) == (code, reason)
    assert info.metadata["slot"] == "filing.signatures[1]"
    assert info.metadata["signer"] == filing.signatures[1].signer
    assert "None" not in refused.value.details()
    if field is not None:
        violations = bad_request(status).field_violations
        assert [(v.field, v.reason) for v in violations] == [(field, reason)]
    listed = await desk.ListPurchases(pb.ListPurchasesRequest(building_number=unit[:24]))
    assert list(listed.purchases) == []


async def test_the_banks_slot_is_named_as_the_loans(offices, pki, desk):
    """The parties sign a larger loan again; the bank's signature is still over the old one."""
    _, (unit, _) = await presale(offices)
    filing, people = signed_filing(pki, unit, with_loan=True)
    filing.loan.amount_fen += 100
    data = canonical_bytes(filing)
    filing.ClearField("signatures")
    filing.signatures.extend([developer(pki).signature(data), *(p.signature(data) for p in people)])
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await desk.FilePurchase(pb.FilePurchaseRequest(request_id=rid(), filing=filing))
    status = rpc_status.from_call(refused.value)
    info = error_info(status)
    assert (refused.value.code(), info.reason) == (INVALID, "SIGNATURE_MISMATCH")
    assert info.metadata["slot"] == "filing.loan.bank_signature"
    assert [v.field for v in bad_request(status).field_violations] == ["filing.loan.bank_signature.signature"]
