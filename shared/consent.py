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
from shared.errors import FailedPrecondition
from shared.signing import algorithm_of, verify

IDENTITY_PREFIX = "deedflow://"


def verify_each(
    signatures: Iterable[parties_pb2.Signature], parties: Mapping[str, str], text: bytes, ca_pem: bytes, at
) -> set[str]:
    """Verifies the signature of every party (name -> certificate role, or the full identity
    when another signs for the party, as a guardian for a minor) that signed over `text`;
    returns who did. A signature of someone else is left to its own check."""
    consenting = set()
    for signature in signatures:
        role = parties.get(signature.signer)
        if role is None:
            continue
        ident = signature.signer.partition("/")[2]
        identity = role if role.startswith(IDENTITY_PREFIX) else f"{IDENTITY_PREFIX}{role}/{ident}"
        verify(
            algorithm_of(signature.algorithm),
            signature.certificate_pem,
            signature.signature,
            text,
            ca_pem,
            identity,
            at,
        )
        consenting.add(signature.signer)
    return consenting


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
    consenting = verify_each(signatures, parties, text, ca_pem, at)
    missing = sorted(set(parties) - consenting)
    if missing:
        raise FailedPrecondition(
            reason, f"consent missing from {', '.join(missing)}", {"missing": ",".join(missing)}
        )
