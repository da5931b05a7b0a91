"""Writes docs/api.md, the API reference, from the protos (their comments, read with protoc's
source info), the role table (shared/policy.py) and the object rules (tools/entitlement.py):

    .venv/bin/python -m tools.api_doc > docs/api.md

tests/unit/test_api_doc.py holds the file to what this prints."""

from __future__ import annotations

import tempfile
from pathlib import Path

from google.protobuf import descriptor_pb2

from deedflow.type.v1 import field_rules_pb2
from shared.policy import POLICY
from tools.entitlement import RULES
from tools.genproto import run_protoc

# Paths into a FileDescriptorProto (descriptor.proto's field numbers).
MESSAGE, SERVICE, FIELD, METHOD = 4, 6, 2, 2
_LABELS = {descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED: "repeated "}
_SCALARS = {
    value: name.removeprefix("TYPE_").lower()
    for name, value in descriptor_pb2.FieldDescriptorProto.Type.items()
}

HEADER = """# API reference

Generated from the protos, the role table and the object rules by `python -m tools.api_doc`
(`tests/unit/test_api_doc.py` fails when this file differs from what it prints). Every call is gRPC
over mutual TLS: the caller is the one `deedflow://<role>/<id>` URI of its client certificate
(docs/authorization.md). The errors every call may give, beyond those its comment names:
`INVALID_ARGUMENT` with a `BadRequest` naming each bad field (bounds are in the protos'
`deedflow.type.v1.field` options), `PERMISSION_DENIED` `ROLE_NOT_ALLOWED` for a role not listed,
`NOT_FOUND` for another party's record, `UNAVAILABLE` when a service or the database is down
(retry with the same `request_id`), and, on mutating calls, `ALREADY_EXISTS` `REQUEST_ID_REUSED`
for a request id sent before with another body. Reasons: docs/errors.md.
"""


def descriptor_set() -> descriptor_pb2.FileDescriptorSet:
    """Every project proto with its comments, as protoc parses them."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "protos.pb"
        run_protoc(f"--descriptor_set_out={out}", "--include_source_info")
        return descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())


def _comments(file: descriptor_pb2.FileDescriptorProto) -> dict[tuple[int, ...], str]:
    return {
        tuple(location.path): " ".join(
            line.strip() for line in location.leading_comments.strip().splitlines()
        )
        for location in file.source_code_info.location
        if location.leading_comments.strip()
    }


def _type(field: descriptor_pb2.FieldDescriptorProto) -> str:
    named = field.type_name.lstrip(".").rsplit(".", 1)[-1] if field.type_name else _SCALARS[field.type]
    return _LABELS.get(field.label, "") + named


def _cell(text: str) -> str:
    return text.replace("|", "\\|") or "—"


def _messages(files) -> dict[str, tuple[descriptor_pb2.DescriptorProto, dict, tuple[int, ...]]]:
    """Each top-level message by full name, with its file's comments and its path in the file."""
    found = {}
    for file in files:
        comments = _comments(file)
        for index, message in enumerate(file.message_type):
            found[f"{file.package}.{message.name}"] = (message, comments, (MESSAGE, index))
    return found


def _rules(field: descriptor_pb2.FieldDescriptorProto) -> str:
    """The field's `deedflow.type.v1.field` rules, as the servers check them at the door."""
    if not field.options.HasExtension(field_rules_pb2.field):
        return ""
    rules = field.options.Extensions[field_rules_pb2.field]
    said = []
    if rules.required:
        said.append("required")
    if rules.format:
        said.append(
            field_rules_pb2.IdentifierFormat.Name(rules.format).removeprefix("IDENTIFIER_FORMAT_").lower()
        )
    if rules.HasField("min") or rules.HasField("max"):
        low = rules.min if rules.HasField("min") else ""
        high = rules.max if rules.HasField("max") else ""
        said.append(f"{low}..{high}")
    if rules.max_len:
        said.append(f"at most {rules.max_len} long")
    if rules.max_items:
        said.append(f"at most {rules.max_items} items")
    return ", ".join(said)


def _fields_table(name: str, messages) -> list[str]:
    message, comments, path = messages[name]
    if not message.field:
        return ["(no fields)", ""]
    lines = ["| field | type | rules | meaning |", "|---|---|---|---|"]
    for index, field in enumerate(message.field):
        meaning = comments.get((*path, FIELD, index), "")
        lines.append(f"| `{field.name}` | `{_type(field)}` | {_cell(_rules(field))} | {_cell(meaning)} |")
    return [*lines, ""]


def reference() -> str:
    files = [f for f in descriptor_set().file if f.package.startswith("deedflow.")]
    messages = _messages(files)
    out = [HEADER]
    for file in sorted(files, key=lambda f: f.package):
        comments = _comments(file)
        for s_index, service in enumerate(file.service):
            full = f"{file.package}.{service.name}"
            out += [f"## {full}", "", comments.get((SERVICE, s_index), ""), ""]
            for m_index, method in enumerate(service.method):
                route = f"/{full}/{method.name}"
                rule = RULES[route]
                stream = "stream " if method.server_streaming else ""
                out += [
                    f"### {service.name}.{method.name}",
                    "",
                    comments.get((SERVICE, s_index, METHOD, m_index), ""),
                    "",
                    f"`rpc {method.name}({method.input_type.rsplit('.', 1)[-1]})"
                    f" returns ({stream}{method.output_type.rsplit('.', 1)[-1]})`",
                    "",
                    f"- Roles: {', '.join(sorted(role.value for role in POLICY[route]))}",
                    f"- Whose object, who may act: {rule.rule}",
                    f"- Refused with: {rule.refusal}",
                    "",
                    *_fields_table(method.input_type.lstrip("."), messages),
                ]
    return "\n".join(out).rstrip() + "\n"


def main() -> None:
    print(reference(), end="")


if __name__ == "__main__":
    main()
