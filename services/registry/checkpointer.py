"""The registry signs each book's checkpoints by itself (every N leaves or T seconds, whichever
comes first), checking each time that the book still hashes to the last one it signed, and
audits its books a slice at a time, one book per round in turn (Books.audit_step)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from services.registry.config import RegistrySettings
from services.registry.service import Book
from services.registry.witnessing import Witnesses
from shared.errors import DataLoss

logger = logging.getLogger("deedflow.registry.checkpointer")

# How often the books' sizes are looked at (one indexed query).
POLL_SECONDS = 0.5


async def sign_when_due(book: Book, settings: RegistrySettings, witnesses: Witnesses | None = None) -> None:
    """Runs for the life of the registry; each checkpoint it signs is submitted to the witnesses."""
    try:
        await _sign_when_due(book, settings, witnesses)
    finally:
        if witnesses is not None:
            await witnesses.close()


async def _sign_when_due(book: Book, settings: RegistrySettings, witnesses: Witnesses | None) -> None:
    waited: dict[str, float] = {}
    audits = 0
    while True:
        await asyncio.sleep(POLL_SECONDS)
        try:
            async with book.tx.database.transaction() as connection:
                summaries = await book.books.summaries(connection)
        except Exception as exc:
            # A database outage must not end the checkpointer; it tries again next round.
            logger.warning("books not read", extra={"fields": {"error": repr(exc)}})
            continue
        for summary in summaries:
            authority, unsigned = summary.authority, summary.size - summary.signed
            waited[authority] = waited.get(authority, 0.0) + POLL_SECONDS if unsigned else 0.0
            due = unsigned and (
                unsigned >= settings.checkpoint_every_leaves
                or waited[authority] >= settings.checkpoint_every_seconds
            )
            if due and await _guarded(authority, "checkpoint not signed", book, _sign):
                waited[authority] = 0.0
                if witnesses is not None:
                    await _guarded(
                        authority, "checkpoint not witnessed", book, _witness, witnesses, summary.size
                    )
        if summaries:
            # One book a round: the audit's pace is the register's, however many books it keeps.
            authority = summaries[audits % len(summaries)].authority
            audits += 1
            await _guarded(authority, "book not audited", book, _audit, settings.audit_leaves_per_tick)


async def _sign(book: Book, authority: str) -> None:
    async with book.tx.database.transaction() as connection:
        await book.books.checkpoint(connection, authority)


async def _witness(book: Book, authority: str, witnesses: Witnesses, size: int) -> None:
    await witnesses.covering(authority, size)


async def _audit(book: Book, authority: str, leaves: int) -> None:
    async with book.tx.database.transaction() as connection:
        await book.books.audit_step(connection, authority, leaves)


async def _guarded(
    authority: str, failure: str, book: Book, work: Callable[..., Awaitable[object]], *args: object
) -> bool:
    """Runs one book's work; what goes wrong with one book is logged and leaves the others be."""
    try:
        await work(book, authority, *args)
    except DataLoss as exc:
        # The book no longer matches what was signed: said loudly, and again until mended.
        logger.error(
            "the book does not match its signed checkpoint",
            extra={"fields": {"authority": authority, "error": str(exc)}},
        )
    except Exception as exc:
        logger.warning(failure, extra={"fields": {"authority": authority, "error": repr(exc)}})
    else:
        return True
    return False
