"""Witness cosignatures (c2sp.org/tlog-cosignature, `cosignature/v1`) and the body of a witness's
`add-checkpoint` request (c2sp.org/tlog-witness): written by a witness, read by the registry and
by every verifier of a document, so that a book is trusted only as far as independent witnesses
have seen it grow without a fork.

A cosignature is a note signature line `— <witness name> base64(key id ‖ timestamp ‖ signature)`:
the key id is SHA-256(name ‖ 0x0A ‖ 0x04 ‖ Ed25519 public key)[:4], the timestamp a big-endian
u64 of POSIX seconds, and the Ed25519 signature is over `cosignature/v1\\ntime <timestamp>\\n`
followed by the checkpoint's text.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from shared import signed_note
from shared.signed_note import Signature, parse_key

COSIGNATURE_V1 = 0x04
HEADER = "cosignature/v1\n"
# The spec's bound: a consistency proof of a tree of up to 2^63 leaves.
MAX_PROOF_LINES = 63
_DASH = "\u2014 "


def key_id(name: str, public_key: bytes) -> bytes:
    return signed_note.key_id(name, public_key, COSIGNATURE_V1)


@dataclass(frozen=True, slots=True)
class Cosigner:
    """A witness a verifier trusts: its name and Ed25519 key."""

    name: str
    public_key: bytes

    @property
    def id(self) -> bytes:
        return key_id(self.name, self.public_key)

    def verifier_key(self) -> str:
        """The witness's key as a C2SP verifier key (signature type 0x04)."""
        encoded = base64.b64encode(bytes([COSIGNATURE_V1]) + self.public_key).decode()
        return f"{self.name}+{self.id.hex()}+{encoded}"


def parse_cosigner_key(text: str) -> Cosigner:
    """A witness's verifier key, `<name>+<hex key id>+base64(0x04 ‖ public key)`."""
    return Cosigner(*parse_key(text.strip(), COSIGNATURE_V1))


def signed_message(text: str, timestamp: int) -> bytes:
    return f"{HEADER}time {timestamp}\n{text}".encode()


def cosign(text: str, name: str, key: ed25519.Ed25519PrivateKey, timestamp: int) -> str:
    """The cosignature line of a checkpoint's text, newline included."""
    if not 0 <= timestamp < 2**63:
        raise ValueError("a cosignature's timestamp is a POSIX time below 2^63")
    public = key.public_key().public_bytes_raw()
    signature = (
        key_id(name, public) + timestamp.to_bytes(8, "big") + key.sign(signed_message(text, timestamp))
    )
    return f"{_DASH}{name} {base64.b64encode(signature).decode()}\n"


@dataclass(frozen=True, slots=True)
class Cosigned:
    """A trusted witness's verified cosignature: who, and as of when."""

    cosigner: Cosigner
    timestamp: int


def verify_cosignatures(text: str, signatures: list[Signature], trusted: list[Cosigner]) -> list[Cosigned]:
    """The trusted witnesses whose cosignatures of `text` verify, each once; lines of other keys
    (the log's own, unknown witnesses) are ignored, and a trusted witness's line that fails is
    ignored too: it proves nothing, and quorum counts only what verifies."""
    known = {(c.name, c.id): c for c in trusted}
    found: dict[str, Cosigned] = {}
    for line in signatures:
        cosigner = known.get((line.name, line.id))
        if cosigner is None or cosigner.name in found or len(line.signature) != 8 + 64:
            continue
        timestamp = int.from_bytes(line.signature[:8], "big")
        if timestamp >= 2**63:
            continue
        try:
            ed25519.Ed25519PublicKey.from_public_bytes(cosigner.public_key).verify(
                line.signature[8:], signed_message(text, timestamp)
            )
        except InvalidSignature:
            continue
        found[cosigner.name] = Cosigned(cosigner, timestamp)
    return list(found.values())


class MalformedRequest(ValueError):
    """An add-checkpoint body that is not one (400 Bad Request)."""


@dataclass(frozen=True, slots=True)
class AddCheckpoint:
    """An add-checkpoint request: the size the client believes the witness holds, the
    consistency proof from it, and the signed checkpoint note."""

    old_size: int
    proof: list[bytes]
    note: bytes

    def body(self) -> bytes:
        lines = [f"old {self.old_size}", *(base64.b64encode(h).decode() for h in self.proof), ""]
        return ("\n".join(lines) + "\n").encode() + self.note


def _decimal(text: str) -> int:
    if not text.isascii() or not text.isdigit() or (text != "0" and text.startswith("0")):
        raise MalformedRequest(f"not a decimal without leading zeroes: {text[:40]!r}")
    value = int(text)
    if value >= 2**63:
        raise MalformedRequest("a tree size is below 2^63")
    return value


def parse_add_checkpoint(body: bytes) -> AddCheckpoint:
    """The request's parts, as the spec lays them out; MalformedRequest otherwise."""
    head, blank, note = body.partition(b"\n\n")
    if not blank:
        raise MalformedRequest("the old size and proof lines end with an empty line")
    try:
        lines = head.decode("ascii").split("\n")
    except UnicodeDecodeError as exc:
        raise MalformedRequest("the old size and proof lines are ASCII") from exc
    if not lines[0].startswith("old "):
        raise MalformedRequest("the first line is 'old <size>'")
    old = _decimal(lines[0].removeprefix("old "))
    proof_lines = lines[1:]
    if len(proof_lines) > MAX_PROOF_LINES:
        raise MalformedRequest(f"at most {MAX_PROOF_LINES} consistency proof lines")
    proof = []
    for line in proof_lines:
        try:
            digest = base64.b64decode(line, validate=True)
        except binascii.Error as exc:
            raise MalformedRequest("a proof line is one base64 hash") from exc
        if len(digest) != 32:
            raise MalformedRequest("a proof line is one SHA-256 hash")
        proof.append(digest)
    return AddCheckpoint(old, proof, note)


def parse_size_reply(body: bytes) -> int:
    """The witness's size in a 409 reply (`text/x.tlog.size`)."""
    text = body.decode("ascii", errors="replace")
    if not text.endswith("\n"):
        raise MalformedRequest("a size reply ends in a newline")
    return _decimal(text[:-1])
