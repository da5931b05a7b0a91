"""deedctl stays a thin client: it never loads a database driver or a service's code, and it can
explain every refusal reason the services document, in Chinese and English."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from cli.deedctl.reasons import REASONS, meaning
from deedflow.type.v1.reasons import Reason

ROOT = Path(__file__).resolve().parents[2]


def test_deedctl_imports_no_database_and_no_service():
    forbidden = "('asyncpg', 'sqlalchemy', 'alembic', 'services')"
    probe = (
        "import sys, cli.deedctl.main; "
        f"print(','.join(m for m in sys.modules if m.split('.')[0] in {forbidden}))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == ""


def test_every_reason_has_a_chinese_and_an_english_meaning():
    documented = set(
        re.findall(r"^\| `([A-Z_]+)` \|", (ROOT / "docs" / "errors.md").read_text(), re.MULTILINE)
    )
    assert documented == set(REASONS) == set(Reason)
    for reason, (chinese, english) in REASONS.items():
        assert re.search(r"[\u4e00-\u9fff]", chinese), reason
        assert english.startswith(english[0].lower()), reason


def test_an_unknown_reason_is_named_not_hidden():
    assert meaning("SOMETHING_NEW") == ("未知原因", "unknown reason SOMETHING_NEW")
