"""Fixtures for integration tests: stubs for every office, as each real caller holds them."""

from __future__ import annotations

import pytest

from deedflow.casework.v1 import casework_service_pb2_grpc
from deedflow.contract.v1 import contract_service_pb2_grpc
from deedflow.mortgage.v1 import mortgage_service_pb2_grpc
from deedflow.preregistration.v1 import preregistration_service_pb2_grpc
from deedflow.registry.v1 import registry_service_pb2_grpc
from deedflow.tax.v1 import tax_service_pb2_grpc
from deedflow.transfer.v1 import transfer_service_pb2_grpc
from shared.grpc.channels import secure_channel
from tests.flows import Offices
from tests.support import client_channel


@pytest.fixture(scope="session")
async def offices(services, pki):
    channels = []

    def open_channel(service: str, caller: str):
        channel = client_channel(services[service].server.port, pki, caller)
        channels.append(channel)
        return channel

    orchestrator = secure_channel(
        f"127.0.0.1:{services['tax'].server.port}", pki.ca_pem, pki.service("orchestrator")
    )
    registry_as_service = secure_channel(
        f"127.0.0.1:{services['registry'].server.port}", pki.ca_pem, pki.service("orchestrator")
    )
    channels += [orchestrator, registry_as_service]
    yield Offices(
        housing=contract_service_pb2_grpc.ContractServiceStub(open_channel("contract", "housing")),
        contracts=contract_service_pb2_grpc.ContractServiceStub(open_channel("contract", "developer")),
        tax=tax_service_pb2_grpc.TaxServiceStub(orchestrator),
        tax_as_bank=tax_service_pb2_grpc.TaxServiceStub(open_channel("tax", "bank-a")),
        prereg=preregistration_service_pb2_grpc.PreregistrationServiceStub(
            open_channel("preregistration", "developer")
        ),
        prereg_as_bank=preregistration_service_pb2_grpc.PreregistrationServiceStub(
            open_channel("preregistration", "bank-a")
        ),
        transfer=transfer_service_pb2_grpc.TransferServiceStub(open_channel("transfer", "developer")),
        mortgage_as_bank=mortgage_service_pb2_grpc.MortgageServiceStub(open_channel("mortgage", "bank-a")),
        mortgage_as_other_bank=mortgage_service_pb2_grpc.MortgageServiceStub(
            open_channel("mortgage", "bank-b")
        ),
        registry=registry_service_pb2_grpc.RegistryServiceStub(registry_as_service),
        registry_clerk=registry_service_pb2_grpc.RegistryServiceStub(open_channel("registry", "clerk")),
        prereg_cases=casework_service_pb2_grpc.CaseworkServiceStub(open_channel("preregistration", "clerk")),
        transfer_cases=casework_service_pb2_grpc.CaseworkServiceStub(open_channel("transfer", "clerk")),
    )
    for channel in channels:
        await channel.close()
