"""What the chaos tests check in the book after a crash: each unit's entries, each exactly once."""

from __future__ import annotations

import asyncpg

from shared.db import plain_url

# A unit bought with a loan, to the certificate: the buyers' pre-registration, the bank's
# pre-mortgage and the mortgage it became, the developer's ownership and then the buyers'.
ONE_PURCHASE_WITH_A_LOAN = {"PREREGISTRATION": 1, "PREMORTGAGE": 1, "MORTGAGE": 1, "OWNERSHIP": 2}


async def entries_by_kind(database_url: str, units: list[str]) -> dict[str, dict[str, int]]:
    """unit -> entry kind -> how many entries of that kind the book holds."""
    connection = await asyncpg.connect(plain_url(database_url))
    try:
        rows = await connection.fetch(
            "SELECT unit_number, kind, count(*) AS n FROM registry.entry WHERE unit_number = ANY($1)"
            " GROUP BY unit_number, kind",
            units,
        )
    finally:
        await connection.close()
    found: dict[str, dict[str, int]] = {unit: {} for unit in units}
    for row in rows:
        found[row["unit_number"]][row["kind"]] = row["n"]
    return found
