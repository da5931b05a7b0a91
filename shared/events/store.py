"""SQL for an office's event outbox. Never commits.

Rows are ordered by (transaction id, position), and a reader only sees rows whose transaction id
is below the oldest transaction still running (pg_snapshot_xmin): every transaction that could
still commit a row has an id at or above that horizon, so nothing can later appear behind a
cursor a reader was given. A sequence alone does not give this: two transactions take positions
10 and 11, 11 commits first, a reader moves past it, and 10 is never seen. The price is that a
long transaction anywhere in the cluster holds the feed back while it runs (ours are short:
no call to another service is made inside one)."""

from __future__ import annotations

import datetime as dt

import asyncpg

from shared.events.cursor import Cursor

_COLUMNS = (
    "transaction_id::text AS transaction_id, position, id, type, subject, unit_number, developer_uscc,"
    " bank_uscc, version, office, event_time"
)


async def read_after(
    connection: asyncpg.Connection, after: Cursor, limit: int, developer: str = "", bank: str = ""
) -> list[asyncpg.Record]:
    """The events after `after` that no running transaction can still add to, in order; only a
    developer's or a bank's own when one is named."""
    conditions = [
        "(transaction_id, position) > ($1::text::xid8, $2::bigint)",
        "transaction_id < pg_snapshot_xmin(pg_current_snapshot())",
    ]
    args: list = [str(after.transaction_id), after.position, limit]
    if developer:
        args.append(developer)
        conditions.append(f"developer_uscc = ${len(args)}")
    if bank:
        args.append(bank)
        conditions.append(f"bank_uscc = ${len(args)}")
    return await connection.fetch(
        f"SELECT {_COLUMNS} FROM event WHERE {' AND '.join(conditions)}"
        " ORDER BY transaction_id, position LIMIT $3",
        *args,
    )


async def horizon(connection: asyncpg.Connection) -> Cursor | None:
    """The last position pruned: a cursor before it points at events no longer kept."""
    row = await connection.fetchrow(
        "SELECT transaction_id::text AS transaction_id, position FROM event_horizon"
    )
    return None if row is None else Cursor(int(row["transaction_id"]), row["position"])


async def prune(connection: asyncpg.Connection, before: dt.datetime) -> int:
    """Drops the events recorded before `before` and every event ordered before the last of them
    (the feed's order is not exactly the clock's), and moves the horizon up to it. How many."""
    edge = await connection.fetchrow(
        "SELECT transaction_id::text AS transaction_id, position FROM event WHERE event_time < $1"
        " AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())"
        " ORDER BY transaction_id DESC, position DESC LIMIT 1",
        before,
    )
    if edge is None:
        return 0
    deleted = await connection.execute(
        "DELETE FROM event WHERE (transaction_id, position) <= ($1::text::xid8, $2::bigint)",
        edge["transaction_id"],
        edge["position"],
    )
    await connection.execute(
        "INSERT INTO event_horizon (transaction_id, position) VALUES ($1::text::xid8, $2)"
        " ON CONFLICT (only_row) DO UPDATE SET transaction_id = EXCLUDED.transaction_id,"
        " position = EXCLUDED.position",
        edge["transaction_id"],
        edge["position"],
    )
    return int(deleted.split()[-1])


async def source_cursor(connection: asyncpg.Connection, office: str) -> str:
    """How far this office has relayed another office's feed."""
    return await connection.fetchval("SELECT cursor FROM event_source WHERE office = $1", office) or ""


async def relay(connection: asyncpg.Connection, office: str, events: list[dict], cursor: str) -> None:
    """Another office's events, under their own ids (a repeat is dropped), and how far its feed has
    been read, together: after a crash the relay goes on from exactly what it recorded."""
    if events:
        await connection.executemany(
            "INSERT INTO event (id, type, subject, unit_number, developer_uscc, bank_uscc, version,"
            " office, event_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING",
            [
                (
                    e["id"],
                    e["type"],
                    e["subject"],
                    e["unit_number"],
                    e["developer_uscc"],
                    e["bank_uscc"],
                    e["version"],
                    e["office"],
                    e["event_time"],
                )
                for e in events
            ],
        )
    await connection.execute(
        "INSERT INTO event_source (office, cursor) VALUES ($1, $2)"
        " ON CONFLICT (office) DO UPDATE SET cursor = EXCLUDED.cursor",
        office,
        cursor,
    )
