"""google.protobuf.Timestamp <-> aware datetime, with unset meaning None."""

from __future__ import annotations

import datetime as dt

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp


def to_timestamp(value: dt.datetime | None) -> Timestamp | None:
    if value is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


def from_timestamp(message: Message, field: str) -> dt.datetime | None:
    """The field's time, or None when the message does not set it."""
    if not message.HasField(field):
        return None
    stamp: Timestamp = getattr(message, field)
    return stamp.ToDatetime(tzinfo=dt.UTC)


# Where people read a time it is Beijing time (Asia/Shanghai, +08:00 all year since 1991) with
# its offset; machine output (JSON, logs, signed texts) stays in UTC.
CHINA = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def china_time(moment: dt.datetime) -> str:
    """'2026-12-07 21:24:30 +08:00': an aware time as people read it, to the second."""
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S +08:00")
