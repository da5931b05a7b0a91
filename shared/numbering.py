"""The numbers cases and documents carry: one counter per kind, per registration authority and
year, advanced in the transaction that stores what the number names. A number is never handed
out twice, and nothing downstream sees one before it is stored."""

from __future__ import annotations

import asyncpg

from shared.districts import district_of


async def allocate(
    connection: asyncpg.Connection, kind: str, authority: str, year: int, count: int = 1
) -> list[int]:
    """The next `count` serials of (kind, authority, year), in the caller's transaction; the
    counter's row lock orders concurrent allocations and a rollback returns the numbers."""
    last = await connection.fetchval(
        "INSERT INTO number_counter (kind, authority, year, last) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (kind, authority, year) DO UPDATE SET last = number_counter.last + EXCLUDED.last"
        " RETURNING last",
        kind,
        authority,
        year,
        count,
    )
    return list(range(last - count + 1, last + 1))


def case_number(prefix: str, authority: str, year: int, serial: int) -> str:
    """A registry case (业务号): office prefix, authority, year, serial, e.g. ZY50011220260000042."""
    return f"{prefix}{authority}{year}{serial:07d}"


def proof_number(year: int, unit_number: str, serial: int) -> str:
    """不动产登记证明 number: 渝(2026)渝北区不动产证明第0000123号."""
    return f"渝({year}){district_of(unit_number)}不动产证明第{serial:07d}号"


def certificate_number(year: int, unit_number: str, serial: int) -> str:
    """不动产权证书 number: 渝(2026)渝北区不动产权第0012345号."""
    return f"渝({year}){district_of(unit_number)}不动产权第{serial:07d}号"
