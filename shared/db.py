"""Database access: an asyncpg pool per service, confined to that service's own schema."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar, TypeVarTuple, cast
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from shared.context import holding_transaction_var
from shared.dbhealth import DATABASE_UNAVAILABLE, DatabaseUnavailable

__all__ = ["Database", "DatabaseUnavailable", "plain_url", "sqlalchemy_url", "with_database"]

T = TypeVar("T")
Args = TypeVarTuple("Args")


def plain_url(url: str) -> str:
    """postgresql://… for asyncpg, whatever driver suffix the URL carries."""
    parts = urlsplit(url)
    return urlunsplit(("postgresql", *parts[1:]))


def sqlalchemy_url(url: str) -> str:
    """postgresql+asyncpg://… for SQLAlchemy and Alembic."""
    parts = urlsplit(url)
    return urlunsplit(("postgresql+asyncpg", *parts[1:]))


def with_database(url: str, database: str) -> str:
    """The same server with another database name."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


def _lost(connection: asyncpg.Connection) -> bool:
    """Whether the connection is gone: closed, or already taken back by the pool because it broke
    (asyncpg then refuses every call on it, is_closed() included)."""
    try:
        return bool(connection.is_closed())
    except asyncpg.InterfaceError:
        return True


async def keep_session(connection: asyncpg.Connection) -> None:
    """What a connection needs on its way back to the pool: nothing beyond asyncpg's own rollback
    of a transaction left open. Our connections hold no session state (the schema is a startup
    parameter, locks are per transaction, LISTEN has its own connection), and asyncpg's default
    reset (UNLISTEN, RESET ALL, unlock all) cost one more round trip on every transaction."""


class Database:
    """A service's connection pool. Every connection's search_path is the service's schema, so
    a service cannot read another's tables by accident."""

    def __init__(self, pool: asyncpg.Pool, schema: str, url: str = "") -> None:
        self.pool = pool
        self.schema = schema
        # Kept for connections that live outside the pool (LISTEN).
        self.url = url

    @classmethod
    async def connect(cls, url: str, schema: str, min_size: int = 1, max_size: int = 8) -> Database:
        pool = await asyncpg.create_pool(
            plain_url(url),
            min_size=min_size,
            max_size=max_size,
            reset=keep_session,
            server_settings={"search_path": schema, "application_name": f"deedflow-{schema}"},
        )
        return cls(pool, schema, url)

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection, given back afterwards. When PostgreSQL cannot be reached, or drops
        the connection midway (a restart), this raises DatabaseUnavailable, so callers hear
        UNAVAILABLE and retry rather than INTERNAL."""
        try:
            connection = await self.pool.acquire()
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise DatabaseUnavailable(repr(exc)) from exc
        try:
            # The pool hands out a proxy that forwards every Connection method.
            yield cast(asyncpg.Connection, connection)
        except Exception as exc:
            if isinstance(exc, DATABASE_UNAVAILABLE) or _lost(cast(asyncpg.Connection, connection)):
                raise DatabaseUnavailable(repr(exc)) from exc
            raise
        finally:
            with contextlib.suppress(Exception):
                await self.pool.release(connection)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        """One connection in one transaction; commits on success, rolls back on any error."""
        async with self._connection() as connection:
            holding = holding_transaction_var.set(True)
            try:
                async with connection.transaction():
                    yield connection
            finally:
                holding_transaction_var.reset(holding)

    async def read(self, work: Callable[[asyncpg.Connection, *Args], Awaitable[T]], *args: *Args) -> T:
        """Statements outside any transaction (`work(connection, *args)`): a read needs no BEGIN
        and COMMIT around it, two round trips fewer. Errors as `transaction` maps them."""
        async with self._connection() as connection:
            return await work(connection, *args)

    async def close(self) -> None:
        await self.pool.close()
