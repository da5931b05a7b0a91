"""docs/api.md is the reference the protos, the role table and the object rules make: every RPC,
with its request's fields and rules, the roles admitted and whose object it acts on."""

from __future__ import annotations

from pathlib import Path

from shared.policy import POLICY
from tools.api_doc import descriptor_set, reference

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def test_the_reference_is_the_one_the_protos_and_the_policy_make():
    assert DOC.read_text() == reference(), "run: .venv/bin/python -m tools.api_doc > docs/api.md"


def test_every_rpc_of_the_protos_and_of_the_policy_is_in_it():
    served = {
        f"/{file.package}.{service.name}/{method.name}"
        for file in descriptor_set().file
        if file.package.startswith("deedflow.")
        for service in file.service
        for method in service.method
    }
    assert served == set(POLICY)
    text = DOC.read_text()
    for route in POLICY:
        service, method = route.strip("/").split("/")
        assert f"### {service.rsplit('.', 1)[-1]}.{method}\n" in text, route
