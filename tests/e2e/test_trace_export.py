"""Traces leave the processes: a stack run as a user runs it (`deedflow up`, each service its own
process) with DEEDFLOW_OTLP_ENDPOINT set exports its spans over OTLP/gRPC to a collector, here a
small one the test serves; the demo's filing is one trace across the offices' processes."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import defaultdict
from concurrent import futures
from pathlib import Path

import grpc
import pytest
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

from tests.support import stack_env

BIN = Path(sys.executable).parent


class Collector(trace_service_pb2_grpc.TraceServiceServicer):
    """Keeps every span exported to it with its process's service.name."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.spans: list[tuple[str, object]] = []

    def Export(self, request, context):
        with self.lock:
            for resource_spans in request.resource_spans:
                service = next(
                    (
                        a.value.string_value
                        for a in resource_spans.resource.attributes
                        if a.key == "service.name"
                    ),
                    "",
                )
                for scope in resource_spans.scope_spans:
                    self.spans += [(service, span) for span in scope.spans]
        return trace_service_pb2.ExportTraceServiceResponse()


@pytest.fixture
def collector():
    kept = Collector()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(kept, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield kept, port
    server.stop(0)


def test_a_stack_exports_the_demos_filing_as_one_trace_across_processes(
    collector, fresh_database_url, tmp_path
):
    kept, port = collector
    env = stack_env(tmp_path / "home", fresh_database_url)
    env.update(
        DEEDFLOW_OTLP_ENDPOINT=f"127.0.0.1:{port}",
        DEEDFLOW_OTLP_INSECURE="true",
        # Batches leave every 200 ms rather than every 5 s; `deedflow down` flushes the rest.
        OTEL_BSP_SCHEDULE_DELAY="200",
    )
    try:
        for command in (["deedflow", "up", "--detach"], ["deedflow", "seed"], ["python", "-m", "cli.demo"]):
            done = subprocess.run(
                [str(BIN / command[0]), *command[1:]], env=env, capture_output=True, text=True, timeout=300
            )
            assert done.returncode == 0, done.stdout + done.stderr
    finally:
        stopped = subprocess.run([str(BIN / "deedflow"), "down"], env=env, capture_output=True, timeout=120)
    assert stopped.returncode == 0

    services_by_trace: dict[bytes, set[str]] = defaultdict(set)
    filings = []
    for service, span in kept.spans:
        services_by_trace[span.trace_id].add(service)
        if span.name == "deedflow.orchestrator.v1.PurchaseService/FilePurchase":
            filings.append(span)
    # The demo files two purchases and has a third refused (its flat is sold).
    refused = [s for s in filings if s.status.code == s.status.STATUS_CODE_ERROR]
    filings = [s for s in filings if s not in refused]
    assert (len(filings), len(refused)) == (2, 1)
    for filing in filings:
        attributes = {a.key: a.value.string_value for a in filing.attributes}
        assert attributes["deedflow.purchase"].startswith("purchases/")
        assert attributes["deedflow.request_id"]
        assert {
            "deedflow-orchestrator",
            "deedflow-contract",
            "deedflow-tax",
            "deedflow-preregistration",
            "deedflow-registry",
        } <= services_by_trace[filing.trace_id]
