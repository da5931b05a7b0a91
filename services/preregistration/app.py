"""Puts the preregistration service's servicers on a gRPC server: its own and the clerks' casework."""

from __future__ import annotations

import grpc

from deedflow.casework.v1 import casework_service_pb2_grpc
from deedflow.preregistration.v1 import preregistration_service_pb2_grpc
from services.preregistration.service import Preregistrations
from services.preregistration.servicer import PreregistrationServicer
from shared.casework.metrics import watch_cases
from shared.casework.servicer import CaseworkServicer
from shared.casework.use_cases import Casework
from shared.runtime import ServiceDeps


def register(server: grpc.aio.Server, deps: ServiceDeps) -> None:
    service = Preregistrations(deps.journal, deps.pki.ca_pem, deps.peer)
    preregistration_service_pb2_grpc.add_PreregistrationServiceServicer_to_server(
        PreregistrationServicer(service), server
    )
    casework_service_pb2_grpc.add_CaseworkServiceServicer_to_server(
        CaseworkServicer(Casework(service.cases, service.tx)), server
    )
    watch_cases(deps, service.cases)
