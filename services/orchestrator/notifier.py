"""LISTEN/NOTIFY for this process: wakes the saga's workers when something is due and the
watchers of a purchase when it changes. The listening connection is kept: when PostgreSQL drops
it (a restart), everyone is woken to re-read, and it connects again."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg

from services.orchestrator.repository import CHANGED, DUE
from shared.db import plain_url

log = logging.getLogger("deedflow.notifier")

RECONNECT_SECONDS = 1.0


def _setter(event: asyncio.Event):
    return lambda _connection: event.set()


class Notifier:
    def __init__(self) -> None:
        self.due = asyncio.Event()
        # Watchers by purchase id: a change wakes only those who watch that purchase.
        self._watchers: dict[str, set[asyncio.Event]] = {}

    async def run(self, url: str) -> None:
        """Listens until cancelled, reconnecting whenever the connection is lost."""
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
                await connection.add_listener(DUE, self._on_due)
                await connection.add_listener(CHANGED, self._on_changed)
                # Whatever changed while nobody listened is found by re-reading.
                self._wake_everyone()
                await lost.wait()
                log.warning("the listening connection was lost; reconnecting")
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("listening failed; reconnecting", extra={"fields": {"error": repr(exc)}})
            finally:
                with contextlib.suppress(Exception):
                    await connection.close(timeout=1)
            self._wake_everyone()
            await asyncio.sleep(RECONNECT_SECONDS)

    def _wake_everyone(self) -> None:
        self.due.set()
        for events in self._watchers.values():
            for event in events:
                event.set()

    def _on_due(self, *args) -> None:
        self.due.set()

    def _on_changed(self, connection, pid, channel, payload: str) -> None:
        # Watchers and the worker both care: a change may make the next step due.
        self.due.set()
        purchase_id = payload.partition(":")[0]
        for event in self._watchers.get(purchase_id, ()):
            event.set()

    @contextlib.contextmanager
    def watching(self, purchase_id: str):
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
