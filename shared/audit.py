"""Auditing the register's log: recompute the Merkle tree from every leaf and hold it against
every checkpoint the registry signed. A row edited in the database changes its leaf, and every
checkpoint from that leaf on stops matching."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from deedflow.registry.v1 import document_pb2
from shared import merkle
from shared.checkpoint import key_id, verify_checkpoint


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
    leaves: Sequence[bytes], checkpoints: Sequence[document_pb2.Checkpoint], public_key: bytes
) -> AuditReport:
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
    expected_key = key_id(public_key)
    findings = []
    for checkpoint in sorted(checkpoints, key=lambda c: c.tree_size):
        at = checkpoint.checkpoint_time.ToDatetime(dt.UTC)
        problem = ""
        if checkpoint.key_id != expected_key:
            problem = "signed by another key than the registry's"
        elif not verify_checkpoint(
            public_key, checkpoint.tree_size, checkpoint.root_hash, at, checkpoint.signature
        ):
            problem = "its signature does not verify"
        elif checkpoint.tree_size > len(hashes):
            problem = f"it covers {checkpoint.tree_size} leaves but the book has {len(hashes)}"
        elif merkle.root(hashes[: checkpoint.tree_size]) != checkpoint.root_hash:
            problem = "the book's leaves no longer hash to its root"
        findings.append(CheckpointFinding(checkpoint.tree_size, at, problem))
    return AuditReport(len(hashes), findings)
