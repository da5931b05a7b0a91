"""Signed checkpoints of a register book's Merkle tree: what the registry signs (Ed25519) and how
anyone holding the book's public key checks a checkpoint offline, in the registry's own text and
as a C2SP signed note (c2sp.org/tlog-checkpoint) that outside monitors and witnesses read."""

from __future__ import annotations

import datetime as dt
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from shared import signed_note

# A book's name in C2SP notes: the origin line of its checkpoints and the name of the key that
# signs them, followed by the authority's county code. The registry's own signed text begins
# "deedflow register " and a note's text begins with this origin, so one key signs both and no
# signature of the one can pass for the other.
ORIGIN_PREFIX = "deedflow.example/register/"


def checkpoint_text(authority: str, tree_size: int, root_hash: bytes, at: dt.datetime) -> bytes:
    """The signed statement: origin (naming the book's authority), size, root and time, one per
    line (cf. RFC 9162 4.10). A checkpoint of one book can therefore never pass for another's.
    An empty authority gives the text of the city-wide book kept before the register was split
    (docs/decisions.md 65), which the registry no longer signs but whose documents still verify."""
    stamp = at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    origin = f"deedflow register {authority}" if authority else "deedflow register"
    return f"{origin}\n{tree_size}\n{root_hash.hex()}\n{stamp}\n".encode()


def key_id(public_key: bytes) -> bytes:
    return hashlib.sha256(public_key).digest()


def sign_checkpoint(
    key: ed25519.Ed25519PrivateKey, authority: str, tree_size: int, root_hash: bytes, at: dt.datetime
) -> bytes:
    if not authority:
        raise ValueError("a checkpoint is signed over one authority's book")
    return key.sign(checkpoint_text(authority, tree_size, root_hash, at))


def verify_checkpoint(
    public_key: bytes, authority: str, tree_size: int, root_hash: bytes, at: dt.datetime, signature: bytes
) -> bool:
    try:
        ed25519.Ed25519PublicKey.from_public_bytes(public_key).verify(
            signature, checkpoint_text(authority, tree_size, root_hash, at)
        )
    except InvalidSignature:
        return False
    return True


def book_origin(authority: str) -> str:
    """The book's origin (and key name) in C2SP notes, e.g. deedflow.example/register/500112."""
    if not authority:
        raise ValueError("a checkpoint note is of one authority's book")
    return ORIGIN_PREFIX + authority


def checkpoint_note(key: ed25519.Ed25519PrivateKey, authority: str, tree_size: int, root_hash: bytes) -> str:
    """The checkpoint as a C2SP signed note under the book's key: Ed25519 is deterministic, so the
    note of a stored checkpoint is the same whenever it is asked for."""
    origin = book_origin(authority)
    return signed_note.sign(signed_note.Checkpoint(origin, tree_size, root_hash).text(), origin, key)


def book_verifier_key(authority: str, public_key: bytes) -> str:
    """The book's key as a note verifier key (what Go's sumdb/note.NewVerifier reads)."""
    return signed_note.verifier_key(book_origin(authority), public_key)
