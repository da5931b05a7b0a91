"""Server interceptors: request context (caller, request id), access log, error mapping,
authorization, validation, and the stored answer of a request id.

They are applied outermost first: RequestContext -> AccessLog -> ErrorMapping -> Authorization
-> Validation -> AnswerFirst.
ErrorMapping sits inside AccessLog so the log sees the final status code of every call.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, TypeAlias, cast

import grpc
from cryptography import x509
from google.rpc import code_pb2, status_pb2
from grpc_status import rpc_status
from opentelemetry import trace as trace_api
from opentelemetry.trace import Span

from deedflow.type.v1.reasons import Reason
from shared import tracing
from shared.auth import Role, caller_from_auth_context, current_caller
from shared.context import deadline_var, method_var, request_id_var, subject_of, subject_var
from shared.dbhealth import database_unavailable, lost_race
from shared.errors import Aborted, DomainError, InvalidArgument, PermissionDenied, Unauthenticated
from shared.grpc.status import grpc_code, to_status
from shared.grpc.types import Context
from shared.grpc.validation import Undecodable, tolerant, violations
from shared.idempotency import IdempotencyKey
from shared.journal import Journal
from shared.pki import leaf_problem
from shared.policy import POLICY, Policy, allowed, service_may_call

log = logging.getLogger("deedflow.access")
errors_log = logging.getLogger("deedflow.errors")

# The longest error text passed on from a peer to our caller.
MAX_PASSED_MESSAGE = 1000

# Infrastructure RPCs that are not logged per call (probes run every few seconds).
_QUIET_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")

Behavior = Callable[[Any, Context], Any]
# Quoted: at run time grpc's classes take no type arguments.
Handler: TypeAlias = "grpc.RpcMethodHandler[Any, Any]"
Continuation: TypeAlias = "Callable[[grpc.HandlerCallDetails], Awaitable[Handler | None]]"
# What a layer wraps: the rest of the chain and the handler, for a unary answer or a stream.
Call = Callable[[], Awaitable[Any]]
Produce = Callable[[], AsyncIterator[Any]]
# The call's invocation metadata, by key.
Metadata = dict[str, str | bytes]


@dataclass
class CallState:
    """What the interceptors learn about one call."""

    method: str
    start: float = field(default_factory=time.perf_counter)
    code: str = "OK"


current_call: contextvars.ContextVar[CallState | None] = contextvars.ContextVar("current_call", default=None)


async def abort_with(context: Context, status: status_pb2.Status) -> None:
    """Ends the call with a rich status (details in grpc-status-details-bin)."""
    state = current_call.get()
    if state is not None:
        state.code = grpc_code(status).name
    await context.abort(
        grpc_code(status), status.message, trailing_metadata=rpc_status.to_status(status).trailing_metadata
    )


def _wrap_handler(handler: Handler, wrap: Callable[[Behavior], Behavior]) -> Handler:
    """The same handler with its behavior wrapped, whatever its streaming kind."""
    kinds = (
        ("unary_unary", grpc.unary_unary_rpc_method_handler),
        ("unary_stream", grpc.unary_stream_rpc_method_handler),
        ("stream_unary", grpc.stream_unary_rpc_method_handler),
        ("stream_stream", grpc.stream_stream_rpc_method_handler),
    )
    for attribute, factory in kinds:
        behavior = getattr(handler, attribute)
        if behavior is not None:
            return factory(
                wrap(behavior),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
    return handler


def _streams_responses(handler: Handler) -> bool:
    return handler.unary_stream is not None or handler.stream_stream is not None


class BehaviorInterceptor(grpc.aio.ServerInterceptor):
    """Base: wraps each call's behavior with `around`, for unary and streaming responses alike."""

    async def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> Handler | None:
        handler = await continuation(handler_call_details)
        if handler is None:
            return handler
        method = handler_call_details.method
        metadata: Metadata = dict(handler_call_details.invocation_metadata or ())
        if _streams_responses(handler):

            def wrap(behavior: Behavior) -> Behavior:
                async def streaming(request: Any, context: Context) -> AsyncIterator[Any]:
                    async def produce() -> AsyncIterator[Any]:
                        result = behavior(request, context)
                        if inspect.isawaitable(result):
                            await result
                            return
                        async for item in result:
                            yield item

                    # Items are yielded by a generator so each interceptor layer sees errors.
                    async for item in self.around_stream(produce, request, context, method, metadata):
                        yield item

                return streaming

        else:

            def wrap(behavior: Behavior) -> Behavior:
                async def unary(request: Any, context: Context) -> Any:
                    async def invoke() -> Any:
                        result = behavior(request, context)
                        return await result if inspect.isawaitable(result) else result

                    return await self.around(invoke, request, context, method, metadata)

                return unary

        return _wrap_handler(handler, wrap)

    async def around(
        self, call: Call, request: Any, context: Context, method: str, metadata: Metadata
    ) -> Any:
        return await call()

    async def around_stream(
        self, produce: Produce, request: Any, context: Context, method: str, metadata: Metadata
    ) -> AsyncIterator[Any]:
        async for item in produce():
            yield item


class RequestContextInterceptor(BehaviorInterceptor):
    """Reads the caller from the TLS auth context and sets request id and method for the call.
    With our CA given, the client's certificate is also held to what a party's must be
    (shared/pki.py leaf_problem): TLS checks the chain, not that a leaf is no CA or its key."""

    def __init__(self, domain: str, ca_pem: bytes | None = None) -> None:
        self.domain = domain
        self.ca = x509.load_pem_x509_certificate(ca_pem) if ca_pem else None
        self._checked: dict[bytes, str | None] = {}

    def _leaf_problem(self, auth_context: Mapping[str, Iterable[bytes]]) -> str | None:
        pem = b"".join(auth_context.get("x509_pem_cert", []))
        if self.ca is None or not pem:
            return None
        if pem not in self._checked:
            if len(self._checked) > 10_000:
                self._checked.clear()
            self._checked[pem] = leaf_problem(x509.load_pem_x509_certificate(pem), self.ca)
        return self._checked[pem]

    async def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> Handler | None:
        handler = await super().intercept_service(continuation, handler_call_details)
        if handler is None or handler.request_deserializer is None:
            return handler
        # The outermost layer parses the request, so bytes that do not parse reach the
        # validation layer as Undecodable and are refused there as INVALID_ARGUMENT. (A handler
        # is a named tuple; the stubs do not say so.)
        replaced: Handler = cast(Any, handler)._replace(
            request_deserializer=tolerant(handler.request_deserializer, _input_type(handler_call_details))
        )
        return replaced

    async def _enter(self, request: Any, context: Context, method: str, metadata: Metadata) -> None:
        method_var.set(method)
        subject_var.set(subject_of(request))
        current_call.set(CallState(method))
        sent = metadata.get("x-request-id")
        given = sent if isinstance(sent, str) else ""
        request_id = getattr(request, "request_id", "") or given or str(uuid.uuid4())
        request_id_var.set(request_id)
        remaining = context.time_remaining()
        deadline_var.set(None if remaining is None else time.monotonic() + remaining)
        try:
            auth_context = context.auth_context()
            problem = self._leaf_problem(auth_context)
            if problem is not None:
                raise Unauthenticated(f"the client certificate: {problem}")
            current_caller.set(caller_from_auth_context(auth_context))
        except Unauthenticated as exc:
            await abort_with(context, to_status(exc, self.domain))

    async def around(
        self, call: Call, request: Any, context: Context, method: str, metadata: Metadata
    ) -> Any:
        await self._enter(request, context, method, metadata)
        return await call()

    async def around_stream(
        self, produce: Produce, request: Any, context: Context, method: str, metadata: Metadata
    ) -> AsyncIterator[Any]:
        await self._enter(request, context, method, metadata)
        async for item in produce():
            yield item


class TracingInterceptor(BehaviorInterceptor):
    """A span for each call served, in the caller's trace when it sent a traceparent, named by
    service, request id, caller and subject, with the status code the call ended with."""

    def __init__(self, domain: str) -> None:
        self.domain = domain

    def _span(self, method: str, metadata: Metadata, current: bool = True) -> AbstractContextManager[Span]:
        who = current_caller.get()
        return tracing.server_span(
            method,
            {k: v for k, v in metadata.items() if isinstance(v, str)},
            current,
            **{
                "deedflow.service": self.domain.removeprefix("deedflow."),
                "deedflow.request_id": request_id_var.get() or "",
                "deedflow.caller": who.uri if who is not None else "",
                "deedflow.subject": subject_var.get() or "",
            },
        )

    @staticmethod
    def _finish(span: Span) -> None:
        state = current_call.get()
        code = state.code if state is not None else "UNKNOWN"
        span.set_attribute("rpc.grpc.status_code", grpc.StatusCode[code].value[0])
        if code != "OK":
            span.set_status(trace_api.Status(trace_api.StatusCode.ERROR, code))

    async def around(
        self, call: Call, request: Any, context: Context, method: str, metadata: Metadata
    ) -> Any:
        with self._span(method, metadata) as span:
            try:
                return await call()
            finally:
                self._finish(span)

    async def around_stream(
        self, produce: Produce, request: Any, context: Context, method: str, metadata: Metadata
    ) -> AsyncIterator[Any]:
        with self._span(method, metadata, current=False) as span:
            try:
                async for item in produce():
                    yield item
            except (GeneratorExit, asyncio.CancelledError):
                # Each layer's generator is closed in its own time when the client goes away: the
                # layer that reports marks the call itself, not waiting for the inner ones.
                _ended_by_the_client()
                raise
            finally:
                self._finish(span)


class AccessLogInterceptor(BehaviorInterceptor):
    """One structured line per call: method, status code, duration, caller, request id."""

    def _log(self, method: str) -> None:
        state = current_call.get()
        if state is None or method.startswith(_QUIET_PREFIXES):
            return
        elapsed_ms = round((time.perf_counter() - state.start) * 1000, 2)
        log.info("call", extra={"fields": {"code": state.code, "duration_ms": elapsed_ms}})

    async def around(
        self, call: Call, request: Any, context: Context, method: str, metadata: Metadata
    ) -> Any:
        try:
            return await call()
        finally:
            self._log(method)

    async def around_stream(
        self, produce: Produce, request: Any, context: Context, method: str, metadata: Metadata
    ) -> AsyncIterator[Any]:
        try:
            async for item in produce():
                yield item
        except (GeneratorExit, asyncio.CancelledError):
            _ended_by_the_client()
            raise
        finally:
            self._log(method)


def _ended_by_the_client() -> None:
    """The call was cancelled (its client went away, or its deadline passed): it ends CANCELLED,
    as the span and the access log say."""
    state = current_call.get()
    if state is not None:
        state.code = "CANCELLED"


class ErrorMappingInterceptor(BehaviorInterceptor):
    """Domain errors become rich statuses; nothing reaches a caller as UNKNOWN or a traceback."""

    def __init__(self, domain: str) -> None:
        self.domain = domain

    async def _map(self, exc: BaseException, context: Context, method: str) -> None:
        if isinstance(exc, DomainError):
            await abort_with(context, to_status(exc, self.domain))
        if isinstance(exc, grpc.aio.AioRpcError):
            # A peer's refusal passes through as the peer said it, reason and all; its
            # UNAVAILABLE stays UNAVAILABLE, so our caller knows a retry may succeed.
            passed = rpc_status.from_call(cast(grpc.Call, exc)) or status_pb2.Status(
                code=exc.code().value[0], message=exc.details() or ""
            )
            # A peer's text is passed on, never a peer's megabyte.
            passed.message = passed.message[:MAX_PASSED_MESSAGE]
            await abort_with(context, passed)
        if database_unavailable(exc):
            # Nothing is known to be committed; the request id makes the caller's retry safe.
            errors_log.warning("database unavailable", extra={"fields": {"error": repr(exc)}})
            await abort_with(
                context,
                status_pb2.Status(code=code_pb2.UNAVAILABLE, message="the database is unavailable; retry"),
            )
        if lost_race(exc):
            # PostgreSQL aborted the transaction to break a lock cycle: nothing was committed.
            errors_log.warning("transaction aborted by a conflict", extra={"fields": {"error": repr(exc)}})
            await abort_with(
                context,
                to_status(
                    Aborted(
                        Reason.TRANSACTION_CONFLICT,
                        "the change met a concurrent one and was undone; retry with the same request id",
                    ),
                    self.domain,
                ),
            )
        if isinstance(exc, NotImplementedError):
            await abort_with(
                context,
                status_pb2.Status(
                    code=code_pb2.UNIMPLEMENTED, message=f"{method} is not implemented in this version"
                ),
            )
        errors_log.exception("unexpected error", exc_info=exc)
        await abort_with(
            context,
            status_pb2.Status(
                code=code_pb2.INTERNAL, message=f"internal error; request id {request_id_var.get()}"
            ),
        )

    async def around(
        self, call: Call, request: Any, context: Context, method: str, metadata: Metadata
    ) -> Any:
        try:
            return await call()
        except asyncio.CancelledError:
            _ended_by_the_client()
            raise
        except grpc.aio.AbortError:
            raise
        except Exception as exc:
            await self._map(exc, context, method)

    async def around_stream(
        self, produce: Produce, request: Any, context: Context, method: str, metadata: Metadata
    ) -> AsyncIterator[Any]:
        try:
            async for item in produce():
                yield item
        except (GeneratorExit, asyncio.CancelledError):
            _ended_by_the_client()
            raise
        except grpc.aio.AbortError:
            raise
        except Exception as exc:
            await self._map(exc, context, method)


class AuthorizationInterceptor(BehaviorInterceptor):
    """Refuses a caller whose role the policy table does not admit for the method."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    def _check(self, method: str) -> None:
        who = current_caller.get()
        if who is None:
            return
        if not allowed(method, who.role, self.policy):
            raise PermissionDenied(
                Reason.ROLE_NOT_ALLOWED, f"a {who.role.value} may not call {method}", {"role": who.role.value}
            )
        if who.role is Role.SERVICE and not service_may_call(who.id, method):
            raise PermissionDenied(
                Reason.SERVICE_CALL_NOT_ALLOWED,
                f"the {who.id} service does not call {method} in its work",
                {"service": who.id},
            )

    async def around(
        self, call: Call, request: Any, context: Context, method: str, metadata: Metadata
    ) -> Any:
        self._check(method)
        return await call()

    async def around_stream(
        self, produce: Produce, request: Any, context: Context, method: str, metadata: Metadata
    ) -> AsyncIterator[Any]:
        self._check(method)
        async for item in produce():
            yield item


class ValidationInterceptor(BehaviorInterceptor):
    """Refuses a request that breaks its proto field rules before any handler runs."""

    async def around(
        self, call: Call, request: Any, context: Context, method: str, metadata: Metadata
    ) -> Any:
        self._check(request)
        return await call()

    async def around_stream(
        self, produce: Produce, request: Any, context: Context, method: str, metadata: Metadata
    ) -> AsyncIterator[Any]:
        self._check(request)
        async for item in produce():
            yield item

    @staticmethod
    def _check(request: Any) -> None:
        found = (
            violations(request) if isinstance(request, Undecodable) or hasattr(request, "DESCRIPTOR") else []
        )
        if found:
            raise InvalidArgument(found)


def _input_type(details: grpc.HandlerCallDetails) -> str:
    """'/deedflow.x.v1.XService/DoThing' -> 'DoThing request', for the refusal's text."""
    return f"{details.method.rpartition('/')[2]} request"


def _request_id(request: Any) -> str | None:
    """The request id of a mutating request (a UUID, as the field rules demand), else None."""
    request_id = getattr(request, "request_id", None)
    if not isinstance(request_id, str) or not request_id:
        return None
    try:
        uuid.UUID(request_id)
    except ValueError:
        return None
    return request_id


class AnswerFirstInterceptor(grpc.aio.ServerInterceptor):
    """Every mutating RPC (its request carries a request_id) looks up the answer stored for that
    id before its handler checks anything: the same id and body get the first answer, byte for
    byte (handlers may return the stored bytes themselves), another body REQUEST_ID_REUSED, an
    operation still under way is joined. Ids are scoped by the caller. A refusal is checked
    against the store once more: a twin of the call may have been answered meanwhile."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal

    async def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> Handler | None:
        handler = await continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        method = handler_call_details.method
        # The stubs type a behavior's context as the synchronous one; an aio server passes its own.
        behavior = cast(Behavior, handler.unary_unary)
        serialize = handler.response_serializer

        async def answered(request: Any, context: Context) -> Any:
            request_id = _request_id(request)
            who = current_caller.get()
            key = None if request_id is None or who is None else IdempotencyKey(who.uri, method, request_id)
            if key is not None and (stored := await self.journal.answer(key, request)) is not None:
                return stored
            try:
                result = behavior(request, context)
                return await result if inspect.isawaitable(result) else result
            except DomainError:
                # A twin of this call (a client's retry sent while the first was on its way, a
                # step run again after its lease passed) may have been answered while this one
                # checked: its answer stands, not a refusal its own writes caused (the unit
                # "already contracted" by the twin's contract).
                if key is not None and (stored := await self.journal.twin_answer(key, request)) is not None:
                    return stored
                raise

        return grpc.unary_unary_rpc_method_handler(
            answered,
            request_deserializer=handler.request_deserializer,
            response_serializer=lambda response: (
                response if isinstance(response, bytes) else serialize(response)
            ),
        )


def server_interceptors(
    domain: str,
    access_log: bool = True,
    policy: Policy = POLICY,
    observers: Sequence[grpc.aio.ServerInterceptor] = (),
    journal: Journal | None = None,
    ca_pem: bytes | None = None,
) -> list[grpc.aio.ServerInterceptor]:
    """The interceptor chain every deedflow server uses, outermost first; `observers` (metrics)
    see every call once its caller and request id are known."""
    return [
        RequestContextInterceptor(domain, ca_pem),
        TracingInterceptor(domain),
        *observers,
        *([AccessLogInterceptor()] if access_log else []),
        ErrorMappingInterceptor(domain),
        AuthorizationInterceptor(policy),
        ValidationInterceptor(),
        *([AnswerFirstInterceptor(journal)] if journal is not None else []),
    ]
