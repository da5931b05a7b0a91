"""Writes the table of docs/errors.md from the ErrorReason enum and its options
(protos/deedflow/type/v1/error_reason.proto), the one place reasons are written:

    .venv/bin/python -m tools.errors_doc          # prints the table
    .venv/bin/python -m tools.errors_doc --write  # replaces the table in docs/errors.md
"""

from __future__ import annotations

import sys
from pathlib import Path

from google.rpc import code_pb2

from deedflow.type.v1 import error_reason_pb2

DOC = Path(__file__).resolve().parent.parent / "docs" / "errors.md"
HEADER = "| reason | code | meaning | 含义 | legal basis |\n|---|---|---|---|---|\n"


def table() -> str:
    lines = []
    for value in error_reason_pb2.ErrorReason.DESCRIPTOR.values:
        if value.number:
            text = value.GetOptions().Extensions[error_reason_pb2.reason]
            code = code_pb2.Code.Name(text.code)
            lines.append(f"| `{value.name}` | {code} | {text.meaning} | {text.zh} | {text.basis} |\n")
    return HEADER + "".join(lines)


def rewrite(doc: str) -> str:
    """The document with its table (from the header to the last row) replaced."""
    start = doc.index(HEADER.splitlines()[0])
    rest = doc[start:].splitlines(keepends=True)
    table_lines = next((i for i, line in enumerate(rest) if not line.startswith("|")), len(rest))
    return doc[:start] + table() + "".join(rest[table_lines:])


def main() -> None:
    if sys.argv[1:] == ["--write"]:
        DOC.write_text(rewrite(DOC.read_text()))
    else:
        print(table(), end="")


if __name__ == "__main__":
    main()
