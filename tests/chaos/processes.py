"""A deedflow service as its own OS process, for the chaos tests: started, found serving, killed
with SIGKILL or stopped with SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

# How long a service may take to start serving (migrations included) before it is taken as hung.
START_SECONDS = 120


def _tail(log: Path, lines: int = 5) -> str:
    return " | ".join(log.read_text(errors="replace").splitlines()[-lines:])


class ExitedBeforeServing(RuntimeError):
    """The process ended before it served (e.g. its database was down while it started)."""


class ServiceProcess:
    """One `python -m services.<name>` process on `port` (0: any free port)."""

    def __init__(
        self,
        name: str,
        home: Path,
        database_url: str,
        addresses: dict[str, str],
        pki_root: Path,
        port: int = 0,
        env: dict[str, str] | None = None,
    ):
        home.mkdir(parents=True, exist_ok=True)
        self.name = name
        environment = {k: v for k, v in os.environ.items() if not k.startswith("DEEDFLOW_")}
        environment.update(
            DATABASE_URL=database_url,
            DEEDFLOW_HOME=str(home),
            DEEDFLOW_PKI_DIR=str(pki_root),
            DEEDFLOW_ADDRESSES=json.dumps(addresses),
            DEEDFLOW_PORTS=json.dumps({name: port}),
            # Any free port for its metrics: port + 1000 may be anyone's.
            DEEDFLOW_METRICS_PORTS=json.dumps({name: 0}),
            GRPC_VERBOSITY="ERROR",
            **(env or {}),
        )
        self.log = home / f"{name}.log"
        # Lines someone waits for (wait_for_line), each with the event set when one is logged.
        self._awaited: list[tuple[str, threading.Event]] = []
        self._lock = threading.Lock()
        self.process = subprocess.Popen(
            [sys.executable, "-m", f"services.{name}"],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.port = self._serving_port()

    def _serving_port(self) -> int:
        """Reads the process's JSON log until it says it is serving, and on which port; then
        keeps copying the log in a thread, so the process never blocks on a full pipe. A process
        not serving within START_SECONDS is killed (a start that hangs would otherwise hold its
        supervisor, and every other restart, for good)."""
        copy = self.log.open("a")
        guard = threading.Timer(START_SECONDS, self.process.kill)
        guard.start()
        try:
            for line in self.process.stdout:
                copy.write(line)
                if '"message": "serving"' in line:
                    threading.Thread(target=self._drain, args=(copy,), daemon=True).start()
                    return json.loads(line)["port"]
        finally:
            guard.cancel()
        copy.close()
        code = self.process.wait()
        raise ExitedBeforeServing(
            f"{self.name} exited with {code} before serving (killed if it took over {START_SECONDS} s);"
            f" log in {self.log}, ending: {_tail(self.log)}"
        )

    def _drain(self, copy) -> None:
        with copy:
            for line in self.process.stdout:
                copy.write(line)
                copy.flush()
                with self._lock:
                    for text, seen in self._awaited:
                        if text in line:
                            seen.set()

    def wait_for_line(self, text: str, timeout: float) -> bool:
        """Blocks until the process logs a line holding `text` (from now on, or already in its
        log); whether it did within `timeout` seconds."""
        seen = threading.Event()
        with self._lock:
            self._awaited.append((text, seen))
            if text in self.log.read_text():
                seen.set()
        return seen.wait(timeout)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no goodbye (kill -9)."""
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        """SIGTERM and a graceful exit; a process that will not go is killed and reported."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"{self.name} did not stop on SIGTERM; log in {self.log}") from None
