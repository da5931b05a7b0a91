"""Domain errors that services raise; the gRPC layer turns each into a precise google.rpc.Status."""

from __future__ import annotations

from dataclasses import dataclass

from google.rpc import status_pb2

from deedflow.type.v1.reasons import Reason


@dataclass(frozen=True)
class FieldViolation:
    """One bad field of a request: its path (e.g. 'filing.buyers[1].resident_id'), why, and where
    a client may branch on it, a reason (listed in docs/errors.md)."""

    field: str
    description: str
    reason: Reason | None = None


class DomainError(Exception):
    """Base of every error a service means to return to its caller."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidArgument(DomainError):
    """INVALID_ARGUMENT with a BadRequest listing every field violation; with a reason, also an
    ErrorInfo carrying it and its metadata."""

    def __init__(
        self,
        violations: list[FieldViolation],
        message: str | None = None,
        reason: Reason | None = None,
        metadata: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message or "; ".join(f"{v.field}: {v.description}" for v in violations))
        self.violations = violations
        self.reason = reason
        self.metadata = metadata or {}


class ReasonedError(DomainError):
    """An error carrying an ErrorInfo reason (listed in docs/errors.md) and metadata."""

    def __init__(self, reason: Reason, message: str, metadata: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.metadata = metadata or {}


class FailedPrecondition(ReasonedError):
    """FAILED_PRECONDITION: the system is not in a state that allows the request."""


class RequestIdReused(ReasonedError):
    """INVALID_ARGUMENT reason REQUEST_ID_REUSED: same request_id, different payload."""

    def __init__(self, method: str) -> None:
        super().__init__(
            Reason.REQUEST_ID_REUSED,
            f"request_id was already used for a different {method} request",
            {"method": method},
        )


class NotFound(DomainError):
    """NOT_FOUND: the named resource does not exist (or the caller may not know it does)."""


class AlreadyExists(ReasonedError):
    """ALREADY_EXISTS: a resource with that identity exists with other content."""


class Aborted(ReasonedError):
    """ABORTED: lost a race with a concurrent request; retrying may succeed."""


class DataLoss(ReasonedError):
    """DATA_LOSS: stored data no longer matches what was signed over it (a tampered book)."""


class Unavailable(ReasonedError):
    """UNAVAILABLE: a party the answer depends on cannot give its part now; retrying may succeed."""


class PermissionDenied(ReasonedError):
    """PERMISSION_DENIED: the caller's role or relation to the object does not allow this."""


class Unauthenticated(DomainError):
    """UNAUTHENTICATED: no usable client identity on the connection."""


class ResourceExhausted(ReasonedError):
    """RESOURCE_EXHAUSTED: the caller holds as much of a bounded resource as it may."""


class Internal(ReasonedError):
    """INTERNAL: our own fault (a bug, or records that disagree); never the caller's."""


class AnsweredBefore(DomainError):
    """The recorded answer to a request id, given again exactly as it was first given."""

    def __init__(self, status: status_pb2.Status) -> None:
        super().__init__(status.message)
        self.status = status
