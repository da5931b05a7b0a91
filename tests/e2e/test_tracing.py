"""Tracing across the services: a filing's trace continues the caller's, and the saga's steps
join it in every office they call, with the request ids and the purchase named on the spans.
Spans are collected by OpenTelemetry's in-memory exporter on the session's real stack."""

from __future__ import annotations

import asyncio
import logging
import threading

import grpc
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult

from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from shared import tracing
from shared.logging import mask_personal_ids
from tests.flows import next_resident_id, presale
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


class Ended(SpanProcessor):
    """Lets a test wait for a span to end (the server ends a stream's span in its own time)."""

    def __init__(self) -> None:
        self.seen: list[ReadableSpan] = []
        self.changed = threading.Condition()

    def on_end(self, span: ReadableSpan) -> None:
        with self.changed:
            self.seen.append(span)
            self.changed.notify_all()

    def _found(self, name: str, subject: str) -> ReadableSpan | None:
        return next(
            (s for s in self.seen if s.name == name and s.attributes.get("deedflow.subject") == subject), None
        )

    async def wait_for(self, name: str, subject: str) -> ReadableSpan:
        def wait() -> ReadableSpan | None:
            with self.changed:
                self.changed.wait_for(lambda: self._found(name, subject) is not None, timeout=30)
                return self._found(name, subject)

        found = await asyncio.to_thread(wait)
        assert found is not None, f"no span {name} of {subject} ended"
        return found


async def test_a_watch_its_client_cancels_ends_its_span_without_an_error(
    services, offices, pki, spans, caplog
):
    """A stream is closed from another context when its client goes away: its span still ends
    (with the code the call ended with), and nothing is logged at ERROR for it."""
    ended = Ended()
    trace.get_tracer_provider().add_span_processor(ended)
    async with client_channel(services["orchestrator"].server.port, pki, "developer") as channel:
        desk = orchestrator_service_pb2_grpc.PurchaseServiceStub(channel)
        _, (unit, _) = await presale(offices)
        purchase = await file_purchase(desk, signed_filing(pki, unit, with_loan=False)[0])
        stream = desk.WatchPurchase(pb.WatchPurchaseRequest(name=purchase.name))
        first = await stream.read()
        stream.cancel()
        # The server ends the watch's span in its own time after the cancel: waited for.
        watched = await ended.wait_for(
            "deedflow.orchestrator.v1.PurchaseService/WatchPurchase", purchase.name
        )
    assert first.purchase.name == purchase.name
    assert watched.attributes["rpc.grpc.status_code"] == grpc.StatusCode.CANCELLED.value[0]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_what_a_span_carries_of_a_person_is_masked_by_the_logs_rule(spans):
    """A trace goes to a collector others run: a resident ID in a span's attributes, or in the
    exception that ended it (its message, stack trace and status), reaches it masked."""
    resident = next_resident_id()
    with (
        pytest.raises(ValueError, match=resident),
        tracing.span("probe-personal-data", holder=f"buyers/{resident}"),
    ):
        raise ValueError(f"buyer {resident} may not buy twice")
    (probe,) = [s for s in spans.get_finished_spans() if s.name == "probe-personal-data"]
    (event,) = probe.events
    recorded = [
        *map(str, probe.attributes.values()),
        *map(str, event.attributes.values()),
        probe.status.description or "",
    ]
    assert event.name == "exception"
    assert probe.attributes["deedflow.holder"] == f"buyers/{mask_personal_ids(resident)}"
    assert mask_personal_ids(resident) in event.attributes["exception.message"]
    assert [text for text in recorded if resident in text] == []
