"""Party commitments (承诺值): how a leaf of the book names a holder without naming a person.

Each entry and state event is written with a random salt the office keeps in its own rows. From
the salt, one opening key per field is derived (HMAC-SHA-256 over the field's label); the leaf
carries SHA-256 over a fixed prefix, that key and the field's value. A holder is given the opening
key of their own position with their certificate: with it anyone shown the certificate checks
that the public leaf names that holder, and learns nothing of a co-holder's. Erasing a person
(where the law allows) replaces the value in the office's rows by `erased/<commitment>`, so the
leaf, and every proof over it, is unchanged (docs/verification.md, "Commitments")."""

from __future__ import annotations

import hashlib
import hmac
import secrets

SALT_BYTES = 32
PREFIX = b"deedflow-commitment/v1\x00"
ERASED_PREFIX = "erased/"
# The fields an entry keeps out of its public leaf besides its holders, and an event's.
ENTRY_PARTICULARS = ("amount_fen", "note")
EVENT_PARTICULARS = ("note",)


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


def opening_key(salt: bytes, label: str) -> bytes:
    """The key that opens one field's commitment: shown to whoever may read that field only."""
    return hmac.new(salt, label.encode(), hashlib.sha256).digest()


def holder_label(position: int) -> str:
    return f"holders/{position}"


def commit(key: bytes, value: bytes) -> bytes:
    """SHA-256(prefix ‖ key ‖ value): the key is 32 bytes, so the value needs no length."""
    return hashlib.sha256(PREFIX + key + value).digest()


def erased(commitment: bytes) -> str:
    """What the office keeps of a holder it has erased: the commitment the leaf carries."""
    return ERASED_PREFIX + commitment.hex()


def holder_commitment(salt: bytes, position: int, holder: str) -> bytes:
    """The commitment to the holder at `position`: as erased, or computed from the salt."""
    if holder.startswith(ERASED_PREFIX):
        return bytes.fromhex(holder.removeprefix(ERASED_PREFIX))
    return commit(opening_key(salt, holder_label(position)), holder.encode())


def holder_openings(salt: bytes, holders: list[str]) -> list[bytes]:
    """Each holder's opening key, in the entry's order."""
    return [opening_key(salt, holder_label(i)) for i in range(len(holders))]


def particulars_commitment(salt: bytes, particulars: bytes) -> bytes:
    """One commitment over the fields kept out of the leaf (their canonical JSON)."""
    return commit(opening_key(salt, "particulars"), particulars)


def opens(opening: bytes, holder: str, commitment: str) -> bool:
    """Whether `opening` shows that `commitment` (lowercase hex, as a leaf holds it) names
    `holder`: what a verifier checks."""
    computed = commit(opening, holder.encode()).hex().encode()
    return len(opening) == 32 and hmac.compare_digest(computed, commitment.encode())
