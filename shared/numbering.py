"""The numbers cases and documents carry: one counter per kind, per registration authority and
year, advanced in the transaction that stores what the number names. A number is never handed
out twice, and nothing downstream sees one before it is stored."""

from __future__ import annotations

import asyncpg

# The registration authority (区县不动产登记机构) named on proofs and certificates, by the
# county code that heads the unit number.
DISTRICTS = {
    "500101": "万州区",
    "500103": "渝中区",
    "500104": "大渡口区",
    "500105": "江北区",
    "500106": "沙坪坝区",
    "500107": "九龙坡区",
    "500108": "南岸区",
    "500109": "北碚区",
    "500112": "渝北区",
    "500113": "巴南区",
}


def authority_of(unit_or_building_number: str) -> str:
    """The registration authority's county code: the first six digits of a unit or building."""
    return unit_or_building_number[:6]


def district_of(unit_or_building_number: str) -> str:
    return DISTRICTS.get(authority_of(unit_or_building_number), "重庆市")


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
