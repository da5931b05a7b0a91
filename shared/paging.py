"""Page tokens (AIP-158) that are opaque and bound to the caller and the query: the position is
sealed with AES-GCM, the caller's identity, the method and every other field of the request
being the associated data. A token cannot be read, altered, or replayed by another caller or
with another filter; any such token is INVALID_ARGUMENT."""

from __future__ import annotations

import base64
import hashlib
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from google.protobuf.message import Message

from shared.auth import current_caller
from shared.context import method_var
from shared.errors import FieldViolation, InvalidArgument

_NONCE = 12
# A token longer than this was not made here (positions are names and numbers).
MAX_TOKEN_CHARS = 200


class _Key:
    """The sealing key: random per process until the service sets one from its own key material
    (so every replica of a service accepts the others' tokens)."""

    aead = AESGCM(os.urandom(32))


def use_key_material(material: bytes) -> None:
    """Derives the sealing key from the service's private key (never stored anywhere else)."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"deedflow page tokens").derive(material)
    _Key.aead = AESGCM(key)


def _scope(request: Message) -> bytes:
    query = type(request)()
    query.CopyFrom(request)
    for field in ("page_token", "page_size"):
        if field in query.DESCRIPTOR.fields_by_name:
            query.ClearField(field)
    who = current_caller.get()
    binding = b"\0".join(
        [
            (who.uri if who else "").encode(),
            (method_var.get() or "").encode(),
            query.SerializeToString(deterministic=True),
        ]
    )
    return hashlib.sha256(binding).digest()


def issue(position: str, request: Message) -> str:
    """The token for the page after `position`, for this caller and this query."""
    nonce = os.urandom(_NONCE)
    sealed = _Key.aead.encrypt(nonce, position.encode(), _scope(request))
    return base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def position(request: Any) -> str:
    """The position the request's page_token stands for ('' for the first page); `request` is
    any List request (every one has a page_token)."""
    token: str = request.page_token
    if not token:
        return ""
    try:
        if len(token) > MAX_TOKEN_CHARS:
            raise ValueError
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        return _Key.aead.decrypt(raw[:_NONCE], raw[_NONCE:], _scope(request)).decode()
    except (ValueError, InvalidTag):
        raise InvalidArgument(
            [FieldViolation("page_token", "is not a token this server gave to this caller for this query")]
        ) from None
