"""Named fault points at every boundary between a local commit and a remote call (in the spirit of
FoundationDB's BUGGIFY), inert unless configured. The fault matrix and the soak arm them to prove
that a crash, an outage or a lost answer at any such line leaves nothing half done.

Configuration (DEEDFLOW_FAULTS, or `configure` in tests): comma-separated `point=mode`, where a
point is `service/operation/step/before-call|after-call` or a prefix ending in `*`, and mode is:
  kill   SIGKILL this process (kill -9: no cleanup, no goodbye)
  db     the database becomes unreachable (DatabaseUnavailable)
  peer   the peer is unreachable and the call never leaves (UNAVAILABLE)
  lost   the peer acted but its answer is lost (DEADLINE_EXCEEDED)
  refuse the peer refuses the call (FAILED_PRECONDITION), where no peer normally would
  bug    an unexplained error, every time it is reached (for bounded-retry tests)
Every other mode fires once per point, the first time it is reached, or the N-th time with
`mode@N` (e.g. `transfer/LodgeTransfer/commit/after-call=kill@6`). With DEEDFLOW_FAULT_MARKS
set to a folder, a fired point leaves a file there, so a process restarted after a kill does not
fire it again. With DEEDFLOW_FAULT_TRACE set to a file, every point reached is appended to it
(to list the points).
"""

from __future__ import annotations

import os
import signal
import threading
from dataclasses import dataclass, field
from pathlib import Path

import grpc

from shared.dbhealth import DatabaseUnavailable

MODES = ("kill", "db", "peer", "lost", "refuse", "bug")
_CODES = {
    "peer": grpc.StatusCode.UNAVAILABLE,
    "lost": grpc.StatusCode.DEADLINE_EXCEEDED,
    "refuse": grpc.StatusCode.FAILED_PRECONDITION,
}


class InjectedBug(RuntimeError):
    """An unexplained error raised on purpose at a fault point."""


@dataclass
class _Faults:
    armed: dict[str, tuple[str, int]] = field(default_factory=dict)
    passed: dict[str, int] = field(default_factory=dict)
    marks: Path | None = None
    trace: Path | None = None
    fired: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


_state = _Faults()


def parse(spec: str) -> dict[str, tuple[str, int]]:
    """point -> (mode, the passage it fires at)."""
    armed = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        point, _, action = item.partition("=")
        mode, _, nth = action.partition("@")
        if mode not in MODES or (nth and not nth.isdigit()):
            raise ValueError(f"fault {item!r}: mode must be one of {', '.join(MODES)}, optionally @N")
        armed[point] = (mode, int(nth or 1))
    return armed


def configure(spec: str = "", marks: Path | None = None, trace: Path | None = None) -> None:
    """Arms the points of `spec` for this process (replacing any armed before)."""
    global _state
    _state = _Faults(armed=parse(spec), marks=marks, trace=trace)


def configure_from_environment() -> None:
    configure(
        os.environ.get("DEEDFLOW_FAULTS", ""),
        Path(os.environ["DEEDFLOW_FAULT_MARKS"]) if os.environ.get("DEEDFLOW_FAULT_MARKS") else None,
        Path(os.environ["DEEDFLOW_FAULT_TRACE"]) if os.environ.get("DEEDFLOW_FAULT_TRACE") else None,
    )


def _armed(point: str) -> tuple[str, int] | None:
    found = _state.armed.get(point)
    if found is not None:
        return found
    for pattern, armed in _state.armed.items():
        if pattern.endswith("*") and point.startswith(pattern[:-1]):
            return armed
    return None


def _mark(point: str) -> Path | None:
    if _state.marks is None:
        return None
    return _state.marks / point.replace("/", "~")


def _claim(point: str) -> bool:
    """True once per point (per process, or across restarts with a marks folder)."""
    with _state.lock:
        if point in _state.fired:
            return False
        mark = _mark(point)
        if mark is not None:
            mark.parent.mkdir(parents=True, exist_ok=True)
            try:
                # O_EXCL: exactly one process fires a shared point.
                os.close(os.open(mark, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            except FileExistsError:
                _state.fired.add(point)
                return False
        _state.fired.add(point)
        return True


def reached(point: str) -> None:
    """Marks a boundary; does what the configuration says for it, or nothing at all."""
    if _state.trace is not None:
        with _state.lock, _state.trace.open("a") as trace:
            trace.write(point + "\n")
    if not _state.armed:
        return
    armed = _armed(point)
    if armed is None:
        return
    mode, nth = armed
    if mode == "bug":
        raise InjectedBug(f"fault point {point}")
    with _state.lock:
        _state.passed[point] = _state.passed.get(point, 0) + 1
        if _state.passed[point] < nth:
            return
    if not _claim(point):
        return
    if mode == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if mode == "db":
        raise DatabaseUnavailable(f"fault point {point}")
    raise grpc.aio.AioRpcError(
        _CODES[mode], grpc.aio.Metadata(), grpc.aio.Metadata(), details=f"fault point {point}"
    )


def fired() -> set[str]:
    """The points that fired in this process."""
    return set(_state.fired)
