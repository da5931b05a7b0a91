"""Saying which port is taken and by whom, instead of a bare "Address already in use": the
process holding a listening TCP port, read from Linux's /proc (best effort; elsewhere, or
without the right to look, only the port is named)."""

from __future__ import annotations

import errno
from pathlib import Path

from shared.runstate import command_line

_PROC = Path("/proc")
_LISTEN = "0A"


class PortInUse(OSError):
    """A port this process must bind is held by another; the message names both."""

    def __init__(self, what: str, host: str, port: int, holder: str | None = None) -> None:
        """`holder`: who holds the port, when the caller has looked already; else looked up."""
        holder = holder or holder_of(port)
        held = f" by {holder}" if holder else ""
        super().__init__(
            errno.EADDRINUSE,
            f"{what}: port {port} on {host} is already in use{held}; stop it or choose another port",
        )


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("tcp", "tcp6"):
        try:
            lines = (_PROC / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[3] == _LISTEN and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    return inodes


def holder_of(port: int) -> str | None:
    """'pid N (command line)' of a process listening on the TCP port, when it can be seen."""
    inodes = _listening_inodes(port)
    if not inodes:
        return None
    wanted = {f"socket:[{inode}]" for inode in inodes}
    for fd_dir in _PROC.glob("[0-9]*/fd"):
        try:
            if any(str(link.readlink()) in wanted for link in fd_dir.iterdir()):
                pid = int(fd_dir.parent.name)
                return f"pid {pid} ({' '.join(command_line(pid))[:120]})"
        except OSError:
            continue
    return None
