"""Tracing (分布式追踪) with OpenTelemetry: a span for every call a service serves, the trace
carried in the W3C `traceparent` header of every call it makes, and the saga's steps in the trace
of the filing that began them. Exported over OTLP when DEEDFLOW_OTLP_ENDPOINT is set; otherwise
no provider is installed and every span is OpenTelemetry's no-op.

A trace leaves the offices for a collector others run: its attributes and the exceptions it
records are masked by the logs' one rule (shared/logging.py::mask_personal_ids), so no resident ID
reaches it whole."""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Iterator, MutableMapping

from opentelemetry import propagate, trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from shared.config import Settings
from shared.logging import mask_personal_ids

TRACER = trace.get_tracer("deedflow")


def configure(service: str, settings: Settings) -> None:
    """Installs the exporting provider for this process, once, when a collector is configured.
    Several services in one process (the tests) share the first one's; each span still names its
    service in `deedflow.service`."""
    if not settings.otlp_endpoint:
        return
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    if isinstance(trace.get_tracer_provider(), TracerProvider):
        return
    provider = TracerProvider(resource=Resource.create({"service.name": f"deedflow-{service}"}))
    exporter = OTLPSpanExporter(endpoint=settings.otlp_endpoint, insecure=settings.otlp_insecure)
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)


def shutdown() -> None:
    """Exports what is batched and stops exporting (at the end of a service's process)."""
    from opentelemetry.sdk.trace import TracerProvider

    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):
        provider.shutdown()


def inject(carrier: MutableMapping[str, str]) -> None:
    """Adds the current trace's headers to an outgoing call's metadata (or any carrier)."""
    propagate.inject(carrier)


def traceparent() -> str:
    """The current trace as a W3C traceparent, to be kept with work that outlives the call (a
    purchase's saga); empty when nothing is traced."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent", "")


@contextlib.contextmanager
def server_span(
    method: str, metadata: dict[str, str], current: bool = True, **attributes: str
) -> Iterator[Span]:
    """The span of a call being served, continuing the caller's trace when it sent one. Made
    the current span (the parent of what the call does) unless `current` is False: a stream's
    span outlives its yields, and a stream its client cancels is closed from another context,
    where the current span could not be restored."""
    service, _, name = method.lstrip("/").partition("/")
    span = TRACER.start_span(
        method.lstrip("/"),
        context=propagate.extract(metadata),
        kind=SpanKind.SERVER,
        attributes=_masked({"rpc.system": "grpc", "rpc.service": service, "rpc.method": name, **attributes}),
    )
    if not current:
        try:
            with _recording(span):
                yield span
        finally:
            span.end()
        return
    with (
        trace.use_span(span, end_on_exit=True, record_exception=False, set_status_on_exception=False),
        _recording(span),
    ):
        yield span


def _masked(attributes: dict[str, str]) -> dict[str, str]:
    return {key: mask_personal_ids(value) for key, value in attributes.items()}


@contextlib.contextmanager
def _recording(span: Span) -> Iterator[None]:
    """An exception that ends the span recorded on it as OpenTelemetry would, its message and
    stack trace masked (an error may quote the buyer it refused)."""
    try:
        yield
    except Exception as exc:
        message = mask_personal_ids(str(exc))
        span.record_exception(
            exc,
            attributes={
                "exception.message": message,
                "exception.stacktrace": mask_personal_ids(traceback.format_exc()),
            },
        )
        span.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {message}"))
        raise


def _ours(attributes: dict[str, str]) -> dict[str, str]:
    return _masked({f"deedflow.{key}": value for key, value in attributes.items()})


@contextlib.contextmanager
def continued(parent: str, name: str, **attributes: str) -> Iterator[Span]:
    """A span in the trace a traceparent names (a purchase's filing), or a new trace without one;
    `attributes` become deedflow.* attributes."""
    context = propagate.extract({"traceparent": parent}) if parent else None
    with (
        TRACER.start_as_current_span(
            name,
            context=context,
            attributes=_ours(attributes),
            record_exception=False,
            set_status_on_exception=False,
        ) as span,
        _recording(span),
    ):
        yield span


@contextlib.contextmanager
def span(name: str, **attributes: str) -> Iterator[Span]:
    """A span inside the current one; `attributes` become deedflow.* attributes."""
    with (
        TRACER.start_as_current_span(
            name, attributes=_ours(attributes), record_exception=False, set_status_on_exception=False
        ) as current,
        _recording(current),
    ):
        yield current


def annotate(**attributes: str) -> None:
    """Adds deedflow.* attributes to the current span (e.g. the purchase a filing created)."""
    trace.get_current_span().set_attributes(_ours(attributes))
