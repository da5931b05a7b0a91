"""How a service's use cases run: a change once per request id, in one transaction, at one time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
from google.protobuf.message import Message

from shared.auth import caller
from shared.clock import Clock
from shared.db import Database
from shared.idempotency import IdempotencyKey, run_idempotent

ResponseT = TypeVar("ResponseT", bound=Message)
ResultT = TypeVar("ResultT")


class Transactions:
    def __init__(self, database: Database, clock: Clock, grpc_service: str) -> None:
        self.database = database
        self.clock = clock
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
        )

    async def read(self, work: Callable[[asyncpg.Connection], Awaitable[ResultT]]) -> ResultT:
        async with self.database.transaction() as connection:
            return await work(connection)
