"""A whole deedflow stack for a benchmark: every service its own OS process, as in production,
on a fresh home (embedded PostgreSQL unless DATABASE_URL), ports chosen by the OS."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from shared.catalog import SERVICE_NAMES
from shared.config import Settings
from shared.pki import Pki

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
    finally:
        subprocess.run([str(BIN / "deedflow"), "down"], env=env, check=False, capture_output=True)
