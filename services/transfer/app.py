"""Puts the transfer service's servicers on a gRPC server: its own and the clerks' casework."""

from __future__ import annotations

import grpc

from deedflow.casework.v1 import casework_service_pb2_grpc
from deedflow.transfer.v1 import transfer_service_pb2_grpc
from services.transfer.service import Transfers
from services.transfer.servicer import TransferServicer
from shared.casework.metrics import watch_cases
from shared.casework.servicer import CaseworkServicer
from shared.casework.use_cases import Casework
from shared.runtime import ServiceDeps


def register(server: grpc.aio.Server, deps: ServiceDeps) -> None:
    service = Transfers(deps.journal, deps.peer)
    transfer_service_pb2_grpc.add_TransferServiceServicer_to_server(TransferServicer(service), server)
    casework_service_pb2_grpc.add_CaseworkServiceServicer_to_server(
        CaseworkServicer(Casework(service.cases, service.tx)), server
    )
    watch_cases(deps, service.cases)
