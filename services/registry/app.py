"""Puts the registry's servicer on a gRPC server."""

from __future__ import annotations

import grpc

from deedflow.registry.v1 import registry_service_pb2_grpc
from services.registry.checkpointer import sign_when_due
from services.registry.config import RegistrySettings
from services.registry.service import Book
from services.registry.servicer import RegistryServicer
from shared.runtime import ServiceDeps


def register(server: grpc.aio.Server, deps: ServiceDeps) -> None:
    settings = RegistrySettings()
    book = Book(deps.journal, deps.pki.registry_log_key(), settings.max_leaf_bytes)
    registry_service_pb2_grpc.add_RegistryServiceServicer_to_server(RegistryServicer(book), server)
    deps.run_in_background(sign_when_due(book, settings), "checkpointer")
