"""Type names every servicer uses: the context of a call being served."""

from __future__ import annotations

from typing import Any, TypeAlias

import grpc

# A call's context; its request and response types are the servicer method's own annotations.
# Quoted: at run time grpc's classes take no type arguments.
Context: TypeAlias = "grpc.aio.ServicerContext[Any, Any]"
