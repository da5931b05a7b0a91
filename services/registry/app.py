"""Puts the registry's servicer on a gRPC server."""

from __future__ import annotations

import grpc

from deedflow.registry.v1 import registry_service_pb2_grpc
from services.registry.service import Book
from services.registry.servicer import RegistryServicer
from shared.runtime import ServiceDeps


def register(server: grpc.aio.Server, deps: ServiceDeps) -> None:
    registry_service_pb2_grpc.add_RegistryServiceServicer_to_server(
        RegistryServicer(Book(deps.journal, deps.pki.registry_log_key())), server
    )
