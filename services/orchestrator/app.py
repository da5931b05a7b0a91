"""Puts the purchase service on a gRPC server and runs this process's saga workers beside it."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid

import grpc

from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from services.orchestrator.clients import Clients
from services.orchestrator.config import SagaSettings
from services.orchestrator.engine import Door, Engine
from services.orchestrator.events import RELAYED, attach_purchases
from services.orchestrator.notifier import Notifier
from services.orchestrator.payments import follow_payments
from services.orchestrator.service import Purchases
from services.orchestrator.servicer import PurchaseServicer
from shared.events.serve import serve_events
from shared.metrics import grouped_counts
from shared.runtime import ServiceDeps


def register(server: grpc.aio.Server, deps: ServiceDeps) -> None:
    clients = Clients(deps.peer)
    notifier = Notifier()
    purchases = Purchases(deps.journal, clients, notifier)
    door = Door()
    orchestrator_service_pb2_grpc.add_PurchaseServiceServicer_to_server(
        PurchaseServicer(purchases, deps.pki.ca_pem, deps.settings.max_watches_per_caller, door), server
    )
    serve_events(server, deps, attach_purchases, RELAYED)
    worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    engine = Engine(deps.database, deps.clock, clients, notifier, worker, SagaSettings(), deps.metrics, door)
    if deps.metrics is not None:
        deps.metrics.add_live_gauge(
            "deedflow_purchases",
            "Purchases by state (订购 状态), read from the database when scraped.",
            ["state"],
            lambda: grouped_counts(deps.database, "SELECT state, count(*) FROM purchase GROUP BY state"),
        )

    async def run() -> None:
        await asyncio.gather(
            notifier.run(deps.database.url),
            engine.run(),
            follow_payments(lambda: deps.open_peer("tax"), deps.database, deps.clock),
        )

    deps.run_in_background(run(), "saga-workers")
