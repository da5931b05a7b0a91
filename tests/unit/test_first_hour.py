"""What a newcomer reads in their first hour (issue 31): one time rule, one money format, one
masking rule; tables that break lines between words and say "none" when empty; and a local
mistake (a missing file, a key that is not the certificate's, a stack that is down) told in one
line with what to do, with the exit code of its class."""

from __future__ import annotations

import datetime as dt
import re

from rich.console import Console
from rich.table import Table
from typer.testing import CliRunner

from cli.deedctl.common import counted, when
from cli.deedctl.main import app as deedctl
from cli.tables import show_table
from client.paper.fields import proof_fields
from shared.logging import mask_personal_ids
from shared.money import yuan
from shared.timestamps import china_time, to_timestamp

MOMENT = dt.datetime(2026, 12, 7, 13, 24, 30, 123456, tzinfo=dt.UTC)


def test_people_read_beijing_time_with_its_offset():
    assert china_time(MOMENT) == "2026-12-07 21:24:30 +08:00"
    assert when(to_timestamp(MOMENT)) == "2026-12-07 21:24:30 +08:00"


def test_money_is_yuan_with_thousands_and_two_decimals():
    assert yuan(100_450_000) == "1,004,500.00 元"
    assert yuan("7") == "0.07 元"
    other = next(f for f in proof_fields({"body": {"loan": {"amount_fen": "100450000"}}}) if f.zh == "其他")
    assert "1,004,500.00 元" in other.value


def test_one_masking_rule_for_resident_ids_and_none_for_organizations():
    text = "bank 915000007094231152, developer 91500112MA5U0DF01L, buyer 11010519491231002x"
    assert mask_personal_ids(text) == (
        "bank 915000007094231152, developer 91500112MA5U0DF01L, buyer 110105***********x"
    )


def test_counts_agree_with_their_nouns():
    assert (counted(1, "book"), counted(2, "book"), counted(0, "book")) == ("1 book", "2 books", "0 books")


def _rendered(table: Table, width: int) -> str:
    console = Console(width=width, record=True, force_terminal=False)
    show_table(table, console)
    return console.export_text()


def _purchases() -> Table:
    table = Table(title="purchases (2)")
    for column in ("purchase", "unit", "state", "updated", "waiting for a person because"):
        table.add_column(column, overflow="fold")
    for n in range(2):
        table.add_row(
            f"purchases/3f1c2a9e-8b7d-4c1e-9a2f-5d6e7f8a9b0{n}",
            "500112001002GB00015F00010101",
            "AWAITING_COMPLETION",
            "2026-12-07 21:24:30 +08:00",
            "UNIT_SEIZED: the unit is seized by 重庆市渝北区人民法院 (2026)渝0112执31号",
        )
    return table


def test_a_table_at_eighty_columns_breaks_lines_between_words_only():
    text = _rendered(_purchases(), 80)
    tokens = re.findall(r"\S+", text)
    for word in ("purchases/3f1c2a9e-8b7d-4c1e-9a2f-5d6e7f8a9b00", "500112001002GB00015F00010101"):
        assert word in tokens, text
    assert all(len(line) <= 80 for line in text.splitlines())


def test_a_table_wide_enough_is_a_table_and_an_empty_one_says_none():
    assert "┏" in _rendered(_purchases(), 200)
    empty = Table(title="purchases (0)")
    empty.add_column("purchase")
    assert _rendered(empty, 80).strip() == "purchases: none"


def test_a_missing_certificate_is_one_line_with_what_to_do(tmp_path):
    result = CliRunner().invoke(deedctl, ["--cert", str(tmp_path / "bank.pem"), "unit", "show", "x" * 28])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "bank.pem" in lines[0]
    assert "deedflow pki" in lines[0]


def test_a_key_that_is_not_the_certificates_is_said_so(pki):
    result = CliRunner().invoke(
        deedctl,
        [
            "--cert",
            str(pki.root / "callers" / "clerk.pem"),
            "--key",
            str(pki.root / "callers" / "bank-a.key"),
            "--ca",
            str(pki.root / "ca.pem"),
            "unit",
            "show",
            "500112001002GB00015F00010101",
        ],
    )
    assert result.exit_code == 2
    assert "is not the key of the certificate" in result.output


def test_a_stack_that_is_down_is_named_with_the_command_that_tells(pki):
    result = CliRunner().invoke(
        deedctl,
        [
            "--cert",
            str(pki.root / "callers" / "clerk.pem"),
            "--ca",
            str(pki.root / "ca.pem"),
            "--target",
            "127.0.0.1:1",
            "unit",
            "show",
            "500112001002GB00015F00010101",
        ],
    )
    assert result.exit_code == 3
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "127.0.0.1:1" in lines[0]
    assert "deedflow status" in lines[0]
