"""Puts the registry service's servicers on a gRPC server.

Until its rules are built every RPC answers UNIMPLEMENTED (the generated base servicer).
"""

from __future__ import annotations

import grpc

from deedflow.registry.v1 import registry_service_pb2_grpc
from shared.runtime import ServiceDeps


def register(server: grpc.aio.Server, deps: ServiceDeps) -> None:
    registry_service_pb2_grpc.add_RegistryServiceServicer_to_server(
        registry_service_pb2_grpc.RegistryServiceServicer(), server
    )
