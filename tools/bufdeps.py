"""Copies google/rpc and google/type protos from the googleapis-common-protos wheel for buf."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from tools.genproto import googleapis_include


def copy_protos(target: Path) -> None:
    source = googleapis_include() / "google"
    for package in ("rpc", "type"):
        destination = target / "google" / package
        destination.mkdir(parents=True, exist_ok=True)
        for proto in (source / package).glob("*.proto"):
            shutil.copyfile(proto, destination / proto.name)


if __name__ == "__main__":
    copy_protos(Path(sys.argv[1]))
