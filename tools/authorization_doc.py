"""Prints the table of docs/authorization.md from the role table (shared/policy.py) and the
entitlement rules (tools/entitlement.py):

    .venv/bin/python -m tools.authorization_doc
"""

from __future__ import annotations

from shared.policy import POLICY
from tools.entitlement import RULES


def table() -> str:
    lines = ["| RPC | roles admitted | whose object, who may act | refused with |", "|---|---|---|---|"]
    for method in sorted(POLICY, key=lambda m: (m.split("/")[1], m.split("/")[2])):
        service, name = method.strip("/").split("/")
        roles = ", ".join(sorted(role.value for role in POLICY[method]))
        rule = RULES[method]
        lines.append(f"| `{service.split('.')[1]}.{name}` | {roles} | {rule.rule} | {rule.refusal} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    print(table(), end="")


if __name__ == "__main__":
    main()
