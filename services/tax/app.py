"""Puts the tax service's servicers on a gRPC server.

Until its rules are built every RPC answers UNIMPLEMENTED (the generated base servicer).
"""

from __future__ import annotations

import grpc

from deedflow.tax.v1 import tax_service_pb2_grpc
from shared.runtime import ServiceDeps


def register(server: grpc.aio.Server, deps: ServiceDeps) -> None:
    tax_service_pb2_grpc.add_TaxServiceServicer_to_server(tax_service_pb2_grpc.TaxServiceServicer(), server)
