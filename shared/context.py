"""Per-call context (request id, method) that logs and downstream calls read."""

from __future__ import annotations

import contextvars

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
method_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("method", default=None)
# Monotonic time by which the call being served must finish; outgoing calls inherit it.
deadline_var: contextvars.ContextVar[float | None] = contextvars.ContextVar("deadline", default=None)
# Set while the running task holds a database transaction (shared/db.py); outgoing calls refuse to
# start under it (shared/grpc/channels.py), so no remote call can run inside a local transaction.
holding_transaction_var: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "holding_transaction", default=False
)
# What the call or background work is about ("purchases/…", "cases/…", "units/…"), for the logs.
subject_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("subject", default=None)

# Request fields that name what a call is about, in the order they are looked for.
_SUBJECT_FIELDS = ("name", "entry", "correction", "case", "unit_number", "building_number", "contract")


def subject_of(request: object) -> str | None:
    """The resource a request names, if any: its name, else its entry, unit or building."""
    for field in _SUBJECT_FIELDS:
        value = getattr(request, field, None)
        if isinstance(value, str) and value:
            # A subject is logged with every call: a hostile name is cut to a readable length.
            value = value[:120]
            if field == "unit_number":
                return f"units/{value}"
            if field == "building_number":
                return f"buildings/{value}"
            return value
    return None
