"""SQL for an office's event outbox. Never commits.

A transaction writes its events unnumbered. Once it has committed, the office's sequencer
(shared/events/sequencer.py) numbers them, holding the one row of `event_sequencer` while it does,
so numbering rounds run one after another and each round's numbers are visible before the next
round takes the row. A reader therefore only ever sees a gapless prefix of the sequence, and
`sequence > cursor` is exact whatever transaction ids the cluster hands out and whatever runs
beside it (decision 66)."""

from __future__ import annotations

import datetime as dt

import asyncpg

from shared.events.cursor import Cursor, LegacyCursor
from shared.sql import one_row

_COLUMNS = "sequence, id, type, subject, unit_number, developer_uscc, bank_uscc, version, office, event_time"


async def read_after(
    connection: asyncpg.Connection, after: Cursor, limit: int, developer: str = "", bank: str = ""
) -> list[asyncpg.Record]:
    """The numbered events after `after`, in order; only a developer's or a bank's own when one is
    named."""
    conditions = ["sequence > $1"]
    args: list[object] = [after.sequence, limit]
    if developer:
        args.append(developer)
        conditions.append(f"developer_uscc = ${len(args)}")
    if bank:
        args.append(bank)
        conditions.append(f"bank_uscc = ${len(args)}")
    return await connection.fetch(
        f"SELECT {_COLUMNS} FROM event WHERE {' AND '.join(conditions)} ORDER BY sequence LIMIT $2",
        *args,
    )


async def horizon(connection: asyncpg.Connection) -> Cursor | None:
    """The last event pruned: a cursor before it points at events no longer kept."""
    pruned = await connection.fetchval("SELECT sequence FROM event_horizon")
    return None if pruned is None else Cursor(pruned)


async def translate(connection: asyncpg.Connection, legacy: LegacyCursor) -> Cursor | None:
    """Where a cursor of the unsequenced feed stands now: just before the first event kept from
    then that it had not passed. None for a cursor older than what that feed had pruned."""
    row = await one_row(
        connection,
        "SELECT s.legacy_last, h.transaction_id < $1::text::xid8"
        " OR (h.transaction_id = $1::text::xid8 AND h.position <= $2) AS within,"
        " (SELECT min(sequence) FROM event WHERE (transaction_id, position) > ($1::text::xid8, $2)"
        "  AND sequence <= s.legacy_last) AS first_after"
        " FROM event_sequencer s LEFT JOIN event_horizon h ON true",
        str(legacy.transaction_id),
        legacy.position,
    )
    if row["within"] is False:
        return None
    if row["first_after"] is None:
        return Cursor(row["legacy_last"])
    return Cursor(row["first_after"] - 1)


async def prune(connection: asyncpg.Connection, before: dt.datetime) -> int:
    """Drops the numbered events recorded before `before` and every event numbered before the last
    of them (the feed's order is not exactly the clock's), and moves the horizon up to it. How
    many."""
    edge = await connection.fetchval(
        "SELECT sequence FROM event WHERE event_time < $1 AND sequence IS NOT NULL"
        " ORDER BY sequence DESC LIMIT 1",
        before,
    )
    if edge is None:
        return 0
    deleted = await connection.execute("DELETE FROM event WHERE sequence <= $1", edge)
    # The horizon row also keeps the old feed's (transaction id, position) horizon, for cursors
    # given out before the feed was sequenced; a first pruning has none to keep.
    await connection.execute(
        "INSERT INTO event_horizon (transaction_id, position, sequence) VALUES ('0', 0, $1)"
        " ON CONFLICT (only_row)"
        " DO UPDATE SET sequence = greatest(event_horizon.sequence, EXCLUDED.sequence)",
        edge,
    )
    return int(deleted.split()[-1])


async def claim_sequencer(connection: asyncpg.Connection) -> int | None:
    """The last number given, holding the sequencer's row until the transaction ends; None when
    another sequencer holds it now (it will number what is waiting)."""
    last: int | None = await connection.fetchval("SELECT last FROM event_sequencer FOR UPDATE SKIP LOCKED")
    return last


async def number_committed(connection: asyncpg.Connection, last: int, transactions: int) -> int:
    """Numbers the events of up to `transactions` committed transactions after `last`, and moves
    the sequencer's last number past them. The transactions go in the order of the last event each
    wrote, and a transaction's events together in the order it wrote them: a transaction that
    waited for another's lock (a purchase's row) writes its events after that one's, so the
    events of one record always come in the order its changes committed. How many transactions'
    events were numbered."""
    row = await one_row(
        connection,
        """
        WITH waiting AS (
            SELECT transaction_id, max(position) AS last_written FROM event WHERE sequence IS NULL
            GROUP BY transaction_id ORDER BY last_written LIMIT $2
        ), ordered AS (
            SELECT e.transaction_id, e.position,
                   row_number() OVER (ORDER BY w.last_written, e.position) AS n
            FROM event e JOIN waiting w USING (transaction_id) WHERE e.sequence IS NULL
        ), numbered AS (
            UPDATE event e SET sequence = $1 + ordered.n FROM ordered
            WHERE (e.transaction_id, e.position) = (ordered.transaction_id, ordered.position)
            RETURNING e.transaction_id
        )
        SELECT count(*) AS events, count(DISTINCT transaction_id) AS transactions FROM numbered
        """,
        last,
        transactions,
    )
    if row["events"]:
        # The notification goes out at commit, when the numbers are readable: it wakes the watchers.
        await connection.execute(
            "WITH moved AS (UPDATE event_sequencer SET last = $1 RETURNING last)"
            " SELECT pg_notify('event_sequenced', last::text) FROM moved",
            last + row["events"],
        )
    numbered: int = row["transactions"]
    return numbered


async def source_cursor(connection: asyncpg.Connection, office: str) -> str:
    """How far this office has relayed another office's feed."""
    return await connection.fetchval("SELECT cursor FROM event_source WHERE office = $1", office) or ""


async def relay(
    connection: asyncpg.Connection, office: str, events: list[dict[str, object]], cursor: str
) -> None:
    """Another office's events, under their own ids (a repeat is dropped), and how far its feed has
    been read, together: after a crash the relay goes on from exactly what it recorded."""
    if events:
        await connection.executemany(
            "INSERT INTO event (id, type, subject, unit_number, developer_uscc, bank_uscc, version,"
            " office, event_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            " ON CONFLICT (id) DO NOTHING",
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
