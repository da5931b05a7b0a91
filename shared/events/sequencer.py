"""Numbers an office's committed events in one order (decision 66): woken by the NOTIFY each
writing transaction sends at commit, it takes the sequencer's row and numbers what has committed
since its last round. Every process serving the feed runs one; a round that finds another holding
the row leaves the work to it."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from shared.db import Database
from shared.events import store

log = logging.getLogger("deedflow.events")

# Transactions numbered in one round: a backlog is taken in rounds of this many.
ROUND_TRANSACTIONS = 500
# A round runs this often even without a notification: a process whose listening connection
# stalled unnoticed (no reset from the network) still numbers what others wrote.
POLL_SECONDS = 1.0


class Sequencer:
    def __init__(self, database: Database, poll_seconds: float = POLL_SECONDS) -> None:
        self.database = database
        self.poll_seconds = poll_seconds
        self._due = asyncio.Event()

    def wake(self) -> None:
        self._due.set()

    async def round(self) -> int:
        """Numbers what has committed; how many transactions' events it numbered (ROUND_TRANSACTIONS
        when more may be waiting)."""
        async with self.database.transaction() as connection:
            last = await store.claim_sequencer(connection)
            if last is None:
                return 0
            return await store.number_committed(connection, last, ROUND_TRANSACTIONS)

    async def run(self) -> None:
        """Numbers events until cancelled."""
        while True:
            # Cleared before the round reads: a commit notified during the round starts another.
            self._due.clear()
            try:
                numbered = await self.round()
            except Exception as exc:
                # An outage must not end the sequencer: it numbers what waits at its next round.
                log.warning("cannot number events now", extra={"fields": {"error": repr(exc)}})
                numbered = 0
            if numbered == ROUND_TRANSACTIONS:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._due.wait(), self.poll_seconds)
