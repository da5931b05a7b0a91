"""A book's signing key rotated (issue 33): the transition checkpoint's note is signed by the old
key and the new, relying parties trust each key for its range of sizes, documents sealed before,
at and after the transition verify, and one signed by the old key beyond its range is refused.
A registry of its own database and its own PKI folder (the rotation writes keys into it)."""

from __future__ import annotations

import json

import grpc
import pytest

from client import verifier
from deedflow.registry.v1 import registry_service_pb2 as pb
from deedflow.registry.v1 import registry_service_pb2_grpc
from services.registry.app import register
from shared import book_keys, documents
from shared.checkpoint import book_origin, checkpoint_note, key_id, sign_checkpoint
from shared.config import Settings
from shared.documents import BookKey, to_file, verify_document
from shared.grpc.channels import secure_channel
from shared.pki import ensure_dev_pki
from shared.runtime import start_service
from shared.signed_note import Verifier, open_note
from tests.browser import VerifierPage
from tests.e2e.test_register_audit import BOOK, _objections, deedctl, rid
from tools.chromium import headless_chromium


def _number(n: int) -> str:
    return f"渝(2026)渝北区不动产证明第{n:07d}号"


async def _seal(port: int, pki, entry: str, n: int):
    async with secure_channel(f"127.0.0.1:{port}", pki.ca_pem, pki.service("transfer")) as channel:
        stub = registry_service_pb2_grpc.RegistryServiceStub(channel)
        sealed = await stub.SealDocument(
            pb.SealDocumentRequest(entry=entry, kind="proof", number=_number(n), body=b"{}")
        )
    return sealed.document


def _forged_by(key, document):
    """The document as the retired key would sign it at the document's (later) size."""
    forged = type(document)()
    forged.CopyFrom(document)
    cp = forged.checkpoint
    cp.key_id = key_id(key.public_key().public_bytes_raw())
    cp.signature = sign_checkpoint(key, BOOK, cp.tree_size, cp.root_hash, cp.checkpoint_time.ToDatetime())
    forged.checkpoint_note = checkpoint_note(key, BOOK, cp.tree_size, cp.root_hash)
    forged.seal = documents.seal(key, forged.content, forged.leaf, cp.tree_size, cp.root_hash)
    return forged


async def test_a_rotated_book_key_signs_from_its_transition_and_the_old_one_up_to_it(
    tmp_path, fresh_database_url, monkeypatch
):
    monkeypatch.setenv("DEEDFLOW_REGISTRY_CHECKPOINT_EVERY_LEAVES", "1000000000")
    monkeypatch.setenv("DEEDFLOW_REGISTRY_CHECKPOINT_EVERY_SECONDS", "1e9")
    own = ensure_dev_pki(tmp_path / "pki")
    settings = Settings(home=tmp_path / "home", pki_dir=own.root, bind_host="127.0.0.1")
    old_key = own.book_key(BOOK)
    old_public = old_key.public_key().public_bytes_raw()
    started = await start_service("registry", register, settings, fresh_database_url, port=0)
    try:
        port = started.server.port
        async with secure_channel(f"127.0.0.1:{port}", own.ca_pem, own.caller("clerk")) as channel:
            clerk = registry_service_pb2_grpc.RegistryServiceStub(channel)
            first_unit = await _objections(clerk, 1)
            before = await _seal(port, own, f"units/{first_unit}/entries/1", 1)
            rotated = await clerk.RotateBookKey(
                pb.RotateBookKeyRequest(request_id=rid(), authority=BOOK, retiring_key_id=key_id(old_public))
            )
            at = await _seal(port, own, f"units/{first_unit}/entries/1", 2)
            later_unit = await _objections(clerk, 1)
            after = await _seal(port, own, f"units/{later_unit}/entries/1", 3)
            # The audit checks each checkpoint under the key its size falls to.
            audited = await deedctl(own, port, "--json", "audit")
            assert audited.returncode == 0, audited.stdout + audited.stderr
            assert json.loads(audited.stdout)["books"][0]["checkpoints"] >= 2
    finally:
        await started.stop(0)

    transition = rotated.checkpoint.tree_size
    assert transition == before.checkpoint.tree_size
    new_public = own.book_key(BOOK).public_key().public_bytes_raw()
    assert new_public != old_public
    origin = book_origin(BOOK)
    # The transition note is signed by both keys: either one opens it.
    for public in (old_public, new_public):
        open_note(rotated.note.encode(), [Verifier(origin, public)])
    history = book_keys.load(own.root, BOOK)
    assert history == [BookKey(old_public, 0, transition), BookKey(new_public, transition, None)]
    assert [(k.first_size, k.last_size if k.HasField("last_size") else None) for k in rotated.keys] == [
        (0, transition),
        (transition, None),
    ]
    # Sealed before and at the transition by the old key, after it by the new one.
    assert [d.checkpoint.key_id for d in (before, at, after)] == [key_id(old_public)] * 2 + [
        key_id(new_public)
    ]
    assert after.checkpoint.tree_size > transition
    for document in (before, at, after):
        result = verify_document(document, history)
        assert result.ok, result.failures
    assert not verify_document(after, old_public).ok

    # The old key, beyond the size it was rotated away at, is refused by whoever keeps the history.
    forged = verify_document(_forged_by(old_key, after), history)
    assert forged.failures == [
        f"the book's key {key_id(old_public).hex()[:16]} signs its checkpoints of sizes 0 to {transition}"
        f" only, not {after.checkpoint.tree_size}"
    ]

    # deedctl and the page (Chromium) read the book's key history from the PKI folder, as a
    # relying party keeps it, and give one answer on each document.
    trust = verifier.Trust.of_folder(own.root, own.registry_public_key_path.read_bytes())
    assert trust.book_keys == {BOOK: history}
    with headless_chromium() as browser, verifier.PageServer(trust) as served:
        page = VerifierPage(browser, served.url)
        for name, document in (
            ("before", before),
            ("at", at),
            ("after", after),
            ("forged", _forged_by(old_key, after)),
        ):
            path = tmp_path / f"{name}.json"
            path.write_text(to_file(document))
            said = json.loads((await deedctl(own, 9, "--json", "verify", str(path))).stdout)
            assert said["valid"] is (name != "forged"), said
            shown = page.check_file(path)
            assert (shown.verdict, shown.failures) == (said["verdict"], said["failures"]), name


async def test_a_restarted_registry_signs_with_the_key_its_book_names(
    tmp_path, fresh_database_url, monkeypatch
):
    """The rotation's files moved in by the process that rotated; another process (a replica, or
    this one restarted) finds the book's history naming the new key and signs with it."""
    monkeypatch.setenv("DEEDFLOW_REGISTRY_CHECKPOINT_EVERY_LEAVES", "1000000000")
    monkeypatch.setenv("DEEDFLOW_REGISTRY_CHECKPOINT_EVERY_SECONDS", "1e9")
    own = ensure_dev_pki(tmp_path / "pki")
    settings = Settings(home=tmp_path / "home", pki_dir=own.root, bind_host="127.0.0.1")
    first = await start_service("registry", register, settings, fresh_database_url, port=0)
    twin = await start_service("registry", register, settings, fresh_database_url, port=0)
    try:
        async with (
            secure_channel(f"127.0.0.1:{first.server.port}", own.ca_pem, own.caller("clerk")) as one,
            secure_channel(f"127.0.0.1:{twin.server.port}", own.ca_pem, own.caller("clerk")) as other,
        ):
            clerk = registry_service_pb2_grpc.RegistryServiceStub(one)
            await _objections(clerk, 1)
            retiring = key_id(own.book_key(BOOK).public_key().public_bytes_raw())
            await clerk.RotateBookKey(
                pb.RotateBookKeyRequest(request_id=rid(), authority=BOOK, retiring_key_id=retiring)
            )
            # Asked again (another clerk, the same key named): refused, the book rotates once.
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await clerk.RotateBookKey(
                    pb.RotateBookKeyRequest(request_id=rid(), authority=BOOK, retiring_key_id=retiring)
                )
            assert "BOOK_KEY_NOT_CURRENT" in str(caught.value.trailing_metadata())
            # The twin signed nothing since; it still holds the old key in memory.
            twin_clerk = registry_service_pb2_grpc.RegistryServiceStub(other)
            unit = await _objections(twin_clerk, 1)
            latest = (await twin_clerk.GetCheckpoint(pb.GetCheckpointRequest(authority=BOOK))).checkpoint
            document = await _seal(twin.server.port, own, f"units/{unit}/entries/1", 4)
    finally:
        await twin.stop(0)
        await first.stop(0)
    new_public = own.book_key(BOOK).public_key().public_bytes_raw()
    assert latest.key_id == key_id(new_public)
    assert verify_document(document, book_keys.load(own.root, BOOK)).ok
