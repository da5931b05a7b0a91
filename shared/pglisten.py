"""LISTEN/NOTIFY kept alive: one connection per process listens on a service's channels and is
reconnected whenever PostgreSQL drops it; whoever relies on it is told when notifications may
have been missed (on every (re)connection), so that it re-reads instead."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import asyncpg

from shared.db import plain_url

log = logging.getLogger("deedflow.listen")

RECONNECT_SECONDS = 1.0


async def listen_forever(
    url: str, handlers: dict[str, Callable[[str], None]], on_gap: Callable[[], None]
) -> None:
    """Calls handlers[channel](payload) for each notification until cancelled; `on_gap` once
    listening has begun and again whenever the connection was lost."""
    while True:
        try:
            connection = await asyncpg.connect(plain_url(url))
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("cannot listen yet; retrying", extra={"fields": {"error": repr(exc)}})
            await asyncio.sleep(RECONNECT_SECONDS)
            continue
        lost = asyncio.Event()
        connection.add_termination_listener(_setter(lost))
        try:
            for channel, handler in handlers.items():
                await connection.add_listener(channel, _payload_to(handler))
            # Whatever was notified while nobody listened is found by re-reading.
            on_gap()
            await lost.wait()
            log.warning("the listening connection was lost; reconnecting")
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("listening failed; reconnecting", extra={"fields": {"error": repr(exc)}})
        finally:
            with contextlib.suppress(Exception):
                await connection.close(timeout=1)
        on_gap()
        await asyncio.sleep(RECONNECT_SECONDS)


def _setter(event: asyncio.Event) -> Callable[[object], None]:
    return lambda _connection: event.set()


def _payload_to(handler: Callable[[str], None]) -> Callable[[object, int, str, object], None]:
    return lambda _connection, _pid, _channel, payload: handler(str(payload))
