"""Object-level checks: who is a party to a record, and so may see it or act on it.

A developer sees the records of its own sales, a bank those of the loans it makes. To anyone
else such a record does not exist (NOT_FOUND, not PERMISSION_DENIED), so that probing names
tells a stranger nothing about who bought what. Filing something new in another's name names no
record, and is PERMISSION_DENIED (docs/decisions.md §17, "Object-level checks").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from deedflow.type.v1.reasons import Reason
from shared.auth import Caller, Role
from shared.errors import FieldViolation, InvalidArgument, NotFound, PermissionDenied
from shared.logging import mask_personal_ids

# Clerks, our own services and the two authorities see every record (条例 27-28 for clerks).
OFFICIALS = frozenset({Role.CLERK, Role.SERVICE, Role.HOUSING, Role.TAX})


def is_party(who: Caller, developer: str = "", banks: Iterable[str] = ()) -> bool:
    """Whether `who` is an official or the developer or a bank named on the record."""
    if who.role in OFFICIALS:
        return True
    if who.role is Role.DEVELOPER:
        return bool(developer) and who.id == developer
    if who.role is Role.BANK:
        return who.id in set(banks)
    return False


def is_holder(who: Caller, resident_ids: Iterable[str]) -> bool:
    """Whether `who` is a buyer, by the certificate of their own key, named among `resident_ids`."""
    return who.role is Role.BUYER and who.id in set(resident_ids)


def is_applicant(who: Caller, applicants: Iterable[str]) -> bool:
    """Whether `who` may see a registration case: an official, or an organization applying."""
    if who.role in OFFICIALS:
        return True
    return who.role in (Role.DEVELOPER, Role.BANK) and f"organizations/{who.id}" in applicants


def require_party(who: Caller, name: str, developer: str = "", banks: Iterable[str] = ()) -> None:
    if not is_party(who, developer, banks):
        raise NotFound(f"no {name!r}")


def shown_holder(who: Caller, holder: str) -> str:
    """A register holder as this caller may see it: buyers' resident IDs masked for non-officials
    (the register is open to interested parties, its personal data is not: 条例 28)."""
    if who.role in OFFICIALS or not holder.startswith("buyers/"):
        return holder
    return mask_personal_ids(holder)


# Who may act on a court ruling: the registry clerk who enters it, and our own services carrying
# a clerk's act on to the offices. A developer or a bank cannot invoke a ruling: two typed strings
# prove nothing.
RULING_ACTORS = frozenset({Role.CLERK, Role.SERVICE})


def require_ruling_actor(who: Caller, request: Any, actors: frozenset[Role] = RULING_ACTORS) -> None:
    """A request that rests on a court ruling comes from a clerk (or our service on a clerk's
    behalf), and names the ruling fully: court, number, date and the document's digest."""
    if not request.HasField("court_ruling"):
        return
    if who.role not in actors:
        raise PermissionDenied(
            Reason.RULING_NEEDS_CLERK,
            "a court ruling is entered by a registry clerk, not invoked by a party",
            {"role": who.role.value},
        )
    ruling = request.court_ruling
    missing = []
    if not ruling.HasField("ruling_time"):
        missing.append(FieldViolation("court_ruling.ruling_time", "is required for a ruling that cancels"))
    if len(ruling.document_sha256) != 32:
        missing.append(
            FieldViolation(
                "court_ruling.document_sha256", "must be the 32-byte SHA-256 of the ruling document"
            )
        )
    if missing:
        raise InvalidArgument(missing)


def require_own_sale(who: Caller, developer: str, field: str) -> None:
    """A developer files and lodges only its own sales (its USCC as the seller)."""
    if who.role is Role.DEVELOPER and developer != who.id:
        raise PermissionDenied(
            Reason.DEVELOPER_MISMATCH, "a developer acts only on its own sales", {"field": field}
        )


def require_own_loan(who: Caller, bank: str, field: str) -> None:
    """A bank lodges only its own loans' mortgages (its USCC as the mortgagee)."""
    if who.role is Role.BANK and bank != who.id:
        raise PermissionDenied(Reason.BANK_MISMATCH, "a bank acts only on its own loans", {"field": field})
