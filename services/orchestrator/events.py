"""The purchase office's event feed: each purchase event carries the purchase as that change left
it, and the mortgage office's discharges and the register's witness alarms are relayed into it
(shared/events)."""

from __future__ import annotations

import uuid

import asyncpg

from deedflow.events.v1 import events_service_pb2 as events_pb
from services.orchestrator import repository

OFFICE = "purchase"
# The offices whose feeds this one carries, by service name.
RELAYED = ("mortgage", "registry")


async def attach_purchases(
    connection: asyncpg.Connection, rows: list[asyncpg.Record], events: list[events_pb.Event]
) -> None:
    """Each purchase event gets the purchase at the version its change recorded."""
    keys = {
        i: (uuid.UUID(row["subject"].removeprefix("purchases/")), row["version"])
        for i, row in enumerate(rows)
        if row["office"] == OFFICE
    }
    found = await repository.snapshots(connection, list(set(keys.values())))
    for i, key in keys.items():
        if key in found:
            events[i].purchase.ParseFromString(found[key])
