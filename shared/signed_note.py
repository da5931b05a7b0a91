"""C2SP signed notes (c2sp.org/signed-note) and transparency-log checkpoints
(c2sp.org/tlog-checkpoint): the format outside monitors, witnesses and Go's
golang.org/x/mod/sumdb/note read, so that a register book can be checked by code we did not write.

A note is UTF-8 text ending in a newline, a blank line, then one line per signature:
`— <key name> base64(key id || signature)`. An Ed25519 key's id is the first four bytes of
SHA-256(key name || 0x0A || 0x01 || public key), and it is published as the verifier key
`<name>+<hex key id>+base64(0x01 || public key)`. A checkpoint is a note whose text is the log's
origin, its tree size and the base64 of its RFC 6962 root, one per line.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

ED25519 = 0x01
# A note is small: a checkpoint and a few dozen signatures. Anything larger is refused unread.
MAX_NOTE_BYTES = 16_384
MAX_SIGNATURES = 64
_DASH = "\u2014 "


class MalformedNote(ValueError):
    """The bytes are not a signed note, or not a checkpoint."""


class UnverifiedNote(ValueError):
    """No signature of a trusted key verifies, or one of them fails."""


def key_id(name: str, public_key: bytes, key_type: int = ED25519) -> bytes:
    """The 4-byte id of a key of `key_type` (Ed25519 note signer: 0x01) under its name."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([key_type]) + public_key).digest()[:4]


def canonical_base64(text: str, what: str) -> bytes:
    """Standard, padded base64 that is the one encoding of its bytes: every reader of a note (the
    verification page too) takes exactly the same texts."""
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise MalformedNote(f"{what} is not base64") from exc
    if base64.b64encode(raw).decode() != text:
        raise MalformedNote(f"{what} is not canonical base64")
    return raw


def _check_name(name: str) -> None:
    if not name or any(c.isspace() or c == "+" for c in name):
        raise MalformedNote(f"a key name is non-empty, without spaces or '+': {name!r}")


def verifier_key(name: str, public_key: bytes) -> str:
    """The text that publishes an Ed25519 key for verifying notes (sumdb/note's verifier key)."""
    _check_name(name)
    encoded = base64.b64encode(bytes([ED25519]) + public_key).decode()
    return f"{name}+{key_id(name, public_key).hex()}+{encoded}"


@dataclass(frozen=True, slots=True)
class Verifier:
    """A trusted Ed25519 key, by name."""

    name: str
    public_key: bytes

    @property
    def id(self) -> bytes:
        return key_id(self.name, self.public_key)


def parse_key(text: str, key_type: int = ED25519) -> tuple[str, bytes]:
    """A verifier key `<name>+<hex id>+base64(type ‖ 32-byte key)` of `key_type`: its name and
    Ed25519 public key; its id must be the one the key gives."""
    name, _, rest = text.partition("+")
    hex_id, _, encoded = rest.partition("+")
    _check_name(name)
    try:
        raw = base64.b64decode(encoded, validate=True)
        claimed = bytes.fromhex(hex_id)
    except (binascii.Error, ValueError) as exc:
        raise MalformedNote(f"not a verifier key: {text!r}") from exc
    if len(raw) != 33 or raw[0] != key_type:
        raise MalformedNote(f"only verifier keys of type 0x{key_type:02x} with 32 bytes of Ed25519 are read")
    if claimed != key_id(name, raw[1:], key_type):
        raise MalformedNote(f"the verifier key's id {hex_id} is not its key's")
    return name, raw[1:]


def parse_verifier_key(text: str) -> Verifier:
    """A note signer's verifier key (type 0x01)."""
    return Verifier(*parse_key(text))


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise MalformedNote("a note's text ends in a newline")
    if any(ord(c) < 0x20 and c != "\n" for c in text):
        raise MalformedNote("a note holds no control characters but newlines")


def sign(text: str, name: str, key: ed25519.Ed25519PrivateKey) -> str:
    """The note of `text` signed by `key` under `name`."""
    _check_name(name)
    _check_text(text)
    public = key.public_key().public_bytes_raw()
    signature = key_id(name, public) + key.sign(text.encode())
    return f"{text}\n{_DASH}{name} {base64.b64encode(signature).decode()}\n"


@dataclass(frozen=True, slots=True)
class Signature:
    name: str
    id: bytes
    signature: bytes


def split(note: bytes) -> tuple[str, list[Signature]]:
    """A note's text and its signature lines, as written (none checked)."""
    if len(note) > MAX_NOTE_BYTES:
        raise MalformedNote(f"a note is at most {MAX_NOTE_BYTES} bytes")
    try:
        decoded = note.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedNote("a note is UTF-8") from exc
    cut = decoded.rfind("\n\n")
    if cut < 0:
        raise MalformedNote("a note's signatures follow a blank line")
    text, lines = decoded[: cut + 1], decoded[cut + 2 :]
    _check_text(text)
    if not lines.endswith("\n"):
        raise MalformedNote("a note ends in a newline")
    signatures = []
    for line in lines[:-1].split("\n"):
        if not line.startswith(_DASH):
            raise MalformedNote(f"not a signature line: {line[:80]!r}")
        name, _, encoded = line[len(_DASH) :].partition(" ")
        _check_name(name)
        raw = canonical_base64(encoded, f"a signature of {name}")
        if len(raw) < 5:
            raise MalformedNote(f"a signature of {name} is too short")
        signatures.append(Signature(name, raw[:4], raw[4:]))
    if not signatures or len(signatures) > MAX_SIGNATURES:
        raise MalformedNote(f"a note has 1 to {MAX_SIGNATURES} signatures")
    return text, signatures


def open_note(note: bytes, trusted: list[Verifier]) -> tuple[str, list[Verifier]]:
    """The note's text and the trusted keys whose signatures verify. Signatures of unknown keys
    are ignored (witnesses', another log's); one of a trusted key that fails, or none verifying,
    refuses the whole note."""
    text, signatures = split(note)
    known = {(v.name, v.id): v for v in trusted}
    verified = []
    for signature in signatures:
        verifier = known.get((signature.name, signature.id))
        if verifier is None:
            continue
        try:
            ed25519.Ed25519PublicKey.from_public_bytes(verifier.public_key).verify(
                signature.signature, text.encode()
            )
        except (InvalidSignature, ValueError) as exc:
            raise UnverifiedNote(f"the signature of {signature.name} does not verify") from exc
        verified.append(verifier)
    if not verified:
        raise UnverifiedNote("no signature of a trusted key")
    return text, verified


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A log's tree head as a checkpoint's text states it."""

    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"


def parse_checkpoint(text: str) -> Checkpoint:
    """The origin, size and root of a checkpoint's text (extension lines are not used here and
    are refused: nothing a monitor cannot audit is signed)."""
    lines = text.split("\n")
    if len(lines) != 4 or lines[3] != "":
        raise MalformedNote("a checkpoint is its origin, size and root, one per line")
    origin, size, root = lines[:3]
    if not origin or any(c.isspace() for c in origin):
        raise MalformedNote("a checkpoint's origin is non-empty, without spaces")
    if not size.isascii() or not size.isdigit() or (size != "0" and size.startswith("0")):
        raise MalformedNote("a checkpoint's size is a decimal number without leading zeroes")
    digest = canonical_base64(root, "a checkpoint's root")
    if len(digest) != 32:
        raise MalformedNote("a checkpoint's root is a SHA-256 hash")
    return Checkpoint(origin, int(size), digest)
