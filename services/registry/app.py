"""Puts the registry's servicer on a gRPC server, with its checkpointer and its books' metrics."""

from __future__ import annotations

import ssl
from collections.abc import Callable

import grpc
from prometheus_client import Counter, Histogram

from deedflow.registry.v1 import registry_service_pb2_grpc
from services.registry.books import BookKeys, Books
from services.registry.checkpointer import sign_when_due
from services.registry.config import RegistrySettings
from services.registry.key_files import KeyFiles
from services.registry.service import Book
from services.registry.servicer import RegistryServicer
from services.registry.use_cases import RegistryOffice
from services.registry.witnessing import Witnesses
from shared.events.serve import serve_events
from shared.metrics import LATENCY_BUCKETS
from shared.runtime import ServiceDeps


def _book_waits(deps: ServiceDeps) -> Callable[[str, float], None]:
    """Where each append's wait for its book's head is told: a histogram by authority. It is what
    partitioning the register by authority is for: an append waits only for its own book's earlier
    appends, so this stays near zero for a district nobody else writes in."""
    if deps.metrics is None:
        return lambda authority, seconds: None
    histogram = Histogram(
        "deedflow_registry_book_wait_seconds",
        "Time an append waited for its book's head (the book's row lock), by authority.",
        ["authority"],
        buckets=LATENCY_BUCKETS,
        registry=deps.metrics.registry,
    )
    return lambda authority, seconds: histogram.labels(authority).observe(seconds)


def _witness_alarms(deps: ServiceDeps) -> Callable[[str, str], None]:
    """Where a witness's alarm is counted: by book and kind (FORK, ROLLBACK, REFUSED)."""
    if deps.metrics is None:
        return lambda authority, kind: None
    counter = Counter(
        "deedflow_registry_witness_alarms",
        "Witness refusals that say a book forked or went back, or that the witness refused it.",
        ["authority", "kind"],
        registry=deps.metrics.registry,
    )
    return lambda authority, kind: counter.labels(authority, kind).inc()


def _witness_tls(deps: ServiceDeps) -> ssl.SSLContext:
    """Witnesses are reached over HTTPS: the system's roots, and the deployment's own CA."""
    context = ssl.create_default_context()
    context.load_verify_locations(cadata=deps.pki.ca_pem.decode())
    return context


def register(server: grpc.aio.Server, deps: ServiceDeps) -> None:
    settings = RegistrySettings()
    files = KeyFiles(deps.pki)
    keys = BookKeys(files.current, files.retired, files.take_up)
    books = Books(keys, deps.journal.clock, settings.max_leaf_bytes, _book_waits(deps))
    book = Book(deps.journal, books)
    witnesses = (
        Witnesses(settings, deps.database, books, _witness_tls(deps), _witness_alarms(deps))
        if settings.witnesses
        else None
    )
    registry_service_pb2_grpc.add_RegistryServiceServicer_to_server(
        RegistryServicer(RegistryOffice(book, files, witnesses)), server
    )
    deps.run_in_background(sign_when_due(book, settings, witnesses), "checkpointer")
    serve_events(server, deps)
