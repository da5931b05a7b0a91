"""The idempotency store: the first answer to (caller, method, request_id) is kept and given again
to every retry of that request, byte for byte.

A write done in one transaction stores its response in that transaction. Work that spans
services (shared/journal.py) claims the key when it commits its intent, so a committed claim
without an answer means "in flight": a retry joins that operation instead of starting another.
A request refused before it changed anything leaves no record, so it may be retried once its
cause is removed; a refusal the journal recorded (a case refused after it was lodged) is an
answer like any other and is given again.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import asyncpg
from google.protobuf.message import Message
from google.rpc import status_pb2

from shared.db import Database
from shared.errors import AnsweredBefore, RequestIdReused

ResponseT = TypeVar("ResponseT", bound=Message)
_NAMESPACE = uuid.UUID("58a1f0d2-6c3e-4b7a-9e15-2d4c8b6a0f93")
# What a lookup reads through: a connection, or the pool when no transaction is needed.
Executor = asyncpg.Connection | asyncpg.Pool


@dataclass(frozen=True)
class IdempotencyKey:
    caller: str
    method: str
    request_id: str


def operation_id(key: IdempotencyKey) -> uuid.UUID:
    """The journal operation that answers this key, if the request spans services."""
    return uuid.uuid5(_NAMESPACE, f"{key.caller}\n{key.method}\n{key.request_id}")


def request_fingerprint(request: Message) -> bytes:
    """SHA-256 of the request's deterministic serialization: same payload, same fingerprint."""
    return hashlib.sha256(request.SerializeToString(deterministic=True)).digest()


@dataclass(frozen=True)
class Answer:
    """A stored answer: the response's bytes, or the status of a recorded refusal."""

    response: bytes | None
    status: bytes | None

    def replay(self) -> bytes:
        """The response bytes, or the recorded refusal raised again."""
        if self.status is not None:
            raise AnsweredBefore(status_pb2.Status.FromString(self.status))
        return self.response or b""


class InFlight:
    """The key is claimed by an operation that has not finished."""


IN_FLIGHT = InFlight()
Found = Answer | InFlight | None

_SELECT = (
    "SELECT request_sha256, response, status FROM idempotency_record"
    " WHERE caller = $1 AND method = $2 AND request_id = $3"
)


@dataclass(frozen=True)
class Stored:
    """What the store holds for a key (_SELECT's columns): the request's fingerprint, and the
    answer once there is one."""

    request_sha256: bytes
    response: bytes | None
    status: bytes | None


def _stored(row: asyncpg.Record | None) -> Stored | None:
    return None if row is None else Stored(*row)


def _found(stored: Stored | None, key: IdempotencyKey, fingerprint: bytes) -> Found:
    if stored is None:
        return None
    if stored.request_sha256 != fingerprint:
        raise RequestIdReused(key.method)
    if stored.response is None and stored.status is None:
        return IN_FLIGHT
    return Answer(stored.response, stored.status)


async def lookup(executor: Executor, key: IdempotencyKey, fingerprint: bytes) -> Found:
    """What is stored for the key, without claiming it (`executor`: a pool or a connection)."""
    row = await executor.fetchrow(_SELECT, key.caller, key.method, uuid.UUID(key.request_id))
    return _found(_stored(row), key, fingerprint)


async def claim(connection: asyncpg.Connection, key: IdempotencyKey, fingerprint: bytes) -> Found:
    """Claims the key for this transaction (None), or returns what an earlier one stored.

    A concurrent duplicate blocks on the primary key until the first transaction ends; then it
    sees the committed record or, if the first rolled back, claims the key.
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
    return _found(
        _stored(await connection.fetchrow(_SELECT, key.caller, key.method, uuid.UUID(key.request_id))),
        key,
        fingerprint,
    )


async def claim_many(
    connection: asyncpg.Connection, keys: list[IdempotencyKey], fingerprints: list[bytes]
) -> list[Found | RequestIdReused]:
    """`claim` for many keys of one caller and method in two statements, taken in request-id
    order (so two batches sharing keys wait on each other rather than deadlock); per key, what
    `claim` would return, or the RequestIdReused it would raise."""
    ids = [uuid.UUID(k.request_id) for k in keys]
    claimed = {
        request_id
        for (request_id,) in await connection.fetch(
            """
            INSERT INTO idempotency_record (caller, method, request_id, request_sha256)
            SELECT $1, $2, id, sha FROM unnest($3::uuid[], $4::bytea[]) AS k(id, sha) ORDER BY id
            ON CONFLICT DO NOTHING
            RETURNING request_id
            """,
            keys[0].caller,
            keys[0].method,
            ids,
            fingerprints,
        )
    }
    others = [i for i, request_id in enumerate(ids) if request_id not in claimed]
    found: list[Found | RequestIdReused] = [None] * len(keys)
    if others:
        looked = await lookup_many(connection, [keys[i] for i in others], [fingerprints[i] for i in others])
        for i, one in zip(others, looked, strict=True):
            found[i] = one
    return found


async def lookup_many(
    executor: Executor, keys: list[IdempotencyKey], fingerprints: list[bytes]
) -> list[Found | RequestIdReused]:
    """`lookup` for many keys of one caller and method, in one statement; per key what is stored,
    or the RequestIdReused its fingerprint earns."""
    if not keys:
        return []
    rows = {
        request_id: Stored(sha, response, status)
        for request_id, sha, response, status in await executor.fetch(
            "SELECT request_id, request_sha256, response, status FROM idempotency_record"
            " WHERE caller = $1 AND method = $2 AND request_id = ANY($3::uuid[])",
            keys[0].caller,
            keys[0].method,
            [uuid.UUID(k.request_id) for k in keys],
        )
    }
    found: list[Found | RequestIdReused] = []
    for key, fingerprint in zip(keys, fingerprints, strict=True):
        try:
            found.append(_found(rows.get(uuid.UUID(key.request_id)), key, fingerprint))
        except RequestIdReused as reused:
            found.append(reused)
    return found


async def record_many(
    connection: asyncpg.Connection, keys: list[IdempotencyKey], responses: list[bytes]
) -> None:
    """`record` for many claimed keys of one caller and method, in one statement."""
    if keys:
        await connection.execute(
            "UPDATE idempotency_record r SET response = a.response"
            " FROM unnest($3::uuid[], $4::bytea[]) AS a(request_id, response)"
            " WHERE r.caller = $1 AND r.method = $2 AND r.request_id = a.request_id",
            keys[0].caller,
            keys[0].method,
            [uuid.UUID(k.request_id) for k in keys],
            responses,
        )


async def unclaim_many(connection: asyncpg.Connection, keys: list[IdempotencyKey]) -> None:
    """Gives back keys claimed in this transaction whose requests were refused before they
    changed anything: as alone, a refusal leaves no record."""
    if keys:
        await connection.execute(
            "DELETE FROM idempotency_record"
            " WHERE caller = $1 AND method = $2 AND request_id = ANY($3::uuid[])",
            keys[0].caller,
            keys[0].method,
            [uuid.UUID(k.request_id) for k in keys],
        )


async def record(
    connection: asyncpg.Connection, key: IdempotencyKey, response: bytes | None, status: bytes | None = None
) -> None:
    """Stores the answer of a claimed key."""
    await connection.execute(
        "UPDATE idempotency_record SET response = $4, status = $5"
        " WHERE caller = $1 AND method = $2 AND request_id = $3",
        key.caller,
        key.method,
        uuid.UUID(key.request_id),
        response,
        status,
    )


async def store(
    connection: asyncpg.Connection, key: IdempotencyKey, fingerprint: bytes, response: bytes
) -> None:
    """Claims and answers a key at once (an answer assembled outside one transaction)."""
    await connection.execute(
        "INSERT INTO idempotency_record (caller, method, request_id, request_sha256, response)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        key.caller,
        key.method,
        uuid.UUID(key.request_id),
        fingerprint,
        response,
    )


def claim_answered(
    key: IdempotencyKey, fingerprint: bytes, response: bytes, first: int
) -> tuple[str, list[object]]:
    """For a change whose answer is known before it is written: the statement (to be a CTE of the
    change's own statement, its parameters numbered from `first`) that claims the key with the
    answer, returning a row only if it claimed it. The change, conditioned on that row, and the
    answer then commit in one statement: a retry finds the answer, a concurrent duplicate waits
    on the key and then finds it."""
    statement = (
        "INSERT INTO idempotency_record (caller, method, request_id, request_sha256, response)"
        f" VALUES (${first}, ${first + 1}, ${first + 2}, ${first + 3}, ${first + 4})"
        " ON CONFLICT DO NOTHING RETURNING 1"
    )
    return statement, [key.caller, key.method, uuid.UUID(key.request_id), fingerprint, response]


async def run_idempotent(
    database: Database,
    key: IdempotencyKey,
    request: Message,
    response_type: type[ResponseT],
    work: Callable[[asyncpg.Connection], Awaitable[ResponseT]],
    join: Callable[[uuid.UUID], Awaitable[bytes]] | None = None,
) -> ResponseT:
    """Runs `work` in a transaction once per key; a retry gets the identical first response.

    A failing `work` rolls back its claim too, so a refused request leaves nothing behind and
    may be retried after its cause is removed. A key an operation holds in flight is joined.
    """
    fingerprint = request_fingerprint(request)
    async with database.transaction() as connection:
        found = await claim(connection, key, fingerprint)
        if found is None:
            response = await work(connection)
            await record(connection, key, response.SerializeToString(deterministic=True))
            return response
    if isinstance(found, Answer):
        return response_type.FromString(found.replay())
    if join is None:
        raise RuntimeError(f"{key.method} is held by an operation and no journal can join it")
    return response_type.FromString(await join(operation_id(key)))
