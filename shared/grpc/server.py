"""The one server builder every service uses: mTLS, interceptors, health, reflection, shutdown."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from shared.grpc import reflection
from shared.grpc.interceptors import server_interceptors
from shared.grpc.tls import server_credentials
from shared.journal import Journal
from shared.metrics import MetricsInterceptor, ServiceMetrics
from shared.pki import Pki
from shared.policy import POLICY, Policy
from shared.ports import PortInUse, holder_of
from shared.signals import stop_requested

log = logging.getLogger("deedflow.server")

SERVER_OPTIONS = (
    # Without this grpc sets SO_REUSEPORT and two servers could silently share one port.
    ("grpc.so_reuseport", 0),
    # A connection must finish its TLS handshake in 10 s, may sit idle 5 minutes and lives at
    # most an hour (then drains within a minute, and the client reconnects): idle or stalled
    # connections cannot pile up until the process runs out of file descriptors.
    ("grpc.server_handshake_timeout_ms", 10_000),
    ("grpc.max_connection_idle_ms", 300_000),
    ("grpc.max_connection_age_ms", 3_600_000),
    ("grpc.max_connection_age_grace_ms", 60_000),
    # Dead peers are found by pings; a client pinging more often than every 10 s is told off.
    ("grpc.keepalive_time_ms", 60_000),
    ("grpc.keepalive_timeout_ms", 20_000),
    ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
    # Streams at once on one connection, and the largest request accepted (4 MiB). Above the
    # watches one caller may hold (max_watches_per_caller, 1000): a caller's streams past this
    # would wait unseen in its own transport, never refused, instead of one being refused.
    ("grpc.max_concurrent_streams", 2048),
    # Calls gRPC core holds for the server to take up. Past its default (1,000) it cancels new
    # ones: two callers opening their thousand watches at once had ~200 of them CANCELLED before
    # any handler ran, the refusal of the one too many never reached, and other callers hit.
    ("grpc.server.max_pending_requests", 8192),
    ("grpc.server.max_pending_requests_hard_limit", 16384),
    ("grpc.max_receive_message_length", 4 * 1024 * 1024),
)

Registrar = Callable[[grpc.aio.Server], None]


@dataclass
class RunningServer:
    """A started server with its bound port and health servicer."""

    name: str
    server: grpc.aio.Server
    port: int
    health: health.aio.HealthServicer
    grpc_services: tuple[str, ...]

    async def stop(self, grace: float) -> None:
        """Health to NOT_SERVING first, so balancers drain it, then stop with grace."""
        await self.health.enter_graceful_shutdown()
        await self.server.stop(grace)


async def start_server(
    name: str,
    grpc_services: Iterable[str],
    register: Registrar,
    pki: Pki,
    host: str,
    port: int,
    access_log: bool = True,
    policy: Policy = POLICY,
    metrics: ServiceMetrics | None = None,
    journal: Journal | None = None,
) -> RunningServer:
    """Starts a service's gRPC server; `register` adds its servicers. Port 0 picks a free port."""
    services = tuple(grpc_services)
    observers = [MetricsInterceptor(metrics)] if metrics is not None else []
    server = grpc.aio.server(
        interceptors=server_interceptors(
            f"deedflow.{name}", access_log, policy, observers, journal, pki.ca_pem
        ),
        options=SERVER_OPTIONS,
    )
    register(server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable(server, (*services, health.SERVICE_NAME))
    try:
        bound = server.add_secure_port(f"{host}:{port}", server_credentials(pki, name))
    except RuntimeError:
        # grpc says only "Failed to bind": say which port, and who holds it when someone does.
        holder = holder_of(port) if port else None
        if holder:
            raise PortInUse(name, host, port, holder) from None
        raise OSError(f"could not bind {name} to {host}:{port}") from None
    await server.start()
    for service in ("", *services):
        await health_servicer.set(service, health_pb2.HealthCheckResponse.SERVING)
    log.info("serving", extra={"fields": {"port": bound, "services": list(services)}})
    return RunningServer(name, server, bound, health_servicer, services)


async def serve_until_signalled(running: RunningServer, grace: float) -> None:
    """Runs until SIGTERM or SIGINT, then stops gracefully."""
    await stop_requested()
    log.info("stopping", extra={"fields": {"grace_seconds": grace}})
    await running.stop(grace)
