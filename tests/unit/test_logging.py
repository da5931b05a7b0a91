"""Logs are JSON lines with call context and never carry a whole resident ID."""

from __future__ import annotations

import json
import logging

from shared.auth import Caller, Role, current_caller
from shared.context import request_id_var
from shared.logging import JsonFormatter, mask_personal_ids
from shared.parties import shown_holder


def test_resident_ids_are_masked_but_unit_numbers_kept():
    text = "buyers 11010519491231002X, 360426199101010071 on 500112001002GB00015F00030502"
    masked = mask_personal_ids(text)
    assert "11010519491231002X" not in masked
    assert "360426199101010071" not in masked
    assert "110105***********X" in masked
    assert "500112001002GB00015F00030502" in masked


def test_record_is_json_with_request_id_and_caller():
    request_id_var.set("3f1c2a9e-8b7d-4c1e-9a2f-5d6e7f8a9b0c")
    current_caller.set(Caller(Role.CLERK, "C0001"))
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "buyer %s", ("360426199101010071",), None)
    line = json.loads(JsonFormatter("registry").format(record))
    assert line["service"] == "registry"
    assert line["request_id"] == "3f1c2a9e-8b7d-4c1e-9a2f-5d6e7f8a9b0c"
    assert line["caller"] == "deedflow://clerk/C0001"
    assert line["message"] == "buyer 360426***********1"


def test_a_resident_id_that_also_passes_as_a_credit_code_is_masked():
    # A real-looking resident ID (a birth date, the MOD 11-2 check) whose digits also happen to
    # satisfy the USCC check (about one ID in thirty): it is a person's, and is masked.
    resident_id = "500112199006159312"
    assert mask_personal_ids(f"buyers/{resident_id}") == "buyers/500112***********2"
    developer = Caller(Role.DEVELOPER, "915000007094231152")
    assert shown_holder(developer, f"buyers/{resident_id}") == "buyers/500112***********2"


def test_an_all_digit_credit_code_is_shown_whole():
    assert mask_personal_ids("organizations/915000007094231152") == "organizations/915000007094231152"
