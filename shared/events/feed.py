"""Wakes this process's event watchers when their office records an event (a NOTIFY from the
outbox's trigger), and all of them whenever notifications may have been missed."""

from __future__ import annotations

import asyncio
import contextlib

from shared.pglisten import listen_forever

CHANNEL = "event_recorded"


class EventFeed:
    def __init__(self) -> None:
        self._waiters: set[asyncio.Event] = set()

    async def run(self, url: str) -> None:
        """Listens until cancelled, reconnecting whenever the connection is lost."""
        await listen_forever(url, {CHANNEL: lambda _payload: self._wake()}, self._wake)

    def _wake(self) -> None:
        for waiter in self._waiters:
            waiter.set()

    @contextlib.contextmanager
    def waiting(self):
        """An event set whenever something is recorded; the watcher clears it before it reads, so
        an event recorded between its read and its wait is never slept through."""
        waiter = asyncio.Event()
        self._waiters.add(waiter)
        try:
            yield waiter
        finally:
            self._waiters.discard(waiter)
