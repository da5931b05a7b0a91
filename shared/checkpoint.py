"""Signed checkpoints of a register book's Merkle tree: what the registry signs (Ed25519) and how
anyone holding the book's public key checks a checkpoint offline."""

from __future__ import annotations

import datetime as dt
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519


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
