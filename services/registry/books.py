"""The register's books, one per registration authority (区县不动产登记机构, by the county code
heading the unit number): each a verifiable log (RFC 9162) with its own head, Merkle tree, signed
checkpoints and signing key. Appends, checkpoints, proofs and the registry's own audit, a book at
a time; one book's lock, tree or tampering never reaches another's. Never commits."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import asyncpg
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from deedflow.registry.v1 import document_pb2
from deedflow.type.v1.reasons import Reason
from services.registry import log, repository, tree
from services.registry.records import CheckpointRow
from shared import merkle, signed_note
from shared.checkpoint import book_origin, book_verifier_key, checkpoint_note, key_id, sign_checkpoint
from shared.clock import Clock
from shared.districts import DISTRICTS, authority_of
from shared.documents import BookKey
from shared.errors import DataLoss, FailedPrecondition, FieldViolation, InvalidArgument, NotFound
from shared.records import typed
from shared.timestamps import to_timestamp


@dataclass(frozen=True)
class SignedCheckpoint:
    authority: str
    tree_size: int
    root_hash: bytes
    time: dt.datetime
    signature: bytes
    key_id: bytes
    # The C2SP note signed with it (two signature lines at a key's rotation); None before
    # registry_0012, when it is made again from the checkpoint.
    note: str | None = None


@dataclass(frozen=True)
class BookSummary:
    """A book's authority, its size and the size its latest checkpoint signed."""

    authority: str
    size: int
    signed: int
    witness_alarms: int = 0


def _signed(row: asyncpg.Record) -> SignedCheckpoint:
    checkpoint = typed(CheckpointRow, row)
    return SignedCheckpoint(
        checkpoint.authority,
        checkpoint.tree_size,
        checkpoint.root_hash,
        checkpoint.checkpoint_time,
        checkpoint.signature,
        checkpoint.key_id,
        checkpoint.note,
    )


def checkpoint_message(checkpoint: SignedCheckpoint) -> document_pb2.Checkpoint:
    return document_pb2.Checkpoint(
        tree_size=checkpoint.tree_size,
        root_hash=checkpoint.root_hash,
        checkpoint_time=to_timestamp(checkpoint.time),
        signature=checkpoint.signature,
        key_id=checkpoint.key_id,
        authority=checkpoint.authority,
    )


def raw_public_key(key: ed25519.Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


class BookKeys:
    """Each book's signing keys: its current one (an authority's own where it has one, shared/pki.py,
    else the registry's) and those it rotated away from, which still seal documents on the
    checkpoints they signed. Read once per authority, again when the book's key changes."""

    def __init__(
        self,
        key_of: Callable[[str], ed25519.Ed25519PrivateKey],
        retired_of: Callable[[str], list[ed25519.Ed25519PrivateKey]] = lambda authority: [],
        take_up: Callable[[str, bytes], None] = lambda authority, named: None,
    ) -> None:
        self._key_of = key_of
        self._retired_of = retired_of
        self._take_up = take_up
        self._keys: dict[str, tuple[ed25519.Ed25519PrivateKey, bytes]] = {}
        self._by_id: dict[str, dict[bytes, ed25519.Ed25519PrivateKey]] = {}

    def _pair(self, authority: str) -> tuple[ed25519.Ed25519PrivateKey, bytes]:
        if authority not in self._keys:
            key = self._key_of(authority)
            self._keys[authority] = (key, raw_public_key(key))
            self._by_id[authority] = {
                key_id(raw_public_key(k)): k for k in (*self._retired_of(authority), key)
            }
        return self._keys[authority]

    def take_up(self, authority: str, named: bytes) -> None:
        """Signs with the key the book's history names current from now on (a rotation, by this
        process or another, or one interrupted before its key files moved)."""
        if key_id(self.public(authority)) == named:
            return
        self._take_up(authority, named)
        self._keys.pop(authority, None)
        self._by_id.pop(authority, None)
        if key_id(self.public(authority)) != named:
            raise DataLoss(
                Reason.LOG_TAMPERED,
                f"the book of {authority} names a key its registry does not hold ({named.hex()[:16]})",
                {"authority": authority},
            )

    def private(self, authority: str) -> ed25519.Ed25519PrivateKey:
        return self._pair(authority)[0]

    def signer_of(self, checkpoint: SignedCheckpoint) -> ed25519.Ed25519PrivateKey:
        """The key that signed the checkpoint, current or retired: what seals a document on it."""
        self._pair(checkpoint.authority)
        key = self._by_id[checkpoint.authority].get(checkpoint.key_id)
        if key is None:
            raise DataLoss(
                Reason.LOG_TAMPERED,
                f"no key of the book of {checkpoint.authority} signed its checkpoint at"
                f" {checkpoint.tree_size}",
                {"authority": checkpoint.authority, "tree_size": str(checkpoint.tree_size)},
            )
        return key

    def public(self, authority: str) -> bytes:
        """Raw Ed25519, 32 bytes."""
        return self._pair(authority)[1]

    def note(self, checkpoint: SignedCheckpoint) -> str:
        """The checkpoint as a C2SP signed note (shared/checkpoint.py): as stored with it, else
        made again with the key that signed it."""
        if checkpoint.note:
            return checkpoint.note
        return checkpoint_note(
            self.signer_of(checkpoint), checkpoint.authority, checkpoint.tree_size, checkpoint.root_hash
        )

    def verifier_key(self, authority: str) -> str:
        """The book's current key as a C2SP note verifier key."""
        return book_verifier_key(authority, self.public(authority))


@dataclass
class _AuditPass:
    """How far the registry's own audit has come through one book, and whether this pass found
    nothing changed so far."""

    audited: int = 0
    clean: bool = True


def no_book(authority: str) -> NotFound:
    return NotFound(f"the register keeps no book for {authority} ({DISTRICTS.get(authority, '?')}) yet")


class Books:
    """Every authority's book, as the registry's one process sees them."""

    def __init__(
        self,
        keys: BookKeys,
        clock: Clock,
        max_leaf_bytes: int,
        waited: Callable[[str, float], None] = lambda authority, seconds: None,
    ) -> None:
        self.keys = keys
        self.clock = clock
        self.max_leaf_bytes = max_leaf_bytes
        # Told how long each append waited for its book (the registry's metrics).
        self._waited = waited
        # What the registry's own audit (audit_step) found changed, by book.
        self.tampered: dict[str, DataLoss] = {}
        self._passes: dict[str, _AuditPass] = {}
        # Books this process has seen their stored tree cover (see appended).
        self._tree_current: set[str] = set()

    # Appending

    async def allocate(self, connection: asyncpg.Connection, authority: str, count: int) -> int:
        """`count` consecutive leaves of the authority's book, locked until commit; the first."""
        began = time.perf_counter()
        first = await repository.allocate_leaves(connection, authority, count)
        self._waited(authority, time.perf_counter() - began)
        return first

    async def appended(self, connection: asyncpg.Connection, authority: str, first: int, count: int) -> None:
        """Hashes leaves first..first+count-1, just written, into the book's tree; refuses the
        append (the caller rolls back) when one of them is over the size a leaf may have."""
        written = await log.leaves_as_entered(connection, authority, first + count, first)
        if authority not in self._tree_current:
            # A book written before its tree was kept (or split from the city-wide book) is
            # hashed in at its first append; each append since extends the tree in leaf order.
            # The book is known current only once an append finds it so: this transaction may
            # still roll back, and its hashing with it.
            if await tree.stored_size(connection, authority) < first:
                await tree.catch_up(connection, authority, first)
            else:
                self._tree_current.add(authority)
        await tree.extend(connection, authority, first, [merkle.leaf_hash(leaf) for leaf, _ in written])
        largest = max(size for _, size in written)
        if largest > self.max_leaf_bytes:
            # The book is append-only and audited whole: nothing oversized enters it, its
            # committed fields included.
            raise FailedPrecondition(
                Reason.ENTRY_TOO_LARGE,
                f"the entry would take {largest} bytes in the book; at most {self.max_leaf_bytes}",
                {"limit": str(self.max_leaf_bytes)},
            )

    # The verifiable log (RFC 9162)

    async def verify_rows(
        self, connection: asyncpg.Connection, authority: str, start: int, end: int
    ) -> list[bytes]:
        """Leaves start..end-1, encoded again from their rows, still hash as the tree stores them:
        a row changed after it was entered is found here (DATA_LOSS, LOG_TAMPERED). The leaves."""
        leaves = await log.leaves(connection, authority, end, start)
        stored = await tree.leaf_hashes(connection, authority, start, end)
        for offset, (leaf, kept) in enumerate(zip(leaves, stored, strict=True)):
            if merkle.leaf_hash(leaf) != kept:
                raise DataLoss(
                    Reason.LOG_TAMPERED,
                    f"leaf {start + offset} of the book of {authority} no longer matches the hash"
                    " entered with it",
                    {"leaf_index": str(start + offset), "authority": authority},
                )
        return leaves

    async def _tree_covers(self, connection: asyncpg.Connection, authority: str, size: int) -> None:
        """The stored tree covers the first `size` leaves: a book entered before the tree was kept
        with it is hashed in once, holding the book's row as an append does."""
        if await tree.stored_size(connection, authority) < size:
            await connection.execute("SELECT size FROM book WHERE authority = $1 FOR UPDATE", authority)
            await tree.catch_up(connection, authority, size)

    async def _holds(self, connection: asyncpg.Connection, checkpoint: SignedCheckpoint) -> None:
        """The stored tree still has the root the checkpoint signed (O(log n) nodes)."""
        if await tree.root(connection, checkpoint.authority, checkpoint.tree_size) != checkpoint.root_hash:
            raise DataLoss(
                Reason.LOG_TAMPERED,
                f"the first {checkpoint.tree_size} leaves of the book of {checkpoint.authority} no longer"
                " match their signed checkpoint",
                {"tree_size": str(checkpoint.tree_size), "authority": checkpoint.authority},
            )

    async def _stored(
        self, connection: asyncpg.Connection, authority: str, size: int
    ) -> SignedCheckpoint | None:
        row = await connection.fetchrow(
            "SELECT * FROM checkpoint WHERE authority = $1 AND tree_size = $2", authority, size
        )
        return _signed(row) if row else None

    async def checkpoint(self, connection: asyncpg.Connection, authority: str) -> SignedCheckpoint:
        """The signed checkpoint of the authority's book as it is now, signed once per tree size,
        and only over a book whose stored tree still has the last signed root and whose leaves
        since then still hash as entered: O(new leaves), not O(book) (docs/decisions.md 37)."""
        if authority in self.tampered:
            raise self.tampered[authority]
        tree_size = await log.size(connection, authority)
        if tree_size == 0:
            raise no_book(authority)
        await self._tree_covers(connection, authority, tree_size)
        signed = await self._stored(connection, authority, tree_size)
        if signed is not None:
            await self._holds(connection, signed)
            return signed
        previous = await connection.fetchrow(
            "SELECT * FROM checkpoint WHERE authority = $1 AND tree_size < $2"
            " ORDER BY tree_size DESC LIMIT 1",
            authority,
            tree_size,
        )
        if previous is not None:
            await self._holds(connection, _signed(previous))
        await self.verify_rows(connection, authority, previous["tree_size"] if previous else 0, tree_size)
        at = self.clock.now()
        tree_root = await tree.root(connection, authority, tree_size)
        named = await connection.fetchval(
            "SELECT key_id FROM book_key WHERE authority = $1 AND last_size IS NULL", authority
        )
        if named is not None:
            self.keys.take_up(authority, named)
        key = self.keys.private(authority)
        await connection.execute(
            "INSERT INTO checkpoint"
            " (authority, tree_size, root_hash, checkpoint_time, signature, key_id, note)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            authority,
            tree_size,
            tree_root,
            at,
            sign_checkpoint(key, authority, tree_size, tree_root, at),
            key_id(self.keys.public(authority)),
            checkpoint_note(key, authority, tree_size, tree_root),
        )
        signed = await self._stored(connection, authority, tree_size)
        assert signed is not None
        return signed

    async def signed_at(self, connection: asyncpg.Connection, authority: str, size: int) -> SignedCheckpoint:
        """The checkpoint signed at `size`, its root still the stored tree's."""
        signed = await self._stored(connection, authority, size)
        if signed is None:
            raise NotFound(f"no checkpoint of the book of {authority} at size {size}")
        await self._holds(connection, signed)
        return signed

    async def rotate(
        self, connection: asyncpg.Connection, authority: str, retiring: bytes, new: ed25519.Ed25519PrivateKey
    ) -> tuple[SignedCheckpoint, list[BookKey]]:
        """The book's key rotated at its size now: its checkpoint there (signed by the current key
        if it was not yet) gets the new key's signature beside the old one's in its note, the old
        key's range ends there and the new key's begins. The transition checkpoint and the book's
        keys over time. The new key signs from the next checkpoint on (take_up after commit)."""
        await connection.execute("SELECT size FROM book WHERE authority = $1 FOR UPDATE", authority)
        signed = await self.checkpoint(connection, authority)
        old, new_public = self.keys.public(authority), raw_public_key(new)
        if key_id(old) != retiring:
            raise FailedPrecondition(
                Reason.BOOK_KEY_NOT_CURRENT,
                f"the book of {authority} signs with key {key_id(old).hex()[:16]}, not {retiring.hex()[:16]}",
                {"authority": authority, "current_key_id": key_id(old).hex()},
            )
        note = self.keys.note(signed)
        text = note.split("\n\n", 1)[0] + "\n"
        transition = note + signed_note.sign(text, book_origin(authority), new)[len(text) + 1 :]
        await connection.execute(
            "UPDATE checkpoint SET note = $3 WHERE authority = $1 AND tree_size = $2",
            authority,
            signed.tree_size,
            transition,
        )
        ended = await connection.execute(
            "UPDATE book_key SET last_size = $2 WHERE authority = $1 AND last_size IS NULL",
            authority,
            signed.tree_size,
        )
        if ended == "UPDATE 0":
            await connection.execute(
                "INSERT INTO book_key VALUES ($1, $2, $3, 0, $4)",
                authority,
                key_id(old),
                old,
                signed.tree_size,
            )
        await connection.execute(
            "INSERT INTO book_key VALUES ($1, $2, $3, $4, NULL)",
            authority,
            key_id(new_public),
            new_public,
            signed.tree_size,
        )
        rows = await connection.fetch(
            "SELECT public_key, first_size, last_size FROM book_key WHERE authority = $1"
            " ORDER BY first_size, last_size NULLS LAST",
            authority,
        )
        history = [BookKey(bytes(r["public_key"]), r["first_size"], r["last_size"]) for r in rows]
        return replace(signed, note=transition), history

    async def checkpoints(
        self, connection: asyncpg.Connection, authority: str, after: int, limit: int
    ) -> list[SignedCheckpoint]:
        rows = await connection.fetch(
            "SELECT * FROM checkpoint WHERE authority = $1 AND tree_size > $2 ORDER BY tree_size LIMIT $3",
            authority,
            after,
            limit,
        )
        return [_signed(r) for r in rows]

    async def summaries(self, connection: asyncpg.Connection) -> list[BookSummary]:
        """Each book's authority, size and latest signed size, in code order: one index probe a
        book (the checkpointer asks twice a second, whatever the number of checkpoints)."""
        rows = await connection.fetch(
            "SELECT b.authority, b.size, coalesce((SELECT max(c.tree_size) FROM checkpoint c"
            " WHERE c.authority = b.authority), 0) AS signed,"
            " (SELECT count(*) FROM witness_alarm a WHERE a.authority = b.authority) AS alarms"
            " FROM book b ORDER BY b.authority"
        )
        return [BookSummary(*row) for row in rows]

    async def leaves_from(
        self, connection: asyncpg.Connection, authority: str, start: int, limit: int
    ) -> tuple[list[bytes], int]:
        """Up to `limit` leaves of the authority's book from index `start`, and the book's size."""
        size = await log.size(connection, authority)
        return await log.leaves(connection, authority, min(size, start + limit), start), size

    async def inclusion(
        self, connection: asyncpg.Connection, unit_number: str, sequence: int, tree_size: int
    ) -> tuple[int, list[bytes], bytes, SignedCheckpoint]:
        """The entry's leaf index, audit path and leaf bytes in its authority's tree of the latest
        checkpoint (or of the checkpoint at `tree_size`): O(log n) stored nodes, and the entry's
        own row checked against the hash entered with it."""
        authority = authority_of(unit_number)
        index = await connection.fetchval(
            "SELECT leaf_index FROM entry WHERE unit_number = $1 AND sequence = $2", unit_number, sequence
        )
        if index is None:
            raise NotFound(f"no entry {sequence} on unit {unit_number}")
        checkpoint = await self.checkpoint(connection, authority)
        size = tree_size or checkpoint.tree_size
        if size > checkpoint.tree_size:
            raise InvalidArgument(
                [FieldViolation("tree_size", f"the book of {authority} has {checkpoint.tree_size} leaves")]
            )
        if index >= size:
            raise InvalidArgument(
                [FieldViolation("tree_size", f"entry is leaf {index}, after a tree of {size}")]
            )
        if size != checkpoint.tree_size:
            older = await self._stored(connection, authority, size)
            if older is None:
                raise InvalidArgument(
                    [FieldViolation("tree_size", f"no checkpoint was signed at size {size}")]
                )
            await self._holds(connection, older)
            checkpoint = older
        (leaf,) = await self.verify_rows(connection, authority, index, index + 1)
        path = await tree.proof(connection, authority, merkle.inclusion_ranges(index, size))
        return index, path, leaf, checkpoint

    async def consistency(
        self, connection: asyncpg.Connection, authority: str, first: int, second: int
    ) -> list[bytes]:
        """PROOF(first, second) of one book from O(log n) stored nodes: the signed history, which
        auditors may still ask about after a row was changed."""
        size = await log.size(connection, authority)
        if not 0 < first <= second <= size:
            raise InvalidArgument(
                [FieldViolation("second_tree_size", f"need 0 < first <= second <= {size}, the book's size")]
            )
        await self._tree_covers(connection, authority, second)
        return await tree.proof(connection, authority, merkle.consistency_ranges(first, second))

    async def audit_step(self, connection: asyncpg.Connection, authority: str, limit: int) -> int:
        """The registry's own audit of one book, a slice at a time: the next `limit` leaves after
        the last slice (from the start again once through the book) re-encoded and checked
        against their stored hashes, and the stored tree against the latest signed root. A change
        found stops every checkpoint, proof and seal of that book from then on (DATA_LOSS). How
        many leaves it checked."""
        audit = self._passes.setdefault(authority, _AuditPass())
        size = await log.size(connection, authority)
        await self._tree_covers(connection, authority, size)
        if audit.audited >= size:
            # A whole pass found nothing changed: whatever an earlier pass found was mended.
            if audit.clean:
                self.tampered.pop(authority, None)
            audit.audited, audit.clean = 0, True
        end = min(size, audit.audited + limit)
        try:
            await self.verify_rows(connection, authority, audit.audited, end)
            latest = await connection.fetchrow(
                "SELECT * FROM checkpoint WHERE authority = $1 ORDER BY tree_size DESC LIMIT 1", authority
            )
            if latest is not None:
                await self._holds(connection, _signed(latest))
        except DataLoss as found:
            self.tampered[authority], audit.clean = found, False
            raise
        finally:
            checked, audit.audited = end - audit.audited, end
        return checked
