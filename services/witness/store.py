"""What a witness remembers of each log: the latest checkpoint it cosigned, by origin, in a SQLite
file of its own (a witness shares nothing with the log it watches). Checking a request against
that record and recording the new checkpoint happen in one write transaction, so two requests
racing can never roll the record back (c2sp.org/tlog-witness, add-checkpoint)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
# What a witness records of a checkpoint it cosigns: its size, root and the note as submitted.
Recorded = tuple[int, bytes, bytes]


@dataclass(frozen=True, slots=True)
class Latest:
    """The latest checkpoint cosigned for a log (size 0 and no root before the first)."""

    size: int
    root: bytes | None


class Store:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # One connection, used by one thread at a time under the lock; autocommit off by hand.
        self._connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._lock = threading.Lock()
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=FULL")
        self._connection.execute(
            "CREATE TABLE IF NOT EXISTS latest (origin TEXT PRIMARY KEY, size INTEGER NOT NULL,"
            " root BLOB NOT NULL, note BLOB NOT NULL)"
        )

    def close(self) -> None:
        self._connection.close()

    def update(self, origin: str, judge: Callable[[Latest], tuple[T, Recorded | None]]) -> T:
        """In one write transaction: the origin's latest read, `judge` given it, and what it says to
        record (size, root and note; None: nothing) written; judge's verdict."""
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                row = self._connection.execute(
                    "SELECT size, root FROM latest WHERE origin = ?", (origin,)
                ).fetchone()
                verdict, recorded = judge(Latest(row[0], row[1]) if row else Latest(0, None))
                if recorded is not None:
                    self._connection.execute(
                        "INSERT INTO latest VALUES (?, ?, ?, ?) ON CONFLICT (origin) DO UPDATE"
                        " SET size = excluded.size, root = excluded.root, note = excluded.note",
                        (origin, *recorded),
                    )
                self._connection.execute("COMMIT")
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            return verdict

    def latest(self, origin: str) -> Latest:
        with self._lock:
            row = self._connection.execute(
                "SELECT size, root FROM latest WHERE origin = ?", (origin,)
            ).fetchone()
        return Latest(row[0], row[1]) if row else Latest(0, None)
