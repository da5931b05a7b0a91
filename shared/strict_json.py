"""One strict reading of JSON for whatever comes from outside (a document file, an embedded file,
a sealed body): UTF-8 without a byte-order mark, RFC 8259 and nothing more (no NaN or Infinity),
no member named twice in any object at any depth, nested at most MAX_DEPTH deep, nothing after
the value but whitespace. The verification page reads JSON by the same rules
(client/verifier/verifier.js, `strictJson`), so that one file has one reading (docs/verification.md)."""

from __future__ import annotations

import json
import re
from typing import NoReturn

# Deeper than any document we issue (4 levels) by far, shallow enough that no decoder recurses
# anywhere near its limit (a 50,000-deep array once ended as INTERNAL).
MAX_DEPTH = 32
BOM = "\ufeff"
# A string token (with its escapes) or one structural character: depth is counted outside strings.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class JsonRefused(ValueError):
    """Why a text is not JSON this reader takes."""


def _refuse_constant(name: str) -> NoReturn:
    raise JsonRefused(f"{name} is not a JSON number")


def _unique(pairs: list[tuple[str, object]]) -> dict[str, object]:
    found: dict[str, object] = {}
    for key, value in pairs:
        if key in found:
            raise JsonRefused(f"the member {key!r} is named twice in one object")
        found[key] = value
    return found


def _depth(text: str) -> int:
    deepest = depth = 0
    for token in _TOKENS.findall(text):
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            depth -= 1
    return deepest


def loads(data: bytes | str, max_depth: int = MAX_DEPTH) -> object:
    """The value of a JSON text; JsonRefused saying why it is not one this reader takes."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise JsonRefused("the text is not UTF-8") from None
    if data.startswith(BOM):
        raise JsonRefused("the text starts with a byte-order mark")
    if _depth(data) > max_depth:
        raise JsonRefused(f"the text nests deeper than {max_depth} levels")
    try:
        return json.loads(data, object_pairs_hook=_unique, parse_constant=_refuse_constant)
    except JsonRefused:
        raise
    except json.JSONDecodeError as exc:
        raise JsonRefused(f"{exc.msg} at character {exc.pos}") from None
