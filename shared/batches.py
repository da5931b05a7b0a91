"""Many requests of one method served by one call (CommitCases, ConsumeClearances …): the
request names each by its own request id, and the answer gives, in order, what each would have
been answered alone. Our offices send these through shared/grpc/coalescing.py."""

from __future__ import annotations

from collections.abc import Sequence

from google.protobuf.message import Message

from shared.errors import DomainError, FieldViolation, InvalidArgument
from shared.grpc.status import to_status

# At most this many requests in one batch call: the bound of every batch request (max_items).
MAX_TOGETHER = 200


def refuse_repeated_request_ids(requests: Sequence[Message]) -> None:
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


def outcomes(results: Sequence[Message | DomainError], outcome_type: type[Message], domain: str) -> list:
    """Each result as its outcome message: the response, or the status of its refusal."""
    return [
        outcome_type(error=to_status(result, domain))
        if isinstance(result, DomainError)
        else outcome_type(response=result)
        for result in results
    ]
