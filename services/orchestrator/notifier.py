"""LISTEN/NOTIFY for this process: wakes the saga's workers when something is due and the
watchers of a purchase when it changes. The listening connection is kept: when PostgreSQL drops
it (a restart), everyone is woken to re-read, and it connects again."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

from services.orchestrator.repository import CHANGED, DUE
from shared.pglisten import listen_forever


class Notifier:
    def __init__(self) -> None:
        self.due = asyncio.Event()
        # Watchers by purchase id: a change wakes only those who watch that purchase.
        self._watchers: dict[str, set[asyncio.Event]] = {}

    async def run(self, url: str) -> None:
        """Listens until cancelled, reconnecting whenever the connection is lost."""
        await listen_forever(url, {DUE: self._on_due, CHANGED: self._on_changed}, self._wake_everyone)

    def _wake_everyone(self) -> None:
        self.due.set()
        for events in self._watchers.values():
            for event in events:
                event.set()

    def _on_due(self, _payload: str) -> None:
        self.due.set()

    def _on_changed(self, payload: str) -> None:
        # Watchers and the worker both care: a change may make the next step due.
        self.due.set()
        purchase_id = payload.partition(":")[0]
        for event in self._watchers.get(purchase_id, ()):
            event.set()

    @contextlib.contextmanager
    def watching(self, purchase_id: str) -> Iterator[asyncio.Event]:
        """An event set on every change of this purchase; a watcher clears it before reading,
        so a change between its read and its wait is never missed."""
        event = asyncio.Event()
        self._watchers.setdefault(purchase_id, set()).add(event)
        try:
            yield event
        finally:
            watchers = self._watchers.get(purchase_id, set())
            watchers.discard(event)
            if not watchers:
                self._watchers.pop(purchase_id, None)

    async def wait_due(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.due.wait(), seconds)
        self.due.clear()
