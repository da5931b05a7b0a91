"""Generates the Python protobuf and gRPC code in gen/ from protos/ (run by `make gen`)."""

from __future__ import annotations

import sys
import tempfile
from importlib import resources, util
from pathlib import Path

from google.protobuf import descriptor_pb2
from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTOS = ROOT / "protos"


def googleapis_include() -> Path:
    """The folder holding google/rpc/*.proto and google/type/*.proto from the wheel."""
    spec = util.find_spec("google.rpc.status_pb2")
    if spec is None or spec.origin is None:
        raise SystemExit("googleapis-common-protos is not installed")
    return Path(spec.origin).parent.parent.parent


def grpc_tools_include() -> Path:
    """The folder holding google/protobuf/*.proto shipped with grpcio-tools."""
    return Path(str(resources.files("grpc_tools") / "_proto"))


def proto_files() -> list[Path]:
    return sorted(PROTOS.glob("deedflow/**/*.proto"))


def run_protoc(*outputs: str) -> None:
    """protoc over every project proto, with the include folders they import from, writing what
    `outputs` (protoc's --…_out flags) ask for."""
    files = [str(p.relative_to(PROTOS)) for p in proto_files()]
    args = [
        "protoc",
        f"-I{PROTOS}",
        f"-I{googleapis_include()}",
        f"-I{grpc_tools_include()}",
        *outputs,
        *files,
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")


REASONS_PROTO = "deedflow/type/v1/error_reason.proto"
REASONS_MODULE = Path("deedflow/type/v1/reasons.py")


def reasons_module(descriptors: descriptor_pb2.FileDescriptorSet) -> str:
    """Python for the ErrorReason enum as a StrEnum, so that code raises and compares reasons by
    name with a type checker's help, and an ErrorInfo gets the value's name unchanged."""
    (file,) = (f for f in descriptors.file if f.name == REASONS_PROTO)
    (enum,) = (e for e in file.enum_type if e.name == "ErrorReason")
    members = [f'    {v.name} = "{v.name}"' for v in enum.value if v.number]
    return "\n".join(
        [
            f'"""Generated from {REASONS_PROTO} by tools/genproto.py; do not edit."""',
            "",
            "from enum import StrEnum",
            "",
            "",
            "class Reason(StrEnum):",
            '    """deedflow.type.v1.ErrorReason by name: the reason of an ErrorInfo (AIP-193)."""',
            "",
            *members,
            "",
        ]
    )


def generate(out_dir: Path) -> None:
    """Writes *_pb2.py, *_pb2.pyi and *_pb2_grpc.py for every proto into out_dir, and the
    reasons' StrEnum."""
    out_dir.mkdir(parents=True, exist_ok=True)
    run_protoc(f"--python_out={out_dir}", f"--pyi_out={out_dir}", f"--grpc_python_out={out_dir}")
    with tempfile.TemporaryDirectory() as scratch:
        descriptor_set = Path(scratch) / "protos.pb"
        run_protoc(f"--descriptor_set_out={descriptor_set}")
        descriptors = descriptor_pb2.FileDescriptorSet.FromString(descriptor_set.read_bytes())
    (out_dir / REASONS_MODULE).write_text(reasons_module(descriptors))
    # Packages, so that setuptools and type checkers see gen/deedflow as a normal package tree.
    for folder in [out_dir / "deedflow", *(p for p in (out_dir / "deedflow").rglob("*") if p.is_dir())]:
        (folder / "__init__.py").write_text("")


if __name__ == "__main__":
    generate(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "gen")
