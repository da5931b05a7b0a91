"""The bytes a party signs: a statement that names its purpose, its object and the digest of the
terms it agrees to, so that a signature given for one act proves nothing about another
(电子签名法 13; docs/signing.md gives the bytes and test vectors).

    deedflow-signature/v1\\n
    purpose: contract-terms\\n
    object: units/500112001002GB00015F00030502\\n
    terms-sha256: 9f86d0...\\n
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from google.protobuf import json_format

from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from deedflow.type.v1 import parties_pb2
from shared.documents import canonical_json

VERSION = b"deedflow-signature/v1\n"

# 买卖合同: every buyer, the developer and (with a loan) the bank sign the contract's terms.
CONTRACT_TERMS = "contract-terms"
# 协议解除: the developer and every buyer agree to cancel the contract (and what rests on it).
CANCEL_CONTRACT = "cancel-contract"
# 预抵押注销: the bank agrees to release its pre-mortgage on the contract's flat.
RELEASE_PREMORTGAGE = "release-premortgage"
# 抵押合同: the mortgagors agree to mortgage the flat for the loan (民法典 400).
MORTGAGE = "mortgage"
# 买受人单方申请预告登记: the buyers apply for the 预告 alone when the seller will not (CQ 61 ¶2).
PREREGISTRATION_BY_BUYERS = "preregistration-by-buyers"
# 监护人代签: a minor buyer's guardian signs the contract's terms for them, stating in the same
# bytes that the purchase serves the minor's interest (民法典 35; CQ 15).
CONTRACT_TERMS_BY_GUARDIAN = "contract-terms-by-guardian"
GUARDIAN_DECLARATION = "the guardian acts in the ward's interest (民法典 35: 为维护被监护人利益)"
PURPOSES = (
    CONTRACT_TERMS,
    CANCEL_CONTRACT,
    RELEASE_PREMORTGAGE,
    MORTGAGE,
    PREREGISTRATION_BY_BUYERS,
    CONTRACT_TERMS_BY_GUARDIAN,
)
_PURPOSE_LINE = b"purpose: "


def statement(purpose: str, unit_number: str, terms_sha256: bytes) -> bytes:
    """The signed bytes: version line, then purpose, object and terms digest, one per line."""
    return (
        VERSION
        + f"purpose: {purpose}\nobject: units/{unit_number}\nterms-sha256: {terms_sha256.hex()}\n".encode()
    )


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def purpose_of(data: bytes) -> str:
    """The purpose a statement names ('' for bytes that are not a statement)."""
    lines = _lines(data)
    if len(lines) < 2 or lines[0] + b"\n" != VERSION or not lines[1].startswith(_PURPOSE_LINE):
        return ""
    return lines[1].removeprefix(_PURPOSE_LINE).decode(errors="replace")


def summary(data: bytes) -> str:
    """A statement's purpose, object and terms digest on one line, to say in a refusal what was
    expected to be signed."""
    fields = [line.decode(errors="replace") for line in _lines(data)[1:4] if line]
    return ", ".join(fields) if purpose_of(data) else f"{len(data)} bytes"


def with_other_purposes(data: bytes) -> list[tuple[str, bytes]]:
    """The same statement under each other purpose, with its further lines (a guardian's
    declaration) and without: what a signature given for another act on the same object and
    terms was over."""
    current = purpose_of(data)
    if not current:
        return []
    lines = _lines(data)
    shapes = {(*lines[2:4], b""), tuple(lines[2:])}
    return [
        (purpose, b"\n".join([lines[0], _PURPOSE_LINE + purpose.encode(), *rest]))
        for purpose in PURPOSES
        for rest in sorted(shapes)
        if purpose != current
    ]


def terms_digest(terms: contract_pb.ContractTerms) -> bytes:
    """SHA-256 of the terms' deterministic protobuf serialization: the contract's digest."""
    return hashlib.sha256(terms.SerializeToString(deterministic=True)).digest()


def contract_terms(terms: contract_pb.ContractTerms) -> bytes:
    return statement(CONTRACT_TERMS, terms.unit_number, terms_digest(terms))


def contract_terms_by_guardian(terms: contract_pb.ContractTerms, ward_resident_id: str) -> bytes:
    """What a minor buyer's guardian signs: the contract-terms statement's purpose, object and
    digest, then the ward and the written declaration, one per line."""
    head = statement(CONTRACT_TERMS_BY_GUARDIAN, terms.unit_number, terms_digest(terms))
    return head + f"ward: buyers/{ward_resident_id}\ndeclaration: {GUARDIAN_DECLARATION}\n".encode()


def preregistration_by_buyers(unit_number: str, contract_digest: bytes) -> bytes:
    return statement(PREREGISTRATION_BY_BUYERS, unit_number, contract_digest)


def cancel_contract(unit_number: str, contract_digest: bytes) -> bytes:
    return statement(CANCEL_CONTRACT, unit_number, contract_digest)


def release_premortgage(unit_number: str, contract_digest: bytes) -> bytes:
    return statement(RELEASE_PREMORTGAGE, unit_number, contract_digest)


def mortgage_terms(
    unit_number: str, loan: parties_pb2.Loan, mortgagors: Iterable[parties_pb2.Buyer]
) -> bytes:
    """The mortgage's terms as canonical JSON (sorted keys, no spaces, UTF-8): the unit, the loan
    (without the bank's own signature) and the mortgagors with their shares, fields named as in
    the protos and 64-bit integers as strings (the proto3 JSON mapping)."""
    terms = parties_pb2.Loan()
    terms.CopyFrom(loan)
    terms.ClearField("bank_signature")
    return canonical_json(
        {
            "unit_number": unit_number,
            "loan": json_format.MessageToDict(terms, preserving_proto_field_name=True),
            "mortgagors": [
                json_format.MessageToDict(m, preserving_proto_field_name=True) for m in mortgagors
            ],
        }
    )


def mortgage(unit_number: str, loan: parties_pb2.Loan, mortgagors: Iterable[parties_pb2.Buyer]) -> bytes:
    digest = hashlib.sha256(mortgage_terms(unit_number, loan, mortgagors)).digest()
    return statement(MORTGAGE, unit_number, digest)
