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
    (PermissionDenied, code_pb2.PERMISSION_DENIED),
    (Unauthenticated, code_pb2.UNAUTHENTICATED),
    (ResourceExhausted, code_pb2.RESOURCE_EXHAUSTED),
    (Internal, code_pb2.INTERNAL),
)


def _pack(message) -> any_pb2.Any:
    detail = any_pb2.Any()
    detail.Pack(message)
    return detail


def to_status(error: DomainError, domain: str) -> status_pb2.Status:
    """The rich status for a domain error; `domain` is 'deedflow.<service>'."""
    if isinstance(error, AnsweredBefore):
        return error.status
    code = next((c for cls, c in _CODES if isinstance(error, cls)), code_pb2.INTERNAL)
    status = status_pb2.Status(code=code, message=error.message)
    if isinstance(error, InvalidArgument):
        status.details.append(
            _pack(
                error_details_pb2.BadRequest(
                    field_violations=[
                        error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.description)
                        for v in error.violations
                    ]
                )
            )
        )
    elif isinstance(error, ReasonedError):
        status.details.append(
            _pack(error_details_pb2.ErrorInfo(reason=error.reason, domain=domain, metadata=error.metadata))
        )
    return status


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
