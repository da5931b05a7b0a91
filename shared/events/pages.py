"""Pages of an office's event feed as a caller may read them: after a cursor, its own events
only (a developer's or a bank's), the retention's horizon checked in the same read."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg

from deedflow.events.v1 import events_service_pb2 as pb
from deedflow.type.v1.reasons import Reason
from shared.auth import Caller, Role
from shared.db import Database
from shared.errors import FailedPrecondition
from shared.events import store
from shared.events.cursor import Cursor, LegacyCursor
from shared.events.render import cursor_of, event_message

# Adds what only the office knows to the events of a page (the purchase as the change left it).
Enrich = Callable[[asyncpg.Connection, list[asyncpg.Record], list[pb.Event]], Awaitable[None]]


def _own(who: Caller) -> dict[str, str]:
    """The filter that leaves a developer or a bank its own events; officials and our offices
    read the whole feed."""
    if who.role is Role.DEVELOPER:
        return {"developer": who.id}
    if who.role is Role.BANK:
        return {"bank": who.id}
    return {}


class Pages:
    def __init__(self, database: Database, enrich: Enrich | None = None) -> None:
        self.database = database
        self.enrich = enrich

    async def after(
        self, after: Cursor | LegacyCursor, given: bool, limit: int, who: Caller
    ) -> tuple[Cursor, list[pb.Event]]:
        """The page after `after` and where it ends (`after` itself when nothing is new)."""
        return await self.database.read(self._read, after, given, limit, who)

    async def _read(
        self,
        connection: asyncpg.Connection,
        after: Cursor | LegacyCursor,
        given: bool,
        limit: int,
        who: Caller,
    ) -> tuple[Cursor, list[pb.Event]]:
        start = await store.translate(connection, after) if isinstance(after, LegacyCursor) else after
        rows = [] if start is None else await store.read_after(connection, start, limit, **_own(who))
        # The horizon after the rows: a pruning between the two reads is then seen, and the
        # cursor refused, rather than the pruned events silently skipped. An empty cursor
        # starts at whatever is kept.
        pruned = await store.horizon(connection)
        if start is None or (given and pruned is not None and start < pruned):
            raise FailedPrecondition(
                Reason.EVENT_CURSOR_EXPIRED,
                "the events after this cursor are past their retention; re-read your records"
                " with the List RPCs and follow the feed from a new cursor",
                {"oldest_cursor": pruned.text() if pruned is not None else ""},
            )
        events = [event_message(row) for row in rows]
        if self.enrich is not None and events:
            await self.enrich(connection, rows, events)
        return (cursor_of(rows[-1]) if rows else start), events
