"""gen/ is exactly what protoc makes from protos/: regenerate into a temporary folder and compare."""

from __future__ import annotations

import filecmp
from pathlib import Path

from tools.genproto import ROOT, generate


def _files(folder: Path) -> dict[str, Path]:
    return {
        str(p.relative_to(folder)): p
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_generated_code_matches_protos(tmp_path):
    generate(tmp_path)
    fresh, committed = _files(tmp_path), _files(ROOT / "gen")
    assert sorted(fresh) == sorted(committed), "files added or missing in gen/; run `make gen`"
    changed = [name for name in fresh if not filecmp.cmp(fresh[name], committed[name], shallow=False)]
    assert changed == [], f"gen/ differs from protos/ in {changed}; run `make gen`"
