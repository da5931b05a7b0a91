"""Puts the registry's servicer on a gRPC server, with its checkpointer and its books' metrics."""

from __future__ import annotations

from collections.abc import Callable

import grpc
from prometheus_client import Histogram

from deedflow.registry.v1 import registry_service_pb2_grpc
from services.registry.books import BookKeys, Books
from services.registry.checkpointer import sign_when_due
from services.registry.config import RegistrySettings
from services.registry.service import Book
from services.registry.servicer import RegistryServicer
from services.registry.use_cases import RegistryOffice
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


def register(server: grpc.aio.Server, deps: ServiceDeps) -> None:
    settings = RegistrySettings()
    books = Books(BookKeys(deps.pki.book_key), deps.journal.clock, settings.max_leaf_bytes, _book_waits(deps))
    book = Book(deps.journal, books)
    registry_service_pb2_grpc.add_RegistryServiceServicer_to_server(
        RegistryServicer(RegistryOffice(book)), server
    )
    deps.run_in_background(sign_when_due(book, settings), "checkpointer")
