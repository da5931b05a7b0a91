"""Fixtures for every test: a throw-away PKI, a fresh PostgreSQL database, the services in-process."""

from __future__ import annotations

import os

# gRPC core logs every GOAWAY of a stopping test server at INFO; only errors are worth reading.
os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
# The tests fork only to exec (pg_ctl, deedflow, deedctl). gRPC's fork handlers, run in a child
# forked while this process serves, crashed pg_ctl with SIGSEGV once (grpc/grpc#13873, #29044);
# they are only needed by a child that goes on using gRPC.
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "0")
# Retries after a failed step come quickly, so tests of retried and parked work take seconds.
os.environ.setdefault("DEEDFLOW_DURABLE_BACKOFF_START_SECONDS", "0.05")
os.environ.setdefault("DEEDFLOW_DURABLE_BACKOFF_CAP_SECONDS", "1")
# A purchase waiting for tax due after completion asks again soon, so such tests take a second.
os.environ.setdefault("DEEDFLOW_SAGA_TAX_RECHECK_SECONDS", "0.5")
# bank-c of the development PKI collects deed tax for the tax bureau (代征) in the tests' offices;
# bank-a lends on the tests' purchases, and bank-b is a stranger to them.
os.environ.setdefault("DEEDFLOW_TAX_COLLECTING_BANKS", '["91500000MA5U7BK0CK"]')

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from services.registry.app import register as register_registry
from shared.catalog import SERVICE_NAMES
from shared.config import Settings
from shared.pg import start_embedded, stop_embedded
from shared.pki import Pki, ensure_dev_pki
from shared.runtime import StartedService, start_service
from tests.flows import open_offices
from tests.support import REPORTED, fresh_database, in_process

ROOT = Path(__file__).resolve().parent.parent
TEST_PGDATA = ROOT / ".deedflow" / "pg-test"


def pytest_terminal_summary(terminalreporter) -> None:
    """Figures the chaos tests and the fault matrix measured, printed after the run."""
    if REPORTED:
        terminalreporter.section("deedflow figures")
        for line in REPORTED:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """Throw-away test CA and certificates, generated for this run only."""
    return ensure_dev_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """DATABASE_URL when set (CI may point at its PostgreSQL), else the embedded server."""
    configured = Settings().database_url
    if configured:
        yield configured
        return
    url = start_embedded(TEST_PGDATA)
    yield url
    stop_embedded(TEST_PGDATA)


@pytest.fixture(scope="session")
def database_url(server_url: str) -> Iterator[str]:
    """A database of its own for this test session, dropped at the end."""
    yield from fresh_database(server_url)


@pytest.fixture
def fresh_database_url(server_url: str) -> Iterator[str]:
    """A database for one test alone (e.g. a whole stack in subprocesses)."""
    yield from fresh_database(server_url)


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[str]:
    """A PostgreSQL server of this test's own (embedded), for a test that needs the whole cluster
    to itself: the event feed reads behind the oldest transaction running anywhere in it."""
    pgdata = tmp_path / "own-pg"
    try:
        yield start_embedded(pgdata)
    finally:
        stop_embedded(pgdata)


@pytest.fixture
def three_servers(tmp_path: Path) -> Iterator[list[str]]:
    """Three PostgreSQL servers of this test's own (embedded), for offices on separate databases."""
    folders = [tmp_path / f"pg{i}" for i in range(3)]
    try:
        yield [start_embedded(folder) for folder in folders]
    finally:
        for folder in folders:
            stop_embedded(folder)


@pytest.fixture(scope="session")
def test_settings(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        home=tmp_path_factory.mktemp("home"),
        pki_dir=pki.root,
        bind_host="127.0.0.1",
        max_watches_per_caller=6,
    )


@pytest.fixture(scope="session")
async def services(database_url: str, test_settings: Settings) -> AsyncIterator[dict[str, StartedService]]:
    """All seven services, in this process, on free ports, over mTLS, on the test database."""
    async with in_process(SERVICE_NAMES, test_settings, database_url) as started:
        yield started


@pytest.fixture(scope="session")
async def offices(services, pki):
    """Stubs for every office, as each real caller holds them, on the session's services."""
    async with open_offices({name: started.server.port for name, started in services.items()}, pki) as stubs:
        yield stubs


@pytest.fixture
async def quiet_registry(fresh_database_url, test_settings, monkeypatch):
    """(a registry of its own database, that database's URL): the tests tamper with the book or
    count its leaves and checkpoints, so it signs a checkpoint only when asked."""
    monkeypatch.setenv("DEEDFLOW_REGISTRY_CHECKPOINT_EVERY_LEAVES", "1000000000")
    monkeypatch.setenv("DEEDFLOW_REGISTRY_CHECKPOINT_EVERY_SECONDS", "1e9")
    started = await start_service("registry", register_registry, test_settings, fresh_database_url, port=0)
    yield started, fresh_database_url
    await started.stop(0)
