"""Which database failures mean "PostgreSQL is not reachable right now" (restarting, crashed, a
cut connection), so callers hear UNAVAILABLE and retry with the same request id, instead of an
INTERNAL error for what is no fault of theirs."""

from __future__ import annotations

import asyncpg


class DatabaseUnavailable(Exception):
    """PostgreSQL could not be reached, or dropped the connection in the middle of a transaction,
    so whether it committed is not known; a retry with the same request id settles it."""


# DatabaseUnavailable (from Database.transaction), connection exceptions (class 08), the server
# starting or shutting down (57P01-57P03), and the socket itself refusing or dropping (not every
# OSError: a missing file is a bug, not an outage).
DATABASE_UNAVAILABLE: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    ConnectionError,
    DatabaseUnavailable,
)


def database_unavailable(exc: BaseException) -> bool:
    return isinstance(exc, DATABASE_UNAVAILABLE)


# PostgreSQL broke a lock cycle (a deadlock) or a serialization conflict by aborting this
# transaction: nothing of it was committed, and the same request again may well succeed.
LOST_RACE: tuple[type[BaseException], ...] = (asyncpg.DeadlockDetectedError, asyncpg.SerializationError)


def lost_race(exc: BaseException) -> bool:
    return isinstance(exc, LOST_RACE)
