"""deedctl's exit codes, one per class of outcome (documented in docs/deedctl.md)."""

from __future__ import annotations

from enum import IntEnum

import grpc


class ExitCode(IntEnum):
    OK = 0
    # Anything not classed below (including INTERNAL).
    ERROR = 1
    # typer's own code for a wrong command line.
    USAGE = 2
    # A service is unreachable, not serving, or timed out: try again later.
    UNAVAILABLE = 3
    # The request was refused as malformed (INVALID_ARGUMENT).
    INVALID = 4
    # The system's state does not allow it (FAILED_PRECONDITION, ALREADY_EXISTS, ABORTED).
    REFUSED = 5
    NOT_FOUND = 6
    # Who you are does not allow it (PERMISSION_DENIED, UNAUTHENTICATED).
    FORBIDDEN = 7
    # A document or the book does not match its signatures (verify, audit; DATA_LOSS).
    TAMPERED = 8


_BY_CODE = {
    grpc.StatusCode.UNAVAILABLE: ExitCode.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED: ExitCode.UNAVAILABLE,
    grpc.StatusCode.INVALID_ARGUMENT: ExitCode.INVALID,
    grpc.StatusCode.FAILED_PRECONDITION: ExitCode.REFUSED,
    grpc.StatusCode.ALREADY_EXISTS: ExitCode.REFUSED,
    grpc.StatusCode.ABORTED: ExitCode.REFUSED,
    grpc.StatusCode.NOT_FOUND: ExitCode.NOT_FOUND,
    grpc.StatusCode.PERMISSION_DENIED: ExitCode.FORBIDDEN,
    grpc.StatusCode.UNAUTHENTICATED: ExitCode.FORBIDDEN,
    grpc.StatusCode.DATA_LOSS: ExitCode.TAMPERED,
}


def exit_code_for(code: grpc.StatusCode) -> ExitCode:
    return _BY_CODE.get(code, ExitCode.ERROR)
