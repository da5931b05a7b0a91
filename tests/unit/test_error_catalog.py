"""Every ErrorInfo reason is a value of deedflow.type.v1.ErrorReason: the code raises only those,
the protos' comments promise only those, docs/errors.md is the table the enum makes, and every
reason the code raises is asserted by a test."""

from __future__ import annotations

import re
from pathlib import Path

import grpc
from google.protobuf import descriptor_pool

from deedflow.type.v1 import error_reason_pb2
from deedflow.type.v1.reasons import Reason
from tests.support import load_all_protos
from tools import code_counts, errors_doc

ROOT = Path(__file__).resolve().parents[2]
TOKEN = re.compile(r"\b[A-Z]+(?:_[A-Z]+)+\b")
RAISED = re.compile(r"\bReason\.([A-Z_]+)\b")


def _enum_value_names() -> set[str]:
    """Every enum value but ErrorReason's, whole and without its enum's prefix (e.g. CERTIFICATE_READY)."""
    load_all_protos()
    pool = descriptor_pool.Default()
    names: set[str] = set()
    for proto in (ROOT / "protos" / "deedflow").rglob("*.proto"):
        file = pool.FindFileByName(str(proto.relative_to(ROOT / "protos")))
        enums = list(file.enum_types_by_name.values())
        for message in file.message_types_by_name.values():
            enums.extend(message.enum_types)
        for enum in enums:
            if enum.name == "ErrorReason":
                continue
            prefix = re.sub(r"(?<!^)(?=[A-Z])", "_", enum.name).upper() + "_"
            for value in enum.values:
                names.update({value.name, value.name.removeprefix(prefix)})
    return names


def _sources(*folders: str):
    return (source for folder in folders for source in (ROOT / folder).rglob("*.py"))


def test_every_reason_in_the_protos_comments_is_declared():
    grpc_codes = {code.name for code in grpc.StatusCode}
    comments = "\n".join(
        line
        for proto in (ROOT / "protos" / "deedflow").rglob("*.proto")
        for line in proto.read_text().splitlines()
        if line.strip().startswith("//")
    )
    promised = set(TOKEN.findall(comments)) - grpc_codes - _enum_value_names() - {"ERROR_REASON_UNSPECIFIED"}
    assert promised - set(Reason) == set()


def test_the_generated_enum_is_the_protos_enum():
    declared = {v.name for v in error_reason_pb2.ErrorReason.DESCRIPTOR.values if v.number}
    assert declared == {r.value for r in Reason}
    assert all(r.name == r.value for r in Reason)


def test_every_reason_has_a_code_texts_and_a_basis():
    for value in error_reason_pb2.ErrorReason.DESCRIPTOR.values[1:]:
        text = value.GetOptions().Extensions[error_reason_pb2.reason]
        assert text.code != 0, value.name
        assert re.search(r"[\u4e00-\u9fff]", text.zh), value.name
        assert all((text.en, text.meaning, text.basis)), value.name


def test_the_document_holds_the_table_the_enum_makes():
    doc = errors_doc.DOC.read_text()
    assert errors_doc.table() in doc
    assert errors_doc.rewrite(doc) == doc


def test_no_reason_is_a_string_literal_at_a_raise_site():
    for source in _sources("shared", "services"):
        assert code_counts.string_reasons(code_counts.parse(source)) == 0, source


def test_the_raise_site_count_sees_a_string_reason():
    tree = code_counts.ast.parse(
        'raise FailedPrecondition("NO_CANCELLATION", "m")\nFieldViolation("f", "d", reason="X")'
    )
    assert code_counts.string_reasons(tree) == 2


def test_every_reason_raised_in_code_is_asserted_by_a_test():
    raised = {
        reason for source in _sources("shared", "services") for reason in RAISED.findall(source.read_text())
    }
    assert raised, "the code raises reasons by Reason.X"
    assert raised - set(Reason) == set()
    tests = "".join(p.read_text() for p in (ROOT / "tests").rglob("test_*.py"))
    assert {r for r in raised if f'"{r}"' not in tests and f"Reason.{r}" not in tests} == set()
