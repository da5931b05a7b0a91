"""Each book as C2SP tlog-tiles (c2sp.org/tlog-tiles): its latest signed checkpoint note with the
witnesses' cosignatures, the Merkle tree as tiles of 256 hashes (a tile hash at level L is a
stored perfect subtree of height 8·L), and its leaves as entry bundles, read from the registry's
tables up to the latest checkpoint's size. Paths are parsed strictly: one path, one resource.
Never commits."""

from __future__ import annotations

import re
from dataclasses import dataclass

import asyncpg

from services.registry import log

WIDTH = 256
HEIGHT = 8
MAX_LEVEL = 63
_LEVEL = re.compile(r"0|[1-9][0-9]?")
_WIDTH = re.compile(r"[1-9][0-9]{0,2}")


@dataclass(frozen=True, slots=True)
class Tile:
    """A tile (level >= 0) or an entry bundle (level None): its index and width."""

    level: int | None
    index: int
    width: int

    def path(self) -> str:
        head = "entries" if self.level is None else str(self.level)
        digits = f"{self.index:03d}"
        groups = [digits[max(0, i - 3) : i] for i in range(len(digits), 0, -3)][::-1]
        groups = [g.rjust(3, "0") for g in groups]
        index = "/".join([*(f"x{g}" for g in groups[:-1]), groups[-1]])
        partial = f".p/{self.width}" if self.width < WIDTH else ""
        return f"tile/{head}/{index}{partial}"


def parse_tile_path(path: str) -> Tile | None:
    """The tile a path below `tile/` names, or None if it names none (the spec's exact form)."""
    parts = path.split("/")
    if len(parts) < 2:
        return None
    head, rest = parts[0], parts[1:]
    if head == "entries":
        level = None
    elif _LEVEL.fullmatch(head) and int(head) <= MAX_LEVEL:
        level = int(head)
    else:
        return None
    width = WIDTH
    if len(rest) >= 2 and rest[-2].endswith(".p"):
        if not _WIDTH.fullmatch(rest[-1]) or int(rest[-1]) >= WIDTH:
            return None
        width = int(rest[-1])
        rest = [*rest[:-2], rest[-2].removesuffix(".p")]
    if not rest or any(not re.fullmatch(r"x[0-9]{3}", p) for p in rest[:-1]):
        return None
    if not re.fullmatch(r"[0-9]{3}", rest[-1]):
        return None
    tile = Tile(level, int("".join(p.removeprefix("x") for p in rest)), width)
    # One index, one path: "x000/005" for 5 is refused by the round trip.
    return tile if tile.path() == f"tile/{path}" else None


async def checkpoint_note(connection: asyncpg.Connection, authority: str) -> tuple[int, str] | None:
    """The size and note of the book's latest checkpoint with a note, its cosignatures after it."""
    row = await connection.fetchrow(
        "SELECT tree_size, note FROM checkpoint WHERE authority = $1 AND note IS NOT NULL"
        " ORDER BY tree_size DESC LIMIT 1",
        authority,
    )
    if row is None:
        return None
    lines = await connection.fetch(
        "SELECT line FROM cosignature WHERE authority = $1 AND tree_size = $2 ORDER BY witness",
        authority,
        row["tree_size"],
    )
    return row["tree_size"], row["note"] + "".join(r["line"] for r in lines)


def _span(tile: Tile) -> tuple[int, int]:
    """The leaves a tile covers: [start, end)."""
    leaves_per_hash = WIDTH ** (tile.level or 0)
    start = tile.index * WIDTH * leaves_per_hash
    return start, start + tile.width * leaves_per_hash


async def read_tile(connection: asyncpg.Connection, authority: str, tile: Tile, size: int) -> bytes | None:
    """The tile's bytes, or None when a tree of `size` leaves (the latest checkpoint's) does not
    hold it whole: a tile beyond what was signed is not served."""
    if _span(tile)[1] > size:
        return None
    if tile.level is None:
        start, end = _span(tile)
        leaves = await log.public_leaves(connection, authority, end, start)
        if leaves is None:
            return None
        return b"".join(len(leaf).to_bytes(2, "big") + leaf for leaf in leaves)
    first = tile.index * WIDTH
    rows = await connection.fetch(
        "SELECT hash FROM merkle_node WHERE authority = $1 AND level = $2 AND position >= $3"
        " AND position < $4 ORDER BY position",
        authority,
        HEIGHT * tile.level,
        first,
        first + tile.width,
    )
    if len(rows) != tile.width:
        return None
    return b"".join(bytes(r["hash"]) for r in rows)


async def published_tile(connection: asyncpg.Connection, authority: str, tile: Tile) -> bytes | None:
    """The tile as published: within the book's latest checkpoint with a note, else None."""
    found = await checkpoint_note(connection, authority)
    return await read_tile(connection, authority, tile, found[0]) if found else None


def tiles_of(size: int) -> list[Tile]:
    """Every tile and entry bundle a tree of `size` leaves is published as: the full ones and
    the rightmost partial one of each level."""
    found = []
    level, span = 0, 1
    while span <= size:
        hashes = size // span
        full, partial = divmod(hashes, WIDTH)
        found += [Tile(level, n, WIDTH) for n in range(full)]
        if partial:
            found.append(Tile(level, full, partial))
        if level == 0:
            found += [Tile(None, n, WIDTH) for n in range(full)]
            if partial:
                found.append(Tile(None, full, partial))
        level, span = level + 1, span * WIDTH
    return found
