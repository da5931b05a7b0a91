"""Signed checkpoints of the register's Merkle tree: what the registry signs (Ed25519) and how
anyone holding its public key checks a checkpoint offline."""

from __future__ import annotations

import datetime as dt
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519


def checkpoint_text(tree_size: int, root_hash: bytes, at: dt.datetime) -> bytes:
    """The signed statement: origin, size, root and time, one per line (cf. RFC 9162 4.10)."""
    stamp = at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return f"deedflow register\n{tree_size}\n{root_hash.hex()}\n{stamp}\n".encode()


def key_id(public_key: bytes) -> bytes:
    return hashlib.sha256(public_key).digest()


def sign_checkpoint(
    key: ed25519.Ed25519PrivateKey, tree_size: int, root_hash: bytes, at: dt.datetime
) -> bytes:
    return key.sign(checkpoint_text(tree_size, root_hash, at))


def verify_checkpoint(
    public_key: bytes, tree_size: int, root_hash: bytes, at: dt.datetime, signature: bytes
) -> bool:
    try:
        ed25519.Ed25519PublicKey.from_public_bytes(public_key).verify(
            signature, checkpoint_text(tree_size, root_hash, at)
        )
    except InvalidSignature:
        return False
    return True
