"""The idempotency store: the first response to (caller, method, request_id) is kept in the same
transaction as the write it answers, and replayed for every retry of that request."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import asyncpg
from google.protobuf.message import Message

from shared.db import Database
from shared.errors import RequestIdReused

ResponseT = TypeVar("ResponseT", bound=Message)


@dataclass(frozen=True)
class IdempotencyKey:
    caller: str
    method: str
    request_id: str


def request_fingerprint(request: Message) -> bytes:
    """SHA-256 of the request's deterministic serialization: same payload, same fingerprint."""
    return hashlib.sha256(request.SerializeToString(deterministic=True)).digest()


async def claim(connection: asyncpg.Connection, key: IdempotencyKey, fingerprint: bytes) -> bytes | None:
    """Claims the key for this transaction, or returns the stored response of an earlier one.

    A concurrent duplicate blocks on the primary key until the first transaction ends; then it
    sees the committed record (and replays it) or, if the first rolled back, claims the key.
    """
    inserted = await connection.fetchval(
        """
        INSERT INTO idempotency_record (caller, method, request_id, request_sha256)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT DO NOTHING
        RETURNING true
        """,
        key.caller,
        key.method,
        uuid.UUID(key.request_id),
        fingerprint,
    )
    if inserted:
        return None
    row = await connection.fetchrow(
        "SELECT request_sha256, response FROM idempotency_record"
        " WHERE caller = $1 AND method = $2 AND request_id = $3",
        key.caller,
        key.method,
        uuid.UUID(key.request_id),
    )
    if row["request_sha256"] != fingerprint:
        raise RequestIdReused(key.method)
    return row["response"]


async def record(connection: asyncpg.Connection, key: IdempotencyKey, response: bytes) -> None:
    await connection.execute(
        "UPDATE idempotency_record SET response = $4 WHERE caller = $1 AND method = $2 AND request_id = $3",
        key.caller,
        key.method,
        uuid.UUID(key.request_id),
        response,
    )


async def run_idempotent(
    database: Database,
    key: IdempotencyKey,
    request: Message,
    response_type: type[ResponseT],
    work: Callable[[asyncpg.Connection], Awaitable[ResponseT]],
) -> ResponseT:
    """Runs `work` in a transaction once per key; a retry gets the identical first response.

    A failing `work` rolls back its claim too, so a refused request leaves nothing behind and
    may be retried after its cause is removed.
    """
    fingerprint = request_fingerprint(request)
    async with database.transaction() as connection:
        stored = await claim(connection, key, fingerprint)
        if stored is not None:
            return response_type.FromString(stored)
        response = await work(connection)
        await record(connection, key, response.SerializeToString(deterministic=True))
        return response
