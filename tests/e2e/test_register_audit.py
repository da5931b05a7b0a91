"""`deedctl audit` re-walks the register and finds a row edited behind the registry's back, and
`deedctl verify` checks a document offline; both run as a clerk runs them, as subprocesses.
The registry here has a database of its own, since the test tampers with it."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import asyncpg
import grpc
import pytest

from deedflow.registry.v1 import registry_service_pb2 as pb
from deedflow.registry.v1 import registry_service_pb2_grpc
from services.registry.app import register
from shared import documents
from shared.checkpoint import book_verifier_key, key_id
from shared.db import plain_url
from shared.documents import to_file
from shared.grpc.channels import secure_channel
from shared.runtime import start_service
from tests.support import new_building_number

DEEDCTL = Path(sys.executable).parent / "deedctl"


# The book these tests write in: new_building_number's 渝北区.
BOOK = "500112"


def _book(report: dict) -> dict:
    """The report of the one book the register keeps here."""
    assert [b["authority"] for b in report["books"]] == [BOOK]
    return report["books"][0]


def rid() -> str:
    return str(uuid.uuid4())


@pytest.fixture
async def signing_registry(fresh_database_url, test_settings, monkeypatch):
    """A registry that signs a checkpoint by itself as soon as a leaf is unsigned."""
    monkeypatch.setenv("DEEDFLOW_REGISTRY_CHECKPOINT_EVERY_LEAVES", "1")
    started = await start_service("registry", register, test_settings, fresh_database_url, port=0)
    yield started, fresh_database_url
    await started.stop(0)


async def deedctl(pki, port: int, *args: str) -> subprocess.CompletedProcess:
    """Runs deedctl in a thread, so that this process's servers keep answering it."""
    clerk = pki.root / "callers"
    flags = [
        "--cert",
        str(clerk / "clerk.pem"),
        "--key",
        str(clerk / "clerk.key"),
        "--ca",
        str(pki.root / "ca.pem"),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEEDFLOW_")} | {
        "DEEDFLOW_PKI_DIR": str(pki.root),
        # A home of its own: no witness from another run is found.
        "DEEDFLOW_HOME": tempfile.mkdtemp(),
    }
    return await asyncio.to_thread(
        subprocess.run,
        [str(DEEDCTL), *flags, "--target", f"127.0.0.1:{port}", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def _objections(stub, count: int, county: str = BOOK) -> str:
    """A building with one unit and `count` objections on it (one entry and one event each)."""
    building = new_building_number(county)
    unit = f"{building}0101"
    await stub.CreateBuilding(
        pb.CreateBuildingRequest(
            request_id=rid(),
            building_number=building,
            units=[
                pb.UnitFacts(unit_number=unit, address="渝北区示例路1号", gross_area_dm2=9000, use="住宅")
            ],
        )
    )
    for n in range(count):
        await stub.AddObjection(
            pb.AddObjectionRequest(
                request_id=rid(),
                unit_number=unit,
                objector="organizations/91500105MA5U0DF02K",
                grounds=f"异议{n}",
            )
        )
    return unit


async def test_audit_holds_for_an_intact_book_and_finds_a_row_edited_in_postgresql(quiet_registry, pki):
    started, database_url = quiet_registry
    port = started.server.port
    async with secure_channel(f"127.0.0.1:{port}", pki.ca_pem, pki.caller("clerk")) as channel:
        stub = registry_service_pb2_grpc.RegistryServiceStub(channel)
        unit = await _objections(stub, 2)
        first = (await stub.GetCheckpoint(pb.GetCheckpointRequest(authority=BOOK))).checkpoint
        await _objections(stub, 2)
        second = (await stub.GetCheckpoint(pb.GetCheckpointRequest(authority=BOOK))).checkpoint
    assert first.tree_size < second.tree_size

    intact = await deedctl(pki, port, "--json", "audit")
    assert intact.returncode == 0, intact.stdout + intact.stderr
    report = json.loads(intact.stdout)
    book = _book(report)
    assert (report["ok"], book["leaves"], book["checkpoints"]) == (True, second.tree_size, 2)
    assert book["unsigned_leaves"] == 0
    assert "the register is intact" in (await deedctl(pki, port, "audit")).stdout

    # Someone with the database's superuser edits an entry, switching the guard triggers off.
    connection = await asyncpg.connect(plain_url(database_url), server_settings={"search_path": "registry"})
    try:
        await connection.execute("ALTER TABLE entry DISABLE TRIGGER USER")
        await connection.execute(
            "UPDATE entry SET note = 'quietly changed' WHERE unit_number = $1 AND sequence = 1", unit
        )
        await connection.execute("ALTER TABLE entry ENABLE TRIGGER USER")
    finally:
        await connection.close()

    tampered = await deedctl(pki, port, "--json", "audit")
    assert tampered.returncode == 8, tampered.stdout + tampered.stderr
    report = json.loads(tampered.stdout)
    assert report["ok"] is False
    book = _book(report)
    assert [f["tree_size"] for f in book["findings"]] == [first.tree_size, second.tree_size]
    assert book["changed_leaves"] == [0, first.tree_size]
    table = await deedctl(pki, port, "audit")
    assert table.returncode == 8
    assert "TAMPERED" in table.stdout

    # The registry itself refuses to sign over the changed book once it grows.
    async with secure_channel(f"127.0.0.1:{port}", pki.ca_pem, pki.caller("clerk")) as channel:
        stub = registry_service_pb2_grpc.RegistryServiceStub(channel)
        await _objections(stub, 1)
        refused = await deedctl(pki, port, "--json", "audit")
        assert refused.returncode == 8
        latest = pb.GetCheckpointRequest(authority=BOOK)
        caught = await _refused_once_audited(lambda: stub.GetCheckpoint(latest))
        assert "LOG_TAMPERED" in str(caught.trailing_metadata())


async def test_verify_accepts_a_sealed_document_and_refuses_a_changed_one(quiet_registry, pki, tmp_path):
    """The registry seals a document (as the transfer service asks it to); deedctl verify checks
    the file with only the registry's public key, and a one-byte change makes it fail."""
    started, _ = quiet_registry
    port = started.server.port
    async with (
        secure_channel(f"127.0.0.1:{port}", pki.ca_pem, pki.caller("clerk")) as clerk_channel,
        secure_channel(f"127.0.0.1:{port}", pki.ca_pem, pki.service("transfer")) as service_channel,
    ):
        unit = await _objections(registry_service_pb2_grpc.RegistryServiceStub(clerk_channel), 1)
        sealed = await registry_service_pb2_grpc.RegistryServiceStub(service_channel).SealDocument(
            pb.SealDocumentRequest(
                entry=f"units/{unit}/entries/1",
                kind="proof",
                number="渝(2026)渝北区不动产证明第0000001号",
                body=b"{}",
            )
        )
    good = tmp_path / "proof.json"
    good.write_text(to_file(sealed.document))
    key = ["--registry-key", str(pki.registry_public_key_path)]
    checked = await deedctl(pki, 9, "--json", "verify", str(good), *key)  # port 9: nothing listens
    assert checked.returncode == 0, checked.stdout + checked.stderr
    data = json.loads(checked.stdout)
    assert (data["valid"], data["kind"], data["entry"]) == (True, "proof", f"units/{unit}/entries/1")

    document = json.loads(good.read_text())
    content = bytearray(sealed.document.content)
    content[content.index(b"0000001")] = ord("9")
    document["content"] = base64.b64encode(bytes(content)).decode()
    bad = tmp_path / "changed.json"
    bad.write_text(json.dumps(document))
    refused = await deedctl(pki, 9, "verify", str(bad), *key)
    assert refused.returncode == 8
    assert "INVALID" in refused.stdout
    assert "seal does not verify" in refused.stdout


async def _edit_entry(database_url: str, unit: str, sequence: int) -> None:
    """Someone with the database's superuser edits an entry, switching the guard triggers off."""
    connection = await asyncpg.connect(plain_url(database_url), server_settings={"search_path": "registry"})
    try:
        await connection.execute("ALTER TABLE entry DISABLE TRIGGER USER")
        await connection.execute(
            "UPDATE entry SET note = 'quietly changed' WHERE unit_number = $1 AND sequence = $2",
            unit,
            sequence,
        )
        await connection.execute("ALTER TABLE entry ENABLE TRIGGER USER")
    finally:
        await connection.close()


async def _refused_once_audited(call) -> grpc.aio.AioRpcError:
    """The refusal (DATA_LOSS) of `call()` once the registry's own audit, which walks the book a
    slice every half second, has come to the changed row; until then the call may still answer
    (a checkpoint checks only the leaves since the last, a proof only its own leaf)."""
    async with asyncio.timeout(15):
        while True:
            try:
                await call()
            except grpc.aio.AioRpcError as exc:
                if exc.code() != grpc.StatusCode.DATA_LOSS:
                    raise
                return exc


async def _signed_again(stub) -> None:
    """Until the registry signs a checkpoint again: once its own audit has passed through a book
    that, rebuilt from the changed rows, holds together again."""
    async with asyncio.timeout(15):
        while True:
            try:
                await stub.GetCheckpoint(pb.GetCheckpointRequest(authority=BOOK))
                return
            except grpc.aio.AioRpcError as exc:
                if exc.code() != grpc.StatusCode.DATA_LOSS:
                    raise


async def _covered(stub, tree_size: int) -> None:
    """Until a checkpoint the registry signed by itself covers `tree_size` leaves (each poll is a
    round trip to the registry)."""
    async with asyncio.timeout(15):
        while True:
            page = await stub.ListCheckpoints(pb.ListCheckpointsRequest(authority=BOOK, page_size=500))
            if any(c.tree_size >= tree_size for c in page.checkpoints):
                return


async def test_the_registry_signs_by_itself_and_seals_nothing_over_a_changed_book(signing_registry, pki):
    """Attack 13: a row edited where no checkpoint yet covered it went unnoticed, and documents
    were still sealed over a book changed inside its signed range."""
    started, database_url = signing_registry
    port = started.server.port
    async with secure_channel(f"127.0.0.1:{port}", pki.ca_pem, pki.caller("clerk")) as channel:
        stub = registry_service_pb2_grpc.RegistryServiceStub(channel)
        unit = await _objections(stub, 3)
        # Six leaves (three entries, three events); nobody asks for a checkpoint or a document.
        await _covered(stub, 6)
        proof = await stub.GetInclusionProof(pb.GetInclusionProofRequest(entry=f"units/{unit}/entries/1"))
        assert proof.checkpoint.tree_size >= 6
        await _edit_entry(database_url, unit, 3)
        # The changed entry's own proof is refused at once: its row no longer hashes as entered.
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.GetInclusionProof(pb.GetInclusionProofRequest(entry=f"units/{unit}/entries/3"))
        assert caught.value.code() == grpc.StatusCode.DATA_LOSS
        # Another entry's, once the registry's own audit has found the change.
        await _refused_once_audited(
            lambda: stub.GetInclusionProof(pb.GetInclusionProofRequest(entry=f"units/{unit}/entries/1"))
        )
    async with secure_channel(f"127.0.0.1:{port}", pki.ca_pem, pki.service("transfer")) as channel:
        sealing = registry_service_pb2_grpc.RegistryServiceStub(channel).SealDocument(
            pb.SealDocumentRequest(
                entry=f"units/{unit}/entries/1",
                kind="proof",
                number="渝(2026)渝北区不动产证明第0000001号",
                body=b"{}",
            )
        )
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await sealing
        assert caught.value.code() == grpc.StatusCode.DATA_LOSS
        assert "LOG_TAMPERED" in str(caught.value.trailing_metadata())


async def test_the_auditors_witness_catches_a_history_rewritten_and_signed_anew(
    quiet_registry, pki, tmp_path
):
    """An insider edits an entry, deletes the checkpoints and has the registry sign the changed
    book: every checkpoint served now holds, but not the one the auditor verified before."""
    started, database_url = quiet_registry
    port = started.server.port
    witness = tmp_path / "witness"
    async with secure_channel(f"127.0.0.1:{port}", pki.ca_pem, pki.caller("clerk")) as channel:
        stub = registry_service_pb2_grpc.RegistryServiceStub(channel)
        unit = await _objections(stub, 2)
        await stub.GetCheckpoint(pb.GetCheckpointRequest(authority=BOOK))
        first = await deedctl(pki, port, "--json", "audit", "--witness", str(witness))
        assert first.returncode == 0, first.stdout + first.stderr
        assert json.loads((witness / f"registry-{BOOK}.json").read_text())["tree_size"] == 4
        await _edit_entry(database_url, unit, 1)
        connection = await asyncpg.connect(
            plain_url(database_url), server_settings={"search_path": "registry"}
        )
        try:
            await connection.execute("DELETE FROM checkpoint")
            # The stored tree too, so that the registry hashes the changed rows in again.
            await connection.execute("ALTER TABLE merkle_node DISABLE TRIGGER USER")
            await connection.execute("DELETE FROM merkle_node")
            await connection.execute("ALTER TABLE merkle_node ENABLE TRIGGER USER")
        finally:
            await connection.close()
        await _signed_again(stub)
    blind = await deedctl(pki, port, "--json", "audit")
    assert json.loads(blind.stdout)["ok"] is True
    seen = await deedctl(pki, port, "--json", "audit", "--witness", str(witness))
    assert seen.returncode == 8, seen.stdout + seen.stderr
    report = _book(json.loads(seen.stdout))
    assert report["witness"] == {
        "tree_size": 4,
        "problem": "the book's first 4 leaves are not those the witness saw",
    }
    assert json.loads((witness / f"registry-{BOOK}.json").read_text())["tree_size"] == 4


async def test_the_book_refuses_an_entry_over_its_size_limit(
    fresh_database_url, test_settings, monkeypatch, pki
):
    """Attack 10: a megabyte ruling went into the append-only book and broke the audit. The door
    bounds every field; the book bounds what it appends as well."""
    monkeypatch.setenv("DEEDFLOW_REGISTRY_MAX_LEAF_BYTES", "2048")
    started = await start_service("registry", register, test_settings, fresh_database_url, port=0)
    try:
        target = f"127.0.0.1:{started.server.port}"
        async with secure_channel(target, pki.ca_pem, pki.caller("clerk")) as channel:
            stub = registry_service_pb2_grpc.RegistryServiceStub(channel)
            unit = await _objections(stub, 1)
            before = await stub.ListEntries(pb.ListEntriesRequest(unit_number=unit))
            objection = pb.AddObjectionRequest(
                request_id=rid(),
                unit_number=unit,
                objector="organizations/91500105MA5U0DF02K",
                grounds="异" * 2000,
            )
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await stub.AddObjection(objection)
            assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
            assert "ENTRY_TOO_LARGE" in str(caught.value.trailing_metadata())
            after = await stub.ListEntries(pb.ListEntriesRequest(unit_number=unit))
            assert list(after.entries) == list(before.entries)
    finally:
        await started.stop(0)


async def test_books_are_listed_and_audited_one_by_one(quiet_registry, pki, tmp_path):
    """`deedctl books` lists a book per authority that has entered anything; `audit --authority`
    walks that one alone, with a witness of its own; an unknown code is a usage error."""
    started, _ = quiet_registry
    port = started.server.port
    async with secure_channel(f"127.0.0.1:{port}", pki.ca_pem, pki.caller("clerk")) as channel:
        stub = registry_service_pb2_grpc.RegistryServiceStub(channel)
        await _objections(stub, 2)
        await _objections(stub, 1, county="500105")
        await stub.GetCheckpoint(pb.GetCheckpointRequest(authority="500105"))
    listed = await deedctl(pki, port, "--json", "books")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    books = json.loads(listed.stdout)["books"]
    assert [(b["authority"], b["district"], b["leaves"], b["signed_leaves"]) for b in books] == [
        ("500105", "江北区", 2, 2),
        (BOOK, "渝北区", 4, 0),
    ]
    public = documents.load_public_key(pki.registry_public_key_path.read_bytes())
    assert {b["key_id"] for b in books} == {key_id(public).hex()}
    assert [b["verifier_key"] for b in books] == [book_verifier_key(b["authority"], public) for b in books]

    witness = tmp_path / "witness"
    one = await deedctl(pki, port, "--json", "audit", "--authority", "500105", "--witness", str(witness))
    assert one.returncode == 0, one.stdout + one.stderr
    report = json.loads(one.stdout)
    assert [(b["authority"], b["leaves"], b["checkpoints"]) for b in report["books"]] == [("500105", 2, 1)]
    assert [f.name for f in witness.iterdir()] == ["registry-500105.json"]
    unknown = await deedctl(pki, port, "audit", "--authority", "110105")
    assert unknown.returncode == 2
    assert "110105" in unknown.stderr
