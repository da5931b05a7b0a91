"""Each authority's book's Merkle tree as stored hashes of its perfect subtrees (merkle_node):
extended with every append, in leaf order, and read for roots and proofs in O(log n) rows
(shared/merkle.py says which). Never commits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import asyncpg

from deedflow.type.v1.reasons import Reason
from services.registry import log
from shared import merkle
from shared.errors import DataLoss

# How many leaves an existing book is hashed in at a time when the registry first keeps its tree.
CATCH_UP_CHUNK = 10_000


def _missing(what: str) -> DataLoss:
    return DataLoss(Reason.LOG_TAMPERED, f"the book's stored tree lacks {what}", {"tree": what})


async def read(
    connection: asyncpg.Connection, authority: str, nodes: Iterable[merkle.Node]
) -> dict[merkle.Node, bytes]:
    wanted = sorted(set(nodes))
    if not wanted:
        return {}
    rows = await connection.fetch(
        "SELECT n.level, n.position, n.hash FROM merkle_node n"
        " JOIN unnest($1::smallint[], $2::bigint[]) AS w(level, position) USING (level, position)"
        " WHERE n.authority = $3",
        [level for level, _ in wanted],
        [position for _, position in wanted],
        authority,
    )
    found = {(level, position): bytes(node) for level, position, node in rows}
    if len(found) != len(wanted):
        raise _missing(f"node {next(n for n in wanted if n not in found)}")
    return found


async def leaf_hashes(connection: asyncpg.Connection, authority: str, start: int, end: int) -> list[bytes]:
    """The stored hashes of leaves start..end-1."""
    rows = await connection.fetch(
        "SELECT position, hash FROM merkle_node"
        " WHERE authority = $3 AND level = 0 AND position >= $1 AND position < $2 ORDER BY position",
        start,
        end,
        authority,
    )
    if len(rows) != end - start:
        raise _missing(f"leaf hashes {start}..{end - 1}")
    return [bytes(node) for _, node in rows]


async def stored_size(connection: asyncpg.Connection, authority: str) -> int:
    """How many leaves the stored tree covers."""
    value: int = await connection.fetchval(
        "SELECT coalesce(max(position) + 1, 0) FROM merkle_node WHERE authority = $1 AND level = 0",
        authority,
    )
    return value


async def extend(connection: asyncpg.Connection, authority: str, first: int, hashes: Sequence[bytes]) -> None:
    """Stores the hashes of leaves first.. and of every perfect subtree they complete. The caller
    holds the book's row (repository.allocate_leaves), so appends reach the tree in leaf order."""
    new = first + len(hashes)
    nodes = {(0, first + i): h for i, h in enumerate(hashes)}
    appended = merkle.appended_nodes(first, new)
    made = set(appended)
    children = {(level - 1, 2 * position + side) for level, position in appended for side in (0, 1)}
    nodes.update(await read(connection, authority, (c for c in children if c not in nodes and c not in made)))
    for level, position in appended:
        nodes[(level, position)] = merkle.node_hash(
            nodes[(level - 1, 2 * position)], nodes[(level - 1, 2 * position + 1)]
        )
    written = [(0, first + i, h) for i, h in enumerate(hashes)] + [(*n, nodes[n]) for n in appended]
    await connection.execute(
        "INSERT INTO merkle_node (authority, level, position, hash)"
        " SELECT $4, * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])",
        [n[0] for n in written],
        [n[1] for n in written],
        [n[2] for n in written],
        authority,
    )


async def catch_up(connection: asyncpg.Connection, authority: str, end: int) -> None:
    """Hashes leaves the stored tree does not cover yet, up to `end` (a book written before the
    tree was kept, or split from the city-wide book, once): the caller holds the book's row."""
    stored = await stored_size(connection, authority)
    while stored < end:
        upto = min(end, stored + CATCH_UP_CHUNK)
        await extend(
            connection,
            authority,
            stored,
            [merkle.leaf_hash(leaf) for leaf in await log.leaves(connection, authority, upto, stored)],
        )
        stored = upto


async def root(connection: asyncpg.Connection, authority: str, size: int) -> bytes:
    """MTH of the first `size` leaves, from O(log n) stored nodes."""
    if size == 0:
        return merkle.EMPTY_ROOT
    parts = merkle.perfect_nodes(0, size)
    found = await read(connection, authority, parts)
    return merkle.fold([found[n] for n in parts])


async def proof(connection: asyncpg.Connection, authority: str, ranges: list[tuple[int, int]]) -> list[bytes]:
    """The roots of the subtrees `ranges` (an inclusion or consistency proof), read at once."""
    parts = [merkle.perfect_nodes(start, end) for start, end in ranges]
    found = await read(connection, authority, (n for nodes in parts for n in nodes))
    return [merkle.fold([found[n] for n in nodes]) for nodes in parts]
