"""The audit recomputes the tree from the leaves and holds it against each signed checkpoint."""

from __future__ import annotations

import datetime as dt

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from client.audit import audit_log
from deedflow.registry.v1 import document_pb2
from shared import merkle
from shared.checkpoint import key_id, sign_checkpoint
from shared.timestamps import to_timestamp

AT = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)
BOOK = "500112"


def _signed(key, leaves: list[bytes], size: int, authority: str = BOOK) -> document_pb2.Checkpoint:
    root = merkle.root([merkle.leaf_hash(leaf) for leaf in leaves[:size]])
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return document_pb2.Checkpoint(
        tree_size=size,
        root_hash=root,
        checkpoint_time=to_timestamp(AT),
        signature=sign_checkpoint(key, authority, size, root, AT),
        key_id=key_id(public),
        authority=authority,
    )


def _setup():
    key = ed25519.Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    leaves = [f'{{"leaf":{i}}}'.encode() for i in range(20)]
    return key, public, leaves, [_signed(key, leaves, n) for n in (3, 8, 13, 20)]


def test_an_untouched_log_holds_at_every_checkpoint():
    _, public, leaves, checkpoints = _setup()
    report = audit_log(BOOK, leaves, checkpoints, public)
    assert report.ok
    assert report.changed_range() is None
    assert [f.tree_size for f in report.findings] == [3, 8, 13, 20]


def test_a_changed_leaf_breaks_every_checkpoint_from_it_on_and_is_located_between_two():
    _, public, leaves, checkpoints = _setup()
    leaves[10] = b'{"leaf":"changed"}'
    report = audit_log(BOOK, leaves, checkpoints, public)
    assert [f.ok for f in report.findings] == [True, True, False, False]
    assert report.changed_range() == (8, 13)


def test_a_checkpoint_signed_by_another_key_or_beyond_the_log_fails():
    _, public, leaves, checkpoints = _setup()
    stranger = ed25519.Ed25519PrivateKey.generate()
    forged = _signed(stranger, leaves, 5)
    report = audit_log(BOOK, leaves[:15], [*checkpoints, forged], public)
    problems = {f.tree_size: f.problem for f in report.findings}
    assert problems[5] == "signed by another key than the book's"
    assert problems[20] == "it covers 20 leaves but the book has 15"
    assert problems[13] == ""


def test_a_checkpoint_of_another_book_does_not_count_for_this_one():
    """Same key, same leaves, same root: signed over the 渝中区 book, it proves nothing of 渝北区's,
    and its signature names the book it was made for."""
    key, public, leaves, checkpoints = _setup()
    elsewhere = _signed(key, leaves, 8, authority="500103")
    relabelled = document_pb2.Checkpoint()
    relabelled.CopyFrom(elsewhere)
    relabelled.authority = BOOK
    report = audit_log(BOOK, leaves, [elsewhere], public)
    assert report.findings[0].problem == "it is a checkpoint of another book (500103)"
    report = audit_log(BOOK, leaves, [relabelled], public)
    assert report.findings[0].problem == "its signature does not verify"
    assert audit_log(BOOK, leaves, checkpoints, public).ok
