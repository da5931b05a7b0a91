"""Per-call context (request id, method) that logs and downstream calls read."""

from __future__ import annotations

import contextvars

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
method_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("method", default=None)
# Monotonic time by which the call being served must finish; outgoing calls inherit it.
deadline_var: contextvars.ContextVar[float | None] = contextvars.ContextVar("deadline", default=None)
