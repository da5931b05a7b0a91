"""Where a reader stands in an office's feed: the sequence number of the last event it handled, as
an opaque text of ASCII digits the client hands back. Cursors given out before the feed was
sequenced (`{transaction id}.{position}`) are still read, and translated by the store."""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.errors import FieldViolation, InvalidArgument

# re.ASCII: `\d` alone would take any script's digits ("１２" in full width), which no feed gave out.
_SEQUENCE = re.compile(r"[0-9]{1,19}", re.ASCII)
_LEGACY = re.compile(r"([0-9]{1,20})\.([0-9]{1,19})", re.ASCII)
# A sequence and a position are bigints, a transaction id an xid8.
_BIGINT_LIMIT = 2**63
_XID_LIMIT = 2**64


@dataclass(frozen=True, order=True)
class Cursor:
    """After the event numbered `sequence` (0: before the first)."""

    sequence: int

    def text(self) -> str:
        return str(self.sequence)


@dataclass(frozen=True)
class LegacyCursor:
    """A cursor of the feed before it was sequenced (decision 62): the writing transaction's id and
    the row's position."""

    transaction_id: int
    position: int


START = Cursor(0)


def parse_cursor(text: str, field: str = "after_cursor") -> Cursor | LegacyCursor:
    """The cursor a client handed back; empty is the start of the feed. Anything else that is
    not one this feed wrote is INVALID_ARGUMENT naming `field`."""
    if not text:
        return START
    if _SEQUENCE.fullmatch(text) and int(text) < _BIGINT_LIMIT:
        return Cursor(int(text))
    legacy = _LEGACY.fullmatch(text)
    if legacy and int(legacy[1]) < _XID_LIMIT and int(legacy[2]) < _BIGINT_LIMIT:
        return LegacyCursor(int(legacy[1]), int(legacy[2]))
    raise InvalidArgument([FieldViolation(field, "is not a cursor this feed gave out")])
