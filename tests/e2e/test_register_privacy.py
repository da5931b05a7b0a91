"""The book names no person (issue 33): each leaf carries commitments to its holders and
particulars, a holder's document carries the openings, and erasing a person where the law allows
breaks no proof, no checkpoint and no document they hold. Run against a registry of its own
database, with deedctl as a clerk runs it."""

from __future__ import annotations

import asyncpg
import grpc
import pytest

from deedflow.registry.v1 import registry_service_pb2 as pb
from deedflow.registry.v1 import registry_service_pb2_grpc
from shared import documents, merkle, strict_json
from shared.commitments import opens
from shared.db import plain_url
from shared.documents import to_file
from shared.grpc.channels import secure_channel
from tests.e2e.test_register_audit import BOOK, _objections, deedctl, rid
from tests.flows import next_resident_id

NAME = "王小明"


def _objection(unit: str, objector: str, grounds: str) -> pb.AddObjectionRequest:
    return pb.AddObjectionRequest(request_id=rid(), unit_number=unit, objector=objector, grounds=grounds)


async def _every_leaf(stub) -> list[bytes]:
    book = await stub.ListLeaves(pb.ListLeavesRequest(authority=BOOK, page_size=500))
    assert len(book.leaves) == book.tree_size
    return list(book.leaves)


async def _proofs_hold(stub, leaves: list[bytes], earlier: pb.Checkpoint) -> pb.Checkpoint:
    """Every leaf's inclusion in the latest checkpoint and that checkpoint's consistency with
    `earlier`, checked here from the proofs the registry gives; the latest checkpoint."""
    latest = (await stub.GetCheckpoint(pb.GetCheckpointRequest(authority=BOOK))).checkpoint
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves[: latest.tree_size]]
    assert merkle.root(hashes) == latest.root_hash
    consistency = await stub.GetConsistencyProof(
        pb.GetConsistencyProofRequest(
            authority=BOOK, first_tree_size=earlier.tree_size, second_tree_size=latest.tree_size
        )
    )
    assert merkle.verify_consistency(
        earlier.tree_size, latest.tree_size, earlier.root_hash, latest.root_hash, list(consistency.proof)
    )
    return latest


async def test_a_leaf_names_no_holder_and_no_grounds_and_the_document_opens_its_holder(quiet_registry, pki):
    started, _ = quiet_registry
    port = started.server.port
    resident = f"buyers/{next_resident_id()}"
    other = f"buyers/{next_resident_id()}"
    async with (
        secure_channel(f"127.0.0.1:{port}", pki.ca_pem, pki.caller("clerk")) as clerk_channel,
        secure_channel(f"127.0.0.1:{port}", pki.ca_pem, pki.service("transfer")) as service_channel,
    ):
        clerk = registry_service_pb2_grpc.RegistryServiceStub(clerk_channel)
        unit = await _objections(clerk, 0)
        entry = (await clerk.AddObjection(_objection(unit, resident, f"{NAME}称该房屋为其所有"))).entry
        await clerk.AddObjection(_objection(unit, other, "另一异议"))
        sealed = await registry_service_pb2_grpc.RegistryServiceStub(service_channel).SealDocument(
            pb.SealDocumentRequest(
                entry=entry.name, kind="proof", number="渝(2026)渝北区不动产证明第0000007号", body=b"{}"
            )
        )
        leaves = await _every_leaf(clerk)
    public = b"".join(leaves)
    for secret in (resident, other, resident.split("/")[1], NAME):
        assert secret.encode() not in public
    leaf = strict_json.loads(sealed.document.leaf)
    (commitment,) = leaf["holders"]
    assert len(commitment) == 64
    assert "note" not in leaf
    assert "amount_fen" not in leaf
    (opening,) = sealed.document.holder_openings
    assert opens(opening, resident, commitment)
    assert not opens(opening, other, commitment)
    key = pki.registry_public_key_path.read_bytes()
    assert documents.verify_document(sealed.document, documents.load_public_key(key)).ok

    # Without its opening, or with another's, the document no longer shows whom the entry names.
    for openings in ([], [bytes(32)]):
        forged = type(sealed.document)()
        forged.CopyFrom(sealed.document)
        del forged.holder_openings[:]
        forged.holder_openings.extend(openings)
        failures = documents.verify_document(forged, documents.load_public_key(key)).failures
        assert failures == ["the document's holders differ from the entry's"]


async def test_erasing_a_person_breaks_no_proof_and_their_document_still_verifies(
    quiet_registry, pki, tmp_path
):
    started, database_url = quiet_registry
    port = started.server.port
    person = f"buyers/{next_resident_id()}"
    async with (
        secure_channel(f"127.0.0.1:{port}", pki.ca_pem, pki.caller("clerk")) as clerk_channel,
        secure_channel(f"127.0.0.1:{port}", pki.ca_pem, pki.service("transfer")) as service_channel,
    ):
        clerk = registry_service_pb2_grpc.RegistryServiceStub(clerk_channel)
        unit = await _objections(clerk, 1)
        objection = (await clerk.AddObjection(_objection(unit, person, "异议"))).entry
        sealed = await registry_service_pb2_grpc.RegistryServiceStub(service_channel).SealDocument(
            pb.SealDocumentRequest(
                entry=objection.name, kind="proof", number="渝(2026)渝北区不动产证明第0000008号", body=b"{}"
            )
        )
        held = tmp_path / "objection-proof.json"
        held.write_text(to_file(sealed.document))
        before = await _every_leaf(clerk)
        first = await _proofs_hold(clerk, before, sealed.document.checkpoint)

        # While the objection stands, the book must name the objector.
        erase = pb.EraseHolderRequest(request_id=rid(), holder=person, legal_basis="个人信息保护法 47")
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await clerk.EraseHolder(erase)
        assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert "HOLDER_STILL_OF_RECORD" in str(caught.value.trailing_metadata())

        await clerk.LiftObjection(pb.LiftObjectionRequest(request_id=rid(), entry=objection.name))
        erased = await deedctl(
            pki, port, "--json", "erase", person, "--legal-basis", "个人信息保护法 47: 保存期限已届满"
        )
        assert erased.returncode == 0, erased.stdout + erased.stderr
        assert objection.name in erased.stdout

        unit_now = (await clerk.GetUnit(pb.GetUnitRequest(unit_number=unit, with_history=True))).unit
        (shown,) = [e for e in unit_now.entries if e.name == objection.name]
        commitment = strict_json.loads(sealed.document.leaf)["holders"][0]
        assert list(shown.holders) == [f"erased/{commitment}"]
        # Every leaf is as it was, and the book grows on with every proof holding.
        await _objections(clerk, 1)
        after = await _every_leaf(clerk)
        assert after[: len(before)] == before
        await _proofs_hold(clerk, after, first)
        again = await clerk.GetInclusionProof(pb.GetInclusionProofRequest(entry=objection.name))
        assert again.leaf == sealed.document.leaf

    connection = await asyncpg.connect(plain_url(database_url), server_settings={"search_path": "registry"})
    try:
        assert await connection.fetchval("SELECT count(*) FROM entry WHERE $1 = ANY(holders)", person) == 0
        # The one change the book admits is erasure: naming someone else instead is refused.
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await connection.execute(
                "UPDATE entry SET holders = $2 WHERE unit_number = $1 AND sequence = 1",
                unit,
                [f"buyers/{next_resident_id()}"],
            )
    finally:
        await connection.close()

    audited = await deedctl(pki, port, "--json", "audit")
    assert audited.returncode == 0, audited.stdout + audited.stderr
    key = ["--registry-key", str(pki.registry_public_key_path)]
    checked = await deedctl(pki, 9, "--json", "verify", str(held), *key)  # port 9: nothing listens
    assert checked.returncode == 0, checked.stdout + checked.stderr


async def test_a_wrong_commitment_put_in_by_hand_is_found_by_the_audit(quiet_registry, pki):
    """Erasure writes what the leaf carries; anything else in its place changes the leaf's hash."""
    started, database_url = quiet_registry
    port = started.server.port
    async with secure_channel(f"127.0.0.1:{port}", pki.ca_pem, pki.caller("clerk")) as channel:
        clerk = registry_service_pb2_grpc.RegistryServiceStub(channel)
        unit = await _objections(clerk, 0)
        objection = (await clerk.AddObjection(_objection(unit, f"buyers/{next_resident_id()}", "异议"))).entry
        await clerk.LiftObjection(pb.LiftObjectionRequest(request_id=rid(), entry=objection.name))
        await clerk.GetCheckpoint(pb.GetCheckpointRequest(authority=BOOK))
    connection = await asyncpg.connect(plain_url(database_url), server_settings={"search_path": "registry"})
    try:
        await connection.execute(
            "UPDATE entry SET holders = $2 WHERE unit_number = $1 AND sequence = 1",
            unit,
            ["erased/" + "0" * 64],
        )
    finally:
        await connection.close()
    audited = await deedctl(pki, port, "--json", "audit")
    assert audited.returncode == 8, audited.stdout + audited.stderr


async def test_a_holder_a_leaf_of_old_names_in_the_clear_cannot_be_erased(quiet_registry, pki):
    """A row entered before leaves held commitments has no salt: its leaf names the holder, and
    erasing the row would break every proof over it."""
    started, database_url = quiet_registry
    person = f"buyers/{next_resident_id()}"
    async with secure_channel(f"127.0.0.1:{started.server.port}", pki.ca_pem, pki.caller("clerk")) as channel:
        clerk = registry_service_pb2_grpc.RegistryServiceStub(channel)
        unit = await _objections(clerk, 0)
        connection = await asyncpg.connect(
            plain_url(database_url), server_settings={"search_path": "registry"}
        )
        try:
            await connection.execute(
                "INSERT INTO entry (unit_number, sequence, kind, holders, share_basis_points, priority_time,"
                " created_by_case, entered_by, entry_time, leaf_index)"
                " VALUES ($1, 1, 'OBJECTION', $2, '{10000}', now(), 'cases/old', 'clerks/1', now(),"
                " 1000000000)",
                unit,
                [person],
            )
            await connection.execute(
                "INSERT INTO entry_event (unit_number, sequence, event_sequence, state, case_name, actor,"
                " event_time, leaf_index)"
                " VALUES ($1, 1, 1, 'HISTORIC', 'cases/old', 'clerks/1', now(), 1000000001)",
                unit,
            )
        finally:
            await connection.close()
        erase = pb.EraseHolderRequest(request_id=rid(), holder=person, legal_basis="个人信息保护法 47")
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await clerk.EraseHolder(erase)
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "ENTERED_BEFORE_COMMITMENTS" in str(caught.value.trailing_metadata())
