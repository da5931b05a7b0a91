"""Work held under leases (租约): the one set of statements that claim due work, take one piece,
fence a write and give a lease back, and the one loop that keeps a worker's slots full, for every
table of durable work (the offices' operations, the saga's purchases).

A row of such a table has `id`, `due_at`, `leased_by` and `lease_until`. Work is due when
`due_at` has passed and nobody holds it (no lease, or one run out); a worker claims it under a
holder of its own (shared/durable.py::lease_holder), and every write it makes afterwards is
fenced by that holder: once another claim has taken the row, the old holder's writes change
nothing (decision 73). The holder is new at every claim, so the fence needs no clock.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import asyncpg

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class LeasedRows:
    """The leases of one table: `live` is the SQL condition of a row whose work is not over."""

    table: str
    live: str = "true"

    async def claim_due(
        self, connection: asyncpg.Connection, holder: str, at: dt.datetime, until: dt.datetime, limit: int
    ) -> list[asyncpg.Record]:
        """Leases up to `limit` due rows to `holder` until `until`, longest due first. SKIP
        LOCKED lets any number of workers claim side by side; a lease run out is taken over, so
        a dead worker's work moves on by itself."""
        rows: list[asyncpg.Record] = await connection.fetch(
            f"UPDATE {self.table} SET leased_by = $1, lease_until = $2"
            f" WHERE id IN (SELECT id FROM {self.table}"
            f" WHERE {self.live} AND due_at <= $3 AND (lease_until IS NULL OR lease_until < $3)"
            " ORDER BY due_at LIMIT $4 FOR UPDATE SKIP LOCKED)"
            " RETURNING *",
            holder,
            until,
            at,
            limit,
        )
        return rows

    async def take(
        self,
        connection: asyncpg.Connection,
        work_id: uuid.UUID,
        holder: str,
        at: dt.datetime,
        until: dt.datetime,
    ) -> asyncpg.Record | None:
        """Leases this one row to `holder` if nobody holds it, due or not (someone is asking for
        it now); due again when the lease runs out, should the taker die. None if it is held,
        over, or not there."""
        row: asyncpg.Record | None = await connection.fetchrow(
            f"UPDATE {self.table} SET leased_by = $2, lease_until = $3, due_at = $3"
            f" WHERE id = $1 AND {self.live} AND (lease_until IS NULL OR lease_until < $4)"
            " RETURNING *",
            work_id,
            holder,
            until,
            at,
        )
        return row

    async def renew(
        self, connection: asyncpg.Connection, work_id: uuid.UUID, holder: str, until: dt.datetime
    ) -> bool:
        """Extends the lease `holder` has; False when it has it no more."""
        renewed = await connection.execute(
            f"UPDATE {self.table} SET lease_until = $3 WHERE id = $1 AND leased_by = $2 AND {self.live}",
            work_id,
            holder,
            until,
        )
        return renewed != "UPDATE 0"

    async def release(
        self,
        connection: asyncpg.Connection,
        work_id: uuid.UUID,
        holder: str,
        due_at: dt.datetime | None = None,
    ) -> None:
        """Gives up the lease `holder` has (nothing if it has it no more), the work due again at
        `due_at` if given, else when it was."""
        await connection.execute(
            f"UPDATE {self.table} SET leased_by = NULL, lease_until = NULL,"
            f" due_at = coalesce($3, due_at) WHERE id = $1 AND leased_by = $2 AND {self.live}",
            work_id,
            holder,
            due_at,
        )


async def work_forever(
    claim: Callable[[int], Awaitable[Sequence[T] | None]],
    work: Callable[[T], Awaitable[None]],
    limit: Callable[[], int],
    idle: Callable[[], Awaitable[object]],
    unavailable_seconds: float,
) -> None:
    """Claims work and runs each piece in a task of its own, up to `limit()` at once, until
    cancelled: a slot freed by one piece is filled at once, not when the slowest of a claimed
    batch is done. `claim(n)` leases up to n pieces, or gives None when the database could not
    be asked: the loop waits `unavailable_seconds` and claims again, and the leases of what it
    held run out meanwhile. With nothing more due, `idle()` waits (for a wake, or a poll's time)."""
    running: set[asyncio.Task[None]] = set()
    try:
        while True:
            most = limit()
            free = most - len(running)
            claimed = await claim(free) if free > 0 else []
            for piece in claimed or []:
                task = asyncio.ensure_future(work(piece))
                running.add(task)
                task.add_done_callback(running.discard)
            if claimed is None:
                await asyncio.sleep(unavailable_seconds)
            elif free > 0 and len(claimed) == free:
                continue
            elif len(running) >= most:
                await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            else:
                await idle()
    finally:
        for task in running:
            task.cancel()
        if running:
            await asyncio.gather(*running, return_exceptions=True)
