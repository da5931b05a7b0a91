"""LISTEN/NOTIFY for this process: wakes the saga's workers when something is due and the
watchers of a purchase when it changes."""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg

from services.orchestrator.repository import CHANGED, DUE
from shared.db import plain_url


class Notifier:
    def __init__(self) -> None:
        self.due = asyncio.Event()
        self._watchers: set[asyncio.Event] = set()
        self._connection: asyncpg.Connection | None = None

    async def start(self, url: str) -> None:
        self._connection = await asyncpg.connect(plain_url(url))
        await self._connection.add_listener(DUE, self._on_due)
        await self._connection.add_listener(CHANGED, self._on_changed)

    def _on_due(self, *args) -> None:
        self.due.set()

    def _on_changed(self, *args) -> None:
        # Watchers and the worker both care: a change may make the next step due.
        self.due.set()
        for event in self._watchers:
            event.set()

    @contextlib.contextmanager
    def watching(self):
        """An event set on every change of any purchase; a watcher clears it before reading,
        so a change between its read and its wait is never missed."""
        event = asyncio.Event()
        self._watchers.add(event)
        try:
            yield event
        finally:
            self._watchers.discard(event)

    async def wait_due(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.due.wait(), seconds)
        self.due.clear()

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
