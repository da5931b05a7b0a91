"""Another office's feed carried into this office's own (the purchase office relays the mortgage
office's discharges), so a party follows one feed for the whole flow. The relay is a client of the
other feed like any other: it resumes from the cursor it recorded with the events it copied, and
an event it copies twice keeps its one id."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable

import grpc

from deedflow.events.v1 import events_service_pb2 as pb
from deedflow.events.v1 import events_service_pb2_grpc
from shared.db import Database
from shared.events import store

log = logging.getLogger("deedflow.events")

RECONNECT_SECONDS = 1.0


def _row(event: pb.Event) -> dict[str, object]:
    return {
        "id": event.name.removeprefix("events/"),
        "type": pb.EventType.Name(event.type).removeprefix("EVENT_TYPE_"),
        "subject": event.subject,
        "unit_number": event.unit_number,
        "developer_uscc": event.developer.removeprefix("organizations/"),
        "bank_uscc": event.bank.removeprefix("organizations/"),
        "version": 0,
        "office": event.office,
        "event_time": event.event_time.ToDatetime(tzinfo=dt.UTC),
    }


async def relay_forever(open_source: Callable[[], grpc.aio.Channel], database: Database, office: str) -> None:
    """Runs for the life of the process, following `office`'s feed again whenever it ends, each
    time on a channel of its own (that office may publish its address after this process starts)."""
    while True:
        channel = open_source()
        stream = None
        try:
            after = await database.read(lambda c: store.source_cursor(c, office))
            stream = events_service_pb2_grpc.EventServiceStub(channel).WatchEvents(
                pb.WatchEventsRequest(after_cursor=after)
            )
            async for response in stream:
                async with database.transaction() as connection:
                    await store.relay(connection, office, [_row(response.event)], response.event.cursor)
        except grpc.aio.AioRpcError as exc:
            log.info(
                "the relayed feed ended; following it again",
                extra={"fields": {"office": office, "code": exc.code().name}},
            )
        except Exception as exc:
            # A database outage must not end the relay: it resumes from the cursor it recorded.
            log.warning("cannot relay the feed now", extra={"fields": {"office": office, "error": repr(exc)}})
        finally:
            if stream is not None:
                stream.cancel()
            await channel.close()
        await asyncio.sleep(RECONNECT_SECONDS)
