"""Clearances as they are issued, for the subscribers of WatchClearances in this process: the
payment's transaction notifies (PostgreSQL delivers it on commit), one listening connection
fans it out, and a subscriber that falls behind, or a connection that was lost, is told to
re-read rather than left with a gap."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import asyncpg

from shared.pglisten import listen_forever

CHANNEL = "deedflow_tax_clearance"
# What one subscriber may fall behind by before it is told to re-read instead.
BACKLOG = 10_000
# Put in a subscriber's queue for "re-read everything".
RESYNC = ""


async def announce(connection: asyncpg.Connection, contract: str) -> None:
    """In the transaction that issues the contract's clearance: subscribers hear of it on commit."""
    await connection.execute("SELECT pg_notify($1, $2)", CHANNEL, contract)


class ClearanceFeed:
    def __init__(self) -> None:
        self._subscribers: set[asyncio.Queue[str]] = set()

    async def run(self, url: str) -> None:
        await listen_forever(url, {CHANNEL: self._issued}, self._gap)

    def _issued(self, contract: str) -> None:
        for queue in self._subscribers:
            self._offer(queue, contract)

    def _gap(self) -> None:
        for queue in self._subscribers:
            self._offer(queue, RESYNC)

    @staticmethod
    def _offer(queue: asyncio.Queue[str], contract: str) -> None:
        if queue.full():
            # Behind: what it has not read yet is replaced by one "re-read everything".
            while not queue.empty():
                queue.get_nowait()
            contract = RESYNC
        queue.put_nowait(contract)

    @contextlib.contextmanager
    def subscribe(self) -> Iterator[asyncio.Queue[str]]:
        """A queue of contracts whose clearance was issued since, starting with a resync."""
        queue: asyncio.Queue[str] = asyncio.Queue(BACKLOG)
        queue.put_nowait(RESYNC)
        self._subscribers.add(queue)
        try:
            yield queue
        finally:
            self._subscribers.discard(queue)
