"""SQL for purchases, their step log and versions, and building completions. Never commits."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

import asyncpg

from services.orchestrator.domain import TAX_STEPS
from services.orchestrator.records import BuildingCompletion, Purchase, PurchaseStep
from shared.leases import LeasedRows
from shared.records import typed, typed_all, typed_or_none
from shared.sql import insert_row, insert_statement

CHANGED = "purchase_changed"
DUE = "purchase_due"
# Purchases are advanced under leases (shared/leases.py); one over has nothing due.
PURCHASES = LeasedRows("purchase")


async def insert_purchase(
    connection: asyncpg.Connection,
    row: dict[str, Any],
    snapshot: bytes,
    at: dt.datetime,
    claim: tuple[str, list[object]] | None = None,
) -> bool:
    """The new purchase, its first version and the notification of it, in one statement; with
    `claim` (shared/idempotency.py::claim_answered, its parameters numbered from len(row) + 4)
    the answer to its request id too, and the purchase written only if the claim takes the
    request id. Whether it was written."""
    n = len(row)
    claim_statement, claim_args = claim or ("SELECT 1", [])
    columns = ", ".join(row)
    values = ", ".join(f"${i}" for i in range(1, n + 1))
    written = await connection.fetch(
        f"WITH claimed AS ({claim_statement}),"
        f" filed AS (INSERT INTO purchase ({columns}) SELECT {values} FROM claimed RETURNING id, version),"
        " recorded AS (INSERT INTO purchase_version (purchase_id, version, snapshot, change_time)"
        f" SELECT id, version, ${n + 1}, ${n + 2} FROM filed RETURNING purchase_id, version)"
        f" SELECT pg_notify(${n + 3}, purchase_id::text || ':' || version) FROM recorded",
        *row.values(),
        snapshot,
        at,
        CHANGED,
        *claim_args,
    )
    return bool(written)


async def unit_taken(connection: asyncpg.Connection, unit_number: str, other_than: uuid.UUID) -> bool:
    """Whether another live purchase holds the unit (the index one_live_purchase_per_unit)."""
    value: bool = await connection.fetchval(
        "SELECT EXISTS (SELECT 1 FROM purchase WHERE unit_number = $1 AND id <> $2"
        " AND state NOT IN ('CANCELLED', 'REJECTED'))",
        unit_number,
        other_than,
    )
    return value


async def purchase(
    connection: asyncpg.Connection, purchase_id: uuid.UUID, lock: bool = False
) -> Purchase | None:
    suffix = " FOR UPDATE" if lock else ""
    row = await connection.fetchrow(f"SELECT * FROM purchase WHERE id = $1{suffix}", purchase_id)
    return typed_or_none(Purchase, row)


async def handover_under_way(connection: asyncpg.Connection, purchase: str) -> bool:
    """Whether a ConfirmHandover operation of the purchase is open (among the few open ones)."""
    return bool(
        await connection.fetchval(
            "SELECT EXISTS (SELECT 1 FROM operation WHERE state IN ('RUNNING', 'PARKED')"
            " AND kind = 'ConfirmHandover' AND subject = $1)",
            purchase,
        )
    )


async def steps(connection: asyncpg.Connection, purchase_id: uuid.UUID) -> list[PurchaseStep]:
    rows = await connection.fetch("SELECT * FROM purchase_step WHERE purchase_id = $1", purchase_id)
    return typed_all(PurchaseStep, rows)


async def steps_of(
    connection: asyncpg.Connection, purchase_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[PurchaseStep]]:
    """The step logs of several purchases, read together: each one's, empty when it has none."""
    found: dict[uuid.UUID, list[PurchaseStep]] = {purchase_id: [] for purchase_id in purchase_ids}
    for record in await connection.fetch(
        "SELECT * FROM purchase_step WHERE purchase_id = ANY($1::uuid[])", purchase_ids
    ):
        step = typed(PurchaseStep, record)
        found[step.purchase_id].append(step)
    return found


async def upsert_step(
    connection: asyncpg.Connection, purchase_id: uuid.UUID, kind: str, direction: str, **columns: Any
) -> None:
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in columns)
    statement = insert_statement(
        "purchase_step",
        ["purchase_id", "kind", "direction", *columns],
        f" ON CONFLICT (purchase_id, kind, direction) DO UPDATE SET {updates}",
    )
    await connection.execute(statement, purchase_id, kind, direction, *columns.values())


async def write_steps(
    connection: asyncpg.Connection, purchase_id: uuid.UUID, records: list[tuple[str, str, dict[str, Any]]]
) -> list[PurchaseStep]:
    """Upserts these steps (kind, direction, columns; a later record of a step overrides an
    earlier one's columns) and returns every step of the purchase as it now stands, in one round
    trip: the written rows from RETURNING, the others as read by the same statement, which sees
    the table as it was before it, so the two never overlap."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for kind, direction, columns in records:
        merged.setdefault((kind, direction), {}).update(columns)
    if not merged:
        return await steps(connection, purchase_id)
    args: list[object] = [purchase_id]
    writes, others = [], []
    for i, ((kind, direction), columns) in enumerate(merged.items()):
        first = len(args) + 1
        args.extend([kind, direction, *columns.values()])
        names = ["purchase_id", "kind", "direction", *columns]
        values = ["$1", *(f"${first + j}" for j in range(len(names) - 1))]
        updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in columns)
        writes.append(
            f"w{i} AS (INSERT INTO purchase_step ({', '.join(names)}) VALUES ({', '.join(values)})"
            f" ON CONFLICT (purchase_id, kind, direction) DO UPDATE SET {updates} RETURNING *)"
        )
        others.append(f"NOT (kind = ${first} AND direction = ${first + 1})")
    written = " UNION ALL ".join(f"SELECT * FROM w{i}" for i in range(len(writes)))
    rows = await connection.fetch(
        f"WITH {', '.join(writes)} {written} UNION ALL"
        f" SELECT * FROM purchase_step WHERE purchase_id = $1 AND {' AND '.join(others)}",
        *args,
    )
    return typed_all(PurchaseStep, rows)


async def update_purchase(
    connection: asyncpg.Connection,
    purchase_id: uuid.UUID,
    lease_holder: str | None,
    **columns: Any,
) -> Purchase | None:
    """Bumps the version and sets columns; with a lease holder, only while it holds the lease
    (shared/leases.py). Returns the purchase as updated, or None when the lease was lost."""
    lease = (lease_holder,) if lease_holder else ()
    assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(columns, start=2 + len(lease)))
    lease_clause = " AND leased_by = $2" if lease_holder else ""
    row = await connection.fetchrow(
        f"UPDATE purchase SET version = version + 1, {assignments} WHERE id = $1{lease_clause} RETURNING *",
        purchase_id,
        *lease,
        *columns.values(),
    )
    return typed_or_none(Purchase, row)


async def rest(
    connection: asyncpg.Connection, purchase_id: uuid.UUID, lease_holder: str, due_at: dt.datetime | None
) -> bool:
    """A wait looked at again and unchanged: when to look next, the lease given back, and
    nothing else (no version, no history). False when the lease was lost."""
    return (
        await connection.fetchval(
            "UPDATE purchase SET due_at = $3, leased_by = NULL, lease_until = NULL"
            " WHERE id = $1 AND leased_by = $2 RETURNING true",
            purchase_id,
            lease_holder,
            due_at,
        )
        is not None
    )


async def record_version(
    connection: asyncpg.Connection, purchase_id: uuid.UUID, version: int, snapshot: bytes, at: dt.datetime
) -> None:
    # One round trip: the version row and the notification that wakes its watchers.
    await connection.execute(
        "WITH recorded AS (INSERT INTO purchase_version (purchase_id, version, snapshot, change_time)"
        " VALUES ($1, $2, $3, $4) RETURNING 1) SELECT pg_notify($5, $6) FROM recorded",
        purchase_id,
        version,
        snapshot,
        at,
        CHANGED,
        f"{purchase_id}:{version}",
    )


async def versions_after(
    connection: asyncpg.Connection, purchase_id: uuid.UUID, after: int
) -> list[tuple[int, bytes]]:
    """The purchase's versions after `after`, oldest first: each number and snapshot."""
    rows = await connection.fetch(
        "SELECT version, snapshot FROM purchase_version"
        " WHERE purchase_id = $1 AND version > $2 ORDER BY version",
        purchase_id,
        after,
    )
    return [(version, snapshot) for version, snapshot in rows]


async def wake(connection: asyncpg.Connection) -> None:
    await connection.execute("SELECT pg_notify($1, '')", DUE)


_TAX_STEPS = sorted(kind.value for kind in TAX_STEPS)
# A purchase takes note of the tax office's words until its transfer is lodged: its tax steps
# run in these states.
_BEFORE_TRANSFER = ["FILING", "AWAITING_COMPLETION"]


async def make_tax_waits_due(connection: asyncpg.Connection, at: dt.datetime, contract: str = "") -> int:
    """The tax office's word that `contract` is paid (with none: that words may have been missed),
    counted on every purchase it concerns that has not reached its transfer, whatever step it is
    at; one whose tax step waits is due at `at`. The count is what lets the saga wait for the tax
    without asking first (steps.tax_paid): a purchase with no word counted has nothing to ask,
    and one being advanced right now finds the count changed when it records its wait
    (wait_for_tax)."""
    # Rows locked first, in id order (as the saga's grouped writes lock them: never a deadlock
    # between them), whatever their steps: a saga write that holds one commits before the word is
    # counted, so the next statement judges the step it recorded.
    locked = await connection.fetch(
        "SELECT p.id FROM purchase p WHERE ($2 = '' OR p.contract = $2) AND p.state = ANY($1::text[])"
        " ORDER BY p.id FOR UPDATE",
        _BEFORE_TRANSFER,
        contract,
    )
    if not locked:
        return 0
    woken = await connection.fetch(
        "UPDATE purchase p SET tax_words = p.tax_words + 1, due_at = CASE WHEN w.waiting"
        " AND (p.due_at IS NULL OR p.due_at > $1) THEN $1 ELSE p.due_at END"
        " FROM (SELECT u.id, EXISTS (SELECT 1 FROM purchase_step s WHERE s.purchase_id = u.id"
        " AND s.direction = 'FORWARD' AND s.kind = ANY($3::text[]) AND s.state = 'WAITING') AS waiting"
        " FROM unnest($2::uuid[]) AS u(id)) w WHERE p.id = w.id RETURNING w.waiting",
        at,
        [purchase_id for (purchase_id,) in locked],
        _TAX_STEPS,
    )
    return sum(1 for (waiting,) in woken if waiting)


async def wait_for_tax(
    connection: asyncpg.Connection, purchase_id: uuid.UUID, words: int, at: dt.datetime
) -> None:
    """The purchase stays due at `at` if the tax office's word came after it was claimed with
    `words` of them counted (make_tax_waits_due)."""
    await connection.execute(
        "UPDATE purchase SET due_at = $3 WHERE id = $1 AND tax_words > $2", purchase_id, words, at
    )


async def completion(connection: asyncpg.Connection, building_number: str) -> BuildingCompletion | None:
    row = await connection.fetchrow(
        "SELECT * FROM building_completion WHERE building_number = $1", building_number
    )
    return typed_or_none(BuildingCompletion, row)


async def insert_completion(connection: asyncpg.Connection, completion: BuildingCompletion) -> None:
    await insert_row(
        connection, "building_completion", dataclasses.asdict(completion), " ON CONFLICT DO NOTHING"
    )


async def make_building_due(connection: asyncpg.Connection, building_number: str, at: dt.datetime) -> int:
    """Every purchase waiting in the building is due at `at` (now, by the service's clock)."""
    # Rows locked in id order, as the saga's grouped writes lock them: never a deadlock between them.
    result = await connection.execute(
        "UPDATE purchase SET due_at = $2 WHERE id IN (SELECT id FROM purchase"
        " WHERE building_number = $1 AND state = 'AWAITING_COMPLETION' ORDER BY id FOR UPDATE)",
        building_number,
        at,
    )
    return int(result.split()[-1])


async def purchases_in(connection: asyncpg.Connection, building_number: str) -> list[Purchase]:
    rows = await connection.fetch(
        "SELECT * FROM purchase WHERE building_number = $1 ORDER BY unit_number, create_time", building_number
    )
    return typed_all(Purchase, rows)


async def list_purchases(
    connection: asyncpg.Connection,
    developer: str,
    bank: str,
    building: str,
    state: str,
    after: uuid.UUID | None,
    limit: int,
) -> list[Purchase]:
    rows = await connection.fetch(
        """
        SELECT * FROM purchase
        WHERE ($1 = '' OR developer_uscc = $1) AND ($2 = '' OR bank_uscc = $2)
          AND ($3 = '' OR building_number = $3) AND ($4 = '' OR state = $4)
          AND ($5::uuid IS NULL OR id > $5)
        ORDER BY id LIMIT $6
        """,
        developer,
        bank,
        building,
        state,
        after,
        limit,
    )
    return typed_all(Purchase, rows)


async def snapshots(
    connection: asyncpg.Connection, versions: list[tuple[uuid.UUID, int]]
) -> dict[tuple[uuid.UUID, int], bytes]:
    """The purchases as these versions left them, read together."""
    if not versions:
        return {}
    rows = await connection.fetch(
        "SELECT v.purchase_id, v.version, v.snapshot FROM purchase_version v"
        " JOIN unnest($1::uuid[], $2::bigint[]) AS k(id, version)"
        " ON v.purchase_id = k.id AND v.version = k.version",
        [purchase_id for purchase_id, _ in versions],
        [version for _, version in versions],
    )
    return {(purchase_id, version): snapshot for purchase_id, version, snapshot in rows}
