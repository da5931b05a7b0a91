"""Minor buyers and their guardians (监护人, 民法典 27, 34-35; CQ 15): a buyer under 18 on the
day the contract is drawn up is represented by a guardian, who signs in their place."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from deedflow.type.v1 import parties_pb2
from shared.errors import FieldViolation
from shared.workdays import BEIJING

ADULT_AGE = 18  # 民法典 17


def day_of(now: dt.datetime) -> dt.date:
    """The date in Chongqing at `now`: ages are counted on the calendar of the place of signing."""
    return now.astimezone(BEIJING).date()


def birth_date(resident_id: str) -> dt.date:
    """The birth date a resident ID carries (GB 11643: digits 7-14); the ID is validated first."""
    return dt.date(int(resident_id[6:10]), int(resident_id[10:12]), int(resident_id[12:14]))


def age_on(resident_id: str, day: dt.date) -> int:
    born = birth_date(resident_id)
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def is_minor(resident_id: str, day: dt.date) -> bool:
    return age_on(resident_id, day) < ADULT_AGE


def violations(buyers: Sequence[parties_pb2.Buyer], day: dt.date, prefix: str) -> list[FieldViolation]:
    """A minor buyer needs an adult guardian other than themselves; an adult buyer has none."""
    found = []
    for i, buyer in enumerate(buyers):
        path = f"{prefix}.buyers[{i}].guardian"
        minor = is_minor(buyer.resident_id, day)
        has_guardian = buyer.HasField("guardian")
        if minor and not has_guardian:
            found.append(
                FieldViolation(
                    path, f"the buyer is a minor on {day:%Y-%m-%d}; a guardian acts for them (民法典 27)"
                )
            )
        elif not minor and has_guardian:
            found.append(FieldViolation(path, "an adult buyer acts for themselves"))
        elif has_guardian and buyer.guardian.resident_id == buyer.resident_id:
            found.append(FieldViolation(f"{path}.resident_id", "is the buyer's own"))
        elif has_guardian and is_minor(buyer.guardian.resident_id, day):
            found.append(FieldViolation(f"{path}.resident_id", "a guardian is an adult"))
    return found


def signing_resident_id(buyer: parties_pb2.Buyer) -> str:
    """Whose certificate signs for the buyer: the guardian's for a minor, else the buyer's."""
    return buyer.guardian.resident_id if buyer.HasField("guardian") else buyer.resident_id


def signing_parties(buyers: Sequence[parties_pb2.Buyer]) -> dict[str, str]:
    """Each buyer's party name with the certificate identity that signs for them (a minor's
    guardian's), as shared.consent checks signatures."""
    return {f"buyers/{b.resident_id}": f"deedflow://buyer/{signing_resident_id(b)}" for b in buyers}
