"""Where a reader stands in an office's feed: the writing transaction's id and the row's position,
as an opaque text the client hands back."""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.errors import FieldViolation, InvalidArgument

_FORM = re.compile(r"(\d{1,20})\.(\d{1,19})")
# An xid8 and a bigint are both below 2**64 and 2**63.
_XID_LIMIT = 2**64
_POSITION_LIMIT = 2**63


@dataclass(frozen=True, order=True)
class Cursor:
    transaction_id: int
    position: int

    def text(self) -> str:
        return f"{self.transaction_id}.{self.position}"


START = Cursor(0, 0)


def parse_cursor(text: str, field: str = "after_cursor") -> Cursor:
    """The cursor a client handed back; empty is the start of the feed. Anything else that is
    not one this feed wrote is INVALID_ARGUMENT naming `field`."""
    if not text:
        return START
    match = _FORM.fullmatch(text)
    if match is None:
        raise InvalidArgument([FieldViolation(field, "is not a cursor this feed gave out")])
    transaction_id, position = int(match[1]), int(match[2])
    if transaction_id >= _XID_LIMIT or position >= _POSITION_LIMIT:
        raise InvalidArgument([FieldViolation(field, "is not a cursor this feed gave out")])
    return Cursor(transaction_id, position)
