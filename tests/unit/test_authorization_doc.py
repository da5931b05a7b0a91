"""docs/authorization.md states, for every RPC, the roles the code admits and the object rule it
enforces: the table in the doc is the one the code generates."""

from __future__ import annotations

from pathlib import Path

from shared.policy import POLICY
from tools.authorization_doc import table
from tools.entitlement import RULES

DOC = Path(__file__).resolve().parents[2] / "docs" / "authorization.md"


def test_every_rpc_has_a_stated_rule():
    assert set(RULES) == set(POLICY)


def test_the_document_holds_the_table_the_code_makes():
    assert table() in DOC.read_text()
