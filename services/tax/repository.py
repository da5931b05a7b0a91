"""SQL for assessments and payments. Never commits."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg

from deedflow.tax.v1 import tax_service_pb2 as pb
from services.tax.records import Assessment, Payment, Reassessment
from shared.records import typed, typed_all, typed_or_none
from shared.sql import insert_row, one_row


async def insert_assessment(connection: asyncpg.Connection, row: dict[str, Any]) -> None:
    """Raises asyncpg.UniqueViolationError when the contract has a live assessment."""
    await insert_row(connection, "assessment", row)


async def assessment(
    connection: asyncpg.Connection, assessment_id: uuid.UUID, lock: bool = False
) -> Assessment | None:
    suffix = " FOR UPDATE" if lock else ""
    row = await connection.fetchrow(f"SELECT * FROM assessment WHERE id = $1{suffix}", assessment_id)
    return typed_or_none(Assessment, row)


async def live_assessment_of(connection: asyncpg.Connection, contract: str) -> Assessment | None:
    row = await connection.fetchrow(
        "SELECT * FROM assessment WHERE contract = $1 AND state IN ('ASSESSED', 'PAID', 'CONSUMED')", contract
    )
    return typed_or_none(Assessment, row)


async def latest_assessment_of(connection: asyncpg.Connection, contract: str) -> Assessment | None:
    row = await connection.fetchrow(
        "SELECT * FROM assessment WHERE contract = $1 ORDER BY assess_time DESC LIMIT 1", contract
    )
    return typed_or_none(Assessment, row)


async def by_clearance(
    connection: asyncpg.Connection, clearance_number: str, lock: bool = False
) -> Assessment | None:
    suffix = " FOR UPDATE" if lock else ""
    row = await connection.fetchrow(
        f"SELECT * FROM assessment WHERE clearance_number = $1{suffix}", clearance_number
    )
    return typed_or_none(Assessment, row)


async def assessments(
    connection: asyncpg.Connection,
    contract: str,
    state: str,
    after: uuid.UUID | None,
    limit: int,
    lender: str = "",
) -> list[Assessment]:
    """A page of assessments by id; only those of contracts `lender` lends on when named."""
    rows = await connection.fetch(
        "SELECT * FROM assessment WHERE ($1 = '' OR contract = $1) AND ($2 = '' OR state = $2)"
        " AND ($3::uuid IS NULL OR id > $3) AND ($5 = '' OR lending_bank_uscc = $5) ORDER BY id LIMIT $4",
        contract,
        state,
        after,
        limit,
        lender,
    )
    return typed_all(Assessment, rows)


async def payments(connection: asyncpg.Connection, assessment_id: uuid.UUID) -> list[Payment]:
    rows = await connection.fetch(
        "SELECT * FROM payment WHERE assessment_id = $1 ORDER BY paid_time", assessment_id
    )
    return typed_all(Payment, rows)


async def payment(connection: asyncpg.Connection, reference: str) -> Payment | None:
    row = await connection.fetchrow("SELECT * FROM payment WHERE payment_reference = $1", reference)
    return typed_or_none(Payment, row)


async def insert_payment(
    connection: asyncpg.Connection,
    reference: str,
    assessment_id: uuid.UUID,
    amount_fen: int,
    paid_time: dt.datetime,
    recorded_by: str,
) -> None:
    await connection.execute(
        "INSERT INTO payment (payment_reference, assessment_id, amount_fen, paid_time, recorded_by)"
        " VALUES ($1, $2, $3, $4, $5)",
        reference,
        assessment_id,
        amount_fen,
        paid_time,
        recorded_by,
    )


async def update(
    connection: asyncpg.Connection, assessment_id: uuid.UUID, at: dt.datetime, **columns: Any
) -> Assessment:
    """Sets the assessment's columns; the row as updated."""
    assignments = "".join(f", {name} = ${i}" for i, name in enumerate(columns, start=3))
    row = await one_row(
        connection,
        f"UPDATE assessment SET update_time = $2{assignments} WHERE id = $1 RETURNING *",
        assessment_id,
        at,
        *columns.values(),
    )
    return typed(Assessment, row)


async def next_clearance_serial(connection: asyncpg.Connection) -> int:
    value: int = await connection.fetchval("SELECT nextval('clearance_number_seq')")
    return value


async def reassessments(connection: asyncpg.Connection, assessment_id: uuid.UUID) -> list[Reassessment]:
    rows = await connection.fetch(
        "SELECT * FROM reassessment WHERE assessment_id = $1 ORDER BY sequence", assessment_id
    )
    return typed_all(Reassessment, rows)


async def insert_reassessment(
    connection: asyncpg.Connection,
    before: Assessment,
    request: pb.ReassessDeedTaxRequest,
    tax_fen_after: int,
    at: dt.datetime,
) -> None:
    """Records the reassessment of `before` as the next of its assessment."""
    await connection.execute(
        "INSERT INTO reassessment (assessment_id, sequence, gross_area_dm2, price_ex_vat_fen, tax_fen_before,"
        " tax_fen_after, reason, reassess_time)"
        " SELECT $1, coalesce(max(sequence), 0) + 1, $2, $3, $4, $5, $6, $7 FROM reassessment"
        " WHERE assessment_id = $1",
        before.id,
        request.gross_area_dm2,
        request.price_ex_vat_fen,
        before.tax_fen,
        tax_fen_after,
        request.reason,
        at,
    )
