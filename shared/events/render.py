"""An outbox row as the Event a client receives."""

from __future__ import annotations

import asyncpg

from deedflow.events.v1 import events_service_pb2 as pb
from shared.events.cursor import Cursor
from shared.timestamps import to_timestamp


def _organization(uscc: str) -> str:
    return f"organizations/{uscc}" if uscc else ""


def cursor_of(row: asyncpg.Record) -> Cursor:
    return Cursor(row["sequence"])


def event_message(row: asyncpg.Record) -> pb.Event:
    return pb.Event(
        name=f"events/{row['id']}",
        cursor=cursor_of(row).text(),
        type=f"EVENT_TYPE_{row['type']}",
        subject=row["subject"],
        unit_number=row["unit_number"],
        event_time=to_timestamp(row["event_time"]),
        office=row["office"],
        developer=_organization(row["developer_uscc"]),
        bank=_organization(row["bank_uscc"]),
    )
