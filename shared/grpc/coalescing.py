"""Calls to one unary method made while an earlier batch of them is in flight travel together as
the next batch, each answered exactly as alone.

Carrying calls together is cheap on its own (docs/performance.md); it pays where the server
takes a batch set-based, in one transaction for all. No call waits for company: one made while
nothing is in flight leaves at once, alone, and the calls that arrive while a batch is out form
the next one, so a batch grows with the load and never with a timer. A method whose batches take
long (a building's transfers, each entered in the book before it is answered) may have several
batches out at once (`in_flight`), so the next one is worked on while the first is finishing.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

import grpc
from google.protobuf.message import Message
from google.rpc import status_pb2

from shared.grpc.channels import refuse_inside_transaction

RequestT = TypeVar("RequestT", bound=Message)
ResponseT = TypeVar("ResponseT", bound=Message)

# A batch refused as a whole (a peer without the batch method, or one item's bad field failing the
# batch's validation) is sent again call by call, so each call gets its own answer.
SENT_AGAIN_ALONE = frozenset(
    {grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.UNIMPLEMENTED, grpc.StatusCode.FAILED_PRECONDITION}
)


def rpc_error(status: status_pb2.Status) -> grpc.aio.AioRpcError:
    """A batch item's status as the error its call alone would have raised: the same code,
    message and details (read back with grpc_status.rpc_status.from_call)."""
    code = next((c for c in grpc.StatusCode if c.value[0] == status.code), grpc.StatusCode.UNKNOWN)
    return grpc.aio.AioRpcError(
        code,
        grpc.aio.Metadata(),
        grpc.aio.Metadata(("grpc-status-details-bin", status.SerializeToString())),
        status.message,
    )


class Coalescer(Generic[RequestT, ResponseT]):
    """A unary method whose concurrent calls are carried in batches.

    `alone` makes one call; `together` sends a batch of requests and answers, per request in
    order, its response or its google.rpc.Status. At most `max_items` go in one batch, and at
    most `in_flight` batches are out at once."""

    def __init__(
        self,
        alone: Callable[[RequestT], Awaitable[ResponseT]],
        together: Callable[[list[RequestT]], Awaitable[Sequence[ResponseT | status_pb2.Status]]],
        max_items: int,
        in_flight: int = 1,
    ) -> None:
        self.alone = alone
        self.together = together
        self.max_items = max_items
        self.in_flight = in_flight
        self._waiting: list[tuple[RequestT, asyncio.Future[ResponseT]]] = []
        self._senders: set[asyncio.Task[None]] = set()
        self.batches_sent = 0

    async def __call__(self, request: RequestT) -> ResponseT:
        refuse_inside_transaction("a coalesced call")
        future: asyncio.Future[ResponseT] = asyncio.get_running_loop().create_future()
        self._waiting.append((request, future))
        if len(self._senders) < self.in_flight:
            # A sender serves every caller: it runs in a context of its own, not with the
            # deadline or request id of whichever call happened to start it.
            sender = asyncio.get_running_loop().create_task(self._send(), context=contextvars.Context())
            self._senders.add(sender)
            sender.add_done_callback(self._senders.discard)
        return await future

    async def _send(self) -> None:
        try:
            while self._waiting:
                taken, self._waiting = self._waiting[: self.max_items], self._waiting[self.max_items :]
                live = [(request, future) for request, future in taken if not future.done()]
                try:
                    if len(live) == 1:
                        await self._alone(*live[0])
                    elif live:
                        await self._together(live)
                except Exception as exc:
                    # No caller is left waiting on a batch that went wrong in our own hands.
                    for _, future in live:
                        _settle(future, error=exc)
                except BaseException as exc:
                    for _, future in live + self._waiting:
                        _settle(future, error=exc)
                    raise
        finally:
            self._senders.discard(asyncio.current_task())

    async def _alone(self, request: RequestT, future: asyncio.Future[ResponseT]) -> None:
        try:
            response = await self.alone(request)
        except Exception as exc:
            _settle(future, error=exc)
        else:
            _settle(future, result=response)

    async def _together(self, live: list[tuple[RequestT, asyncio.Future[ResponseT]]]) -> None:
        try:
            outcomes = await self.together([request for request, _ in live])
            self.batches_sent += 1
        except grpc.aio.AioRpcError as exc:
            if exc.code() in SENT_AGAIN_ALONE:
                await asyncio.gather(*(self._alone(request, future) for request, future in live))
                return
            for _, future in live:
                _settle(future, error=exc)
            return
        except Exception as exc:
            for _, future in live:
                _settle(future, error=exc)
            return
        if len(outcomes) != len(live):
            raise RuntimeError(f"a batch of {len(live)} calls was answered {len(outcomes)} times")
        for (_, future), outcome in zip(live, outcomes, strict=True):
            if isinstance(outcome, status_pb2.Status):
                _settle(future, error=rpc_error(outcome))
            else:
                _settle(future, result=outcome)


def _settle(future: asyncio.Future[Any], result: object = None, error: BaseException | None = None) -> None:
    """Answers a waiting call, unless its caller has gone (cancelled)."""
    if future.done():
        return
    if isinstance(error, asyncio.CancelledError):
        future.cancel()
    elif error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


def coalesced(
    alone: Callable[[RequestT], Awaitable[ResponseT]],
    together: Callable[[Any], Awaitable[Any]],
    batch_request_type: Callable[..., Message],
    max_items: int,
    in_flight: int = 1,
) -> Coalescer[RequestT, ResponseT]:
    """A Coalescer for a method and its batch method of the project's shape (shared/batches.py):
    a request of `requests`, answered by `outcomes`, each its `response` or its `error`."""

    async def send(requests: list[RequestT]) -> list[ResponseT | status_pb2.Status]:
        # Every batch method has this shape (requests in, outcomes out), which no one proto
        # type states: the reply is read by its field names.
        reply = await together(batch_request_type(requests=requests))
        return [o.response if o.HasField("response") else o.error for o in reply.outcomes]

    return Coalescer(alone, send, max_items, in_flight)
