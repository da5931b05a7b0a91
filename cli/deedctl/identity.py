"""The clerk's identity for deedctl: certificate, key and CA, by flag or from .deedflow/pki; each
file read with a one-line reason and a hint when it cannot be used."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from shared.auth import Caller, parse_identity_uri
from shared.pki import CertPair

MAKE_ONE = (
    "make one with `deedflow pki --role ROLE --id ID --out NAME`, or run `deedflow up` for the development CA"
)


class IdentityProblem(Exception):
    """Why the certificate, key or CA given cannot be used, and what to do."""


def _read(path: Path, what: str, option: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise IdentityProblem(
            f"no {what} at {path} (given with {option}, or the default); {MAKE_ONE}"
        ) from None
    except OSError as exc:
        raise IdentityProblem(f"cannot read the {what} {path}: {exc.strerror}") from None


@dataclass(frozen=True)
class ClientIdentity:
    cert_path: Path
    key_path: Path
    ca_path: Path

    def pair(self) -> CertPair:
        """The certificate and its key, checked to belong together."""
        cert_pem = _read(self.cert_path, "client certificate", "--cert")
        key_pem = _read(self.key_path, "private key", "--key")
        try:
            certificate = x509.load_pem_x509_certificate(cert_pem)
        except ValueError:
            raise IdentityProblem(f"{self.cert_path} is not a PEM certificate (--cert)") from None
        try:
            key = serialization.load_pem_private_key(key_pem, password=None)
        except (ValueError, TypeError):
            raise IdentityProblem(f"{self.key_path} is not an unencrypted PEM private key (--key)") from None
        public = serialization.PublicFormat.SubjectPublicKeyInfo
        encoding = serialization.Encoding.DER
        if key.public_key().public_bytes(encoding, public) != certificate.public_key().public_bytes(
            encoding, public
        ):
            raise IdentityProblem(
                f"the key {self.key_path} is not the key of the certificate {self.cert_path}"
            )
        return CertPair(cert_pem, key_pem)

    def ca_pem(self) -> bytes:
        pem = _read(self.ca_path, "CA certificate", "--ca")
        try:
            x509.load_pem_x509_certificate(pem)
        except ValueError:
            raise IdentityProblem(f"{self.ca_path} is not a PEM certificate (--ca)") from None
        return pem

    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.pair().cert_pem)

    def caller(self) -> Caller:
        """The identity the servers will read from this certificate's URI SAN."""
        try:
            sans = self.certificate().extensions.get_extension_for_class(x509.SubjectAlternativeName)
        except x509.ExtensionNotFound:
            raise IdentityProblem(f"{self.cert_path} names no deedflow identity (no URI SAN)") from None
        uris = [u for u in sans.value.get_values_for_type(x509.UniformResourceIdentifier)]
        deedflow = [u for u in uris if u.startswith("deedflow://")]
        if len(deedflow) != 1:
            raise IdentityProblem(f"{self.cert_path} must carry exactly one deedflow:// URI SAN, has {uris}")
        return parse_identity_uri(deedflow[0])

    def validity(self) -> tuple[dt.datetime, dt.datetime]:
        cert = self.certificate()
        return cert.not_valid_before_utc, cert.not_valid_after_utc


def resolve_identity(pki_dir: Path, cert: Path | None, key: Path | None, ca: Path | None) -> ClientIdentity:
    """Flags win; otherwise the development clerk under the PKI folder. A certificate given
    without its key is looked for beside it (bank.pem, bank.key)."""
    if cert is not None and key is None:
        key = cert.with_suffix(".key")
    return ClientIdentity(
        cert_path=cert or pki_dir / "callers" / "clerk.pem",
        key_path=key or pki_dir / "callers" / "clerk.key",
        ca_path=ca or pki_dir / "ca.pem",
    )
