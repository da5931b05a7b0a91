"""The registry signs checkpoints by itself (every N leaves or T seconds, whichever comes first),
checking each time that the book still hashes to the last one it signed, and audits its own
book a slice at a time (Book.audit_step)."""

from __future__ import annotations

import asyncio
import logging

from services.registry import log
from services.registry.config import RegistrySettings
from services.registry.service import Book
from shared.errors import DataLoss

logger = logging.getLogger("deedflow.registry.checkpointer")

# How often the book's size is looked at (one indexed query).
POLL_SECONDS = 0.5


async def sign_when_due(book: Book, settings: RegistrySettings) -> None:
    """Runs for the life of the registry."""
    waited = 0.0
    while True:
        await asyncio.sleep(POLL_SECONDS)
        waited += POLL_SECONDS
        try:
            async with book.tx.database.transaction() as connection:
                size = await log.size(connection)
                signed = await connection.fetchval("SELECT coalesce(max(tree_size), 0) FROM checkpoint")
                unsigned = size - signed
                if unsigned and (
                    unsigned >= settings.checkpoint_every_leaves
                    or waited >= settings.checkpoint_every_seconds
                ):
                    await book.checkpoint(connection)
                    waited = 0.0
                elif not unsigned:
                    waited = 0.0
            async with book.tx.database.transaction() as connection:
                await book.audit_step(connection, settings.audit_leaves_per_tick)
        except DataLoss as exc:
            # The book no longer matches what was signed: said loudly, and again until mended.
            logger.error(
                "the book does not match its signed checkpoint", extra={"fields": {"error": str(exc)}}
            )
        except Exception as exc:
            # A database outage must not end the checkpointer; it tries again next round.
            logger.warning("checkpoint not signed", extra={"fields": {"error": repr(exc)}})
