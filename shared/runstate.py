"""Run state of a local stack under {home}/run: which process serves which service on which port.

Services bound to port 0 publish the port they got here, so `deedflow up`, `deedflow status` and
`deedctl` find them without fixed ports.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from shared.config import Settings


@dataclass(frozen=True)
class ServiceProcess:
    service: str
    pid: int
    port: int
    log_file: str | None = None
    # Where its Prometheus metrics are served (http://{bind_host}:{metrics_port}/metrics).
    metrics_port: int = 0


def run_dir(home: Path) -> Path:
    return home / "run"


def publish(home: Path, record: ServiceProcess) -> None:
    path = run_dir(home) / f"{record.service}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(asdict(record)))
    tmp.replace(path)


def read(home: Path, service: str) -> ServiceProcess | None:
    path = run_dir(home) / f"{service}.json"
    try:
        return ServiceProcess(**json.loads(path.read_text()))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def withdraw(home: Path, service: str, pid: int) -> None:
    """Removes the service's record if it is still this process's."""
    record = read(home, service)
    if record is not None and record.pid == pid:
        (run_dir(home) / f"{service}.json").unlink(missing_ok=True)


def process_alive(pid: int) -> bool:
    """Running, and not a zombie: a detached stack's services are reaped by whoever adopted
    them, which may be slow to do it, and a zombie is as stopped as a process gets."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def command_line(pid: int) -> list[str]:
    """The process's command line, word by word (Linux /proc); empty when it cannot be read."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [word.decode(errors="replace") for word in raw.split(b"\0") if word]


def address_of(settings: Settings, service: str) -> str:
    """An explicit DEEDFLOW_ADDRESSES entry, else a published local port, else the default."""
    if service in settings.addresses:
        return settings.addresses[service]
    record = read(settings.home, service)
    if record is not None:
        return f"{settings.bind_host}:{record.port}"
    return settings.address_of(service)
