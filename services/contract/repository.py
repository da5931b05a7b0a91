"""SQL for projects, units, contracts and signatures. Never commits."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg

from services.contract.records import Contract, ContractSignature, Project, UnitOnSale
from shared.records import typed, typed_all, typed_or_none
from shared.sql import one_row


async def insert_project(connection: asyncpg.Connection, row: Project) -> bool:
    """False if a project with that permit number exists already."""
    inserted = await connection.fetchval(
        """
        INSERT INTO project (presale_permit_number, display_name, developer_name, developer_uscc,
            permit_time, create_time)
        VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING true
        """,
        row.presale_permit_number,
        row.display_name,
        row.developer_name,
        row.developer_uscc,
        row.permit_time,
        row.create_time,
    )
    return bool(inserted)


async def insert_units(
    connection: asyncpg.Connection, permit: str, units: list[tuple[Any, ...]]
) -> list[str]:
    """Inserts (unit_number, building_number, room_label, area, residential); returns the unit
    numbers another project already covers."""
    taken = await connection.fetch(
        "SELECT unit_number FROM project_unit WHERE unit_number = ANY($1::text[])", [u[0] for u in units]
    )
    if taken:
        return [unit_number for (unit_number,) in taken]
    await connection.executemany(
        "INSERT INTO project_unit (unit_number, presale_permit_number, building_number, room_label,"
        " gross_area_dm2, residential) VALUES ($1, $2, $3, $4, $5, $6)",
        [(u[0], permit, *u[1:]) for u in units],
    )
    return []


async def project(connection: asyncpg.Connection, permit: str) -> Project | None:
    row = await connection.fetchrow("SELECT * FROM project WHERE presale_permit_number = $1", permit)
    return typed_or_none(Project, row)


async def project_buildings(connection: asyncpg.Connection, permit: str) -> list[str]:
    rows = await connection.fetch(
        "SELECT DISTINCT building_number FROM project_unit WHERE presale_permit_number = $1 ORDER BY 1",
        permit,
    )
    return [building for (building,) in rows]


_UNIT_WITH_CONTRACT = """
    SELECT u.*, c.id AS contract_id, c.state AS contract_state, p.developer_uscc
    FROM project_unit u
    JOIN project p USING (presale_permit_number)
    LEFT JOIN contract c ON c.unit_number = u.unit_number AND c.state <> 'CANCELLED'
"""


async def unit(connection: asyncpg.Connection, unit_number: str) -> UnitOnSale | None:
    row = await connection.fetchrow(_UNIT_WITH_CONTRACT + " WHERE u.unit_number = $1", unit_number)
    return typed_or_none(UnitOnSale, row)


async def units(
    connection: asyncpg.Connection, permit: str | None, building: str, sale_state: str, after: str, limit: int
) -> list[UnitOnSale]:
    """A page of a project's units (any project's when `permit` is None); `sale_state` ('' for
    any) is one of ON_SALE, CONTRACTING, CONTRACTED, TRANSFERRED as the contracts alone define it."""
    rows = await connection.fetch(
        "SELECT * FROM ("
        + _UNIT_WITH_CONTRACT
        + """) u
        WHERE ($1::text IS NULL OR u.presale_permit_number = $1)
          AND ($2 = '' OR u.building_number = $2) AND u.unit_number > $4
          AND ($3 = '' OR $3 = CASE
              WHEN u.contract_state IS NULL THEN 'ON_SALE'
              WHEN u.contract_state IN ('DRAFTED', 'SIGNED') THEN 'CONTRACTING'
              WHEN u.contract_state = 'FILED' THEN 'CONTRACTED'
              ELSE u.contract_state END)
        ORDER BY u.unit_number LIMIT $5
        """,
        permit,
        building,
        sale_state,
        after,
        limit,
    )
    return typed_all(UnitOnSale, rows)


async def insert_contract(
    connection: asyncpg.Connection,
    contract_id: uuid.UUID,
    unit_number: str,
    developer_uscc: str,
    canonical: bytes,
    digest: bytes,
    at: dt.datetime,
) -> None:
    """Raises asyncpg.UniqueViolationError when the unit already has a live contract."""
    await connection.execute(
        "INSERT INTO contract (id, unit_number, developer_uscc, state, canonical_bytes, digest, create_time,"
        " update_time) VALUES ($1, $2, $3, 'DRAFTED', $4, $5, $6, $6)",
        contract_id,
        unit_number,
        developer_uscc,
        canonical,
        digest,
        at,
    )


async def lock_contract(connection: asyncpg.Connection, contract_id: uuid.UUID) -> Contract | None:
    row = await connection.fetchrow("SELECT * FROM contract WHERE id = $1 FOR UPDATE", contract_id)
    return typed_or_none(Contract, row)


async def contract(connection: asyncpg.Connection, contract_id: uuid.UUID) -> Contract | None:
    row = await connection.fetchrow("SELECT * FROM contract WHERE id = $1", contract_id)
    return typed_or_none(Contract, row)


async def contract_developer(connection: asyncpg.Connection, contract_id: uuid.UUID) -> str | None:
    """The seller's USCC, or None when there is no such contract."""
    value: str | None = await connection.fetchval(
        "SELECT developer_uscc FROM contract WHERE id = $1", contract_id
    )
    return value


async def contracts(
    connection: asyncpg.Connection,
    permit: str,
    unit_number: str,
    state: str,
    after: uuid.UUID | None,
    limit: int,
) -> list[Contract]:
    rows = await connection.fetch(
        """
        SELECT c.* FROM contract c JOIN project_unit u USING (unit_number)
        WHERE ($1 = '' OR u.presale_permit_number = $1) AND ($2 = '' OR c.unit_number = $2)
          AND ($3 = '' OR c.state = $3) AND ($4::uuid IS NULL OR c.id > $4)
        ORDER BY c.id LIMIT $5
        """,
        permit,
        unit_number,
        state,
        after,
        limit,
    )
    return typed_all(Contract, rows)


async def signatures(connection: asyncpg.Connection, contract_id: uuid.UUID) -> list[ContractSignature]:
    rows = await connection.fetch(
        "SELECT * FROM contract_signature WHERE contract_id = $1 ORDER BY verify_time, signer", contract_id
    )
    return typed_all(ContractSignature, rows)


async def insert_signature(connection: asyncpg.Connection, row: ContractSignature) -> None:
    await connection.execute(
        """
        INSERT INTO contract_signature (contract_id, signer, algorithm, signature, certificate_pem,
            certificate_sha256, digest, sign_time, verify_time)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        """,
        row.contract_id,
        row.signer,
        row.algorithm,
        row.signature,
        row.certificate_pem,
        row.certificate_sha256,
        row.digest,
        row.sign_time,
        row.verify_time,
    )


async def set_state(
    connection: asyncpg.Connection, contract_id: uuid.UUID, state: str, at: dt.datetime, **columns: Any
) -> Contract:
    """The contract's new state (and columns); the row as updated."""
    assignments = "".join(f", {name} = ${i}" for i, name in enumerate(columns, start=4))
    row = await one_row(
        connection,
        f"UPDATE contract SET state = $2, update_time = $3{assignments} WHERE id = $1 RETURNING *",
        contract_id,
        state,
        at,
        *columns.values(),
    )
    return typed(Contract, row)


async def next_filing_serial(connection: asyncpg.Connection) -> int:
    value: int = await connection.fetchval("SELECT nextval('filing_number_seq')")
    return value
