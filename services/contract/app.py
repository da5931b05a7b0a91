"""Puts the contract service's servicer on a gRPC server."""

from __future__ import annotations

import grpc

from deedflow.contract.v1 import contract_service_pb2_grpc
from services.contract.service import Contracts
from services.contract.servicer import ContractServicer
from shared.metrics import grouped_counts
from shared.runtime import ServiceDeps


def register(server: grpc.aio.Server, deps: ServiceDeps) -> None:
    contracts = Contracts(deps.journal, deps.pki.ca_pem, deps.peer)
    contract_service_pb2_grpc.add_ContractServiceServicer_to_server(ContractServicer(contracts), server)
    if deps.metrics is not None:
        deps.metrics.add_live_gauge(
            "deedflow_contracts_filed_late",
            "Contracts filed more than 30 days after the last signature (the developer's breach of"
            " its filing duty), by developer.",
            ["developer_uscc"],
            lambda: grouped_counts(
                deps.database,
                "SELECT developer_uscc, count(*) FROM contract WHERE file_time > filing_due_time"
                " GROUP BY developer_uscc",
            ),
        )
