"""Puts the contract service's servicer on a gRPC server."""

from __future__ import annotations

import grpc

from deedflow.contract.v1 import contract_service_pb2_grpc
from services.contract.service import Contracts
from services.contract.servicer import ContractServicer
from shared.runtime import ServiceDeps


def register(server: grpc.aio.Server, deps: ServiceDeps) -> None:
    contracts = Contracts(deps.journal, deps.pki.ca_pem, deps.peer)
    contract_service_pb2_grpc.add_ContractServiceServicer_to_server(ContractServicer(contracts), server)
