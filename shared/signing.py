"""Electronic signatures (电子签名法 13-14) behind an algorithm-agnostic interface.

A signature is over a document's canonical bytes with the signer's own key; the signer's X.509
certificate, issued by a trusted CA, binds that key to the signer's identity (a deedflow:// URI
SAN). ECDSA P-256 (SHA-256) and Ed25519 are supported; another algorithm (SM2) is one more
entry in ALGORITHMS.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes, PrivateKeyTypes
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from deedflow.type.v1 import parties_pb2
from deedflow.type.v1.reasons import Reason
from shared import statements
from shared.errors import FieldViolation, InvalidArgument, PermissionDenied
from shared.pki import leaf_problem


class Algorithm(StrEnum):
    ECDSA_P256_SHA256 = "ECDSA_P256_SHA256"
    ED25519 = "ED25519"


class SignatureRefused(InvalidArgument):
    """INVALID_ARGUMENT for one signature of a request: the BadRequest names the slot's field
    (`filing.signatures[2].signature`) with the reason, and an ErrorInfo carries the reason, the
    slot and the signer, so a client knows whose signature to ask for again and why."""

    def __init__(self, reason: Reason, slot: str, part: str, description: str, signer: str = "") -> None:
        super().__init__(
            [FieldViolation(f"{slot}.{part}", description, reason)],
            f"{slot} ({signer or 'unnamed signer'}): {description}",
            reason,
            {"slot": slot, "signer": signer},
        )


def algorithm_of(value: int, slot: str = "signature", signer: str = "") -> Algorithm:
    """The algorithm a Signature message names; one this platform does not verify is refused."""
    name = parties_pb2.SignatureAlgorithm.Name(value).removeprefix("SIGNATURE_ALGORITHM_")
    if name not in Algorithm.__members__:
        raise SignatureRefused(
            Reason.SIGNATURE_ALGORITHM_UNSUPPORTED,
            slot,
            "algorithm",
            f"{name} is not one this platform verifies ({', '.join(Algorithm)})",
            signer,
        )
    return Algorithm(name)


@dataclass(frozen=True)
class VerifiedSignature:
    """The evidence kept for a verified signature."""

    signer_uri: str
    certificate_sha256: bytes
    digest: bytes


# The order of P-256's base point. An ECDSA signature (r, s) verifies as well with n - s: only the
# low form (s <= n/2) is accepted, so that one signature has one encoding (no malleability).
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551

PublicKey = CertificatePublicKeyTypes
PrivateKey = PrivateKeyTypes
# Checks a signature over data under a key; raises KeyMismatch, NotCanonical or InvalidSignature.
Verifier = Callable[[PublicKey, bytes, bytes], None]


class KeyMismatch(InvalidSignature):
    """The certificate's key is not of the signature's algorithm."""


class NotCanonical(InvalidSignature):
    """The signature is not in its one accepted encoding (DER, low S)."""


def _verify_ecdsa(public_key: PublicKey, signature: bytes, data: bytes) -> None:
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or public_key.curve.name != "secp256r1":
        raise KeyMismatch("the certificate's key is not ECDSA P-256")
    try:
        r, s = decode_dss_signature(signature)
    except ValueError:
        raise NotCanonical("not a DER-encoded ECDSA signature") from None
    if encode_dss_signature(r, s) != signature:
        raise NotCanonical("not in DER's one encoding of (r, s)")
    if s > P256_ORDER // 2:
        raise NotCanonical("high S: s is above n/2; the same signature with n - s is the one accepted")
    public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))


def _verify_ed25519(public_key: PublicKey, signature: bytes, data: bytes) -> None:
    if not isinstance(public_key, ed25519.Ed25519PublicKey):
        raise KeyMismatch("the certificate's key is not Ed25519")
    public_key.verify(signature, data)


def _sign_ecdsa(private_key: PrivateKey, data: bytes) -> bytes:
    if not isinstance(private_key, ec.EllipticCurvePrivateKey):
        raise KeyMismatch("the signing key is not ECDSA P-256")
    r, s = decode_dss_signature(private_key.sign(data, ec.ECDSA(hashes.SHA256())))
    return encode_dss_signature(r, min(s, P256_ORDER - s))


def _sign_ed25519(private_key: PrivateKey, data: bytes) -> bytes:
    if not isinstance(private_key, ed25519.Ed25519PrivateKey):
        raise KeyMismatch("the signing key is not Ed25519")
    return private_key.sign(data)


ALGORITHMS: dict[Algorithm, tuple[Verifier, Callable[[PrivateKey, bytes], bytes]]] = {
    Algorithm.ECDSA_P256_SHA256: (_verify_ecdsa, _sign_ecdsa),
    Algorithm.ED25519: (_verify_ed25519, _sign_ed25519),
}


def sign(algorithm: Algorithm, private_key_pem: bytes, data: bytes) -> bytes:
    """Signs with a party's own key: used by parties' systems and the demo client, never by a
    service (the platform holds no party's private key)."""
    private_key = serialization.load_pem_private_key(private_key_pem, password=None)
    return ALGORITHMS[algorithm][1](private_key, data)


def _identity_uris(certificate: x509.Certificate) -> list[str]:
    try:
        sans = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return [
        u for u in sans.get_values_for_type(x509.UniformResourceIdentifier) if u.startswith("deedflow://")
    ]


class _Untrusted(Exception):
    """Why a certificate is not one of our CA's party certificates."""


@functools.lru_cache(maxsize=1024)
def _trusted(certificate_pem: str, trusted_ca_pem: bytes) -> tuple[x509.Certificate, list[str]]:
    """The certificate, checked as issued by our CA for a party, and the identities it names.
    Kept per certificate: a certificate's bytes and its issuer's signature never change, and a
    developer or bank signs every filing with the same one. Its validity period is checked at
    each use. A refusal is not kept (an exception is never cached)."""
    try:
        certificate = x509.load_pem_x509_certificate(certificate_pem.encode())
    except ValueError:
        raise _Untrusted("the certificate is not a PEM X.509 certificate") from None
    problem = leaf_problem(certificate, _ca(trusted_ca_pem))
    if problem is not None:
        raise _Untrusted(problem)
    return certificate, _identity_uris(certificate)


@functools.lru_cache(maxsize=8)
def _ca(trusted_ca_pem: bytes) -> x509.Certificate:
    return x509.load_pem_x509_certificate(trusted_ca_pem)


def _signed_for_another_purpose(
    verifier: Verifier, public_key: PublicKey, signature: bytes, data: bytes
) -> str | None:
    """The purpose a signature was given for, when it verifies over this statement with only its
    purpose line changed: consent to one act offered for another."""
    for purpose, text in statements.with_other_purposes(data):
        try:
            verifier(public_key, signature, text)
        except InvalidSignature:
            continue
        return purpose
    return None


def verify(
    algorithm: Algorithm,
    certificate_pem: str,
    signature: bytes,
    data: bytes,
    trusted_ca_pem: bytes,
    expected_signer_uri: str,
    at: dt.datetime,
    slot: str = "signature",
    signer: str = "",
) -> VerifiedSignature:
    """Verifies the signature in `slot` (the request's field path, for the refusal) over `data`.
    A request error is INVALID_ARGUMENT (SignatureRefused) with its reason: CERTIFICATE_UNTRUSTED
    (not a party certificate of our CA), CERTIFICATE_EXPIRED (not valid at `at`),
    SIGNATURE_KEY_MISMATCH (the certificate's key is of another algorithm),
    SIGNATURE_NOT_CANONICAL (not DER, or high S), SIGNATURE_WRONG_PURPOSE (given for another act
    on this object and terms), SIGNATURE_MISMATCH (another key, or other bytes: another unit or
    other terms). A certificate of another party than the slot's is PERMISSION_DENIED
    CERTIFICATE_OF_ANOTHER_PARTY."""
    certificate = _signer_certificate(certificate_pem, trusted_ca_pem, expected_signer_uri, at, slot, signer)
    _check_signature(ALGORITHMS[algorithm][0], certificate.public_key(), signature, data, slot, signer)
    return VerifiedSignature(
        expected_signer_uri,
        hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).digest(),
        hashlib.sha256(data).digest(),
    )


def _signer_certificate(
    certificate_pem: str,
    trusted_ca_pem: bytes,
    expected_signer_uri: str,
    at: dt.datetime,
    slot: str,
    signer: str,
) -> x509.Certificate:
    """The signer's certificate, once found issued by our CA to the slot's party and valid at `at`."""
    try:
        certificate, uris = _trusted(certificate_pem, trusted_ca_pem)
    except _Untrusted as exc:
        raise SignatureRefused(
            Reason.CERTIFICATE_UNTRUSTED, slot, "certificate_pem", str(exc), signer
        ) from None
    if uris != [expected_signer_uri]:
        named = ", ".join(uris) or "no deedflow identity"
        raise PermissionDenied(
            Reason.CERTIFICATE_OF_ANOTHER_PARTY,
            f"{slot}: the certificate names {named}, not {expected_signer_uri} whose signature belongs here",
            {"slot": slot, "signer": signer, "expected": expected_signer_uri, "named": ",".join(uris)},
        )
    if not certificate.not_valid_before_utc <= at <= certificate.not_valid_after_utc:
        raise SignatureRefused(
            Reason.CERTIFICATE_EXPIRED,
            slot,
            "certificate_pem",
            f"the certificate is valid from {certificate.not_valid_before_utc:%Y-%m-%d}"
            f" to {certificate.not_valid_after_utc:%Y-%m-%d}, not at {at:%Y-%m-%d %H:%M} UTC",
            signer,
        )
    return certificate


def _check_signature(
    verifier: Verifier, public_key: PublicKey, signature: bytes, data: bytes, slot: str, signer: str
) -> None:
    """The signature verified over `data` under the certificate's key, or refused with the
    reason a signer can act on (another key, another purpose, other bytes)."""
    try:
        verifier(public_key, signature, data)
    except KeyMismatch as exc:
        raise SignatureRefused(
            Reason.SIGNATURE_KEY_MISMATCH, slot, "certificate_pem", str(exc), signer
        ) from None
    except NotCanonical as exc:
        raise SignatureRefused(Reason.SIGNATURE_NOT_CANONICAL, slot, "signature", str(exc), signer) from None
    except InvalidSignature:
        purpose = _signed_for_another_purpose(verifier, public_key, signature, data)
        if purpose is not None:
            raise SignatureRefused(
                Reason.SIGNATURE_WRONG_PURPOSE,
                slot,
                "signature",
                f"it was given for {purpose!r}, not for {statements.purpose_of(data)!r}: consent to one act"
                " is not consent to another (docs/signing.md)",
                signer,
            ) from None
        raise SignatureRefused(
            Reason.SIGNATURE_MISMATCH,
            slot,
            "signature",
            f"it does not verify over this act's statement ({statements.summary(data)}) under the"
            " certificate's key: signed with another key, or over other bytes (another unit or other"
            " terms)",
            signer,
        ) from None
