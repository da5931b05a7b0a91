"""Auditing the register's log: recompute the Merkle tree from every leaf and hold it against
every checkpoint the registry signed. A row edited in the database changes its leaf, and every
checkpoint from that leaf on stops matching. A witness (the auditor's own record of the last
checkpoint it verified) catches a registry that rewrote its history and signed it anew."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

from deedflow.registry.v1 import document_pb2
from shared import merkle, strict_json
from shared.checkpoint import key_id, verify_checkpoint
from shared.documents import BookKey


@dataclass(frozen=True)
class CheckpointFinding:
    tree_size: int
    checkpoint_time: dt.datetime
    problem: str  # empty when the checkpoint holds

    @property
    def ok(self) -> bool:
        return not self.problem


@dataclass(frozen=True)
class AuditReport:
    leaves: int
    findings: list[CheckpointFinding]

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.findings)

    def changed_range(self) -> tuple[int, int] | None:
        """Leaves [start, end) among which a change lies: after the last checkpoint that holds
        before the first that does not."""
        bad = [f for f in self.findings if not f.ok]
        if not bad:
            return None
        first_bad = bad[0].tree_size
        good_before = [f.tree_size for f in self.findings if f.ok and f.tree_size < first_bad]
        return (max(good_before, default=0), first_bad)


def audit_log(
    authority: str,
    leaves: Sequence[bytes],
    checkpoints: Sequence[document_pb2.Checkpoint],
    public_key: bytes | list[BookKey],
) -> AuditReport:
    """One authority's book against the checkpoints served for it, under the key (or the keys,
    each for its range of sizes) trusted for it."""
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
    keys = {
        key_id(k.public_key): k
        for k in ([BookKey(public_key)] if isinstance(public_key, bytes) else public_key)
    }
    findings = []
    for checkpoint in sorted(checkpoints, key=lambda c: c.tree_size):
        at = checkpoint.checkpoint_time.ToDatetime(dt.UTC)
        problem = ""
        trusted = keys.get(checkpoint.key_id)
        if checkpoint.authority != authority:
            problem = f"it is a checkpoint of another book ({checkpoint.authority or 'the city-wide book'})"
        elif trusted is None:
            problem = "signed by another key than the book's"
        elif not trusted.covers(checkpoint.tree_size):
            problem = "signed by a key of the book outside the sizes it signs"
        elif not verify_checkpoint(
            trusted.public_key,
            authority,
            checkpoint.tree_size,
            checkpoint.root_hash,
            at,
            checkpoint.signature,
        ):
            problem = "its signature does not verify"
        elif checkpoint.tree_size > len(hashes):
            problem = f"it covers {checkpoint.tree_size} leaves but the book has {len(hashes)}"
        elif merkle.root(hashes[: checkpoint.tree_size]) != checkpoint.root_hash:
            problem = "the book's leaves no longer hash to its root"
        findings.append(CheckpointFinding(checkpoint.tree_size, at, problem))
    return AuditReport(len(hashes), findings)


@dataclass(frozen=True)
class Witnessed:
    """A checkpoint an auditor verified before: the book must still begin with that tree."""

    tree_size: int
    root_hash: bytes

    def to_json(self) -> str:
        return json.dumps({"tree_size": self.tree_size, "root_hash": self.root_hash.hex()})

    @classmethod
    def from_json(cls, text: str) -> Witnessed:
        data = strict_json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("a witness file holds a JSON object")
        return cls(int(data["tree_size"]), bytes.fromhex(data["root_hash"]))


def witness_problem(leaves: Sequence[bytes], witnessed: Witnessed) -> str:
    """Why the book no longer holds what the witness saw, or '' (a registry that rewrote its
    history and signed it anew passes every checkpoint it now serves, but not this)."""
    if witnessed.tree_size > len(leaves):
        return f"the book has {len(leaves)} leaves; the witness saw {witnessed.tree_size}"
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves[: witnessed.tree_size]]
    if merkle.root(hashes) != witnessed.root_hash:
        return f"the book's first {witnessed.tree_size} leaves are not those the witness saw"
    return ""
