"""Signed register documents (电子证照): how the registry seals a certificate or proof to its
entry, and how anyone holding the registry's public key verifies one offline."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from google.protobuf import json_format
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from deedflow.preregistration.v1 import preregistration_service_pb2 as prereg_pb
from deedflow.registry.v1 import document_pb2, registry_service_pb2, registry_service_pb2_grpc
from deedflow.type.v1 import parties_pb2
from shared import merkle, strict_json
from shared.checkpoint import book_origin, key_id, verify_checkpoint
from shared.commitments import ERASED_PREFIX, opens
from shared.cosignature import Cosigner, verify_cosignatures
from shared.signed_note import Verifier, open_note, parse_checkpoint, split

if TYPE_CHECKING:
    # Only the offices pass rows; deedctl, which reads documents too, loads no database driver.
    pass

RegistryStub = registry_service_pb2_grpc.RegistryServiceStub

KINDS = ("certificate", "proof")
# The leaf version whose holders are commitments (services/registry/log.py).
COMMITTED = 2


def canonical_json(value: object) -> bytes:
    """Sorted keys, no spaces, UTF-8: the one byte form that is hashed and signed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def compose_content(
    kind: str,
    number: str,
    entry: str,
    unit_number: str,
    holders: list[str],
    body: dict[str, object],
    sealed_at: dt.datetime,
) -> bytes:
    """The document as the registry states it: what rests on which entry, held by whom."""
    return canonical_json(
        {
            "kind": kind,
            "number": number,
            "entry": entry,
            "unit_number": unit_number,
            "holders": holders,
            "sealed_time": sealed_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "body": body,
        }
    )


def seal_text(content: bytes, leaf_hash: bytes, tree_size: int, root_hash: bytes) -> bytes:
    """What the seal signs: the content bound to its leaf in one signed tree."""
    digest = hashlib.sha256(content).hexdigest()
    return f"deedflow document\n{digest}\n{leaf_hash.hex()}\n{tree_size}\n{root_hash.hex()}\n".encode()


def seal(
    key: ed25519.Ed25519PrivateKey, content: bytes, leaf: bytes, tree_size: int, root_hash: bytes
) -> bytes:
    return key.sign(seal_text(content, merkle.leaf_hash(leaf), tree_size, root_hash))


@dataclass
class Verification:
    """The outcome of checking a document offline: every failed check, and what it says."""

    failures: list[str] = field(default_factory=list)
    content: dict[str, Any] = field(default_factory=dict)
    leaf: dict[str, Any] = field(default_factory=dict)
    # The book whose checkpoint the document rests on ("" for the city-wide book of old).
    authority: str = ""
    # The trusted witnesses whose cosignatures of the checkpoint verify, by name.
    witnesses: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def _json_object(data: bytes, what: str, result: Verification) -> dict[str, Any]:
    try:
        value = strict_json.loads(data)
    except strict_json.JsonRefused as exc:
        result.failures.append(f"{what} is not JSON: {exc}")
        return {}
    if not isinstance(value, dict):
        result.failures.append(f"{what} is not a JSON object")
        return {}
    return value


@dataclass(frozen=True)
class BookKey:
    """A key a relying party trusts for a book's checkpoints of sizes `first` to `last` (None:
    from `first` on): a book whose key was rotated has one per range (docs/verification.md)."""

    public_key: bytes
    first: int = 0
    last: int | None = None

    def covers(self, size: int) -> bool:
        return self.first <= size and (self.last is None or size <= self.last)


def _chosen(keys: list[BookKey], checkpoint: document_pb2.Checkpoint, result: Verification) -> bytes:
    """The trusted key the checkpoint names by its id (or the latest, to be refused by the
    checks that follow), with a failure when the checkpoint's size is outside its range."""
    named = next((k for k in keys if key_id(k.public_key) == checkpoint.key_id), None)
    if named is None:
        return keys[-1].public_key
    if not named.covers(checkpoint.tree_size):
        until = "on" if named.last is None else f"to {named.last}"
        result.failures.append(
            f"the book's key {checkpoint.key_id.hex()[:16]} signs its checkpoints of sizes"
            f" {named.first} {until} only, not {checkpoint.tree_size}"
        )
    return named.public_key


def verify_document(
    document: document_pb2.SignedDocument,
    public_key: bytes | list[BookKey],
    witnesses: list[Cosigner] | None = None,
    quorum: int = 0,
) -> Verification:
    """Every check a relying party (a bank, a notary) makes with only the book's key (or its keys
    over time, each for its range of sizes) and the witnesses it trusts, of which `quorum` must
    have cosigned the checkpoint; the verification page (client/verifier/verifier.js) makes the
    same, worded the same. ValueError when the checkpoint's time is no time at all (a document
    from a QR payload can say anything)."""
    checkpoint = document.checkpoint
    result = Verification(authority=checkpoint.authority)
    keys = [BookKey(public_key)] if isinstance(public_key, bytes) else public_key
    public_key = _chosen(keys, checkpoint, result)
    _check_note(document, public_key, witnesses or [], quorum, result)
    if checkpoint.key_id != key_id(public_key):
        result.failures.append("the checkpoint was signed by another key than the registry's")
    try:
        at = checkpoint.checkpoint_time.ToDatetime(dt.UTC)
    except (ValueError, OverflowError):
        raise ValueError("the checkpoint time is out of range") from None
    if not verify_checkpoint(
        public_key, checkpoint.authority, checkpoint.tree_size, checkpoint.root_hash, at, checkpoint.signature
    ):
        result.failures.append("the checkpoint's signature does not verify")
    if not merkle.verify_inclusion(
        document.leaf,
        document.leaf_index,
        checkpoint.tree_size,
        list(document.audit_path),
        checkpoint.root_hash,
    ):
        result.failures.append("the entry is not in the signed tree (inclusion proof fails)")
    try:
        ed25519.Ed25519PublicKey.from_public_bytes(public_key).verify(
            document.seal,
            seal_text(
                document.content, merkle.leaf_hash(document.leaf), checkpoint.tree_size, checkpoint.root_hash
            ),
        )
    except InvalidSignature:
        result.failures.append("the registry's seal does not verify (the document was changed)")
    result.content = _json_object(document.content, "the content", result)
    result.leaf = _json_object(document.leaf, "the leaf", result)
    if result.content and result.leaf:
        _check_agreement(result, list(document.holder_openings))
    return result


def _check_note(
    document: document_pb2.SignedDocument,
    public_key: bytes,
    witnesses: list[Cosigner],
    quorum: int,
    result: Verification,
) -> None:
    """The checkpoint as a C2SP note: signed by the book's key, stating the document's tree, and
    cosigned by at least `quorum` of the trusted witnesses."""
    note = document.checkpoint_note.encode()
    if not note:
        if quorum:
            result.failures.append("the document carries no witnessed checkpoint")
        return
    checkpoint = document.checkpoint
    try:
        origin = book_origin(checkpoint.authority)
        text, _ = open_note(note, [Verifier(origin, public_key)])
        stated = parse_checkpoint(text)
        lines = split(note)[1]
    except ValueError:
        result.failures.append("the checkpoint note does not verify with the book's key")
        return
    if (stated.origin, stated.size, stated.root) != (origin, checkpoint.tree_size, checkpoint.root_hash):
        result.failures.append("the checkpoint note states another tree than the document's checkpoint")
    result.witnesses = sorted(c.cosigner.name for c in verify_cosignatures(text, lines, witnesses))
    if len(result.witnesses) < quorum:
        result.failures.append(
            f"{len(result.witnesses)} of the {quorum} witness cosignatures required verify"
        )


def holders_agree(holders: object, committed: object, openings: list[bytes]) -> bool:
    """Whether the content's holders are those the leaf commits to: each opened by its opening,
    or named as erased with the very commitment the leaf holds."""
    if not (isinstance(holders, list) and isinstance(committed, list)):
        return False
    if not len(holders) == len(committed) == len(openings):
        return False
    for holder, commitment, opening in zip(holders, committed, openings, strict=True):
        if not (isinstance(holder, str) and isinstance(commitment, str)):
            return False
        if holder != ERASED_PREFIX + commitment and not opens(opening, holder, commitment):
            return False
    return True


def _check_agreement(result: Verification, openings: list[bytes]) -> None:
    """The document must say what its entry says: same entry, unit and holders."""
    content, leaf = result.content, result.leaf
    if leaf.get("type") != "entry":
        result.failures.append("the leaf is not a register entry")
    entry = f"units/{leaf.get('unit_number')}/entries/{leaf.get('sequence')}"
    if content.get("entry") != entry:
        result.failures.append(f"the document names {content.get('entry')!r}, the leaf is {entry!r}")
    if content.get("unit_number") != leaf.get("unit_number"):
        result.failures.append("the document's unit differs from the entry's")
    unit = leaf.get("unit_number")
    book = unit[:6] if isinstance(unit, str) else ""
    if result.authority and result.authority != book:
        result.failures.append(
            f"the checkpoint is of another book ({result.authority!r}) than the unit's ({book!r})"
        )
    if "v" in leaf:
        if leaf["v"] != COMMITTED or not holders_agree(content.get("holders"), leaf.get("holders"), openings):
            result.failures.append("the document's holders differ from the entry's")
    elif content.get("holders") != leaf.get("holders"):
        result.failures.append("the document's holders differ from the entry's")
    if content.get("kind") not in KINDS:
        result.failures.append(f"unknown document kind {content.get('kind')!r}")


def to_file(document: document_pb2.SignedDocument) -> str:
    """The document as a file a party keeps: proto JSON, bytes in base64."""
    return json_format.MessageToJson(document, preserving_proto_field_name=True, sort_keys=True) + "\n"


def from_file(text: str) -> document_pb2.SignedDocument:
    return json_format.Parse(text, document_pb2.SignedDocument())


# What a document says of a person, and no more (个人信息保护法 6): a name, an ID and a share.
# A family's home count is the tax office's, a guardian's ID the contract office's; neither is
# what a holder, or a bank shown a proof, needs to read.
_NOT_FOR_DOCUMENTS = {parties_pb2.Buyer.DESCRIPTOR.full_name: ("home_count", "guardian")}


def for_document(message: Message) -> Message:
    """A copy of `message` with what documents leave out cleared, at any depth."""
    shown = type(message)()
    shown.CopyFrom(message)
    _clear(shown)
    return shown


def _clear(message: Message) -> None:
    for name in _NOT_FOR_DOCUMENTS.get(message.DESCRIPTOR.full_name, ()):
        message.ClearField(name)
    for field_descriptor, value in message.ListFields():
        if field_descriptor.message_type is None:
            continue
        if field_descriptor.is_repeated and not field_descriptor.message_type.GetOptions().map_entry:
            for item in value:
                _clear(item)
        elif not field_descriptor.is_repeated:
            _clear(value)


async def issue(
    registry: RegistryStub, entry: str, kind: str, number: str, body: Message
) -> document_pb2.SignedDocument:
    """Asks the registry (a RegistryService stub) to seal an office's rendering of a document,
    with what documents leave out of a person cleared (for_document)."""
    rendering = canonical_json(
        json_format.MessageToDict(for_document(body), preserving_proto_field_name=True)
    )
    reply = await registry.SealDocument(
        registry_service_pb2.SealDocumentRequest(entry=entry, kind=kind, number=number, body=rendering)
    )
    document: document_pb2.SignedDocument = reply.document
    return document


# The register names the case of a correction "corrections/{unit}/{sequence}".
CORRECTION_CASE_PREFIX = "corrections/"


async def unit_history(registry: RegistryStub, unit_number: str) -> list[registry_service_pb2.Entry]:
    """Every entry of the unit with its state now (a unit's history is a handful of entries; one
    page of the most the book lists holds it). Read with no transaction open."""
    request = registry_service_pb2.ListEntriesRequest(unit_number=unit_number, page_size=500)
    return list((await registry.ListEntries(request)).entries)


async def as_corrected(
    registry: RegistryStub, entry: str, history: list[registry_service_pb2.Entry] | None = None
) -> tuple[registry_service_pb2.Entry | None, list[str]]:
    """The entry that stands for `entry` in the book now: following each correction (更正登记)
    that ended it to the entry that replaced it (民法典 216-217: the book prevails), and the
    renumbering at the as-built survey that carried it to another unit (担保制度解释 52). With the
    corrections followed, oldest first. `history` is one unit's, when the caller has read it."""
    histories: dict[str, list[registry_service_pb2.Entry]] = {}
    if history:
        histories[history[0].unit_number] = history

    async def find(name: str) -> registry_service_pb2.Entry | None:
        unit_number = name.split("/")[1]
        if unit_number not in histories:
            histories[unit_number] = await unit_history(registry, unit_number)
        return next((e for e in histories[unit_number] if e.name == name), None)

    current = await find(entry)
    corrections: list[str] = []
    while current is not None:
        if current.carried_to:
            current = await find(current.carried_to)
            continue
        if not current.ended_by_case.startswith(CORRECTION_CASE_PREFIX):
            break
        successor = next(
            (
                e
                for e in histories[current.unit_number]
                if e.related_entry == current.name and e.kind == current.kind
            ),
            None,
        )
        if successor is None:
            break
        corrections.append(current.ended_by_case)
        current = successor
    return current, corrections


# The register names the end of an entry by law "lapsed: …" (民法典 221, 220; 查封规定 27).
LAPSED_CASE_PREFIX = "lapsed:"


def lapsed_at(entry: registry_service_pb2.Entry) -> Timestamp | None:
    """When the law ended the entry by lapse, or None if it did not."""
    if entry.state == registry_service_pb2.ENTRY_STATE_HISTORIC and entry.ended_by_case.startswith(
        LAPSED_CASE_PREFIX
    ):
        return entry.end_time
    return None


async def standing_entry(
    registry: RegistryStub,
    record: prereg_pb.Preregistration | prereg_pb.Premortgage,
    history: list[registry_service_pb2.Entry] | None = None,
) -> registry_service_pb2.Entry | None:
    """The entry that stands now for a 预告 or 预抵押 in force (a Preregistration or Premortgage
    message): after corrections, and after the carrying to the as-built unit at the survey
    (担保制度解释 52), which `record` is then made to name. None when the record is not in force or
    not entered. Whether the entry has lapsed (lapsed_at) is the caller's to judge: a lapse counts
    only against an application made after it (民法典 221)."""
    if record.state != prereg_pb.PREREGISTRATION_STATE_IN_FORCE or not record.entry:
        return None
    entry, _ = await as_corrected(registry, record.entry, history)
    if entry is not None and entry.unit_number != record.unit_number:
        record.unit_number = entry.unit_number
        record.entry = entry.name
    return entry


async def attach_proof(
    registry: RegistryStub,
    entered: str,
    proof_number: str,
    body: Message,
    target: document_pb2.SignedDocument,
) -> None:
    """Fills `target` with the registration proof (不动产登记证明) of a record once it is entered:
    `entered` is the entry the record names ('' before it is entered), `proof_number` its proof's
    number, `body` the office's rendering. The proof is sealed on the entry that stands for it
    now, after any correction of the book."""
    if entered:
        current, _ = await as_corrected(registry, entered)
        entry = current.name if current is not None else entered
        target.CopyFrom(await issue(registry, entry, "proof", proof_number, body))


def load_public_key(pem: bytes) -> bytes:
    """The raw 32 bytes of the registry's Ed25519 public key from its PEM file."""
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise ValueError("the registry's key must be an Ed25519 public key")
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
