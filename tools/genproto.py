"""Generates the Python protobuf and gRPC code in gen/ from protos/ (run by `make gen`)."""

from __future__ import annotations

import sys
from importlib import resources, util
from pathlib import Path

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


def generate(out_dir: Path) -> None:
    """Writes *_pb2.py, *_pb2.pyi and *_pb2_grpc.py for every proto into out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    run_protoc(f"--python_out={out_dir}", f"--pyi_out={out_dir}", f"--grpc_python_out={out_dir}")
    # Packages, so that setuptools and type checkers see gen/deedflow as a normal package tree.
    for folder in [out_dir / "deedflow", *(p for p in (out_dir / "deedflow").rglob("*") if p.is_dir())]:
        (folder / "__init__.py").write_text("")


if __name__ == "__main__":
    generate(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "gen")
