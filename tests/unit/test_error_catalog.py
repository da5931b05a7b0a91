"""docs/errors.md lists every ErrorInfo reason the protos promise and the code raises."""

from __future__ import annotations

import re
from pathlib import Path

import grpc
from google.protobuf import descriptor_pool

from tests.support import load_all_protos

ROOT = Path(__file__).resolve().parents[2]
TOKEN = re.compile(r"\b[A-Z]+(?:_[A-Z]+)+\b")
RAISED = re.compile(
    r"(?:FailedPrecondition|AlreadyExists|Aborted|PermissionDenied|ReasonedError|Internal|SignatureRefused)"
    r"\(\s*\"([A-Z_]+)\""
)


def _documented() -> set[str]:
    text = (ROOT / "docs" / "errors.md").read_text()
    return set(re.findall(r"^\| `([A-Z_]+)` \|", text, flags=re.MULTILINE))


def _enum_value_names() -> set[str]:
    """Every enum value, whole and without its enum's prefix (e.g. CERTIFICATE_READY)."""
    load_all_protos()
    pool = descriptor_pool.Default()
    names: set[str] = set()
    for proto in (ROOT / "protos" / "deedflow").rglob("*.proto"):
        file = pool.FindFileByName(str(proto.relative_to(ROOT / "protos")))
        enums = list(file.enum_types_by_name.values())
        for message in file.message_types_by_name.values():
            enums.extend(message.enum_types)
        for enum in enums:
            prefix = re.sub(r"(?<!^)(?=[A-Z])", "_", enum.name).upper() + "_"
            for value in enum.values:
                names.update({value.name, value.name.removeprefix(prefix)})
    return names


def test_every_reason_in_the_protos_is_documented():
    grpc_codes = {code.name for code in grpc.StatusCode}
    comments = "\n".join(
        line
        for proto in (ROOT / "protos" / "deedflow").rglob("*.proto")
        for line in proto.read_text().splitlines()
        if line.strip().startswith("//")
    )
    promised = set(TOKEN.findall(comments)) - grpc_codes - _enum_value_names()
    assert promised - _documented() == set()


def test_every_reason_raised_in_code_is_documented():
    raised = {
        reason
        for folder in ("shared", "services")
        for source in (ROOT / folder).rglob("*.py")
        for reason in RAISED.findall(source.read_text())
    }
    raised.add("REQUEST_ID_REUSED")
    assert raised - _documented() == set()


def test_every_reason_raised_in_code_is_asserted_by_a_test():
    raised = {
        reason
        for folder in ("shared", "services")
        for source in (ROOT / folder).rglob("*.py")
        for reason in RAISED.findall(source.read_text())
    }
    tests = "".join(p.read_text() for p in (ROOT / "tests").rglob("test_*.py"))
    assert {r for r in raised if f'"{r}"' not in tests} == set()
