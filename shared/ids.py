"""Validators for the identifiers of DOMAIN.md: unit number, resident ID, unified social credit code."""

from __future__ import annotations

import datetime as dt
import re
import uuid

# Every identifier is ASCII: Python's \d would also match full-width (５) and Arabic-Indic (١)
# digits, which the standards do not allow and which would print as a different number.
# 不动产单元号 (GB/T 37346-2019 不动产单元设定与代码编制规则): county 6 + cadastral district 3 +
# sub-district 3 + parcel letters 2 + parcel sequence 5 + fixture letter 1 + building 4 + unit 4.
# No check digit.
UNIT_NUMBER_RE = re.compile(r"^[0-9]{12}[GJZ][A-Z][0-9]{5}[FLQW][0-9]{8}$")
# A building is its units' number without the last 4 (unit) digits.
BUILDING_NUMBER_RE = re.compile(r"^[0-9]{12}[GJZ][A-Z][0-9]{5}[FLQW][0-9]{4}$")
# Fixture W is land alone (GB/T 37346 5.3): there is no building, so the 8 digits are all zero.
LAND_ONLY_FIXTURE = "W"
NO_FIXTURE = "00000000"
UNIT_NUMBER_LENGTH = 28
BUILDING_NUMBER_LENGTH = 24

# 居民身份证号码 (GB 11643): ISO 7064 MOD 11-2 over the first 17 digits.
RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_CHECK_CHARS = "10X98765432"
RESIDENT_ID_RE = re.compile(r"^[0-9]{17}[0-9X]$")
EARLIEST_BIRTH_YEAR = 1900

# 统一社会信用代码 (GB 32100): 31 characters (no I, O, Z, S, V), MOD 31 check character.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_LENGTH = 18


class IdentifierError(ValueError):
    """A value that is not a valid identifier; the message says why, for a BadRequest."""


def validate_unit_number(value: str) -> str:
    """Returns the unit number if it matches GB/T 37346's 28-character form."""
    if len(value) != UNIT_NUMBER_LENGTH:
        raise IdentifierError(f"a unit number has {UNIT_NUMBER_LENGTH} characters, got {len(value)}")
    if not UNIT_NUMBER_RE.match(value):
        raise IdentifierError(
            "a unit number is 12 digits 0-9, G/J/Z, a letter, 5 digits, F/L/Q/W, then 8 digits"
        )
    if value[19] == LAND_ONLY_FIXTURE and value[20:] != NO_FIXTURE:
        raise IdentifierError("a land-only unit (fixture W) has no building: its last 8 digits are 00000000")
    return value


def validate_building_number(value: str) -> str:
    """Returns the building number (a unit number's first 24 characters) if well formed."""
    if len(value) != BUILDING_NUMBER_LENGTH:
        raise IdentifierError(f"a building number has {BUILDING_NUMBER_LENGTH} characters, got {len(value)}")
    if not BUILDING_NUMBER_RE.match(value):
        raise IdentifierError("a building number is a unit number without its last 4 digits")
    if value[19] == LAND_ONLY_FIXTURE and value[20:] != NO_FIXTURE[:4]:
        raise IdentifierError("a land-only building number (fixture W) ends in 0000")
    return value


def building_of(unit_number: str) -> str:
    """The building a unit belongs to."""
    return validate_unit_number(unit_number)[:BUILDING_NUMBER_LENGTH]


def display_unit_number(unit_number: str) -> str:
    """The printed form, e.g. '500112 001002 GB00015 F00030502'."""
    u = validate_unit_number(unit_number)
    return f"{u[:6]} {u[6:12]} {u[12:19]} {u[19:]}"


def resident_id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, RESIDENT_ID_WEIGHTS, strict=True))
    return RESIDENT_ID_CHECK_CHARS[total % 11]


def validate_resident_id(value: str, today: dt.date | None = None) -> str:
    """居民身份证号码 (GB 11643-1999, check by ISO 7064:2003 MOD 11-2): returns the ID with a
    lower-case x stored as X, after checking the birth date and the check character."""
    normalized = value.upper()
    if len(normalized) != 18:
        raise IdentifierError(f"a resident ID has 18 characters, got {len(normalized)}")
    if not RESIDENT_ID_RE.match(normalized):
        raise IdentifierError("a resident ID is 17 digits 0-9 and a digit 0-9 or X")
    try:
        birth = dt.date(int(normalized[6:10]), int(normalized[10:12]), int(normalized[12:14]))
    except ValueError:
        raise IdentifierError(f"birth date {normalized[6:14]} is not a real date") from None
    if birth.year < EARLIEST_BIRTH_YEAR or birth > (today or dt.date.today()):
        raise IdentifierError(f"birth date {normalized[6:14]} is impossible")
    expected = resident_id_check_char(normalized[:17])
    if normalized[17] != expected:
        raise IdentifierError("the check character does not match (ISO 7064 MOD 11-2)")
    return normalized


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    """Returns the unified social credit code if its characters and check character are right."""
    if len(value) != USCC_LENGTH:
        raise IdentifierError(f"a unified social credit code has {USCC_LENGTH} characters, got {len(value)}")
    bad = sorted({c for c in value if c not in USCC_ALPHABET})
    if bad:
        raise IdentifierError(f"characters not allowed in a unified social credit code: {''.join(bad)}")
    if value[17] != uscc_check_char(value[:17]):
        raise IdentifierError("the check character does not match (GB 32100 MOD 31)")
    return value


def validate_uuid(value: str) -> str:
    """Returns a request id if it is a UUID in canonical text form."""
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        raise IdentifierError("must be a UUID, e.g. 3f1c2a9e-8b7d-4c1e-9a2f-5d6e7f8a9b0c") from None
    if str(parsed) != value.lower():
        raise IdentifierError("must be a UUID in canonical 8-4-4-4-12 form")
    return value.lower()


def request_derived_id(namespace: uuid.UUID, caller: str, request_id: str, *context: str) -> uuid.UUID:
    """The id of what a request creates, derived from its request id so that a retry finds it
    again. The caller is part of it: a request id is the caller's own choice, and two callers
    choosing the same one must never derive the same id, refuse each other, or reach each other's
    record (issue 31)."""
    return uuid.uuid5(namespace, "\n".join((caller, *context, request_id)))
