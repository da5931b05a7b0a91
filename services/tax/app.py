"""Puts the tax service's servicer on a gRPC server."""

from __future__ import annotations

import grpc

from deedflow.tax.v1 import tax_service_pb2_grpc
from services.tax.clearance_feed import ClearanceFeed
from services.tax.config import TaxSettings
from services.tax.service import DeedTax
from services.tax.servicer import TaxServicer
from shared.runtime import ServiceDeps


def register(server: grpc.aio.Server, deps: ServiceDeps) -> None:
    settings = TaxSettings()
    tax = DeedTax(deps.journal, settings.provincial_rate_basis_points, deps.peer, settings.collecting_banks)
    feed = ClearanceFeed()
    tax_service_pb2_grpc.add_TaxServiceServicer_to_server(TaxServicer(tax, feed), server)
    deps.run_in_background(feed.run(deps.database.url), "clearance-feed")
