"""The development PKI: a CA and mTLS certificates for every service and sample caller.

Throw-away material for development and tests, generated at run time under .deedflow/pki/ and
never committed. Production supplies its own folder with the same layout (DEEDFLOW_PKI_DIR).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import ipaddress
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from shared.catalog import SERVICE_NAMES

# Sample callers of the development PKI: file stem -> identity URI. The USCCs carry valid
# check characters and are fictional.
DEV_CALLERS: dict[str, str] = {
    "developer": "deedflow://developer/91500112MA5U0DF01L",
    # Another developer, to show that one developer cannot see or touch another's sales.
    "developer-b": "deedflow://developer/91500105MA5U0DF02K",
    "bank-a": "deedflow://bank/915000007094231152",
    "bank-b": "deedflow://bank/91500000MA60BNK00D",
    "bank-c": "deedflow://bank/91500000MA5U7BK0CK",
    "clerk": "deedflow://clerk/C0001",
    "housing": "deedflow://housing/91500000202801234Y",
    "tax": "deedflow://tax/cq-tax-bureau",
}

CA_VALIDITY = dt.timedelta(days=3650)
LEAF_VALIDITY = dt.timedelta(days=825)


@dataclass(frozen=True)
class CertPair:
    cert_pem: bytes
    key_pem: bytes


@dataclass(frozen=True)
class Pki:
    """A PKI folder: ca.pem, services/<name>.{pem,key}, callers/<stem>.{pem,key}."""

    root: Path

    @property
    def ca_pem(self) -> bytes:
        return (self.root / "ca.pem").read_bytes()

    def service(self, name: str) -> CertPair:
        return _read_pair(self.root / "services" / name)

    def caller(self, stem: str) -> CertPair:
        return _read_pair(self.root / "callers" / stem)

    @property
    def registry_public_key_path(self) -> Path:
        """The registry's public key (PEM), all a party needs to verify a document offline."""
        return self.root / "registry-log.pub"

    def book_public_key_path(self, authority: str) -> Path:
        """The public key (PEM) of the authority's book: its own where it has one, else the
        registry's."""
        own = self.root / f"registry-log-{authority}.pub"
        return own if own.exists() else self.registry_public_key_path

    def witness_tls(self, stem: str) -> CertPair:
        """A development witness's TLS certificate and key (issue_witness)."""
        return _read_pair(self.root / "witnesses" / stem)

    def witness_key(self, stem: str) -> ed25519.Ed25519PrivateKey:
        """A development witness's cosigning key (issue_witness)."""
        return load_signing_key(self.root / "witnesses" / f"{stem}-cosign.key")

    def book_key(self, authority: str) -> ed25519.Ed25519PrivateKey:
        """The key that signs the authority's book (checkpoints and seals): a registration
        authority that keeps its own key has services/registry-log-{authority}.key (and
        registry-log-{authority}.pub for relying parties); the others share the registry's."""
        own = self.root / "services" / f"registry-log-{authority}.key"
        return load_signing_key(own if own.exists() else self.root / "services" / "registry-log.key")


def load_signing_key(path: Path) -> ed25519.Ed25519PrivateKey:
    """An Ed25519 private key from its PEM file."""
    key = serialization.load_pem_private_key(path.read_bytes(), None)
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return key


def _read_pair(stem: Path) -> CertPair:
    return CertPair(stem.with_suffix(".pem").read_bytes(), stem.with_suffix(".key").read_bytes())


def _write(path: Path, data: bytes, private: bool = False) -> None:
    """Atomic write, so a concurrent reader never sees half a file; a private key is created
    0600 from its first byte (never readable by others, not even for a moment)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o644)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
    tmp.replace(path)


def _key_pem(key: ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "deedflow development (throw-away)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def issue_leaf(
    ca_cert: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    common_name: str,
    sans: list[x509.GeneralName],
    not_before: dt.datetime | None = None,
    validity: dt.timedelta = LEAF_VALIDITY,
    key: ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey | None = None,
) -> CertPair:
    """A certificate for both TLS sides (server and client auth), signed by the CA; P-256 unless
    another key is given (an Ed25519 key serves signatures, not TLS)."""
    key = key or ec.generate_private_key(ec.SECP256R1())
    start = not_before or dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + validity)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return CertPair(cert.public_bytes(serialization.Encoding.PEM), _key_pem(key))


def new_ca(
    common_name: str = "deedflow development CA",
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return cert, key


def service_sans(name: str) -> list[x509.GeneralName]:
    """A service is reached as localhost, 127.0.0.1 or (in docker-compose) its own host name."""
    return [
        x509.DNSName("localhost"),
        x509.DNSName(name),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.UniformResourceIdentifier(f"deedflow://service/{name}"),
    ]


@contextmanager
def _locked(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _development_ca(root: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """The development CA, created on first use."""
    ca_pem_path, ca_key_path = root / "ca.pem", root / "ca.key"
    if ca_pem_path.exists() and ca_key_path.exists():
        loaded = serialization.load_pem_private_key(ca_key_path.read_bytes(), password=None)
        assert isinstance(loaded, ec.EllipticCurvePrivateKey)
        return x509.load_pem_x509_certificate(ca_pem_path.read_bytes()), loaded
    ca_cert, ca_key = new_ca()
    _write(ca_key_path, _key_pem(ca_key), private=True)
    _write(ca_pem_path, ca_cert.public_bytes(serialization.Encoding.PEM))
    return ca_cert, ca_key


def issue_identity(root: Path, role: str, ident: str, stem: Path) -> CertPair:
    """A development identity (deedflow://<role>/<id>) from the development CA, written to
    stem.pem and stem.key (0600): for a developer's, bank's, buyer's, clerk's or court's test
    system. Throw-away: the development CA is nobody's trust anchor outside development."""
    ca_cert, ca_key = _development_ca(root.resolve())
    pair = issue_leaf(
        ca_cert, ca_key, f"{role} {ident}", [x509.UniformResourceIdentifier(f"deedflow://{role}/{ident}")]
    )
    _write(stem.with_suffix(".key"), pair.key_pem, private=True)
    _write(stem.with_suffix(".pem"), pair.cert_pem)
    return pair


def _ensure_signing_key(private: Path, public: Path) -> None:
    """An Ed25519 key pair: the private key (0600) if missing, and its public key (PEM) beside."""
    if not private.exists():
        _write(
            private,
            ed25519.Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ),
            private=True,
        )
    if not public.exists():
        key = serialization.load_pem_private_key(private.read_bytes(), None)
        _write(
            public,
            key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            ),
        )


def issue_book_key(root: Path, authority: str) -> Path:
    """A development signing key of the authority's own (throw-away), for a registration authority
    that signs its book with a key of its own rather than the registry's: the registry uses it
    from its next start (Pki.book_key). Where relying parties find its public key."""
    root = root.resolve()
    with _locked(root):
        _ensure_signing_key(
            root / "services" / f"registry-log-{authority}.key", root / f"registry-log-{authority}.pub"
        )
    return root / f"registry-log-{authority}.pub"


def issue_witness(root: Path, stem: str) -> Path:
    """A development witness (throw-away): a TLS certificate from the development CA for
    localhost and 127.0.0.1, witnesses/{stem}.{pem,key}, and its Ed25519 cosigning key,
    witnesses/{stem}-cosign.key (a real witness's key is its operator's, never the registry's
    CA's business). The folder."""
    root = root.resolve()
    folder = root / "witnesses"
    with _locked(root):
        stem_path = folder / stem
        if not (stem_path.with_suffix(".pem").exists() and stem_path.with_suffix(".key").exists()):
            ca_cert, ca_key = _development_ca(root)
            sans = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            pair = issue_leaf(ca_cert, ca_key, f"witness {stem}", sans)
            _write(stem_path.with_suffix(".key"), pair.key_pem, private=True)
            _write(stem_path.with_suffix(".pem"), pair.cert_pem)
        _ensure_signing_key(folder / f"{stem}-cosign.key", folder / f"{stem}-cosign.pub")
    return folder


def ensure_dev_pki(root: Path) -> Pki:
    """Creates the development CA and every certificate that is missing; safe to race."""
    root = root.resolve()
    with _locked(root):
        wanted: dict[Path, tuple[str, list[x509.GeneralName]]] = {
            root / "services" / name: (f"service {name}", service_sans(name)) for name in SERVICE_NAMES
        }
        for caller, uri in DEV_CALLERS.items():
            wanted[root / "callers" / caller] = (caller, [x509.UniformResourceIdentifier(uri)])
        missing = {
            stem: names
            for stem, names in wanted.items()
            if not (stem.with_suffix(".pem").exists() and stem.with_suffix(".key").exists())
        }
        # The CA's key is read only when a certificate must be issued: a service starting on a
        # complete PKI never touches it.
        if missing or not (root / "ca.pem").exists():
            ca_cert, ca_key = _development_ca(root)
        for stem, (common_name, sans) in missing.items():
            pair = issue_leaf(ca_cert, ca_key, common_name, sans)
            _write(stem.with_suffix(".key"), pair.key_pem, private=True)
            _write(stem.with_suffix(".pem"), pair.cert_pem)
        # The registry signs the books' checkpoints with this key (Ed25519); throw-away here.
        # Relying parties (banks, notaries, deedctl verify) hold registry-log.pub.
        _ensure_signing_key(root / "services" / "registry-log.key", root / "registry-log.pub")
    return Pki(root)


def leaf_problem(certificate: x509.Certificate, ca: x509.Certificate) -> str | None:
    """Why a party's certificate is not acceptable, or None: it must be issued directly by our CA
    (whose path length is 0), must not itself be a CA, and must hold an allowed key (ECDSA
    P-256 or P-384, Ed25519, or RSA of at least 2048 bits)."""
    try:
        certificate.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return "the certificate was not issued by a trusted CA"
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        constraints = None
    if constraints is not None and constraints.ca:
        return "a CA certificate cannot stand for a party"
    key = certificate.public_key()
    if isinstance(key, ec.EllipticCurvePublicKey):
        allowed = key.curve.name in ("secp256r1", "secp384r1")
    elif isinstance(key, rsa.RSAPublicKey):
        allowed = key.key_size >= 2048
    else:
        allowed = isinstance(key, ed25519.Ed25519PublicKey)
    return None if allowed else "the certificate's key type or size is not allowed"
