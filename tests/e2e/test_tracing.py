"""Tracing across the services: a filing's trace continues the caller's, and the saga's steps
join it in every office they call, with the request ids and the purchase named on the spans.
Spans are collected by OpenTelemetry's in-memory exporter on the session's real stack."""

from __future__ import annotations

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult

from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from tests.flows import presale
from tests.purchases import file_purchase, signed_filing, until
from tests.support import client_channel


class Switch(Sampler):
    """Records every span while on. A process has one provider and this module installs it; off,
    the tests after it make only OpenTelemetry's non-recording spans, as with tracing off."""

    on = True

    def should_sample(self, parent_context, trace_id, name, kind=None, attributes=None, links=None):
        return SamplingResult(Decision.RECORD_AND_SAMPLE if self.on else Decision.DROP, attributes)

    def get_description(self) -> str:
        return "switch"


@pytest.fixture(scope="module")
def spans():
    """Every span this process records while the module runs."""
    exporter, switch = InMemorySpanExporter(), Switch()
    provider = TracerProvider(sampler=switch)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    yield exporter
    switch.on = False
    exporter.clear()


async def test_one_filing_is_one_trace_through_four_services_and_more(services, offices, pki, spans):
    async with client_channel(services["orchestrator"].server.port, pki, "developer") as channel:
        desk = orchestrator_service_pb2_grpc.PurchaseServiceStub(channel)
        _, (unit, _) = await presale(offices)
        filing, _ = signed_filing(pki, unit, with_loan=True)
        # The developer's own system traces too: our span continues its trace.
        with trace.get_tracer("developer-sales-system").start_as_current_span("sell a flat") as theirs:
            purchase = await file_purchase(desk, filing)
        await until(desk, purchase.name, pb.PURCHASE_STATE_AWAITING_COMPLETION)

    finished = spans.get_finished_spans()
    filed = next(
        s
        for s in finished
        if s.name == "deedflow.orchestrator.v1.PurchaseService/FilePurchase"
        and s.attributes.get("deedflow.purchase") == purchase.name
    )
    assert filed.context.trace_id == theirs.get_span_context().trace_id
    assert filed.parent.span_id == theirs.get_span_context().span_id
    assert filed.attributes["deedflow.request_id"]
    assert filed.attributes["deedflow.caller"].startswith("deedflow://developer/")

    in_trace = [s for s in finished if s.context.trace_id == filed.context.trace_id]
    served = {s.attributes["deedflow.service"] for s in in_trace if s.kind == trace.SpanKind.SERVER}
    assert {"orchestrator", "contract", "tax", "preregistration", "registry"} <= served
    steps = {s.name for s in in_trace if s.name.startswith("saga.") and s.name != "saga.advance"}
    assert {"saga.CONTRACT_FILED", "saga.TAX_ASSESSED", "saga.PREREGISTERED", "saga.PREMORTGAGED"} <= steps
    assert {s.attributes["deedflow.purchase"] for s in in_trace if s.name.startswith("saga.")} == {
        purchase.name
    }
    # Every office's span names the request it served: the saga's derived request ids.
    assert all(s.attributes["deedflow.request_id"] for s in in_trace if s.kind == trace.SpanKind.SERVER)
    # A step's call is a child of the step: the trace says which step was slow, and where.
    by_id = {s.context.span_id: s for s in in_trace}
    contract_calls = [
        s for s in in_trace if s.attributes.get("rpc.service") == "deedflow.contract.v1.ContractService"
    ]
    assert any(by_id[s.parent.span_id].name.startswith("saga.") for s in contract_calls if s.parent)
