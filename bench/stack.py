"""A whole deedflow stack for a benchmark: every service its own OS process, as in production,
on a fresh home (embedded PostgreSQL unless DATABASE_URL), ports chosen by the OS."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from shared.catalog import SERVICE_NAMES
from shared.config import Settings
from shared.pki import Pki
from shared.runstate import read

BIN = Path(sys.executable).parent


@contextlib.contextmanager
def running_stack() -> Iterator[tuple[Settings, Pki]]:
    home = Path(tempfile.mkdtemp(prefix="deedflow-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEEDFLOW_")}
    env.update(
        DEEDFLOW_HOME=str(home),
        DEEDFLOW_PORTS=json.dumps(dict.fromkeys(SERVICE_NAMES, 0)),
        DEEDFLOW_ACCESS_LOG="false",
        DEEDFLOW_LOG_LEVEL="WARNING",
    )
    subprocess.run([str(BIN / "deedflow"), "up", "--detach"], env=env, check=True, capture_output=True)
    try:
        settings = Settings(home=home)
        yield settings, Pki(home / "pki")
        print_cpu(settings)
        print_calls(settings)
    finally:
        subprocess.run([str(BIN / "deedflow"), "down"], env=env, check=False, capture_output=True)


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _postgres_cpu_seconds(home: Path) -> float | None:
    """The CPU seconds of the stack's embedded PostgreSQL: its postmaster, with what its ended
    backends used, and every backend still running. None when the stack uses another server."""
    try:
        postmaster = int((home / "pg" / "postmaster.pid").read_text().split()[0])
    except (OSError, IndexError, ValueError):
        return None
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            pid, parent = int(stat.parent.name), int(fields[1])
            if pid == postmaster:
                total += sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")
            elif parent == postmaster:
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            continue
    return total


def cpu_by_service(settings: Settings) -> dict[str, float]:
    """Each service process's CPU seconds so far, and the embedded PostgreSQL's."""
    used = {}
    postgres = _postgres_cpu_seconds(settings.home)
    if postgres is not None:
        used["postgres"] = postgres
    for service in SERVICE_NAMES:
        record = read(settings.home, service)
        if record is not None:
            try:
                used[service] = _cpu_seconds(record.pid)
            except (OSError, IndexError, ValueError):
                continue
    return used


def print_cpu(settings: Settings, since: dict[str, float] | None = None, label: str = "") -> None:
    """Where the CPU went: each service process's CPU seconds over the whole run (set-up too),
    or since `since` (a cpu_by_service taken earlier)."""
    now = cpu_by_service(settings)
    used = {name: seconds - (since or {}).get(name, 0.0) for name, seconds in now.items()}
    total = sum(used.values()) or 1.0
    print(
        f"  CPU seconds by service process{label}: "
        + ", ".join(
            f"{name} {seconds:.1f} ({seconds / total:.0%})"
            for name, seconds in sorted(used.items(), key=lambda kv: -kv[1])
        )
    )


def samples(settings: Settings, service: str) -> list:
    """Every sample a service's /metrics serves now (none when it serves no metrics)."""
    record = read(settings.home, service)
    if record is None or not record.metrics_port:
        return []
    url = f"http://{settings.bind_host}:{record.metrics_port}/metrics"
    with urllib.request.urlopen(url, timeout=10) as reply:
        text = reply.read().decode()
    return [sample for family in text_string_to_metric_families(text) for sample in family.samples]


def print_calls(settings: Settings) -> None:
    """How many calls each RPC served over the run (from each service's metrics), busiest first:
    the hop count behind every figure above."""
    counts: dict[str, float] = {}
    for service in SERVICE_NAMES:
        for sample in samples(settings, service):
            if sample.name == "deedflow_grpc_requests_total" and "Health" not in sample.labels["method"]:
                method = sample.labels["method"].rpartition(".")[2]
                counts[method] = counts.get(method, 0) + sample.value
    busiest = sorted(counts.items(), key=lambda kv: -kv[1])
    print(
        f"  gRPC calls served: {sum(counts.values()):.0f}; by RPC: "
        + ", ".join(f"{name} {count:.0f}" for name, count in busiest)
    )
