"""Tracing across the services: a filing's trace continues the caller's, and the saga's steps
join it in every office they call, with the request ids and the purchase named on the spans.
Spans are collected by OpenTelemetry's in-memory exporter on the session's real stack."""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from collections.abc import Iterable

import aiohttp
import grpc
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult

from deedflow.events.v1 import events_service_pb2 as events_pb
from deedflow.events.v1 import events_service_pb2_grpc
from deedflow.mortgage.v1 import mortgage_service_pb2 as mortgage_pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from deedflow.registry.v1 import registry_service_pb2 as registry_pb
from deedflow.transfer.v1 import transfer_service_pb2 as transfer_pb
from deedflow.transfer.v1 import transfer_service_pb2_grpc
from services.registry import tiles
from services.registry.tiles_http import serve as serve_tiles
from shared import merkle, tracing
from shared.documents import seal_text
from shared.logging import JsonFormatter, mask_personal_ids
from tests.flows import next_resident_id, presale, rid
from tests.purchases import complete, file_purchase, pay, signed_filing, until
from tests.support import client_channel, scrape_text


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


def _hits(texts: Iterable[bytes | str], secrets: set[str]) -> set[str]:
    """The secrets found in any of the texts."""
    blob = b"\n".join(t.encode() if isinstance(t, str) else t for t in texts)
    return {s for s in secrets if s.encode() in blob}


async def _tiles(database_url: str, book: str) -> list[bytes]:
    """Every tile and entry bundle of the book as `deedflow tiles` serves them, and its checkpoint."""
    runner, database, url = await serve_tiles(database_url, "127.0.0.1", 0)
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{url}/{book}/checkpoint") as reply:
                note = await reply.read()
            size = int(note.split(b"\n")[1])
            found = [note]
            for tile in tiles.tiles_of(size):
                async with session.get(f"{url}/{book}/{tile.path()}") as reply:
                    assert reply.status == 200, tile
                    found.append(await reply.read())
            return found
    finally:
        await runner.cleanup()
        await database.close()


async def _every_event(feed) -> list[events_pb.Event]:
    events, cursor = [], ""
    while page := (
        await feed.ListEvents(events_pb.ListEventsRequest(after_cursor=cursor, page_size=1000))
    ).events:
        events.extend(page)
        cursor = page[-1].cursor
    return events


async def test_a_purchase_leaves_ids_and_names_only_where_the_reader_is_entitled(
    services, offices, pki, spans, caplog
):
    """Issue 33: one financed purchase, filed, paid, completed and handed over, then every part of
    the book anyone may read (leaves, checkpoints, proofs, the documents' public parts, the signed
    statements), every log line, metric, span and event is scanned for the buyers' resident IDs
    and names. They are found only in what the reader is entitled to: the holders' own documents'
    content and the parties' own events."""
    caplog.set_level(logging.DEBUG)
    names = [f"姓名{uuid.uuid4().hex[:8]}", f"姓名{uuid.uuid4().hex[:8]}"]
    building, (unit, _) = await presale(offices)
    filing, _ = signed_filing(pki, unit, with_loan=True, names=names)
    secrets = {*names, *(b.resident_id for b in filing.buyers)}
    async with (
        client_channel(services["orchestrator"].server.port, pki, "developer") as channel,
        client_channel(services["orchestrator"].server.port, pki, "bank-a") as lender_channel,
        client_channel(services["orchestrator"].server.port, pki, "bank-b") as stranger_channel,
        client_channel(services["transfer"].server.port, pki, "developer") as transfer_channel,
    ):
        desk = orchestrator_service_pb2_grpc.PurchaseServiceStub(channel)
        purchase = await file_purchase(desk, filing)
        await pay(offices, await until(desk, purchase.name, pb.PURCHASE_STATE_AWAITING_COMPLETION))
        await complete(desk, building)
        ready = await until(desk, purchase.name, pb.PURCHASE_STATE_CERTIFICATE_READY)
        certificate = await transfer_service_pb2_grpc.TransferServiceStub(transfer_channel).GetCertificate(
            transfer_pb.GetCertificateRequest(
                name=f"certificates/{ready.documents.certificate_numbers[0]}", with_document=True
            )
        )
        await desk.ConfirmHandover(pb.ConfirmHandoverRequest(request_id=rid(), name=purchase.name))
        mortgages = (
            await offices.mortgage_as_bank.ListMortgages(mortgage_pb.ListMortgagesRequest(unit_number=unit))
        ).mortgages
        proof = await offices.mortgage_as_bank.GetMortgage(
            mortgage_pb.GetMortgageRequest(name=mortgages[0].name, with_document=True)
        )
        feeds = {
            who: events_service_pb2_grpc.EventServiceStub(c)
            for who, c in (("developer", channel), ("bank-a", lender_channel), ("bank-b", stranger_channel))
        }
        seen = {who: await _every_event(feed) for who, feed in feeds.items()}

    # What anyone may read of the register.
    register = offices.registry_clerk
    book = unit[:6]
    leaves, start = [], 0
    while page := (
        await register.ListLeaves(
            registry_pb.ListLeavesRequest(authority=book, start_index=start, page_size=500)
        )
    ).leaves:
        leaves.extend(page)
        start += len(page)
    checkpoint = await register.GetCheckpoint(registry_pb.GetCheckpointRequest(authority=book))
    older = await register.ListCheckpoints(registry_pb.ListCheckpointsRequest(authority=book, page_size=500))
    documents = [certificate.document, proof.proof_document]
    inclusion = await register.GetInclusionProof(
        registry_pb.GetInclusionProofRequest(entry=certificate.certificate.entry)
    )
    consistency = await register.GetConsistencyProof(
        registry_pb.GetConsistencyProofRequest(
            authority=book, first_tree_size=1, second_tree_size=checkpoint.checkpoint.tree_size
        )
    )
    public = [
        *leaves,
        checkpoint.note,
        checkpoint.SerializeToString(),
        older.SerializeToString(),
        inclusion.SerializeToString(),
        consistency.SerializeToString(),
        # A document's public parts, and the statement the registry's seal signs.
        *(part for d in documents for part in (d.leaf, *d.audit_path, d.checkpoint.SerializeToString())),
        *(
            seal_text(d.content, merkle.leaf_hash(d.leaf), d.checkpoint.tree_size, d.checkpoint.root_hash)
            for d in documents
        ),
    ]
    published = await _tiles(services["registry"].deps.database.url, book)
    assert leaves
    assert published
    assert _hits(public + published, secrets) == set()

    # The holders' documents name them (they are the readers), with nothing more of them.
    content = certificate.document.content.decode()
    assert _hits([content], secrets) == secrets
    assert "home_count" not in content
    assert "guardian" not in content
    assert "home_count" not in proof.proof_document.content.decode()

    # What the operators and their collectors see.
    formatter = JsonFormatter("scan")
    logged = [formatter.format(record) for record in caplog.records]
    scraped = [await scrape_text(started.deps.metrics.port) for started in services.values()]
    traced = [
        text
        for span in spans.get_finished_spans()
        for text in (
            span.name,
            *map(str, span.attributes.values()),
            *(str(v) for event in span.events for v in event.attributes.values()),
            span.status.description or "",
        )
    ]
    assert logged
    assert scraped
    assert traced
    assert _hits(logged, secrets) == set()
    assert _hits(scraped, secrets) == set()
    assert _hits(traced, secrets) == set()

    # The feed: the purchase's parties read its events; a stranger bank reads none of them.
    ours = {who: [e for e in events if e.subject == purchase.name] for who, events in seen.items()}
    assert ours["developer"]
    assert ours["bank-a"]
    assert ours["bank-b"] == []
    assert _hits([e.SerializeToString() for e in seen["bank-b"]], secrets) == set()
