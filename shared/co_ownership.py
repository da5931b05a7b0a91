"""How several buyers hold a unit (共有, 民法典 297-308; CQ 26): sole ownership, by shares
(按份共有) or joint (共同共有), and what each form asks of the buyers' shares."""

from __future__ import annotations

from collections.abc import Sequence

from deedflow.type.v1 import parties_pb2
from shared.errors import FieldViolation

FULL_SHARE = 10_000  # basis points

SOLE = parties_pb2.CO_OWNERSHIP_SOLE
BY_SHARES = parties_pb2.CO_OWNERSHIP_BY_SHARES
JOINT = parties_pb2.CO_OWNERSHIP_JOINT

# The form as the book and the certificate write it (不动产登记簿 共有情况).
LABELS = {SOLE: "单独所有", BY_SHARES: "按份共有", JOINT: "共同共有"}


def form_of(
    buyers: Sequence[parties_pb2.Buyer], declared: parties_pb2.CoOwnership
) -> parties_pb2.CoOwnership:
    """The form the buyers hold in: as declared, else sole for one buyer and by shares for
    several (the only form before the parties could declare one)."""
    if declared:
        return declared
    return SOLE if len(buyers) == 1 else BY_SHARES


def violations(
    buyers: Sequence[parties_pb2.Buyer], declared: parties_pb2.CoOwnership, prefix: str
) -> list[FieldViolation]:
    """What is wrong with the buyers and their shares for the co-ownership form."""
    if not buyers:
        return [FieldViolation(f"{prefix}.buyers", "at least one buyer is required")]
    found = []
    seen = set()
    for i, buyer in enumerate(buyers):
        if buyer.resident_id in seen:
            found.append(FieldViolation(f"{prefix}.buyers[{i}].resident_id", "appears twice"))
        seen.add(buyer.resident_id)
    form = form_of(buyers, declared)
    if form == SOLE and len(buyers) != 1:
        found.append(FieldViolation(f"{prefix}.co_ownership", "sole ownership (单独所有) is for one buyer"))
    if form in (BY_SHARES, JOINT) and len(buyers) < 2:
        found.append(FieldViolation(f"{prefix}.co_ownership", "co-ownership (共有) needs two buyers or more"))
    if form == JOINT:
        found.extend(
            FieldViolation(
                f"{prefix}.buyers[{i}].share_basis_points", "joint owners (共同共有) have no shares"
            )
            for i, buyer in enumerate(buyers)
            if buyer.share_basis_points
        )
        return found
    for i, buyer in enumerate(buyers):
        if buyer.share_basis_points <= 0:
            found.append(FieldViolation(f"{prefix}.buyers[{i}].share_basis_points", "must be positive"))
    total = sum(b.share_basis_points for b in buyers)
    if total != FULL_SHARE:
        found.append(
            FieldViolation(f"{prefix}.buyers", f"shares sum to {total} basis points, not {FULL_SHARE}")
        )
    return found
