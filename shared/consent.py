"""What parties sign to consent, and how an office checks that every party did.

Cancelling a purchase before transfer touches the pre-mortgage, the pre-registration and the
filed contract. Each party signs "cancel:" followed by the contract's digest once, and every office
verifies the same signatures, so consent is given once and checked everywhere (电子签名法 13).
Mortgaging a registered flat needs its owners' signatures over the mortgage's terms (民法典 400).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping

from google.protobuf import json_format

from deedflow.type.v1 import parties_pb2
from shared.documents import canonical_json
from shared.errors import FailedPrecondition
from shared.signing import algorithm_of, verify


def cancellation_text(contract_digest: bytes) -> bytes:
    return b"cancel:" + contract_digest


def mortgage_text(unit_number: str, loan: parties_pb2.Loan, mortgagors: Iterable[parties_pb2.Buyer]) -> bytes:
    """The mortgage contract's terms as the mortgagors sign them: the unit, the loan (without the
    bank's own signature) and the mortgagors with their shares, as canonical JSON, hashed."""
    terms = parties_pb2.Loan()
    terms.CopyFrom(loan)
    terms.ClearField("bank_signature")
    document = {
        "unit_number": unit_number,
        "loan": json_format.MessageToDict(terms, preserving_proto_field_name=True),
        "mortgagors": [json_format.MessageToDict(m, preserving_proto_field_name=True) for m in mortgagors],
    }
    return b"mortgage:" + hashlib.sha256(canonical_json(document)).hexdigest().encode()


def require_consent(
    signatures: Iterable[parties_pb2.Signature],
    parties: Mapping[str, str],
    text: bytes,
    ca_pem: bytes,
    at: dt.datetime,
    reason: str,
) -> None:
    """Every party (name -> certificate role) has signed `text` with a certificate of our CA
    naming it; a bad signature is refused with its own reason, a missing one with `reason`."""
    consenting = set()
    for signature in signatures:
        role = parties.get(signature.signer)
        if role is None:
            continue
        ident = signature.signer.partition("/")[2]
        verify(
            algorithm_of(signature.algorithm),
            signature.certificate_pem,
            signature.signature,
            text,
            ca_pem,
            f"deedflow://{role}/{ident}",
            at,
        )
        consenting.add(signature.signer)
    missing = sorted(set(parties) - consenting)
    if missing:
        raise FailedPrecondition(
            reason, f"consent missing from {', '.join(missing)}", {"missing": ",".join(missing)}
        )
