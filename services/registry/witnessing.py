"""The registry's side of c2sp.org/tlog-witness: each book's checkpoint submitted to the configured
witnesses with a consistency proof from the size each last cosigned, their cosignatures checked
and kept, and a fork or rollback a witness reports raised as an alarm (log line, metric, and a row
clerks read with the book). A document is sealed only on a checkpoint a quorum has cosigned.

Never called inside a transaction: each witness's answer is recorded in a transaction of its
own, after the call (the book's checkpoint was committed before it)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp
import asyncpg

from deedflow.type.v1.reasons import Reason
from services.registry import log
from services.registry.books import Books, SignedCheckpoint
from services.registry.config import RegistrySettings
from shared.cosignature import (
    AddCheckpoint,
    Cosigner,
    MalformedRequest,
    parse_cosigner_key,
    parse_size_reply,
    verify_cosignatures,
)
from shared.db import Database
from shared.errors import Unavailable
from shared.signed_note import MalformedNote, split

logger = logging.getLogger("deedflow.registry.witnesses")

FORK, ROLLBACK, REFUSED = "FORK", "ROLLBACK", "REFUSED"
# Tries at one witness for one checkpoint: the size it is believed to hold, then the sizes it
# says it holds as other replicas move it on.
ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class Witness:
    url: str
    cosigner: Cosigner


@dataclass(frozen=True, slots=True)
class Witnessed:
    """A checkpoint as documents carry it: the book's note with the cosignatures kept for it."""

    checkpoint: SignedCheckpoint
    note: str


class Witnesses:
    def __init__(
        self,
        settings: RegistrySettings,
        database: Database,
        books: Books,
        tls: ssl.SSLContext,
        alarmed: Callable[[str, str], None] = lambda authority, kind: None,
    ) -> None:
        self.witnesses = [Witness(w.url.rstrip("/"), parse_cosigner_key(w.key)) for w in settings.witnesses]
        if not 0 <= settings.witness_quorum <= len(self.witnesses):
            raise ValueError(f"a quorum of {settings.witness_quorum} of {len(self.witnesses)} witnesses")
        self.quorum = settings.witness_quorum
        self.timeout = aiohttp.ClientTimeout(total=settings.witness_timeout_seconds)
        self.database = database
        self.books = books
        self._tls = tls
        self._alarmed = alarmed
        self._session: aiohttp.ClientSession | None = None
        # One round of submissions per book at a time: the witnesses' record is a chain of sizes.
        self._rounds: dict[str, asyncio.Lock] = {}

    def _client(self) -> aiohttp.ClientSession:
        # Made on first use, inside the loop that serves: keep-alive connections, as the spec asks.
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(ssl=self._tls), timeout=self.timeout
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def covering(self, authority: str, size: int) -> Witnessed:
        """A checkpoint of at least `size` leaves that a quorum of witnesses has cosigned: the
        latest already so, or the book's latest, signed now and submitted to each witness that
        has not cosigned it. UNAVAILABLE (WITNESS_QUORUM_NOT_MET) below quorum."""
        async with self._rounds.setdefault(authority, asyncio.Lock()):
            async with self.database.transaction() as connection:
                found = await self._latest_cosigned(connection, authority, size)
                if found is None:
                    checkpoint = await self.books.checkpoint(connection, authority)
            if found is not None:
                return found
            note = self.books.keys.note(checkpoint)
            async with self.database.transaction() as connection:
                have = await self._lines(connection, authority, checkpoint.tree_size)
            missing = [w for w in self.witnesses if w.cosigner.name not in have]
            answers = await asyncio.gather(*(self._submit(w, checkpoint, note) for w in missing))
            lines = [*have.values(), *(line for line in answers if line)]
            if len(lines) < self.quorum:
                raise Unavailable(
                    Reason.WITNESS_QUORUM_NOT_MET,
                    f"{len(lines)} of the {self.quorum} witness cosignatures needed for the book of"
                    f" {authority}; documents are sealed once enough witnesses answer",
                    {"authority": authority, "cosigned": str(len(lines)), "quorum": str(self.quorum)},
                )
            return Witnessed(checkpoint, note + "".join(lines))

    async def _latest_cosigned(
        self, connection: asyncpg.Connection, authority: str, size: int
    ) -> Witnessed | None:
        """The latest checkpoint of at least `size` leaves with a quorum of cosignatures kept."""
        row = await connection.fetchrow(
            "SELECT tree_size FROM cosignature WHERE authority = $1 AND tree_size >= $2"
            " GROUP BY tree_size HAVING count(*) >= $3 ORDER BY tree_size DESC LIMIT 1",
            authority,
            size,
            max(self.quorum, 1),
        )
        if row is None:
            return None
        checkpoint = await self.books.signed_at(connection, authority, row["tree_size"])
        lines = await self._lines(connection, authority, checkpoint.tree_size)
        return Witnessed(checkpoint, self.books.keys.note(checkpoint) + "".join(lines.values()))

    async def _lines(self, connection: asyncpg.Connection, authority: str, size: int) -> dict[str, str]:
        rows = await connection.fetch(
            "SELECT witness, line FROM cosignature WHERE authority = $1 AND tree_size = $2 ORDER BY witness",
            authority,
            size,
        )
        return {r["witness"]: r["line"] for r in rows}

    async def _submit(self, witness: Witness, checkpoint: SignedCheckpoint, note: str) -> str | None:
        """One witness's cosignature line of the checkpoint, kept; None if it gives none."""
        authority, size = checkpoint.authority, checkpoint.tree_size
        name = witness.cosigner.name
        async with self.database.transaction() as connection:
            old = await connection.fetchval(
                "SELECT tree_size FROM witnessed WHERE witness = $1 AND authority = $2", name, authority
            )
        old = old or 0
        # From the size we believe the witness holds, then from the size it says it holds: another
        # replica of the registry may have moved it on meanwhile.
        status, body = 0, b""
        for _ in range(ATTEMPTS):
            if old > size:
                await self._ahead(witness, authority, old, size)
                return None
            proof = await self._proof(authority, old, size) if 0 < old < size else []
            try:
                status, body = await self._post(witness, AddCheckpoint(old, proof, note.encode()).body())
            except (aiohttp.ClientError, TimeoutError) as exc:
                logger.warning("witness unavailable", extra={"fields": {"witness": name, "error": repr(exc)}})
                return None
            if status == 200:
                return await self._kept(witness, checkpoint, note, body)
            if status == 409:
                try:
                    theirs = parse_size_reply(body)
                except MalformedRequest:
                    break
                if theirs == old:
                    await self._alarm(
                        authority, name, FORK, f"the witness cosigned another root at size {old}"
                    )
                    return None
                old = theirs
                continue
            if status == 422:
                await self._alarm(
                    authority, name, FORK, f"no consistency from the {old} leaves the witness cosigned"
                )
                return None
            break
        else:
            logger.warning(
                "witness moved on meanwhile", extra={"fields": {"witness": name, "authority": authority}}
            )
            return None
        await self._alarm(authority, name, REFUSED, f"the witness answered {status}: {body[:200]!r}")
        return None

    async def _ahead(self, witness: Witness, authority: str, theirs: int, size: int) -> None:
        """The witness holds more than this checkpoint: a newer one of the book (another replica
        signed it), or more than the book now has, which only a book gone back explains."""
        async with self.database.transaction() as connection:
            now = await log.size(connection, authority)
        if theirs > now:
            await self._alarm(
                authority,
                witness.cosigner.name,
                ROLLBACK,
                f"the witness cosigned {theirs} leaves; the book has {now}",
            )
        else:
            logger.info(
                "witness holds a newer checkpoint",
                extra={"fields": {"witness": witness.cosigner.name, "authority": authority, "size": size}},
            )

    async def _post(self, witness: Witness, body: bytes) -> tuple[int, bytes]:
        async with self._client().post(f"{witness.url}/add-checkpoint", data=body) as reply:
            return reply.status, await reply.content.read(4096)

    async def _proof(self, authority: str, old: int, size: int) -> list[bytes]:
        async with self.database.transaction() as connection:
            return await self.books.consistency(connection, authority, old, size)

    async def _kept(
        self, witness: Witness, checkpoint: SignedCheckpoint, note: str, body: bytes
    ) -> str | None:
        """The witness's line that cosigns the checkpoint, recorded with the size it now holds."""
        name = witness.cosigner.name
        text, _ = split(note.encode())
        for line in body.decode("utf-8", errors="replace").splitlines(keepends=True):
            try:
                verified = verify_cosignatures(
                    text, split(note.encode() + line.encode())[1], [witness.cosigner]
                )
            except MalformedNote:
                continue
            if verified:
                await self._record(checkpoint, name, line, verified[0].timestamp)
                return line
        await self._alarm(
            checkpoint.authority, name, REFUSED, "the witness's answer holds no valid cosignature"
        )
        return None

    async def _record(self, checkpoint: SignedCheckpoint, name: str, line: str, timestamp: int) -> None:
        async with self.database.transaction() as connection:
            await connection.execute(
                "INSERT INTO cosignature (authority, tree_size, witness, line, cosigned_time)"
                " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                checkpoint.authority,
                checkpoint.tree_size,
                name,
                line,
                dt.datetime.fromtimestamp(timestamp, dt.UTC),
            )
            await connection.execute(
                "INSERT INTO witnessed (witness, authority, tree_size) VALUES ($1, $2, $3)"
                " ON CONFLICT (witness, authority) DO UPDATE"
                " SET tree_size = greatest(witnessed.tree_size, excluded.tree_size)",
                name,
                checkpoint.authority,
                checkpoint.tree_size,
            )

    async def _alarm(self, authority: str, witness: str, kind: str, detail: str) -> None:
        """A witness's refusal raised where people look, once a finding: the book's alarms (which
        clerks read with the book), the log and the metric."""
        async with self.database.transaction() as connection:
            new = await connection.fetchval(
                "INSERT INTO witness_alarm (authority, witness, kind, detail, raised_time)"
                " VALUES ($1, $2, $3, $4, now()) ON CONFLICT DO NOTHING RETURNING true",
                authority,
                witness,
                kind,
                detail,
            )
        if new:
            fields = {"authority": authority, "witness": witness, "kind": kind, "detail": detail}
            logger.error("witness alarm", extra={"fields": fields})
            self._alarmed(authority, kind)
