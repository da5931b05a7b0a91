"""Simulated parties for tests: buyers and organizations with their own keys and certificates
from the test CA, signing the way their own systems would. Throw-away keys made at run time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from deedflow.type.v1 import parties_pb2
from shared.pki import CertPair, Pki, issue_leaf
from shared.signing import Algorithm, sign

ALGORITHM_FIELD = {
    Algorithm.ECDSA_P256_SHA256: parties_pb2.SIGNATURE_ALGORITHM_ECDSA_P256_SHA256,
    Algorithm.ED25519: parties_pb2.SIGNATURE_ALGORITHM_ED25519,
}


def _ca(pki: Pki):
    ca_cert = x509.load_pem_x509_certificate(pki.ca_pem)
    ca_key = serialization.load_pem_private_key((pki.root / "ca.key").read_bytes(), password=None)
    return ca_cert, ca_key


@dataclass(frozen=True)
class Party:
    """A signer: its party name (as contracts list it), certificate and private key."""

    party: str
    pair: CertPair
    algorithm: Algorithm = Algorithm.ECDSA_P256_SHA256

    def signature(self, data: bytes) -> parties_pb2.Signature:
        return parties_pb2.Signature(
            signer=self.party,
            algorithm=ALGORITHM_FIELD[self.algorithm],
            signature=sign(self.algorithm, self.pair.key_pem, data),
            certificate_pem=self.pair.cert_pem.decode(),
        )


def buyer(
    pki: Pki,
    resident_id: str,
    algorithm: Algorithm = Algorithm.ECDSA_P256_SHA256,
    not_before: dt.datetime | None = None,
    validity: dt.timedelta = dt.timedelta(days=365),
) -> Party:
    ca_cert, ca_key = _ca(pki)
    key = ed25519.Ed25519PrivateKey.generate() if algorithm is Algorithm.ED25519 else None
    pair = issue_leaf(
        ca_cert,
        ca_key,
        f"buyer {resident_id[-4:]}",
        [x509.UniformResourceIdentifier(f"deedflow://buyer/{resident_id}")],
        not_before=not_before,
        validity=validity,
        key=key,
    )
    return Party(f"buyers/{resident_id}", pair, algorithm)


def developer(pki: Pki, uscc: str = "91500112MA5U0DF01L") -> Party:
    """The development PKI's developer signs with its own certificate."""
    return Party(f"organizations/{uscc}", pki.caller("developer"))
