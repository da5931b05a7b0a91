"""Each service serves Prometheus metrics on its own HTTP port; a few calls move its counters."""

from __future__ import annotations

import asyncpg
import grpc
import pytest

from deedflow.orchestrator.v1 import orchestrator_service_pb2 as orchestrator_pb
from deedflow.registry.v1 import registry_service_pb2 as pb
from deedflow.registry.v1 import registry_service_pb2_grpc
from shared.db import plain_url
from tests.support import client_channel, scrape, scrape_text

UNKNOWN_UNIT = "500112001002ZZ99999F00010101"  # no test makes a ZZ parcel


def _value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_calls_move_the_request_counters_and_latency_histogram(services, pki):
    registry = services["registry"]
    port = registry.deps.metrics.port
    method = "/deedflow.registry.v1.RegistryService/GetUnit"
    before = await scrape(port)
    async with client_channel(registry.server.port, pki, "clerk") as channel:
        stub = registry_service_pb2_grpc.RegistryServiceStub(channel)
        for _ in range(3):
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await stub.GetUnit(pb.GetUnitRequest(unit_number=UNKNOWN_UNIT))
            assert caught.value.code() == grpc.StatusCode.NOT_FOUND
        await stub.ListBooks(pb.ListBooksRequest())
    after = await scrape(port)
    labels = {"service": "registry", "method": method}
    assert (
        _value(after, "deedflow_grpc_requests_total", **labels, code="NOT_FOUND")
        - _value(before, "deedflow_grpc_requests_total", **labels, code="NOT_FOUND")
        == 3
    )
    checkpoint = {"service": "registry", "method": "/deedflow.registry.v1.RegistryService/ListBooks"}
    assert _value(after, "deedflow_grpc_requests_total", **checkpoint, code="OK") >= 1
    count = "deedflow_grpc_request_duration_seconds_count"
    assert _value(after, count, **labels) - _value(before, count, **labels) == 3


async def test_the_orchestrator_counts_purchases_by_state_as_its_database_does(services, database_url):
    # Figures from the database are read in the background; a scrape serves the last reading.
    await services["orchestrator"].deps.metrics.refresh()
    samples = await scrape(services["orchestrator"].deps.metrics.port)
    by_state = {
        dict(labels)["state"]: value
        for (name, labels), value in samples.items()
        if name == "deedflow_purchases"
    }
    connection = await asyncpg.connect(plain_url(database_url))
    try:
        total = await connection.fetchval("SELECT count(*) FROM orchestrator.purchase")
    finally:
        await connection.close()
    assert sum(by_state.values()) == total
    assert set(by_state) <= {
        name.removeprefix("PURCHASE_STATE_")
        for name in orchestrator_pb.PurchaseState.DESCRIPTOR.values_by_name
    }


async def test_each_office_reports_its_overdue_cases(services):
    for office in ("preregistration", "transfer", "mortgage"):
        text = await scrape_text(services[office].deps.metrics.port)
        assert "# TYPE deedflow_cases_overdue gauge" in text
        assert "# TYPE deedflow_grpc_requests_total counter" in text
