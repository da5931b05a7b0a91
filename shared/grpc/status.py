"""Turns domain errors into google.rpc.Status with BadRequest / ErrorInfo details (grpcio-status)."""

from __future__ import annotations

from typing import TypeVar

import grpc
from google.protobuf import any_pb2
from google.protobuf.message import Message
from google.rpc import code_pb2, error_details_pb2, status_pb2

from shared.errors import (
    Aborted,
    AlreadyExists,
    AnsweredBefore,
    DataLoss,
    DomainError,
    FailedPrecondition,
    Internal,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ReasonedError,
    RequestIdReused,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
)

DetailT = TypeVar("DetailT", bound=Message)

_CODES: tuple[tuple[type[DomainError], int], ...] = (
    (InvalidArgument, code_pb2.INVALID_ARGUMENT),
    (RequestIdReused, code_pb2.INVALID_ARGUMENT),
    (FailedPrecondition, code_pb2.FAILED_PRECONDITION),
    (NotFound, code_pb2.NOT_FOUND),
    (AlreadyExists, code_pb2.ALREADY_EXISTS),
    (Aborted, code_pb2.ABORTED),
    (DataLoss, code_pb2.DATA_LOSS),
    (Unavailable, code_pb2.UNAVAILABLE),
    (PermissionDenied, code_pb2.PERMISSION_DENIED),
    (Unauthenticated, code_pb2.UNAUTHENTICATED),
    (ResourceExhausted, code_pb2.RESOURCE_EXHAUSTED),
    (Internal, code_pb2.INTERNAL),
)


# A status travels in the trailers, and a client refuses trailers over 16 KiB (gRPC's default):
# an answer listing every violation of a request with thousands of bad items would reach the
# caller as RESOURCE_EXHAUSTED instead. The first violations are listed; the message says how
# many more there were.
MAX_VIOLATIONS = 20
MAX_MESSAGE_CHARS = 1_000


def _pack(message: Message) -> any_pb2.Any:
    detail = any_pb2.Any()
    detail.Pack(message)
    return detail


def to_status(error: DomainError, domain: str) -> status_pb2.Status:
    """The rich status for a domain error; `domain` is 'deedflow.<service>'."""
    if isinstance(error, AnsweredBefore):
        return error.status
    code = next((c for cls, c in _CODES if isinstance(error, cls)), code_pb2.INTERNAL)
    status = status_pb2.Status(code=code, message=_bounded(error.message))
    if isinstance(error, InvalidArgument):
        listed = error.violations[:MAX_VIOLATIONS]
        if len(error.violations) > len(listed):
            unlisted = len(error.violations) - len(listed)
            suffix = f"; and {unlisted} more violations not listed"
            listing = "; ".join(f"{v.field}: {v.description}" for v in listed)
            status.message = _bounded(listing, MAX_MESSAGE_CHARS - len(suffix)) + suffix
        status.details.append(
            _pack(
                error_details_pb2.BadRequest(
                    field_violations=[
                        error_details_pb2.BadRequest.FieldViolation(
                            field=v.field, description=v.description, reason=v.reason
                        )
                        for v in listed
                    ]
                )
            )
        )
        if error.reason:
            status.details.append(
                _pack(
                    error_details_pb2.ErrorInfo(reason=error.reason, domain=domain, metadata=error.metadata)
                )
            )
    elif isinstance(error, ReasonedError):
        status.details.append(
            _pack(error_details_pb2.ErrorInfo(reason=error.reason, domain=domain, metadata=error.metadata))
        )
    return status


def _bounded(message: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"


def grpc_code(status: status_pb2.Status) -> grpc.StatusCode:
    return next(c for c in grpc.StatusCode if c.value[0] == status.code)


def _detail(status: status_pb2.Status, detail_type: type[DetailT]) -> DetailT | None:
    for detail in status.details:
        if detail.Is(detail_type.DESCRIPTOR):
            found = detail_type()
            detail.Unpack(found)
            return found
    return None


def error_info(status: status_pb2.Status) -> error_details_pb2.ErrorInfo | None:
    """The ErrorInfo detail of a status, if it has one."""
    return _detail(status, error_details_pb2.ErrorInfo)


def bad_request(status: status_pb2.Status) -> error_details_pb2.BadRequest | None:
    """The BadRequest detail of a status, if it has one."""
    return _detail(status, error_details_pb2.BadRequest)
