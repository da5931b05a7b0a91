"""Puts the orchestrator service's servicers on a gRPC server.

Until its rules are built every RPC answers UNIMPLEMENTED (the generated base servicer).
"""

from __future__ import annotations

import grpc

from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from shared.runtime import ServiceDeps


def register(server: grpc.aio.Server, deps: ServiceDeps) -> None:
    orchestrator_service_pb2_grpc.add_PurchaseServiceServicer_to_server(
        orchestrator_service_pb2_grpc.PurchaseServiceServicer(), server
    )
