"""How an office checks that every party consented: each signature over the act's statement
(shared/statements.py) from the named party's own certificate (电子签名法 13).

Cancelling a purchase before transfer touches the pre-mortgage, the pre-registration and the
filed contract: each party signs the cancel-contract statement once (the bank its
release-premortgage statement) and every office verifies the same signatures. Mortgaging a flat
needs its owners' signatures over the mortgage's statement (民法典 400).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from deedflow.type.v1 import parties_pb2
from deedflow.type.v1.reasons import Reason
from shared.errors import FailedPrecondition
from shared.signing import algorithm_of, verify


def identity(role: str, party: str) -> str:
    """The certificate identity of a party signing for itself: its role and its own id, e.g.
    "organizations/915…" as a bank is "deedflow://bank/915…"."""
    return f"deedflow://{role}/{party.partition('/')[2]}"


def verify_each(
    signatures: Iterable[parties_pb2.Signature],
    parties: Mapping[str, str],
    text: bytes,
    ca_pem: bytes,
    at: dt.datetime,
    field: str = "signatures",
) -> set[str]:
    """Verifies the signature of every party (name -> the certificate identity that signs for
    it, see `identity`) that signed over `text`; returns who did. A signature of someone else is
    left to its own check. A refusal names the signature's slot: `field[i]`, or `field` for a
    request's one signature (a list of one passed for a singular field, `field` without "[]")."""
    consenting = set()
    signatures = list(signatures)
    for i, signature in enumerate(signatures):
        identity = parties.get(signature.signer)
        if identity is None:
            continue
        slot = field.removesuffix("[]") if field.endswith("[]") else f"{field}[{i}]"
        verify(
            algorithm_of(signature.algorithm, slot, signature.signer),
            signature.certificate_pem,
            signature.signature,
            text,
            ca_pem,
            identity,
            at,
            slot,
            signature.signer,
        )
        consenting.add(signature.signer)
    return consenting


def require_consent(
    signatures: Iterable[parties_pb2.Signature],
    parties: Mapping[str, str],
    text: bytes,
    ca_pem: bytes,
    at: dt.datetime,
    reason: Reason,
    field: str = "signatures",
) -> None:
    """Every party (name -> certificate identity) has signed `text` with a certificate of our CA
    naming it; a bad signature is refused with its own reason and slot (`field[i]`), a missing
    one with `reason`."""
    consenting = verify_each(signatures, parties, text, ca_pem, at, field)
    missing = sorted(set(parties) - consenting)
    if missing:
        raise FailedPrecondition(
            reason, f"consent missing from {', '.join(missing)}", {"missing": ",".join(missing)}
        )
