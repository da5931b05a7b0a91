"""How a service's use cases run: a change once per request id, in one transaction, at one time;
or, for work that spans services, as an operation of the journal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import asyncpg
from google.protobuf.message import Message

from shared.auth import caller
from shared.clock import Clock
from shared.db import Database
from shared.idempotency import IdempotencyKey, lookup, request_fingerprint, run_idempotent, store
from shared.journal import Begin, Journal

ResponseT = TypeVar("ResponseT", bound=Message)
ResultT = TypeVar("ResultT")


class Transactions:
    def __init__(self, journal: Journal, grpc_service: str) -> None:
        self.journal = journal
        self.database: Database = journal.database
        self.clock: Clock = journal.clock
        self.grpc_service = grpc_service

    def key(self, method: str, request_id: str) -> IdempotencyKey:
        """The idempotency key of the call being served: its caller, method and request id."""
        return IdempotencyKey(caller().uri, f"/{self.grpc_service}/{method}", request_id)

    async def write(
        self,
        method: str,
        request: Message,
        response_type: type[ResponseT],
        work: Callable[[asyncpg.Connection, dt.datetime], Awaitable[ResponseT]],
    ) -> ResponseT:
        """Runs `work` once per (caller, method, request_id); a retry gets the first response."""
        at = self.clock.now()
        return await run_idempotent(
            self.database,
            self.key(method, request.request_id),
            request,
            response_type,
            lambda connection: work(connection, at),
            self.journal.join,
        )

    async def operate(
        self,
        method: str,
        request: Message,
        kind: str,
        begin: Begin,
        remembered: dict[str, Sequence[Message]] | None = None,
    ) -> bytes:
        """Starts the journal operation `kind` for this request (or gives its recorded answer);
        the answer's bytes, exactly as stored and as every retry will get them. `remembered`:
        facts already read, kept as the operation's steps (Journal.start)."""
        return await self.journal.start(
            self.key(method, request.request_id), request, kind, begin, remembered
        )

    async def keep(self, method: str, request: Message, response: Message) -> bytes:
        """Stores an answer assembled from several transactions (a batch whose every part has
        its final answer), so the request's retries get it; the stored bytes, whoever won."""
        key = self.key(method, request.request_id)
        fingerprint = request_fingerprint(request)
        async with self.database.transaction() as connection:
            await store(connection, key, fingerprint, response.SerializeToString(deterministic=True))
            return (await lookup(connection, key, fingerprint)).replay()

    async def query(self, work: Callable[[asyncpg.Connection], Awaitable[ResultT]]) -> ResultT:
        """Pure reads (never a write, never a lock) without BEGIN and COMMIT around them: at READ
        COMMITTED a transaction gives its statements no common snapshot anyway. For the hot
        reads other offices make on every purchase."""
        return await self.database.read(work)

    async def read(self, work: Callable[[asyncpg.Connection], Awaitable[ResultT]]) -> ResultT:
        async with self.database.transaction() as connection:
            return await work(connection)
