"""One book per registration authority: each county code's entries are a log of their own, with
their own head, tree, checkpoints and key; a commit in one district never waits for another's;
and a register kept as one city-wide book is split by its migration without losing a leaf or
invalidating a document sealed before."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import shutil
import uuid

import asyncpg
import grpc
import pytest
from grpc_status import rpc_status

from deedflow.registry.v1 import document_pb2, registry_service_pb2_grpc
from deedflow.registry.v1 import registry_service_pb2 as pb
from services.registry import log
from services.registry.app import register
from shared import documents, merkle
from shared.checkpoint import checkpoint_text, key_id, verify_checkpoint
from shared.db import plain_url
from shared.grpc.channels import secure_channel
from shared.grpc.status import bad_request
from shared.migrate import alembic_config, migrate
from shared.pki import Pki, issue_book_key
from shared.runtime import start_service
from shared.timestamps import to_timestamp
from tests.support import new_building_number

YUBEI, JIANGBEI, BEIBEI = "500112", "500105", "500109"
OBJECTOR = "organizations/91500105MA5U0DF02K"


def rid() -> str:
    return str(uuid.uuid4())


async def _unit(stub, county: str) -> str:
    building = new_building_number(county)
    unit = f"{building}0101"
    await stub.CreateBuilding(
        pb.CreateBuildingRequest(
            request_id=rid(),
            building_number=building,
            units=[pb.UnitFacts(unit_number=unit, address="示例路1号", gross_area_dm2=9000, use="住宅")],
        )
    )
    return unit


async def _object(stub, unit: str) -> pb.Entry:
    reply = await stub.AddObjection(
        pb.AddObjectionRequest(request_id=rid(), unit_number=unit, objector=OBJECTOR, grounds="异议")
    )
    return reply.entry


@pytest.fixture
async def clerk(quiet_registry, pki):
    started, _ = quiet_registry
    async with secure_channel(f"127.0.0.1:{started.server.port}", pki.ca_pem, pki.caller("clerk")) as channel:
        yield registry_service_pb2_grpc.RegistryServiceStub(channel)


async def test_each_authority_keeps_a_book_of_its_own(clerk):
    """Entries of 渝北区 and 江北区 units, interleaved: each book numbers its own leaves from 0,
    holds only its own units, is signed and proved on its own, and names itself in its
    checkpoints' signed text."""
    yubei, jiangbei = await _unit(clerk, YUBEI), await _unit(clerk, JIANGBEI)
    entries = [await _object(clerk, unit) for unit in (yubei, jiangbei, yubei, jiangbei, jiangbei)]
    # An entry and its first state event are two leaves of the unit's own book.
    assert [e.leaf_index for e in entries] == [0, 0, 2, 2, 4]

    books = (await clerk.ListBooks(pb.ListBooksRequest())).books
    assert [(b.authority, b.district, b.tree_size, b.signed_tree_size) for b in books] == [
        (JIANGBEI, "江北区", 6, 0),
        (YUBEI, "渝北区", 4, 0),
    ]
    for authority, unit, size in ((YUBEI, yubei, 4), (JIANGBEI, jiangbei, 6)):
        leaves = await clerk.ListLeaves(pb.ListLeavesRequest(authority=authority, page_size=100))
        assert leaves.tree_size == size
        assert {json.loads(leaf)["unit_number"] for leaf in leaves.leaves} == {unit}
        signed = await clerk.GetCheckpoint(pb.GetCheckpointRequest(authority=authority))
        checkpoint = signed.checkpoint
        assert (checkpoint.authority, checkpoint.tree_size) == (authority, size)
        assert checkpoint.root_hash == merkle.root([merkle.leaf_hash(leaf) for leaf in leaves.leaves])
        at = checkpoint.checkpoint_time.ToDatetime(dt.UTC)
        args = (checkpoint.tree_size, checkpoint.root_hash, at, checkpoint.signature)
        assert verify_checkpoint(signed.public_key, authority, *args)
        other = JIANGBEI if authority == YUBEI else YUBEI
        assert not verify_checkpoint(signed.public_key, other, *args)

    proof = await clerk.GetInclusionProof(pb.GetInclusionProofRequest(entry=entries[4].name))
    assert (proof.checkpoint.authority, proof.leaf_index, proof.tree_size) == (JIANGBEI, 4, 6)
    assert merkle.verify_inclusion(
        proof.leaf, proof.leaf_index, proof.tree_size, proof.audit_path, proof.checkpoint.root_hash
    )
    books = (await clerk.ListBooks(pb.ListBooksRequest())).books
    assert [b.signed_tree_size for b in books] == [6, 4]


async def test_a_book_is_named_by_a_known_authority_code(clerk):
    """Every RPC that names a book refuses a missing or unknown code at the door, by field; a
    known authority that has entered nothing yet has no book (NOT_FOUND)."""
    for bad in ("", "110105", "50011", "5001120", "500112\x00"):
        for call, request in (
            (clerk.GetCheckpoint, pb.GetCheckpointRequest(authority=bad)),
            (clerk.ListLeaves, pb.ListLeavesRequest(authority=bad)),
            (clerk.ListCheckpoints, pb.ListCheckpointsRequest(authority=bad)),
            (
                clerk.GetConsistencyProof,
                pb.GetConsistencyProofRequest(authority=bad, first_tree_size=1, second_tree_size=1),
            ),
        ):
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await call(request)
            assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT, bad
            status = rpc_status.from_call(caught.value)
            assert [v.field for v in bad_request(status).field_violations] == ["authority"]
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await clerk.GetCheckpoint(pb.GetCheckpointRequest(authority=BEIBEI))
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    assert "北碚区" in caught.value.details()
    assert (await clerk.ListLeaves(pb.ListLeavesRequest(authority=BEIBEI))).tree_size == 0


@pytest.fixture
async def transfer_office(quiet_registry, pki):
    """The registry as the transfer office calls it: the kind of caller that commits cases."""
    started, _ = quiet_registry
    target = f"127.0.0.1:{started.server.port}"
    async with secure_channel(target, pki.ca_pem, pki.service("transfer")) as channel:
        yield registry_service_pb2_grpc.RegistryServiceStub(channel)


class _Messages(logging.Handler):
    """The messages a logger logs while attached."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _preregistration(unit: str) -> pb.CommitCaseRequest:
    return pb.CommitCaseRequest(
        request_id=rid(),
        unit_number=unit,
        registry_case=f"cases/YG{uuid.uuid4().hex[:8]}",
        disposal=pb.DISPOSAL_PREREGISTRATION,
        beneficiaries=[OBJECTOR],
        new_entries=[
            pb.NewEntry(kind=pb.ENTRY_KIND_PREREGISTRATION, holders=[OBJECTOR], share_basis_points=[10000])
        ],
    )


async def test_batches_spanning_two_districts_enter_each_book_without_deadlock(clerk, transfer_office):
    """Twelve CommitCases batches at once, each over units of both districts listed in opposite
    orders: every case is entered (none undone by a deadlock), each in its unit's book, and each
    book's leaves are gapless."""
    pairs = [(await _unit(clerk, YUBEI), await _unit(clerk, JIANGBEI)) for _ in range(12)]
    batches = [
        pb.CommitCasesRequest(requests=[_preregistration(u) for u in (pair if i % 2 else pair[::-1])])
        for i, pair in enumerate(pairs)
    ]
    # A batch undone by a deadlock would still be answered, case by case (shared/transactions.py
    # says so in its log): what must not happen is that it was undone.
    fallbacks = _Messages()
    logging.getLogger("deedflow.transactions").addHandler(fallbacks)
    try:
        answers = await asyncio.gather(*(transfer_office.CommitCases(batch) for batch in batches))
    finally:
        logging.getLogger("deedflow.transactions").removeHandler(fallbacks)
    assert [m for m in fallbacks.messages if "request by request" in m] == []
    entries = [o.response.entries[0] for answer in answers for o in answer.outcomes]
    assert len(entries) == 24
    for authority in (YUBEI, JIANGBEI):
        indexes = sorted(e.leaf_index for e in entries if e.unit_number.startswith(authority))
        # Each entry and its first event: leaves 0, 2, 4, ... of the district's own book.
        assert indexes == list(range(0, 24, 2))
        leaves = await clerk.ListLeaves(pb.ListLeavesRequest(authority=authority, page_size=100))
        assert leaves.tree_size == 24
        assert all(json.loads(leaf)["unit_number"].startswith(authority) for leaf in leaves.leaves)


async def _waiting_on_a_lock(database_url: str, statement: str) -> None:
    """Until a backend of this database waits on a lock while running `statement` (each look is
    one query to pg_stat_activity)."""
    watcher = await asyncpg.connect(plain_url(database_url))
    try:
        async with asyncio.timeout(30):
            while not await watcher.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND query LIKE $1",
                f"{statement}%",
            ):
                pass
    finally:
        await watcher.close()


async def test_a_commit_in_one_district_never_waits_for_another(quiet_registry, clerk):
    """An append to 渝北区's book holds its row until it commits (here: a transaction held open
    on it). A 江北区 entry is entered meanwhile; another 渝北区 entry waits for the row, and is
    entered as soon as it is let go."""
    _, database_url = quiet_registry
    yubei, jiangbei = await _unit(clerk, YUBEI), await _unit(clerk, JIANGBEI)
    await _object(clerk, yubei)
    holder = await asyncpg.connect(plain_url(database_url), server_settings={"search_path": "registry"})
    try:
        held = holder.transaction()
        await held.start()
        await holder.execute("SELECT size FROM book WHERE authority = $1 FOR UPDATE", YUBEI)
        waiting = asyncio.ensure_future(_object(clerk, yubei))
        await _waiting_on_a_lock(database_url, "INSERT INTO book")
        elsewhere = await _object(clerk, jiangbei)
        assert elsewhere.leaf_index == 0
        assert not waiting.done()
        await held.rollback()
        entered = await waiting
        assert entered.leaf_index == 2
    finally:
        await holder.close()


async def test_an_authority_with_a_key_of_its_own_signs_its_book_with_it(
    fresh_database_url, test_settings, pki, tmp_path
):
    """北碚区 signs with its own key; 渝北区 keeps the registry's. Each checkpoint names its key, a
    北碚区 certificate verifies under 北碚区's key only, and deedctl's default picks it."""
    own = Pki(tmp_path / "pki")
    shutil.copytree(pki.root, own.root)
    beibei_public = issue_book_key(own.root, BEIBEI)
    settings = test_settings.model_copy(update={"pki_dir": own.root})
    started = await start_service("registry", register, settings, fresh_database_url, port=0)
    try:
        target = f"127.0.0.1:{started.server.port}"
        async with (
            secure_channel(target, own.ca_pem, own.caller("clerk")) as clerk_channel,
            secure_channel(target, own.ca_pem, own.service("transfer")) as service_channel,
        ):
            clerk = registry_service_pb2_grpc.RegistryServiceStub(clerk_channel)
            units = {county: await _unit(clerk, county) for county in (YUBEI, BEIBEI)}
            for unit in units.values():
                await _object(clerk, unit)
            sealing = registry_service_pb2_grpc.RegistryServiceStub(service_channel)
            sealed = {
                county: (
                    await sealing.SealDocument(
                        pb.SealDocumentRequest(
                            entry=f"units/{unit}/entries/1",
                            kind="proof",
                            number="渝(2026)不动产证明第0000001号",
                            body=b"{}",
                        )
                    )
                ).document
                for county, unit in units.items()
            }
            books = {b.authority: b for b in (await clerk.ListBooks(pb.ListBooksRequest())).books}
    finally:
        await started.stop(0)
    registry_key = documents.load_public_key(own.registry_public_key_path.read_bytes())
    beibei_key = documents.load_public_key(beibei_public.read_bytes())
    assert beibei_key != registry_key
    assert (books[BEIBEI].public_key, books[YUBEI].public_key) == (beibei_key, registry_key)
    assert sealed[BEIBEI].checkpoint.key_id == key_id(beibei_key)
    assert sealed[YUBEI].checkpoint.key_id == key_id(registry_key)
    assert documents.verify_document(sealed[BEIBEI], beibei_key).ok
    assert not documents.verify_document(sealed[BEIBEI], registry_key).ok
    assert documents.verify_document(sealed[YUBEI], registry_key).ok
    assert own.book_public_key_path(BEIBEI) == beibei_public
    assert own.book_public_key_path(YUBEI) == own.registry_public_key_path


async def _city_wide_book(url: str, key) -> tuple[document_pb2.SignedDocument, list[str], list[bytes]]:
    """A register at registry_0009 (one book for the whole city), as the registry kept it: two
    districts' entries interleaved in one log, a signed checkpoint over it, and a proof sealed
    against that checkpoint. The document, the units, and the book's leaves in order."""
    from alembic import command

    await asyncio.to_thread(command.upgrade, alembic_config(url, "registry"), "registry_0009")
    units = [f"{new_building_number(county)}0101" for county in (YUBEI, JIANGBEI)]
    at = dt.datetime(2026, 11, 30, 9, tzinfo=dt.UTC)
    connection = await asyncpg.connect(plain_url(url), server_settings={"search_path": "registry"})
    try:
        for unit in units:
            await connection.execute("INSERT INTO building (building_number) VALUES ($1)", unit[:24])
            await connection.execute(
                "INSERT INTO unit (unit_number, building_number, address, gross_area_dm2)"
                " VALUES ($1, $2, '示例路1号', 9000)",
                unit,
                unit[:24],
            )
        leaf = 0
        for round_ in range(3):
            for unit in units:
                await connection.execute(
                    "INSERT INTO entry (unit_number, sequence, kind, holders, share_basis_points,"
                    " priority_time, created_by_case, entered_by, entry_time, leaf_index)"
                    " VALUES ($1, $2, 'OBJECTION', $3, '{10000}', $4, 'cases/old', 'clerks/1', $4, $5)",
                    unit,
                    round_ + 1,
                    [OBJECTOR],
                    at,
                    leaf,
                )
                await connection.execute(
                    "INSERT INTO entry_event (unit_number, sequence, event_sequence, state, case_name,"
                    " actor, event_time, leaf_index)"
                    " VALUES ($1, $2, 1, 'CURRENT', 'cases/old', 'clerks/1', $3, $4)",
                    unit,
                    round_ + 1,
                    at,
                    leaf + 1,
                )
                leaf += 2
        await connection.execute("UPDATE log_head SET size = $1", leaf)
        entries = await connection.fetch(
            f"SELECT {', '.join(log.ENTRY_COLUMNS + log.OPTIONAL_ENTRY_COLUMNS)} FROM entry"
        )
        events = await connection.fetch(
            f"SELECT {', '.join(log.EVENT_COLUMNS + log.OPTIONAL_EVENT_COLUMNS)} FROM entry_event"
        )
        # Rows of registry_0009 have no salt: their leaves name holders as they are.
        by_index = {r["leaf_index"]: log.encode_entry({**r, "salt": None}) for r in entries}
        by_index |= {r["leaf_index"]: log.encode_event({**r, "salt": None}) for r in events}
        leaves = [by_index[i] for i in range(leaf)]
        hashes = [merkle.leaf_hash(x) for x in leaves]
        root = merkle.root(hashes)
        signature = key.sign(checkpoint_text("", leaf, root, at))
        await connection.execute(
            "INSERT INTO checkpoint (tree_size, root_hash, checkpoint_time, signature)"
            " VALUES ($1, $2, $3, $4)",
            leaf,
            root,
            at,
            signature,
        )
    finally:
        await connection.close()
    # The 江北区 unit's second entry: leaf 6 of the city-wide book.
    content = documents.compose_content(
        "proof",
        "渝(2026)江北区不动产证明第0000001号",
        f"units/{units[1]}/entries/2",
        units[1],
        [OBJECTOR],
        {},
        at,
    )
    public = key.public_key().public_bytes_raw()
    document = document_pb2.SignedDocument(
        content=content,
        leaf=leaves[6],
        leaf_index=6,
        audit_path=merkle.inclusion_proof(6, hashes),
        checkpoint=document_pb2.Checkpoint(
            tree_size=leaf,
            root_hash=root,
            checkpoint_time=to_timestamp(at),
            signature=signature,
            key_id=key_id(public),
        ),
        seal=documents.seal(key, content, leaves[6], leaf, root),
    )
    return document, units, leaves


async def test_the_city_wide_book_is_split_by_its_migration_and_nothing_is_lost(
    fresh_database_url, test_settings, pki, monkeypatch
):
    """Upgrading a register kept as one book: each district's leaves keep their order in a book
    of their own, every book is signed and audited afresh, and a proof sealed against the old
    city-wide checkpoint still verifies offline. The first append after the split is refused (too
    large), which rolls back the book's tree hashed in with it: the next append hashes it again."""
    monkeypatch.setenv("DEEDFLOW_REGISTRY_MAX_LEAF_BYTES", "2048")
    key = pki.book_key(YUBEI)
    old_document, (yubei, jiangbei), old_leaves = await _city_wide_book(fresh_database_url, key)
    assert documents.verify_document(old_document, key.public_key().public_bytes_raw()).ok
    await migrate(fresh_database_url, "registry")
    started = await start_service("registry", register, test_settings, fresh_database_url, port=0)
    try:
        target = f"127.0.0.1:{started.server.port}"
        async with secure_channel(target, pki.ca_pem, pki.caller("clerk")) as channel:
            clerk = registry_service_pb2_grpc.RegistryServiceStub(channel)
            oversized = pb.AddObjectionRequest(
                request_id=rid(), unit_number=jiangbei, objector=OBJECTOR, grounds="异" * 1000
            )
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await clerk.AddObjection(oversized)
            assert "ENTRY_TOO_LARGE" in str(caught.value.trailing_metadata())
            # The book keeps growing after the split, from where each district's book ends.
            assert (await _object(clerk, jiangbei)).leaf_index == 6
            books = (await clerk.ListBooks(pb.ListBooksRequest())).books
            assert [(b.authority, b.tree_size) for b in books] == [(JIANGBEI, 8), (YUBEI, 6)]
            for authority, unit in ((YUBEI, yubei), (JIANGBEI, jiangbei)):
                leaves = (
                    await clerk.ListLeaves(pb.ListLeavesRequest(authority=authority, page_size=50))
                ).leaves
                rows = [json.loads(x) for x in leaves[:6]]
                before = [json.loads(x) for x in old_leaves]
                # The same entries and events, in the same order, renumbered from 0 in their book.
                assert [r.pop("leaf_index") for r in rows] == list(range(6))
                assert rows == [
                    {k: v for k, v in b.items() if k != "leaf_index"}
                    for b in before
                    if b["unit_number"] == unit
                ]
                checkpoint = (
                    await clerk.GetCheckpoint(pb.GetCheckpointRequest(authority=authority))
                ).checkpoint
                assert checkpoint.tree_size == len(leaves)
                assert checkpoint.root_hash == merkle.root([merkle.leaf_hash(x) for x in leaves])
        connection = await asyncpg.connect(
            plain_url(fresh_database_url), server_settings={"search_path": "registry"}
        )
        try:
            kept = await connection.fetchval("SELECT count(*) FROM city_checkpoint")
        finally:
            await connection.close()
        assert kept == 1
    finally:
        await started.stop(0)
    assert documents.verify_document(old_document, key.public_key().public_bytes_raw()).ok
