"""Prints the test vectors of docs/signing.md: each signed statement's bytes, digest and a
signature that verifies, from fixed, published, throw-away keys (never a real party's).

    .venv/bin/python -m tools.signing_vectors
"""

from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from deedflow.type.v1 import parties_pb2
from shared import statements
from shared.signing import P256_ORDER

# Throw-away test keys, published here on purpose so anyone can reproduce the vectors.
ED25519_SEED = bytes(range(32))
P256_SCALAR = int.from_bytes(hashlib.sha256(b"deedflow signing test vector").digest()) % P256_ORDER

UNIT = "500112001002GB00015F00030502"
BUYER = parties_pb2.Buyer(
    name="张三",
    resident_id="11010519491231002X",
    share_basis_points=10_000,
    home_count=parties_pb2.HOME_COUNT_ONLY,
)
LOAN = parties_pb2.Loan(
    bank=parties_pb2.Organization(name="示例银行重庆分行", uscc="915000007094231152"),
    amount_fen=80_000_000,
    term_months=360,
    mortgage_contract_number="DK-2026-0001",
)


def terms() -> contract_pb.ContractTerms:
    value = contract_pb.ContractTerms(
        unit_number=UNIT,
        developer=parties_pb2.Organization(name="重庆示例置业有限公司", uscc="91500112MA5U0DF01L"),
        buyers=[BUYER],
        price_ex_vat_fen=120_000_000,
        vat_fen=10_800_000,
        gross_area_dm2=9_000,
        with_loan=True,
        developer_reference="HT-2026-0001",
    )
    value.loan.CopyFrom(LOAN)
    return value


def ed25519_key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.from_private_bytes(ED25519_SEED)


def p256_key() -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(P256_SCALAR, ec.SECP256R1())


def vectors() -> list[dict[str, str]]:
    contract = terms()
    digest = statements.terms_digest(contract)
    cases = [
        (
            "contract-terms",
            statements.contract_terms(contract),
            {"terms-protobuf": contract.SerializeToString(deterministic=True).hex()},
        ),
        ("cancel-contract", statements.cancel_contract(UNIT, digest), {"contract-digest": digest.hex()}),
        (
            "release-premortgage",
            statements.release_premortgage(UNIT, digest),
            {"contract-digest": digest.hex()},
        ),
        (
            "mortgage",
            statements.mortgage(UNIT, LOAN, [BUYER]),
            {"mortgage-terms-json": statements.mortgage_terms(UNIT, LOAN, [BUYER]).decode()},
        ),
    ]
    public_ed = (
        ed25519_key().public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    public_p256 = (
        p256_key()
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    found = []
    for purpose, data, extra in cases:
        r, s = decode_dss_signature(p256_key().sign(data, ec.ECDSA(hashes.SHA256())))
        found.append(
            {
                "purpose": purpose,
                **extra,
                "statement": data.hex(),
                "statement-sha256": hashlib.sha256(data).hexdigest(),
                "ed25519-public": public_ed.hex(),
                "ed25519-signature": ed25519_key().sign(data).hex(),
                "p256-public": public_p256.hex(),
                "p256-signature-der": encode_dss_signature(r, min(s, P256_ORDER - s)).hex(),
            }
        )
    return found


def main() -> None:
    for vector in vectors():
        print("```vector")
        for key, value in vector.items():
            print(f"{key}: {value}")
        print("```\n")


if __name__ == "__main__":
    main()
