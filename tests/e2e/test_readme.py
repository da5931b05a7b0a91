"""The README and examples/README.md as a newcomer follows them (issue 31): every `sh` block, line
by line, as written and in order, in a folder of its own beside the repository (its `.venv`,
Makefile and examples linked in), against a stack on ports the OS picks and a database of its
own. Each command must succeed and say nothing of a traceback. `make test` is the one line not
run: it is this suite."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from shared.catalog import SERVICE_NAMES
from tests.support import fresh_database

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = (ROOT / "README.md", ROOT / "examples" / "README.md")
# What the newcomer's folder holds of the repository: the commands refer to these by relative path.
LINKED = (".venv", "Makefile", "pyproject.toml", "examples")
NOT_RUN = {"make test": "the suite itself"}


def command_lines(document: Path) -> list[str]:
    """The command lines of the document's `sh` blocks, comment lines and continuations aside."""
    lines = []
    for block in re.findall(r"^```sh\n(.*?)^```", document.read_text(), flags=re.MULTILINE | re.DOTALL):
        for line in block.splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                lines.append(line)
    return lines


def test_every_document_has_blocks_to_run():
    for document in DOCUMENTS:
        assert command_lines(document), document


@pytest.fixture
def newcomer(tmp_path: Path, server_url: str):
    folder = tmp_path / "newcomer"
    folder.mkdir()
    for name in LINKED:
        (folder / name).symlink_to(ROOT / name)
    for database_url in fresh_database(server_url):
        env = {k: v for k, v in os.environ.items() if not k.startswith("DEEDFLOW_")}
        env.update(
            DATABASE_URL=database_url,
            # Never the default ports: a developer's own stack may hold them.
            DEEDFLOW_PORTS="{" + ", ".join(f'"{s}": 0' for s in SERVICE_NAMES) + "}",
            COLUMNS="100",
        )
        try:
            yield folder, env
        finally:
            subprocess.run(
                [str(ROOT / ".venv" / "bin" / "deedflow"), "down"], cwd=folder, env=env, capture_output=True
            )


def test_the_readmes_run_as_written(newcomer):
    folder, env = newcomer
    ran = []
    for document in DOCUMENTS:
        for line in command_lines(document):
            command = line.split("#", 1)[0].strip()
            if command in NOT_RUN:
                continue
            done = subprocess.run(
                ["bash", "-c", line], cwd=folder, env=env, capture_output=True, text=True, timeout=900
            )
            said = done.stdout + done.stderr
            assert done.returncode == 0, f"{document.name}: {line}\n{said}"
            assert "Traceback" not in said, f"{document.name}: {line}\n{said}"
            ran.append(command)
    # What the newcomer is left with: the files the commands say they write.
    for written in ("certificate.pdf", "certificate.json", "proof.pdf", "certificate.png", "my-bank.pem"):
        assert (folder / written).is_file(), written
    assert list((folder / "bank-state").glob("mortgage-proof-*.json"))
    assert "make demo" in ran
