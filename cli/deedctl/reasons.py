"""The meaning of every refusal reason, in Chinese and English, for deedctl's messages: read from
the ErrorReason enum's options (protos/deedflow/type/v1/error_reason.proto), the one place the
reasons and their texts are written."""

from __future__ import annotations

from deedflow.type.v1 import error_reason_pb2


def _texts() -> dict[str, tuple[str, str]]:
    texts = {}
    for value in error_reason_pb2.ErrorReason.DESCRIPTOR.values:
        if value.number:
            text = value.GetOptions().Extensions[error_reason_pb2.reason]
            texts[value.name] = (text.zh, text.en)
    return texts


REASONS: dict[str, tuple[str, str]] = _texts()


def meaning(reason: str) -> tuple[str, str]:
    """(Chinese, English) for a reason; an unknown reason is named as such, never hidden."""
    return REASONS.get(reason, ("未知原因", f"unknown reason {reason}"))
