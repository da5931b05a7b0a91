"""`deedflow tiles`: the books as C2SP tlog-tiles over HTTP (aiohttp), one prefix per book
(`/<county code>/checkpoint`, `/<county code>/tile/…`), with the cache headers the spec asks
for; or written once as files for any web server to serve. Reads the registry's tables with a
connection of its own and holds no key: the notes were signed when the checkpoints were."""

from __future__ import annotations

import asyncio
import gzip
from pathlib import Path

from aiohttp import web

from services.registry import tiles
from shared.db import Database
from shared.signals import stop_requested

# The checkpoint moves; a tile or bundle never changes once it exists.
CHECKPOINT_CACHE = "public, max-age=2"
IMMUTABLE_CACHE = "public, max-age=31536000, immutable"
TEXT = "text/plain; charset=utf-8"
OCTETS = "application/octet-stream"


async def _connect(database_url: str) -> Database:
    return await Database.connect(database_url, "registry", max_size=4)


def application(database: Database) -> web.Application:
    app = web.Application()

    async def checkpoint(request: web.Request) -> web.Response:
        found = await database.read(tiles.checkpoint_note, request.match_info["book"])
        if found is None:
            raise web.HTTPNotFound(text="no signed checkpoint of this book\n")
        return web.Response(text=found[1], headers={"Content-Type": TEXT, "Cache-Control": CHECKPOINT_CACHE})

    async def tile(request: web.Request) -> web.Response:
        wanted = tiles.parse_tile_path(request.match_info["path"])
        if wanted is None:
            raise web.HTTPNotFound(text="not a tile path (c2sp.org/tlog-tiles)\n")
        data = await database.read(tiles.published_tile, request.match_info["book"], wanted)
        if data is None:
            raise web.HTTPNotFound(text="no such tile in the book's latest checkpoint\n")
        headers = {"Content-Type": OCTETS, "Cache-Control": IMMUTABLE_CACHE}
        if wanted.level is None:
            # Entry bundles are compressed at the HTTP layer, gzip with no negotiation (the spec).
            data = gzip.compress(data)
            headers["Content-Encoding"] = "gzip"
        return web.Response(body=data, headers=headers)

    app.router.add_get(r"/{book:[0-9]{6}}/checkpoint", checkpoint)
    app.router.add_get(r"/{book:[0-9]{6}}/tile/{path:.+}", tile)
    return app


async def serve(database_url: str, host: str, port: int) -> tuple[web.AppRunner, Database, str]:
    database = await _connect(database_url)
    runner = web.AppRunner(application(database), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    return runner, database, f"http://{host}:{runner.addresses[0][1]}"


async def write(database_url: str, folder: Path) -> list[tuple[str, int]]:
    """Every book's checkpoint, tiles and entry bundles as files under folder/<county code>/, for
    any web server (entry bundles uncompressed: the server compresses). The books and sizes."""
    database = await _connect(database_url)
    written = []
    try:
        async with database.transaction() as connection:
            books = [b for (b,) in await connection.fetch("SELECT authority FROM book ORDER BY 1")]
            for book in books:
                found = await tiles.checkpoint_note(connection, book)
                if found is None:
                    continue
                size, note = found
                root = folder / book
                for each in tiles.tiles_of(size):
                    data = await tiles.read_tile(connection, book, each, size)
                    if data is None:
                        continue
                    target = root / each.path()
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data)
                (root / "checkpoint").write_text(note)
                written.append((book, size))
    finally:
        await database.close()
    return written


async def _serve_until_stopped(database_url: str, host: str, port: int) -> None:
    runner, database, url = await serve(database_url, host, port)
    print(f"tiles at {url}/<county code>/ (checkpoint, tile/…)", flush=True)
    try:
        await stop_requested()
    finally:
        await runner.cleanup()
        await database.close()


def run(database_url: str, host: str, port: int, folder: Path | None) -> None:
    if folder is not None:
        for book, size in asyncio.run(write(database_url, folder)):
            print(f"{folder / book}: {size} leaves", flush=True)
        return
    asyncio.run(_serve_until_stopped(database_url, host, port))
