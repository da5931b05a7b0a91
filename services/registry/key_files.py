"""A book's signing keys as files of the registry's PKI folder (shared/pki.py): its current key,
the next one while a rotation commits (`.<key id>.next.key`, written before the commit, moved in
after it by whichever process first finds the book's key history naming it), the keys it rotated away
from (`.<key id>.retired.key`, which still seal documents on the checkpoints they signed), and
the history relying parties read (shared/book_keys.py)."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from shared import book_keys
from shared.checkpoint import key_id
from shared.documents import BookKey
from shared.pki import Pki, load_signing_key


def _pem(key: ed25519.Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write_private(path: Path, key: ed25519.Ed25519PrivateKey) -> None:
    """Written 0600 from its first byte, then moved into place whole."""
    staging = path.with_name(path.name + f".{os.getpid()}.tmp")
    staging.unlink(missing_ok=True)
    descriptor = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(_pem(key))
    os.replace(staging, path)


class KeyFiles:
    def __init__(self, pki: Pki) -> None:
        self.pki = pki
        self.services = pki.root / "services"

    def _own(self, authority: str) -> Path:
        return self.services / f"registry-log-{authority}.key"

    def _next(self, authority: str, named: bytes) -> Path:
        """A staged key, by its id: two rotations staged at once (a request and its twin) never
        write over each other's key."""
        return self.services / f"registry-log-{authority}.{named.hex()[:16]}.next.key"

    def current(self, authority: str) -> ed25519.Ed25519PrivateKey:
        return self.pki.book_key(authority)

    def retired(self, authority: str) -> list[ed25519.Ed25519PrivateKey]:
        return [
            load_signing_key(p) for p in sorted(self.services.glob(f"registry-log-{authority}.*.retired.key"))
        ]

    def stage(self, authority: str) -> ed25519.Ed25519PrivateKey:
        """A new key for the book, written as its next key before the rotation commits."""
        key = ed25519.Ed25519PrivateKey.generate()
        _write_private(self._next(authority, key_id(key.public_key().public_bytes_raw())), key)
        return key

    def take_up(self, authority: str, named: bytes) -> None:
        """Makes the staged key whose id the book's history names current: the current key kept
        as retired, the staged one moved in, its public key published beside the registry's."""
        staged = self._next(authority, named)
        if not staged.exists():
            return
        key = load_signing_key(staged)
        old = self.current(authority)
        old_id = key_id(old.public_key().public_bytes_raw()).hex()[:16]
        retired = self.services / f"registry-log-{authority}.{old_id}.retired.key"
        if not retired.exists():
            _write_private(retired, old)
        os.replace(staged, self._own(authority))
        (self.pki.root / f"registry-log-{authority}.pub").write_bytes(
            key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        # Keys staged by rotations that did not commit (a twin's, a refused one) sign nothing.
        for orphan in self.services.glob(f"registry-log-{authority}.*.next.key"):
            orphan.unlink(missing_ok=True)

    def publish(self, authority: str, history: list[BookKey]) -> Path:
        path = book_keys.history_path(self.pki.root, authority)
        path.write_text(book_keys.dumps(authority, history))
        return path
