"""docs/signing.md's test vectors hold: each statement is the bytes the code signs and verifies,
its digest is right, and its signatures verify with the published test keys (low-S ECDSA)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from shared import statements
from shared.signing import P256_ORDER
from tools import signing_vectors

DOC = Path(__file__).resolve().parents[2] / "docs" / "signing.md"


def _documented() -> list[dict[str, str]]:
    blocks = re.findall(r"```vector\n(.*?)```", DOC.read_text(), re.S)
    return [dict(line.split(": ", 1) for line in block.strip().splitlines()) for block in blocks]


def test_every_purpose_has_a_vector_and_the_code_makes_the_same():
    documented = _documented()
    assert [v["purpose"] for v in documented] == [
        statements.CONTRACT_TERMS,
        statements.CANCEL_CONTRACT,
        statements.RELEASE_PREMORTGAGE,
        statements.MORTGAGE,
    ]
    for doc, made in zip(documented, signing_vectors.vectors(), strict=True):
        # ECDSA signatures are randomized; everything else is fixed.
        assert {k: v for k, v in doc.items() if k != "p256-signature-der"} == {
            k: v for k, v in made.items() if k != "p256-signature-der"
        }


@pytest.mark.parametrize("vector", _documented(), ids=lambda v: v["purpose"])
def test_the_vector_is_what_a_bank_would_compute(vector):
    data = bytes.fromhex(vector["statement"])
    unit = signing_vectors.UNIT
    if vector["purpose"] == statements.CONTRACT_TERMS:
        terms = contract_pb.ContractTerms.FromString(bytes.fromhex(vector["terms-protobuf"]))
        assert data == statements.contract_terms(terms)
    elif vector["purpose"] == statements.MORTGAGE:
        digest = hashlib.sha256(vector["mortgage-terms-json"].encode()).digest()
        assert data == statements.statement(statements.MORTGAGE, unit, digest)
    else:
        digest = bytes.fromhex(vector["contract-digest"])
        assert data == statements.statement(vector["purpose"], unit, digest)
    assert data.decode().splitlines()[:3] == [
        "deedflow-signature/v1",
        f"purpose: {vector['purpose']}",
        f"object: units/{unit}",
    ]
    assert hashlib.sha256(data).hexdigest() == vector["statement-sha256"]
    ed25519.Ed25519PublicKey.from_public_bytes(bytes.fromhex(vector["ed25519-public"])).verify(
        bytes.fromhex(vector["ed25519-signature"]), data
    )
    public = ec.EllipticCurvePublicKey.from_encoded_point(
        ec.SECP256R1(), bytes.fromhex(vector["p256-public"])
    )
    der = bytes.fromhex(vector["p256-signature-der"])
    public.verify(der, data, ec.ECDSA(hashes.SHA256()))
    assert decode_dss_signature(der)[1] <= P256_ORDER // 2
