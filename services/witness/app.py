"""The witness over HTTP(S) (aiohttp): `POST <prefix>/add-checkpoint` as c2sp.org/tlog-witness
lays it out, answered from a thread so the SQLite write never blocks the loop."""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass

from aiohttp import web

from services.witness.witness import Witness

# A request is a checkpoint note and at most 63 hashes: a few kilobytes. More is refused unread.
MAX_BODY_BYTES = 65_536


def application(witness: Witness, prefix: str = "") -> web.Application:
    app = web.Application(client_max_size=MAX_BODY_BYTES)

    async def add_checkpoint(request: web.Request) -> web.Response:
        reply = await asyncio.to_thread(witness.add_checkpoint, await request.read())
        return web.Response(
            status=reply.status, body=reply.body, headers={"Content-Type": reply.content_type}
        )

    app.router.add_post(f"{prefix}/add-checkpoint", add_checkpoint)
    return app


@dataclass
class Running:
    """A witness serving, and where."""

    runner: web.AppRunner
    url: str

    async def stop(self) -> None:
        await self.runner.cleanup()


async def serve(
    witness: Witness, host: str, port: int, tls: ssl.SSLContext | None = None, prefix: str = ""
) -> Running:
    """Serves the witness on host:port (0: any free port) until stopped."""
    runner = web.AppRunner(application(witness, prefix), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port, ssl_context=tls)
    await site.start()
    bound = runner.addresses[0][1]
    scheme = "https" if tls else "http"
    return Running(runner, f"{scheme}://{host}:{bound}{prefix}")


def server_tls(cert_file: str, key_file: str) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_file, key_file)
    return context
