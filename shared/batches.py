"""Many requests of one method served by one call (CommitCases, ConsumeClearances …): the
request names each by its own request id, and the answer gives, in order, what each would have
been answered alone. Our offices send these through shared/grpc/coalescing.py.

A batch's messages are read by the field names every batch method shares (`requests`,
`request_id`, `outcomes` of a `response` or an `error`), which no one proto type states: they are
typed Any here."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from google.protobuf.message import Message

from shared.errors import DomainError, FieldViolation, InvalidArgument
from shared.grpc.coalescing import Coalescer, coalesced
from shared.grpc.status import to_status
from shared.transactions import Transactions, Work

RequestT = TypeVar("RequestT", bound=Message)
OutcomeT = TypeVar("OutcomeT", bound=Message)

# At most this many requests in one batch call: the bound of every batch request (max_items).
MAX_TOGETHER = 200


def refuse_repeated_request_ids(requests: Sequence[Any]) -> None:
    """Each request of a batch is its own request: one named twice is refused, the batch whole."""
    seen: set[str] = set()
    violations = []
    for i, request in enumerate(requests):
        if request.request_id in seen:
            violations.append(
                FieldViolation(f"requests[{i}].request_id", "is named by an earlier request of the batch")
            )
        seen.add(request.request_id)
    if violations:
        raise InvalidArgument(violations)


def outcomes(
    results: Sequence[Message | DomainError], outcome_type: Callable[..., OutcomeT], domain: str
) -> list[OutcomeT]:
    """Each result as its outcome message: the response, or the status of its refusal."""
    return [
        outcome_type(error=to_status(result, domain))
        if isinstance(result, DomainError)
        else outcome_type(response=result)
        for result in results
    ]


async def read_each(
    requests: Sequence[RequestT],
    alone: Callable[[RequestT], Awaitable[Message]],
    outcome_type: Callable[..., OutcomeT],
    domain: str,
) -> list[OutcomeT]:
    """The outcomes of a batch of reads, each answered side by side by the single RPC's handler
    (`alone`), with the same checks of who may see what: one refused read does not fail another."""

    async def one(request: RequestT) -> Message | DomainError:
        try:
            return await alone(request)
        except DomainError as refused:
            return refused

    return outcomes(await asyncio.gather(*(one(r) for r in requests)), outcome_type, domain)


async def answer_together(
    tx: Transactions,
    method: str,
    batch: Any,
    response_type: type[Message],
    outcome_type: Callable[..., OutcomeT],
    domain: str,
    prepare: Callable[[RequestT], Awaitable[Work]],
    alone: Callable[[RequestT], Awaitable[Message]],
) -> list[OutcomeT]:
    """The outcomes of a batch of `method` requests, each served as alone in one transaction
    for all (Transactions.write_together)."""
    refuse_repeated_request_ids(batch.requests)
    results = await tx.write_together(method, batch.requests, response_type, prepare, alone)
    return outcomes(results, outcome_type, domain)


def calls_together(
    stub: Callable[[], Any],
    method: str,
    batch_method: str,
    batch_request_type: Callable[..., Message],
    in_flight: int = 1,
) -> Coalescer[Any, Any]:
    """`stub().method` for our own callers: calls made side by side go as one `batch_method`
    (`stub` gives the stub of the moment: an office's channel may be renewed), with at most
    `in_flight` batches out at once."""
    return coalesced(
        lambda request: getattr(stub(), method)(request),
        lambda batch: getattr(stub(), batch_method)(batch),
        batch_request_type,
        MAX_TOGETHER,
        in_flight,
    )
