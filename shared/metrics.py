"""Prometheus metrics of one service: calls by method and code with their latency (a grpc.aio
server interceptor on prometheus-client), the service's own domain figures, and the HTTP endpoint
that serves them. Each service has its own registry, so services sharing a process (the tests)
each expose only their own figures."""

from __future__ import annotations

import asyncio
import errno
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily

from shared.db import Database
from shared.grpc.interceptors import BehaviorInterceptor, Call, Metadata, Produce, current_call
from shared.grpc.types import Context
from shared.ports import PortInUse

log = logging.getLogger("deedflow.metrics")

# gRPC calls here take from under a millisecond (reads) to seconds (a saga step's downstream
# calls); the buckets cover both ends.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# How often the figures read from the database are refreshed. A scrape serves the last reading,
# so a flood of scrapes costs the database nothing.
REFRESH_SECONDS = 15.0

# A figure from the database: labels -> value.
LiveQuery = Callable[[], Awaitable[dict[tuple[str, ...], float]]]


class ServiceMetrics:
    """One service's metrics and their HTTP endpoint."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "deedflow_grpc_requests",
            "gRPC calls handled, by method and status code.",
            ["service", "method", "code"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "deedflow_grpc_request_duration_seconds",
            "Time to handle a gRPC call, by method.",
            ["service", "method"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.step_duration = Histogram(
            "deedflow_saga_step_duration_seconds",
            "Time of one saga step's attempt, by step and outcome (orchestrator).",
            ["step", "outcome"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._http: WSGIServer | None = None
        self.port = 0
        self._gauges: list[_CachedGauge] = []
        self._refresher: asyncio.Task[None] | None = None

    def observe_call(self, method: str, code: str, seconds: float) -> None:
        self.requests.labels(self.service, method, code).inc()
        self.latency.labels(self.service, method).observe(seconds)

    def add_live_gauge(self, name: str, documentation: str, labels: list[str], query: LiveQuery) -> None:
        """A gauge read from the database (e.g. purchases by state) every REFRESH_SECONDS in the
        service's own event loop; a scrape serves the last reading."""
        gauge = _CachedGauge(name, documentation, labels, query)
        self.registry.register(gauge)
        self._gauges.append(gauge)
        if self._refresher is None:
            self._refresher = asyncio.get_running_loop().create_task(self._refresh_forever())

    async def refresh(self) -> None:
        """Reads every database figure now."""
        for gauge in self._gauges:
            await gauge.refresh()

    async def _refresh_forever(self) -> None:
        while True:
            await self.refresh()
            await asyncio.sleep(REFRESH_SECONDS)

    def serve(self, host: str, port: int) -> int:
        """Starts the /metrics endpoint (port 0: any free port) and returns its port."""
        try:
            http, _ = start_http_server(port, addr=host, registry=self.registry)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUse(f"{self.service} metrics", host, port) from None
            raise
        self._http = http
        self.port = http.server_address[1]
        return self.port

    def close(self) -> None:
        if self._refresher is not None:
            self._refresher.cancel()
            self._refresher = None
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None


class _CachedGauge:
    """A gauge whose last reading is served; refreshed by ServiceMetrics."""

    def __init__(self, name: str, documentation: str, labels: list[str], query: LiveQuery) -> None:
        self.name, self.documentation, self.labels = name, documentation, labels
        self.query = query
        self.values: dict[tuple[str, ...], float] | None = None

    async def refresh(self) -> None:
        try:
            self.values = await self.query()
        except Exception as exc:
            # Whatever the database or the query did, the refresher must live on: the last
            # reading stands (a scrape shows it) until the database answers again.
            log.warning("metric not refreshed", extra={"fields": {"metric": self.name, "error": str(exc)}})

    def describe(self) -> list[GaugeMetricFamily]:
        return [GaugeMetricFamily(self.name, self.documentation, labels=self.labels)]

    def collect(self) -> Iterator[GaugeMetricFamily]:
        if self.values is None:
            return
        family = GaugeMetricFamily(self.name, self.documentation, labels=self.labels)
        for labels, value in sorted(self.values.items()):
            family.add_metric(list(labels), value)
        yield family


class MetricsInterceptor(BehaviorInterceptor):
    """Counts every call by method and final code and times it."""

    def __init__(self, metrics: ServiceMetrics) -> None:
        self.metrics = metrics

    def _record(self, method: str, cancelled: bool) -> None:
        state = current_call.get()
        if state is None:
            return
        code = "CANCELLED" if cancelled else state.code
        self.metrics.observe_call(method, code, time.perf_counter() - state.start)

    async def around(
        self, call: Call, request: Any, context: Context, method: str, metadata: Metadata
    ) -> Any:
        cancelled = False
        try:
            return await call()
        except asyncio.CancelledError:
            cancelled = True
            raise
        finally:
            self._record(method, cancelled)

    async def around_stream(
        self, produce: Produce, request: Any, context: Context, method: str, metadata: Metadata
    ) -> AsyncIterator[Any]:
        cancelled = False
        try:
            async for item in produce():
                yield item
        except (GeneratorExit, asyncio.CancelledError):
            cancelled = True
            raise
        finally:
            self._record(method, cancelled)


async def grouped_counts(database: Database, sql: str, *args: object) -> dict[tuple[str, ...], float]:
    """Rows of (label..., count) as a live gauge's values."""
    async with database.transaction() as connection:
        rows = await connection.fetch(sql, *args)
    return {tuple(str(value) for value in row[:-1]): float(row[-1]) for row in rows}
