"""Puts the contract service's servicers on a gRPC server.

Until its rules are built every RPC answers UNIMPLEMENTED (the generated base servicer).
"""

from __future__ import annotations

import grpc

from deedflow.contract.v1 import contract_service_pb2_grpc
from shared.runtime import ServiceDeps


def register(server: grpc.aio.Server, deps: ServiceDeps) -> None:
    contract_service_pb2_grpc.add_ContractServiceServicer_to_server(
        contract_service_pb2_grpc.ContractServiceServicer(), server
    )
