"""Puts the mortgage service's servicers on a gRPC server.

Until its rules are built every RPC answers UNIMPLEMENTED (the generated base servicer).
"""

from __future__ import annotations

import grpc

from deedflow.casework.v1 import casework_service_pb2_grpc
from deedflow.mortgage.v1 import mortgage_service_pb2_grpc
from shared.runtime import ServiceDeps


def register(server: grpc.aio.Server, deps: ServiceDeps) -> None:
    mortgage_service_pb2_grpc.add_MortgageServiceServicer_to_server(
        mortgage_service_pb2_grpc.MortgageServiceServicer(), server
    )
    casework_service_pb2_grpc.add_CaseworkServiceServicer_to_server(
        casework_service_pb2_grpc.CaseworkServiceServicer(), server
    )
