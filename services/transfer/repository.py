"""SQL for first registrations, transfers and certificates. Never commits."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg

from services.transfer.records import CertificateOfTransfer, FirstRegistration, SiteInspection, Transfer
from shared.records import typed, typed_all, typed_or_none
from shared.sql import insert_row, one_row


async def insert(connection: asyncpg.Connection, table: str, row: dict[str, Any]) -> None:
    """Raises asyncpg.UniqueViolationError on a live duplicate."""
    await insert_row(connection, table, row)


async def first_registration(
    connection: asyncpg.Connection, building_number: str, lock: bool = False
) -> FirstRegistration | None:
    suffix = " FOR UPDATE" if lock else ""
    row = await connection.fetchrow(
        f"SELECT * FROM first_registration WHERE building_number = $1{suffix}", building_number
    )
    return typed_or_none(FirstRegistration, row)


async def transfer(
    connection: asyncpg.Connection, transfer_id: uuid.UUID, lock: bool = False
) -> Transfer | None:
    suffix = " FOR UPDATE" if lock else ""
    row = await connection.fetchrow(f"SELECT * FROM transfer WHERE id = $1{suffix}", transfer_id)
    return typed_or_none(Transfer, row)


async def update_first_registration(
    connection: asyncpg.Connection, building_number: str, at: dt.datetime, **columns: Any
) -> None:
    assignments = "".join(f", {name} = ${i}" for i, name in enumerate(columns, start=3))
    await connection.execute(
        f"UPDATE first_registration SET update_time = $2{assignments} WHERE building_number = $1",
        building_number,
        at,
        *columns.values(),
    )


async def update_transfer(
    connection: asyncpg.Connection, transfer_id: uuid.UUID, at: dt.datetime, **columns: Any
) -> None:
    assignments = "".join(f", {name} = ${i}" for i, name in enumerate(columns, start=3))
    await connection.execute(
        f"UPDATE transfer SET update_time = $2{assignments} WHERE id = $1", transfer_id, at, *columns.values()
    )


async def certificate(connection: asyncpg.Connection, number: str) -> CertificateOfTransfer | None:
    """The certificate with the seller's application of its transfer (for who may see it)."""
    row = await connection.fetchrow(
        "SELECT c.*, t.application FROM certificate c JOIN transfer t ON t.id = c.transfer_id"
        " WHERE c.certificate_number = $1",
        number,
    )
    return typed_or_none(CertificateOfTransfer, row)


async def release_certificates(
    connection: asyncpg.Connection, transfer_id: uuid.UUID, at: dt.datetime
) -> list[CertificateOfTransfer]:
    """Marks the transfer's certificates released at `at` (the first release stands); them all."""
    rows = await connection.fetch(
        "WITH released AS (UPDATE certificate SET release_time = coalesce(release_time, $2)"
        " WHERE transfer_id = $1 RETURNING *)"
        " SELECT r.*, t.application FROM released r JOIN transfer t ON t.id = r.transfer_id"
        " ORDER BY r.certificate_number",
        transfer_id,
        at,
    )
    return typed_all(CertificateOfTransfer, rows)


async def certificates_of(
    connection: asyncpg.Connection, unit_number: str, after: str, limit: int
) -> list[CertificateOfTransfer]:
    rows = await connection.fetch(
        "SELECT c.*, t.application FROM certificate c JOIN transfer t ON t.id = c.transfer_id"
        " WHERE c.unit_number = $1 AND ($2 = '' OR c.certificate_number > $2)"
        " ORDER BY c.certificate_number LIMIT $3",
        unit_number,
        after,
        limit,
    )
    return typed_all(CertificateOfTransfer, rows)


async def add_site_inspection(
    connection: asyncpg.Connection,
    building_number: str,
    outcome: str,
    findings: str,
    inspector: str,
    at: dt.datetime,
) -> SiteInspection:
    """Appends an inspection after the building's others; a lock per building lets two clerks'
    inspections of one building take consecutive numbers."""
    await connection.execute(
        "SELECT pg_advisory_xact_lock(hashtext('site_inspection/' || $1))", building_number
    )
    row = await one_row(
        connection,
        "INSERT INTO site_inspection (building_number, sequence, outcome, findings, inspector, inspect_time)"
        " SELECT $1, coalesce(max(sequence), 0) + 1, $2, $3, $4, $5 FROM site_inspection"
        " WHERE building_number = $1 RETURNING *",
        building_number,
        outcome,
        findings,
        inspector,
        at,
    )
    return typed(SiteInspection, row)


async def latest_site_inspection(
    connection: asyncpg.Connection, building_number: str
) -> SiteInspection | None:
    row = await connection.fetchrow(
        "SELECT * FROM site_inspection WHERE building_number = $1 ORDER BY sequence DESC LIMIT 1",
        building_number,
    )
    return typed_or_none(SiteInspection, row)
