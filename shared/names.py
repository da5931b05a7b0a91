"""Resource names of the API ("contracts/{uuid}") and the ids inside them."""

from __future__ import annotations

import uuid

from shared.errors import NotFound


def parse_uuid_name(name: str, collection: str) -> uuid.UUID:
    """'contracts/3f1c…' -> UUID; anything else names nothing here (NOT_FOUND)."""
    prefix, _, ident = name.partition("/")
    try:
        if prefix != collection:
            raise ValueError
        return uuid.UUID(ident)
    except ValueError:
        raise NotFound(f"no {collection.removesuffix('s')} {name!r}") from None
