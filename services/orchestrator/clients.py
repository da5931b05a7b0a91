"""Stubs for the services the saga calls, each over this service's own mTLS identity."""

from __future__ import annotations

from collections.abc import Callable

import grpc

from deedflow.contract.v1 import contract_service_pb2_grpc
from deedflow.preregistration.v1 import preregistration_service_pb2_grpc
from deedflow.tax.v1 import tax_service_pb2_grpc
from deedflow.transfer.v1 import transfer_service_pb2 as transfer_pb
from deedflow.transfer.v1 import transfer_service_pb2_grpc
from shared.batches import calls_together
from shared.grpc.coalescing import Coalescer

TRANSFER_BATCHES_IN_FLIGHT = 4


class Clients:
    """Created once; each stub's channel is opened lazily, in the running loop."""

    def __init__(self, peer: Callable[[str], grpc.aio.Channel]) -> None:
        self.peer = peer
        # A building's purchases reach their transfer step together at its handover: their
        # transfers are lodged together (TransferService/LodgeTransfers). A batch is answered
        # once every transfer in it is entered, so a few are out at once: while the register
        # enters one, the offices read and record for the next.
        self.lodge_transfer: Coalescer[
            transfer_pb.LodgeTransferRequest, transfer_pb.LodgeTransferResponse
        ] = calls_together(
            lambda: self.transfer,
            "LodgeTransfer",
            "LodgeTransfers",
            transfer_pb.LodgeTransfersRequest,
            in_flight=TRANSFER_BATCHES_IN_FLIGHT,
        )

    @property
    def contract(self) -> contract_service_pb2_grpc.ContractServiceStub:
        return contract_service_pb2_grpc.ContractServiceStub(self.peer("contract"))

    @property
    def tax(self) -> tax_service_pb2_grpc.TaxServiceStub:
        return tax_service_pb2_grpc.TaxServiceStub(self.peer("tax"))

    @property
    def preregistration(self) -> preregistration_service_pb2_grpc.PreregistrationServiceStub:
        return preregistration_service_pb2_grpc.PreregistrationServiceStub(self.peer("preregistration"))

    @property
    def transfer(self) -> transfer_service_pb2_grpc.TransferServiceStub:
        return transfer_service_pb2_grpc.TransferServiceStub(self.peer("transfer"))
