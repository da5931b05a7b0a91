"""Each book as C2SP tlog-tiles (`deedflow tiles`): paths exactly as the spec writes them, tiles
and entry bundles that rebuild the signed root and hold no personal data, cache headers, files
for any web server, and Go's sumdb/tlog proving inclusion and consistency from our tiles alone
(code we did not write), refusing a tile changed under it."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

import aiohttp
import asyncpg
import pytest

from deedflow.registry.v1 import registry_service_pb2 as pb
from deedflow.registry.v1 import registry_service_pb2_grpc
from services.registry import tiles
from services.registry.tiles_http import serve, write
from shared import merkle
from shared.db import plain_url
from shared.grpc.channels import secure_channel
from tests.flows import next_resident_id, rid
from tests.support import build_go, new_building_number

CHECKTILES = Path(__file__).resolve().parents[1] / "interop" / "checktiles.go"
BOOK = "500112"


def test_tile_paths_are_the_spec_s_and_only_they_parse():
    assert tiles.Tile(0, 1234067, 256).path() == "tile/0/x001/x234/067"
    assert tiles.Tile(2, 5, 17).path() == "tile/2/005.p/17"
    assert tiles.Tile(None, 1000, 3).path() == "tile/entries/x001/000.p/3"
    for tile in (tiles.Tile(0, 0, 1), tiles.Tile(3, 999, 255), tiles.Tile(None, 123456789, 256)):
        assert tiles.parse_tile_path(tile.path().removeprefix("tile/")) == tile
    for wrong in (
        "0/x000/005",
        "0/5",
        "0/0005",
        "00/005",
        "64/005",
        "0/005.p/0",
        "0/005.p/256",
        "0/005.p/07",
        "0/x1/005",
        "0/005/",
        "entries",
        "data/005",
        "-1/005",
    ):
        assert tiles.parse_tile_path(wrong) is None, wrong


def test_a_tree_is_published_as_the_spec_s_example_says():
    """c2sp.org/tlog-tiles: a tree of 70,000 leaves is 273 full level-0 tiles and one of width
    112, one full level-1 tile and one of width 17, and one level-2 tile of width 1."""
    published = tiles.tiles_of(70_000)
    by_level = {level: sorted(t.width for t in published if t.level == level) for level in (0, 1, 2, None)}
    assert by_level[0] == [112] + [256] * 273
    assert by_level[1] == [17, 256]
    assert by_level[2] == [1]
    assert by_level[None] == by_level[0]
    assert tiles.tiles_of(256) == [tiles.Tile(0, 0, 256), tiles.Tile(None, 0, 256), tiles.Tile(1, 0, 1)]


async def _objections(clerk, unit: str, count: int, objector: str) -> None:
    for n in range(count):
        await clerk.AddObjection(
            pb.AddObjectionRequest(request_id=rid(), unit_number=unit, objector=objector, grounds=f"异议{n}")
        )


@pytest.fixture
async def grown(quiet_registry, pki):
    """A book of more than 512 leaves (tiles of two levels), its checkpoints at two sizes, and a
    resident who objected in it: (database URL, old checkpoint, latest checkpoint, resident)."""
    started, database_url = quiet_registry
    resident = f"buyers/{next_resident_id()}"
    async with secure_channel(f"127.0.0.1:{started.server.port}", pki.ca_pem, pki.caller("clerk")) as channel:
        clerk = registry_service_pb2_grpc.RegistryServiceStub(channel)
        building = new_building_number(BOOK)
        unit = f"{building}0101"
        facts = pb.UnitFacts(unit_number=unit, address="渝北区示例路1号", gross_area_dm2=9000, use="住宅")
        await clerk.CreateBuilding(
            pb.CreateBuildingRequest(request_id=rid(), building_number=building, units=[facts])
        )
        await _objections(clerk, unit, 150, resident)
        old = await clerk.GetCheckpoint(pb.GetCheckpointRequest(authority=BOOK))
        await _objections(clerk, unit, 160, resident)
        latest = await clerk.GetCheckpoint(pb.GetCheckpointRequest(authority=BOOK))
        leaves = list((await clerk.ListLeaves(pb.ListLeavesRequest(authority=BOOK, page_size=500))).leaves)
        leaves += (
            await clerk.ListLeaves(pb.ListLeavesRequest(authority=BOOK, start_index=500, page_size=500))
        ).leaves
    assert latest.checkpoint.tree_size == 620
    return database_url, old, latest, resident, leaves


@pytest.fixture
async def served(grown):
    runner, database, url = await serve(grown[0], "127.0.0.1", 0)
    yield f"{url}/{BOOK}"
    await runner.cleanup()
    await database.close()


async def test_one_book_as_tiles_for_us_for_a_web_server_and_for_go(grown, served, checktiles, tmp_path):
    """One grown book (310 objections of set-up, made once) read three ways."""
    await _rebuild_the_signed_root_and_carry_no_one_s_data(grown, served)
    await _written_as_files_as_served(grown, served, tmp_path)
    await _go_proves_from_our_tiles_and_refuses_a_changed_one(grown, served, checktiles)


async def _rebuild_the_signed_root_and_carry_no_one_s_data(grown, served):
    _, _, latest, resident, leaves = grown
    size = latest.checkpoint.tree_size
    got: dict[tiles.Tile, bytes] = {}
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{served}/checkpoint") as reply:
            assert reply.status == 200
            assert reply.headers["Cache-Control"] == "public, max-age=2"
            assert reply.headers["Content-Type"] == "text/plain; charset=utf-8"
            assert (await reply.text()) == latest.note
        for tile in tiles.tiles_of(size):
            async with session.get(f"{served}/{tile.path()}") as reply:
                assert reply.status == 200, tile
                assert reply.headers["Cache-Control"] == "public, max-age=31536000, immutable"
                assert reply.headers["Content-Type"] == "application/octet-stream"
                if tile.level is None:
                    assert reply.headers["Content-Encoding"] == "gzip"
                got[tile] = await reply.read()  # aiohttp inflates it
        # Beyond the signed size, and a path not the spec's: not found.
        for path in ("tile/0/002.p/109", "tile/0/003", "tile/0/2", "tile/entries/x000/002"):
            async with session.get(f"{served}/{path}") as reply:
                assert reply.status == 404, path
    level0 = b"".join(got[t] for t in sorted((t for t in got if t.level == 0), key=lambda t: t.index))
    hashes = [level0[i : i + 32] for i in range(0, len(level0), 32)]
    assert hashes == [merkle.leaf_hash(leaf) for leaf in leaves[:size]]
    assert merkle.root(hashes) == latest.checkpoint.root_hash
    # A level-1 hash is the root of the full level-0 tile below it.
    assert got[tiles.Tile(1, 0, 2)][:32] == merkle.root(hashes[:256])
    bundled = b"".join(got[t] for t in sorted((t for t in got if t.level is None), key=lambda t: t.index))
    entries, at = [], 0
    while at < len(bundled):
        length = int.from_bytes(bundled[at : at + 2], "big")
        entries.append(bundled[at + 2 : at + 2 + length])
        at += 2 + length
    assert entries == leaves[:size]
    public = b"".join(got.values()) + latest.note.encode()
    assert resident.encode() not in public
    assert resident.split("/")[1].encode() not in public
    assert "异议".encode() not in public


async def _written_as_files_as_served(grown, served, tmp_path):
    database_url, _, latest, _, _ = grown
    assert await write(database_url, tmp_path) == [(BOOK, latest.checkpoint.tree_size)]
    async with aiohttp.ClientSession() as session:
        for tile in tiles.tiles_of(latest.checkpoint.tree_size):
            async with session.get(f"{served}/{tile.path()}") as reply:
                assert (tmp_path / BOOK / tile.path()).read_bytes() == await reply.read(), tile
    assert (tmp_path / BOOK / "checkpoint").read_text() == latest.note


@pytest.fixture(scope="module")
def checktiles(tmp_path_factory) -> Path:
    return build_go(CHECKTILES, tmp_path_factory.mktemp("go"), tmp_path_factory.getbasetemp() / "go-cache")


async def _checked_by_go(checktiles: Path, payload: dict) -> str:
    ran = await asyncio.to_thread(
        subprocess.run,
        [str(checktiles)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=60,
    )
    return ran.stdout.strip()


async def _go_proves_from_our_tiles_and_refuses_a_changed_one(grown, served, checktiles):
    database_url, old, latest, _, _ = grown
    payload = {"prefix": served, "verifier_key": latest.verifier_key, "old_note": old.note}
    for index in (0, 255, 256, 300, latest.checkpoint.tree_size - 1):
        assert await _checked_by_go(checktiles, payload | {"index": index}) == "ok", index

    # A leaf hash changed in the stored tree: the tile Go reads no longer hashes to the root.
    connection = await asyncpg.connect(plain_url(database_url), server_settings={"search_path": "registry"})
    try:
        await connection.execute("ALTER TABLE merkle_node DISABLE TRIGGER USER")
        await connection.execute(
            "UPDATE merkle_node SET hash = $2 WHERE authority = $1 AND level = 0 AND position = 300",
            BOOK,
            bytes(32),
        )
        await connection.execute("ALTER TABLE merkle_node ENABLE TRIGGER USER")
    finally:
        await connection.close()
    for index in (300, 301, 0):
        said = await _checked_by_go(checktiles, payload | {"index": index})
        assert said not in ("ok", ""), index
