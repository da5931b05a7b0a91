"""Erasing a holder's personal data from the book where the law allows (个人信息保护法 47, 删除权):
once every entry naming them is historic, each keeps in the holder's place the commitment its
leaf carries, so no leaf changes and every proof, checkpoint and document still verifies
(shared/commitments.py). Never commits."""

from __future__ import annotations

import datetime as dt

import asyncpg

from deedflow.type.v1.reasons import Reason
from services.registry import repository
from services.registry.domain import EntryState, entry_name
from services.registry.service import Book
from shared.commitments import erased, holder_commitment
from shared.errors import FailedPrecondition, NotFound
from shared.logging import mask_personal_ids


async def erase_holder(book: Book, connection: asyncpg.Connection, at: dt.datetime, holder: str) -> list[str]:
    """Erases `holder` from every entry naming them; the entries' names, in book order. Refused
    while one of them stands (HOLDER_STILL_OF_RECORD), or when one's leaf names them in the clear
    (ENTERED_BEFORE_COMMITMENTS). A rare clerk's act: it scans the entries rather than keep an
    index every append would pay for."""
    rows = await connection.fetch(
        "SELECT unit_number, sequence, holders, salt FROM entry WHERE $1 = ANY(holders)"
        " ORDER BY unit_number, sequence",
        holder,
    )
    if not rows:
        raise NotFound(f"no entry names {mask_personal_ids(holder)}")
    units = sorted({r["unit_number"] for r in rows})
    # The units locked as a case locks them: no case enters a right for the holder meanwhile.
    await repository.lock_units(connection, units)
    states = {
        (v.entry.unit_number, v.entry.sequence): v.state
        for view in await book.unit_views(connection, [(unit, at) for unit in units])
        if not isinstance(view, NotFound)
        for v in view.entries
    }
    for row in rows:
        name = entry_name(row["unit_number"], row["sequence"])
        if states[(row["unit_number"], row["sequence"])] is not EntryState.HISTORIC:
            raise FailedPrecondition(
                Reason.HOLDER_STILL_OF_RECORD,
                f"{name} names the holder and is not historic: it stands, so the book must name them",
                {"entry": name},
            )
        if row["salt"] is None:
            raise FailedPrecondition(
                Reason.ENTERED_BEFORE_COMMITMENTS,
                f"{name} was entered before leaves held commitments: its leaf names the holder",
                {"entry": name},
            )
    for row in rows:
        salt: bytes = row["salt"]
        kept = [
            erased(holder_commitment(salt, i, h)) if h == holder else h for i, h in enumerate(row["holders"])
        ]
        await connection.execute(
            "UPDATE entry SET holders = $3 WHERE unit_number = $1 AND sequence = $2",
            row["unit_number"],
            row["sequence"],
            kept,
        )
    return [entry_name(r["unit_number"], r["sequence"]) for r in rows]
