"""Channels to deedflow services: mTLS, a deadline on every call, retry on UNAVAILABLE."""

from __future__ import annotations

import json
import time
from typing import Any

import grpc

from shared import tracing
from shared.context import deadline_var, holding_transaction_var, request_id_var
from shared.grpc.tls import channel_credentials
from shared.pki import CertPair

# Only UNAVAILABLE is retried by the channel: it means the call never reached a handler, and
# every mutating request carries a request_id, so even a duplicate would be replayed, not redone.
# An address that names several replicas ("ipv4:10.0.0.1:50056,10.0.0.2:50056", or a DNS name
# with several records) is balanced round robin over those whose health service says SERVING:
# a replica draining for shutdown or gone is left out until it answers again.
RETRY_SERVICE_CONFIG = json.dumps(
    {
        "loadBalancingConfig": [{"round_robin": {}}],
        "healthCheckConfig": {"serviceName": ""},
        "methodConfig": [
            {
                "name": [{}],
                "retryPolicy": {
                    "maxAttempts": 5,
                    "initialBackoff": "0.05s",
                    "maxBackoff": "1s",
                    "backoffMultiplier": 2,
                    "retryableStatusCodes": ["UNAVAILABLE"],
                },
            }
        ],
    }
)

CHANNEL_OPTIONS = (
    ("grpc.service_config", RETRY_SERVICE_CONFIG),
    ("grpc.enable_retries", 1),
    ("grpc.keepalive_time_ms", 30_000),
)


def call_timeout(default: float, requested: float | None) -> float:
    """The deadline of an outgoing call: what was asked (or the default), never beyond the
    remaining time of the call being served."""
    timeout = requested if requested is not None else default
    deadline = deadline_var.get()
    if deadline is not None:
        timeout = min(timeout, max(deadline - time.monotonic(), 0.001))
    return timeout


class RemoteCallInTransaction(RuntimeError):
    """A service tried to call another while holding a database transaction: a programming
    error, refused before the call leaves, because the remote effect could outlive a rollback."""


def refuse_inside_transaction(method: str | bytes) -> None:
    if holding_transaction_var.get():
        name = method.decode() if isinstance(method, bytes) else method
        raise RemoteCallInTransaction(f"{name} called while a database transaction is open")


def _carried(details: grpc.aio.ClientCallDetails, timeout: float | None) -> grpc.aio.ClientCallDetails:
    """The call with what it carries from the call being served: the request id as x-request-id
    and the trace as traceparent (shared/tracing.py)."""
    metadata = grpc.aio.Metadata(*(details.metadata or ()))
    request_id = request_id_var.get()
    if request_id is not None and metadata.get("x-request-id") is None:
        metadata.add("x-request-id", request_id)
    headers: dict[str, str] = {}
    tracing.inject(headers)
    for key, value in headers.items():
        if metadata.get(key) is None:
            metadata.add(key, value)
    return grpc.aio.ClientCallDetails(
        method=details.method,
        timeout=timeout,
        metadata=metadata,
        credentials=details.credentials,
        wait_for_ready=details.wait_for_ready,
    )


class _DeadlineAndRequestId:
    """Sets the deadline and forwards the request id and the trace."""

    def __init__(self, default_timeout: float) -> None:
        self.default_timeout = default_timeout

    def _details(self, details: grpc.aio.ClientCallDetails) -> grpc.aio.ClientCallDetails:
        return _carried(details, call_timeout(self.default_timeout, details.timeout))


class _UnaryUnary(_DeadlineAndRequestId, grpc.aio.UnaryUnaryClientInterceptor):
    async def intercept_unary_unary(
        self, continuation: Any, client_call_details: grpc.aio.ClientCallDetails, request: Any
    ) -> Any:
        refuse_inside_transaction(client_call_details.method)
        return await continuation(self._details(client_call_details), request)


class _UnaryStream(_DeadlineAndRequestId, grpc.aio.UnaryStreamClientInterceptor):
    async def intercept_unary_stream(
        self, continuation: Any, client_call_details: grpc.aio.ClientCallDetails, request: Any
    ) -> Any:
        refuse_inside_transaction(client_call_details.method)
        return await continuation(self._details(client_call_details), request)


class _NoTransaction(grpc.aio.UnaryStreamClientInterceptor):
    """Streams without a deadline still refuse to start inside a transaction, and carry the
    request id and the trace."""

    async def intercept_unary_stream(
        self, continuation: Any, client_call_details: grpc.aio.ClientCallDetails, request: Any
    ) -> Any:
        refuse_inside_transaction(client_call_details.method)
        return await continuation(_carried(client_call_details, client_call_details.timeout), request)


def secure_channel(
    target: str,
    ca_pem: bytes,
    identity: CertPair,
    default_timeout: float = 10.0,
    stream_timeout: float | None = None,
    service: str | None = None,
) -> grpc.aio.Channel:
    """An mTLS channel; create it inside the running event loop. Unary calls get
    `default_timeout` unless given one; streams get `stream_timeout` (None: until cancelled).
    With `service`, the server must prove it is that service of ours: its certificate must name
    it (the DNS name every service certificate carries), whatever address it answers at."""
    interceptors: list[grpc.aio.ClientInterceptor] = [_UnaryUnary(default_timeout)]
    interceptors.append(_UnaryStream(stream_timeout) if stream_timeout is not None else _NoTransaction())
    options: tuple[tuple[str, str | int], ...] = CHANNEL_OPTIONS
    if service is not None:
        options = (*options, ("grpc.ssl_target_name_override", service))
    return grpc.aio.secure_channel(
        target, channel_credentials(ca_pem, identity), options=options, interceptors=interceptors
    )
