"""Puts the transfer service's servicers on a gRPC server.

Until its rules are built every RPC answers UNIMPLEMENTED (the generated base servicer).
"""

from __future__ import annotations

import grpc

from deedflow.casework.v1 import casework_service_pb2_grpc
from deedflow.transfer.v1 import transfer_service_pb2_grpc
from shared.runtime import ServiceDeps


def register(server: grpc.aio.Server, deps: ServiceDeps) -> None:
    transfer_service_pb2_grpc.add_TransferServiceServicer_to_server(
        transfer_service_pb2_grpc.TransferServiceServicer(), server
    )
    casework_service_pb2_grpc.add_CaseworkServiceServicer_to_server(
        casework_service_pb2_grpc.CaseworkServiceServicer(), server
    )
