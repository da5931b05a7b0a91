"""Wakes this process's sequencer when its office commits an event (a NOTIFY from the outbox's
trigger) and its event watchers when events are numbered (a NOTIFY from the sequencer); both
whenever notifications may have been missed."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

from shared.events.sequencer import Sequencer
from shared.pglisten import listen_forever

RECORDED = "event_recorded"
SEQUENCED = "event_sequenced"


class EventFeed:
    def __init__(self, sequencer: Sequencer) -> None:
        self.sequencer = sequencer
        self._waiters: set[asyncio.Event] = set()

    async def run(self, url: str) -> None:
        """Listens until cancelled, reconnecting whenever the connection is lost."""
        handlers = {
            RECORDED: lambda _payload: self.sequencer.wake(),
            SEQUENCED: lambda _payload: self._wake(),
        }
        await listen_forever(url, handlers, self._wake_all)

    def _wake(self) -> None:
        for waiter in self._waiters:
            waiter.set()

    def _wake_all(self) -> None:
        self.sequencer.wake()
        self._wake()

    @contextlib.contextmanager
    def waiting(self) -> Iterator[asyncio.Event]:
        """An event set whenever events are numbered; the watcher clears it before it reads, so
        events numbered between its read and its wait are never slept through."""
        waiter = asyncio.Event()
        self._waiters.add(waiter)
        try:
            yield waiter
        finally:
            self._waiters.discard(waiter)
