"""The clerk's identity for deedctl: certificate, key and CA, by flag or from .deedflow/pki."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from shared.auth import Caller, parse_identity_uri
from shared.pki import CertPair


@dataclass(frozen=True)
class ClientIdentity:
    cert_path: Path
    key_path: Path
    ca_path: Path

    def pair(self) -> CertPair:
        return CertPair(self.cert_path.read_bytes(), self.key_path.read_bytes())

    def ca_pem(self) -> bytes:
        return self.ca_path.read_bytes()

    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert_path.read_bytes())

    def caller(self) -> Caller:
        """The identity the servers will read from this certificate's URI SAN."""
        sans = self.certificate().extensions.get_extension_for_class(x509.SubjectAlternativeName)
        uris = [u for u in sans.value.get_values_for_type(x509.UniformResourceIdentifier)]
        deedflow = [u for u in uris if u.startswith("deedflow://")]
        if len(deedflow) != 1:
            raise ValueError(f"{self.cert_path} must carry exactly one deedflow:// URI SAN, has {uris}")
        return parse_identity_uri(deedflow[0])

    def validity(self) -> tuple[dt.datetime, dt.datetime]:
        cert = self.certificate()
        return cert.not_valid_before_utc, cert.not_valid_after_utc


def resolve_identity(pki_dir: Path, cert: Path | None, key: Path | None, ca: Path | None) -> ClientIdentity:
    """Flags win; otherwise the development clerk under the PKI folder."""
    return ClientIdentity(
        cert_path=cert or pki_dir / "callers" / "clerk.pem",
        key_path=key or pki_dir / "callers" / "clerk.key",
        ca_path=ca or pki_dir / "ca.pem",
    )
