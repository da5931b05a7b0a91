"""A book's keys over time as relying parties keep them, beside its public key in the PKI folder
(`registry-log-{county code}.keys.json`): each key as a C2SP note verifier key, with the range
of tree sizes it signs. The registry writes it when it rotates a book's key; deedctl reads it."""

from __future__ import annotations

import json
from pathlib import Path

from shared.checkpoint import book_origin
from shared.documents import BookKey
from shared.signed_note import parse_verifier_key, verifier_key


def history_path(pki_root: Path, authority: str) -> Path:
    return pki_root / f"registry-log-{authority}.keys.json"


def dumps(authority: str, keys: list[BookKey]) -> str:
    rows = [
        {"verifier_key": verifier_key(book_origin(authority), k.public_key), "first": k.first, "last": k.last}
        for k in keys
    ]
    return json.dumps({"keys": rows}, indent=2) + "\n"


def load(pki_root: Path, authority: str) -> list[BookKey] | None:
    """The book's keys with their ranges, or None when it has never rotated its key. ValueError
    for a file that names a key of another book or is not such a file."""
    path = history_path(pki_root, authority)
    if not path.exists():
        return None
    keys = []
    for row in json.loads(path.read_text())["keys"]:
        verifier = parse_verifier_key(row["verifier_key"])
        if verifier.name != book_origin(authority):
            raise ValueError(f"{path}: a key of {verifier.name}, not of the book of {authority}")
        keys.append(BookKey(verifier.public_key, int(row["first"]), row["last"]))
    return keys
