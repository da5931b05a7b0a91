"""How a service's use cases run: a change once per request id, in one transaction, at one time;
or, for work that spans services, as an operation of the journal."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar, TypeVarTuple, cast

import asyncpg
from google.protobuf.message import Message

from shared.auth import caller
from shared.clock import Clock
from shared.db import Database
from shared.dbhealth import DatabaseUnavailable
from shared.errors import AnsweredBefore, DomainError, RequestIdReused
from shared.idempotency import (
    Answer,
    Found,
    IdempotencyKey,
    claim_many,
    lookup,
    lookup_many,
    record_many,
    request_fingerprint,
    run_idempotent,
    store,
    unclaim_many,
)
from shared.journal import Begin, Journal

log = logging.getLogger("deedflow.transactions")

ResponseT = TypeVar("ResponseT", bound=Message)
# A mutating RPC's request: a message with a request_id, a field no one proto type states.
Mutating = Any
ResultT = TypeVar("ResultT")
# The arguments a named unit of work takes after its connection (and time).
Args = TypeVarTuple("Args")
# One request's change in a transaction the caller opened, answering its response.
Work = Callable[[asyncpg.Connection, dt.datetime], Awaitable[Message]]
# The same, answering a response of a known type.
WorkOf = Callable[[asyncpg.Connection, dt.datetime], Awaitable[ResponseT]]
# Set-based work for many requests: per request, in order, its response or the error refusing it.
ManyWork = Callable[[asyncpg.Connection, dt.datetime, list[Any]], Awaitable[list[Message | DomainError]]]


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
        request: Mutating,
        response_type: type[ResponseT],
        work: Callable[[asyncpg.Connection, dt.datetime, *Args], Awaitable[ResponseT]],
        *args: *Args,
    ) -> ResponseT:
        """Runs `work(connection, at, *args)` once per (caller, method, request_id), in one
        transaction with the request's idempotency record; a retry gets the first response."""
        at = self.clock.now()
        return await run_idempotent(
            self.database,
            self.key(method, request.request_id),
            request,
            response_type,
            lambda connection: work(connection, at, *args),
            self.journal.join,
        )

    async def write_many(
        self,
        method: str,
        requests: Sequence[Mutating],
        response_type: type[ResponseT],
        work: ManyWork,
        alone: Callable[[Any], Awaitable[ResponseT]],
    ) -> list[ResponseT | DomainError]:
        """Each request answered as `write` answers it alone, the fresh ones in one transaction:
        every request id claimed in one statement, `work` done for the claimed set (per request,
        its response, or the DomainError refusing it having changed nothing), the answers stored
        in one statement and the refused requests' claims given back. A request answered before
        is given that answer; one held by an operation, or one the set-based `work` could not
        take (it raised, and rolled everything back), goes through `alone`."""
        at = self.clock.now()
        keys = [self.key(method, r.request_id) for r in requests]
        fingerprints = [request_fingerprint(r) for r in requests]
        try:
            async with self.database.transaction() as connection:
                found = await claim_many(connection, keys, fingerprints)
                fresh = [i for i, f in enumerate(found) if f is None]
                done = dict(zip(fresh, await work(connection, at, [requests[i] for i in fresh]), strict=True))
                refused = [i for i, r in done.items() if isinstance(r, DomainError)]
                answers = {i: r for i, r in done.items() if not isinstance(r, DomainError)}
                await record_many(
                    connection,
                    [keys[i] for i in answers],
                    [r.SerializeToString(deterministic=True) for r in answers.values()],
                )
                await unclaim_many(connection, [keys[i] for i in refused])
        except DatabaseUnavailable:
            raise
        except Exception:
            # One request the set could not take (a rule only the database enforces, a lost race)
            # must not refuse the others: each goes alone, with its own transaction.
            log.warning("a batch of %s went request by request", method, exc_info=True)
            found, done = [None] * len(requests), {}
        results: list[ResponseT | DomainError] = []
        for i, f in enumerate(found):
            result = done[i] if i in done else _answered(f, response_type)
            if result is None:
                try:
                    result = await alone(requests[i])
                except DomainError as refused_alone:
                    result = refused_alone
            results.append(cast(ResponseT | DomainError, result))
        return results

    async def write_together(
        self,
        method: str,
        requests: Sequence[Mutating],
        response_type: type[ResponseT],
        prepare: Callable[[Any], Awaitable[Work]],
        alone: Callable[[Any], Awaitable[ResponseT]],
    ) -> list[ResponseT | DomainError]:
        """Each request answered as `write` answers it alone, with one transaction for all: the
        answers already stored are looked up first (one statement) and given again; for each
        other request `prepare` makes its checks that need no transaction (another office may be
        asked) and returns its work, or raises the DomainError refusing it; then every work runs
        in write_many, each under a savepoint, so a request refused midway undoes only its own
        writes."""
        keys = [self.key(method, r.request_id) for r in requests]
        found = await lookup_many(self.database.pool, keys, [request_fingerprint(r) for r in requests])
        results: list[ResponseT | DomainError | None] = [_answered(f, response_type) for f in found]
        fresh = [i for i, r in enumerate(results) if r is None]
        prepared = await asyncio.gather(*(prepare(requests[i]) for i in fresh), return_exceptions=True)
        works: dict[str, Work] = {}
        for i, work in zip(fresh, prepared, strict=True):
            if isinstance(work, DomainError):
                results[i] = work
            elif isinstance(work, BaseException):
                raise work
            else:
                works[requests[i].request_id] = work
        taken = [i for i in fresh if requests[i].request_id in works]

        async def each(
            connection: asyncpg.Connection, at: dt.datetime, claimed: list[Mutating]
        ) -> list[Message | DomainError]:
            done: list[Message | DomainError] = []
            for request in claimed:
                try:
                    async with connection.transaction():
                        done.append(await works[request.request_id](connection, at))
                except DomainError as refused:
                    done.append(refused)
            return done

        if taken:
            written = await self.write_many(method, [requests[i] for i in taken], response_type, each, alone)
            for i, result in zip(taken, written, strict=True):
                results[i] = result
        # Every request is answered now: from the store, refused by `prepare`, or written.
        return all_answered(results)

    async def operate(
        self,
        method: str,
        request: Mutating,
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

    async def keep(self, method: str, request: Mutating, response: Message) -> bytes:
        """Stores an answer assembled from several transactions (a batch whose every part has
        its final answer), so the request's retries get it; the stored bytes, whoever won."""
        key = self.key(method, request.request_id)
        fingerprint = request_fingerprint(request)
        async with self.database.transaction() as connection:
            await store(connection, key, fingerprint, response.SerializeToString(deterministic=True))
            stored = await lookup(connection, key, fingerprint)
            if not isinstance(stored, Answer):
                raise RuntimeError(f"the answer to {key.request_id} was stored and is not found")
            return stored.replay()

    async def query(
        self,
        work: Callable[[asyncpg.Connection, *Args], Awaitable[ResultT]],
        *args: *Args,
    ) -> ResultT:
        """Pure reads, `work(connection, *args)` (never a write, never a lock), without BEGIN and
        COMMIT around them: at READ COMMITTED a transaction gives its statements no common
        snapshot anyway. For the hot reads other offices make on every purchase."""
        return await self.database.read(work, *args)

    async def read(
        self,
        work: Callable[[asyncpg.Connection, *Args], Awaitable[ResultT]],
        *args: *Args,
    ) -> ResultT:
        """`work(connection, *args)` in one read transaction (a lock it takes holds to the end)."""
        async with self.database.transaction() as connection:
            return await work(connection, *args)


def _answered(
    found: Found | RequestIdReused, response_type: type[ResponseT]
) -> ResponseT | DomainError | None:
    """What a request found stored gets: its response, its recorded refusal or REQUEST_ID_REUSED;
    None for a request to be worked (nothing stored, or an operation still under way)."""
    if isinstance(found, RequestIdReused):
        return found
    if isinstance(found, Answer):
        try:
            return response_type.FromString(found.replay())
        except AnsweredBefore as refused_before:
            return refused_before
    return None


def all_answered(results: Sequence[ResultT | None]) -> list[ResultT]:
    """The answers of a batch, in the order of its requests, once every one has its answer: one
    still missing is our bug, and must not shift the others onto the wrong requests."""
    missing = [i for i, r in enumerate(results) if r is None]
    if missing:
        raise RuntimeError(f"requests {missing} of a batch were left unanswered")
    return [r for r in results if r is not None]
