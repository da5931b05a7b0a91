"""Puts the mortgage service's servicers on a gRPC server: its own and the clerks' casework."""

from __future__ import annotations

import grpc

from deedflow.casework.v1 import casework_service_pb2_grpc
from deedflow.mortgage.v1 import mortgage_service_pb2_grpc
from services.mortgage.service import Mortgages
from services.mortgage.servicer import MortgageServicer
from shared.casework.metrics import watch_cases
from shared.casework.servicer import CaseworkServicer
from shared.casework.use_cases import Casework
from shared.events.serve import serve_events
from shared.runtime import ServiceDeps


def register(server: grpc.aio.Server, deps: ServiceDeps) -> None:
    service = Mortgages(deps.journal, deps.peer, deps.pki.ca_pem)
    mortgage_service_pb2_grpc.add_MortgageServiceServicer_to_server(MortgageServicer(service), server)
    casework_service_pb2_grpc.add_CaseworkServiceServicer_to_server(
        CaseworkServicer(Casework(service.cases, service.tx)), server
    )
    watch_cases(deps, service.cases)
    serve_events(server, deps)
