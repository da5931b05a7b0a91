"""Independent changes made at the same time commit in one transaction (group commit).

A change asked for while nothing is being written starts at once, in a transaction of its own; the
changes asked for while a transaction is out are written together in the next one, each as it
would be alone, and each caller learns its own outcome when that transaction has committed. So
one BEGIN, one COMMIT and one flush of the log serve many changes, and nothing waits for a timer.

A change may fail alone only with an exception it raises before writing anything (`separable`,
e.g. a lease found lost): the others go on in the same transaction. Any other failure rolls the
whole group back, and each of its changes is then written again in a transaction of its own, so
one change's fault is never another's. A database that cannot be reached is every change's outage.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg

from shared.db import Database
from shared.dbhealth import DatabaseUnavailable
from shared.grpc.channels import refuse_inside_transaction

ResultT = TypeVar("ResultT")

# At most this many changes in one transaction: a batch call's requests (shared.batches.MAX_TOGETHER)
# fit in one. A 1,000-unit handover took 13.3-14.0 s with 200, 17.9 s with 100 and 15.1 s with 500
# (docs/performance.md): fewer groups, fewer commits, but a very long one makes the next wait.
MAX_GROUP = 200
Change = Callable[[asyncpg.Connection], Awaitable[Any]]


class GroupedWrites:
    def __init__(
        self,
        database: Database,
        max_items: int = MAX_GROUP,
        separable: tuple[type[Exception], ...] = (),
    ) -> None:
        self.database = database
        self.max_items = max_items
        self.separable = separable
        self._waiting: list[tuple[Change, asyncio.Future[Any], str]] = []
        self._writer: asyncio.Task[None] | None = None
        self.groups_written = 0

    async def __call__(
        self, change: Callable[[asyncpg.Connection], Awaitable[ResultT]], order: str = ""
    ) -> ResultT:
        """The change's result once its transaction has committed. A group writes its changes in
        `order` (the row each locks first), so two groups locking the same rows do so in one order."""
        refuse_inside_transaction("a grouped write")
        future: asyncio.Future[ResultT] = asyncio.get_running_loop().create_future()
        self._waiting.append((change, future, order))
        if self._writer is None:
            # It writes for every caller: in a context of its own, not the first caller's.
            loop = asyncio.get_running_loop()
            self._writer = loop.create_task(self._write(), context=contextvars.Context())
        return await future

    async def _write(self) -> None:
        try:
            while self._waiting:
                taken, self._waiting = self._waiting[: self.max_items], self._waiting[self.max_items :]
                live = sorted(
                    ((change, future, order) for change, future, order in taken if not future.done()),
                    key=lambda item: item[2],
                )
                try:
                    await self._group(live)
                except asyncio.CancelledError:
                    for _, future, _ in live + self._waiting:
                        future.cancel()
                    raise
        finally:
            self._writer = None

    async def _group(self, live: list[tuple[Change, asyncio.Future[Any], str]]) -> None:
        outcomes: list[tuple[bool, Any]] = []
        try:
            async with self.database.transaction() as connection:
                for change, _, _ in live:
                    try:
                        outcomes.append((True, await change(connection)))
                    except self.separable as refused:
                        outcomes.append((False, refused))
            self.groups_written += 1
        except DatabaseUnavailable as outage:
            for _, future, _ in live:
                _settle(future, False, outage)
            return
        except Exception as failure:
            if len(live) == 1:
                _settle(live[0][1], False, failure)
                return
            # Somebody's change failed the group: each is written again on its own.
            await asyncio.gather(*(self._group([one]) for one in live))
            return
        for (_, future, _), (ok, value) in zip(live, outcomes, strict=True):
            _settle(future, ok, value)


def _settle(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if future.done():
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)
