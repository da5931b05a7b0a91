"""Starting and running one service process: database, migrations, PKI, server, shutdown."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sys
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import grpc
import uvloop

from shared import faults, paging, tracing
from shared.catalog import service_info
from shared.clock import Clock, SystemClock
from shared.config import Settings
from shared.db import Database
from shared.grpc.channels import secure_channel
from shared.grpc.server import RunningServer, serve_until_signalled, start_server
from shared.journal import Journal
from shared.logging import configure_logging
from shared.metrics import ServiceMetrics
from shared.migrate import migrate
from shared.pg import office_database_url
from shared.pki import Pki, ensure_dev_pki
from shared.ports import PortInUse
from shared.runstate import ServiceProcess, address_of, publish, withdraw

log = logging.getLogger("deedflow.runtime")


@dataclass
class ServiceDeps:
    """What a service's servicers are built from."""

    name: str
    settings: Settings
    database: Database
    pki: Pki
    journal: Journal
    clock: Clock = field(default_factory=SystemClock)
    metrics: ServiceMetrics | None = None
    _peers: dict[str, grpc.aio.Channel] = field(default_factory=dict)
    _background: list[asyncio.Task[None]] = field(default_factory=list)

    def run_in_background(self, work: Coroutine[Any, Any, None], name: str) -> None:
        """Runs work (e.g. the saga's workers) for the life of the server; cancelled on close."""
        self._background.append(asyncio.get_running_loop().create_task(work, name=name))

    def peer(self, service: str) -> grpc.aio.Channel:
        """An mTLS channel to another service, as this service's own identity. Created on first
        use, inside the running loop, so a peer's published address is read when it is needed."""
        if service not in self._peers:
            self._peers[service] = self.open_peer(service)
        return self._peers[service]

    def open_peer(self, service: str) -> grpc.aio.Channel:
        """A channel of its own to another service, its address read now; the caller closes it.
        For work that starts with the process, before the peer may have published its address
        (a cached channel would keep an address read too early)."""
        return secure_channel(
            address_of(self.settings, service),
            self.pki.ca_pem,
            self.pki.service(self.name),
            default_timeout=self.settings.call_timeout_seconds,
            service=service,
        )

    async def close(self, grace: float = 5.0) -> None:
        """Stops background work, closes peer channels and the pool; each part gets `grace`
        seconds, then is cut off (and said so), so a stuck part cannot keep the process alive."""
        for task in self._background:
            task.cancel()
        await _bounded(asyncio.gather(*self._background, return_exceptions=True), grace, "background tasks")
        self._background.clear()
        await _bounded(asyncio.gather(*(c.close() for c in self._peers.values())), grace, "peer channels")
        self._peers.clear()
        if not await _bounded(self.database.close(), grace, "database pool"):
            self.database.pool.terminate()
        if self.metrics is not None:
            await asyncio.to_thread(self.metrics.close)


async def _bounded(work: Awaitable[object], seconds: float, what: str) -> bool:
    try:
        await asyncio.wait_for(work, seconds)
    except TimeoutError:
        log.warning("shutdown step timed out", extra={"fields": {"step": what, "seconds": seconds}})
        return False
    return True


Register = Callable[[grpc.aio.Server, ServiceDeps], None]


def load_pki(settings: Settings) -> Pki:
    """The supplied PKI folder, or the development one (created on first use)."""
    if settings.pki_dir is not None:
        return Pki(settings.pki_dir)
    return ensure_dev_pki(settings.pki_path)


@dataclass
class StartedService:
    server: RunningServer
    deps: ServiceDeps

    async def stop(self, grace: float) -> None:
        await self.server.stop(grace)
        await self.deps.close()


async def start_service(
    name: str,
    register: Register,
    settings: Settings,
    url: str,
    port: int | None = None,
    clock: Clock | None = None,
) -> StartedService:
    """Migrates the service's schema, opens its pool and starts its server (port 0: any free)."""
    info = service_info(name)
    tracing.configure(name, settings)
    await migrate(url, name)
    database = await Database.connect(url, name, settings.db_pool_min, settings.db_pool_max)
    metrics = ServiceMetrics(name)
    clock = clock or SystemClock()
    worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    journal = Journal(database, clock, name, worker)
    deps = ServiceDeps(name, settings, database, load_pki(settings), journal, clock, metrics)
    paging.use_key_material(deps.pki.service(name).key_pem)
    try:
        grpc_port = settings.port_of(name) if port is None else port
        # A port given here (tests, replicas) is not the configured one its metrics port follows:
        # any free port then, never the default service's (51050 would meet a running stack).
        metrics_port = settings.metrics_port_of(name) if port is None and grpc_port else 0
        metrics.serve(settings.metrics_host, metrics_port)
        running = await start_server(
            name,
            info.grpc_services,
            lambda server: register(server, deps),
            deps.pki,
            settings.bind_host,
            grpc_port,
            settings.access_log,
            metrics=metrics,
            journal=journal,
        )
    except BaseException:
        metrics.close()
        await database.close()
        raise
    if journal.drivers:
        deps.run_in_background(journal.sweep_forever(), "journal-sweeper")
    return StartedService(running, deps)


async def _serve(name: str, register: Register) -> None:
    settings = Settings()
    settings.check()
    started = await start_service(name, register, settings, office_database_url(settings, name))
    pid = os.getpid()
    metrics_port = started.deps.metrics.port if started.deps.metrics is not None else 0
    publish(settings.home, ServiceProcess(name, pid, started.server.port, metrics_port=metrics_port))
    # From here `deedflow status`, `deedflow down` and deedctl find this process.
    log.info("published", extra={"fields": {"port": started.server.port, "pid": pid}})
    try:
        await serve_until_signalled(started.server, settings.shutdown_grace_seconds)
    finally:
        withdraw(settings.home, name, pid)
        await started.deps.close()
        # The spans still batched go to the collector before the process ends.
        tracing.shutdown()
    log.info("stopped")


def main(name: str, register: Register) -> None:
    """Entry point of `python -m services.<name>` and `deedflow serve <name>`."""
    settings = Settings()
    configure_logging(name, settings.log_level)
    faults.configure_from_environment()
    try:
        uvloop.run(_serve(name, register))
    except PortInUse as exc:
        # One line naming the port and its holder, which `deedflow up` shows, not a traceback.
        log.error(exc.strerror)
        sys.exit(1)
