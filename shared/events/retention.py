"""The event feed's retention: events past it are dropped, and the horizon moves up."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from shared.clock import Clock
from shared.db import Database
from shared.events import store

log = logging.getLogger("deedflow.events")


async def prune_forever(
    database: Database, clock: Clock, retention_days: float, every_seconds: float
) -> None:
    """Drops events past their retention, once every `every_seconds`, for the life of the process.
    Several replicas may prune at once: each deletes what is there and the horizon only moves up."""
    while True:
        try:
            async with database.transaction() as connection:
                pruned = await store.prune(connection, clock.now() - dt.timedelta(days=retention_days))
            if pruned:
                log.info("events pruned", extra={"fields": {"count": pruned}})
        except Exception as exc:
            # An outage must not end the pruner: it tries again at the next round.
            log.warning("cannot prune the event feed now", extra={"fields": {"error": repr(exc)}})
        await asyncio.sleep(every_seconds)
