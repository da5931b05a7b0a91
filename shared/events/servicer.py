"""EventService over gRPC for one office's outbox: a page after a cursor, or a stream that goes on
as events are committed. A developer or bank is shown only the events of its own records."""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import AsyncIterator

from deedflow.events.v1 import events_service_pb2 as pb
from deedflow.events.v1 import events_service_pb2_grpc
from deedflow.type.v1.reasons import Reason
from shared.auth import caller
from shared.db import Database
from shared.errors import ResourceExhausted
from shared.events.cursor import parse_cursor
from shared.events.feed import EventFeed
from shared.events.pages import Enrich, Pages
from shared.grpc.types import Context

DEFAULT_PAGE = 100
# A stream reads in pages of this many while it catches up.
WATCH_PAGE = 500
# A watcher looks again this often even without a notification: its process's listening
# connection may have stalled unnoticed (no reset from the network).
WATCH_POLL_SECONDS = 5.0


class EventServicer(events_service_pb2_grpc.EventServiceServicer):
    def __init__(
        self, database: Database, feed: EventFeed, max_watches: int, enrich: Enrich | None = None
    ) -> None:
        self.pages = Pages(database, enrich)
        self.feed = feed
        self.max_watches = max_watches
        self._watches: collections.Counter[str] = collections.Counter()

    async def ListEvents(self, request: pb.ListEventsRequest, context: Context) -> pb.ListEventsResponse:
        after = parse_cursor(request.after_cursor)
        end, events = await self.pages.after(
            after, bool(request.after_cursor), request.page_size or DEFAULT_PAGE, caller()
        )
        # An empty page hands back the cursor in this feed's own form (a legacy one translated).
        return pb.ListEventsResponse(
            events=events, next_cursor=end.text() if events or request.after_cursor else ""
        )

    async def WatchEvents(
        self, request: pb.WatchEventsRequest, context: Context
    ) -> AsyncIterator[pb.WatchEventsResponse]:
        who = caller()
        after = parse_cursor(request.after_cursor)
        given = bool(request.after_cursor)
        # Each stream holds a task and a reader: a caller may hold only so many at once.
        if self._watches[who.uri] >= self.max_watches:
            raise ResourceExhausted(
                Reason.TOO_MANY_WATCHES,
                f"this caller already follows the feed {self._watches[who.uri]} times; end one first",
                {"limit": str(self.max_watches)},
            )
        self._watches[who.uri] += 1
        try:
            # The headers say the subscription stands, before any event: a client waiting on a
            # quiet feed knows it was admitted.
            await context.send_initial_metadata(())
            with self.feed.waiting() as recorded:
                while True:
                    recorded.clear()
                    end, events = await self.pages.after(after, given, WATCH_PAGE, who)
                    for event in events:
                        yield pb.WatchEventsResponse(event=event)
                    after, given = end, given or bool(events)
                    if len(events) == WATCH_PAGE:
                        continue
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(recorded.wait(), WATCH_POLL_SECONDS)
        finally:
            self._watches[who.uri] -= 1
            if not self._watches[who.uri]:
                del self._watches[who.uri]
