"""Identifier validators against DOMAIN.md and their standards: 不动产单元号 GB/T 37346-2019,
居民身份证号码 GB 11643-1999 with ISO 7064:2003 MOD 11-2, 统一社会信用代码 GB 32100-2015. Their
samples, wrong check characters, impossible birth dates, wrong lengths and letters, non-ASCII
digits, and every single-character change of a valid value."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from shared import ids

RESIDENT_SAMPLES = ["11010519491231002X", "360426199101010071"]
USCC_SAMPLE = "91110000600037341L"
UNIT_SAMPLE = "500112001002GB00015F00030502"


@pytest.mark.parametrize("value", RESIDENT_SAMPLES)
def test_domain_resident_id_samples_are_valid(value):
    assert ids.validate_resident_id(value) == value


def test_lower_case_x_is_accepted_and_stored_upper():
    assert ids.validate_resident_id("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("110105194912310021", "check character"),
        ("360426199101010070", "check character"),
        ("11010519490230002X", "not a real date"),  # 30 February
        ("11010519491332002X", "not a real date"),  # month 13
        ("11010518991231002X", "impossible"),  # before 1900
        ("1101051949123100X", "18 characters"),
        ("11010519491231002XX", "18 characters"),
        ("1101051949123100AX", "17 digits"),
        ("", "18 characters"),
    ],
)
def test_bad_resident_ids_are_refused_with_reason(value, why):
    with pytest.raises(ids.IdentifierError, match=why):
        ids.validate_resident_id(value)


def test_birth_date_in_the_future_is_impossible():
    first17 = "11010520300101001"
    value = first17 + ids.resident_id_check_char(first17)
    with pytest.raises(ids.IdentifierError, match="impossible"):
        ids.validate_resident_id(value, today=dt.date(2026, 11, 26))


@pytest.mark.parametrize("sample", RESIDENT_SAMPLES)
def test_every_single_digit_change_of_a_resident_id_is_caught(sample):
    # MOD 11-2 weights are all non-zero mod 11, so any one changed digit changes the sum.
    for position in range(18):
        for replacement in "0123456789X":
            if replacement == sample[position] or (replacement == "X" and position != 17):
                continue
            mutated = sample[:position] + replacement + sample[position + 1 :]
            with pytest.raises(ids.IdentifierError):
                ids.validate_resident_id(mutated)


def test_generated_resident_ids_with_computed_check_are_valid():
    rng = random.Random(20261126)
    for _ in range(500):
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 60))
        first17 = f"{rng.randrange(110000, 660000)}{birth:%Y%m%d}{rng.randrange(1000):03d}"
        value = first17 + ids.resident_id_check_char(first17)
        assert ids.validate_resident_id(value) == value


def test_domain_uscc_sample_is_valid():
    assert ids.validate_uscc(USCC_SAMPLE) == USCC_SAMPLE


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("91110000600037341K", "check character"),
        ("91110000600037341", "18 characters"),
        ("91110000600037341LL", "18 characters"),
        ("9111000060003734IL", "not allowed.*I"),  # I is not in the alphabet
        ("91110000600O37341L", "not allowed.*O"),
        ("91110000600037341l", "not allowed"),
    ],
)
def test_bad_usccs_are_refused_with_reason(value, why):
    with pytest.raises(ids.IdentifierError, match=why):
        ids.validate_uscc(value)


def test_every_single_character_change_of_a_uscc_is_caught():
    for position in range(18):
        for replacement in ids.USCC_ALPHABET:
            if replacement == USCC_SAMPLE[position]:
                continue
            mutated = USCC_SAMPLE[:position] + replacement + USCC_SAMPLE[position + 1 :]
            with pytest.raises(ids.IdentifierError):
                ids.validate_uscc(mutated)


def test_generated_usccs_with_computed_check_are_valid():
    rng = random.Random(7)
    for _ in range(500):
        first17 = "".join(rng.choice(ids.USCC_ALPHABET) for _ in range(17))
        value = first17 + ids.uscc_check_char(first17)
        assert ids.validate_uscc(value) == value


def test_domain_unit_number_sample_is_valid_and_displays_grouped():
    assert ids.validate_unit_number(UNIT_SAMPLE) == UNIT_SAMPLE
    assert ids.display_unit_number(UNIT_SAMPLE) == "500112 001002 GB00015 F00030502"
    assert ids.building_of(UNIT_SAMPLE) == "500112001002GB00015F0003"


@pytest.mark.parametrize(
    "value",
    [
        "500112001002GB00015F0003050",  # 27
        "500112001002GB00015F000305021",  # 29
        "500112001002AB00015F00030502",  # parcel type must be G, J or Z
        "500112001002G100015F00030502",  # second parcel letter must be a letter
        "500112001002GB00015A00030502",  # fixture must be F, L, Q or W
        "50011200100XGB00015F00030502",  # digits where digits belong
        "500112 001002 GB00015 F00030502",  # the display form is not the identifier
        "500112001002gb00015f00030502",  # upper case only
    ],
)
def test_bad_unit_numbers_are_refused(value):
    with pytest.raises(ids.IdentifierError):
        ids.validate_unit_number(value)


@pytest.mark.parametrize("fixture", "FLQW")
@pytest.mark.parametrize("parcel", "GJZ")
def test_unit_number_accepts_each_parcel_and_fixture_kind(parcel, fixture):
    building = "00000000" if fixture == "W" else "00030502"
    value = f"500112001002{parcel}B00015{fixture}{building}"
    assert ids.validate_unit_number(value) == value


@pytest.mark.parametrize("building", ["00030502", "00010000", "00000001"])
def test_a_land_only_unit_with_a_building_part_is_refused(building):
    """GB/T 37346-2019 5.3: fixture W is land alone, so its building and unit parts are zero."""
    with pytest.raises(ids.IdentifierError, match="land-only"):
        ids.validate_unit_number(f"500112001002GB00015W{building}")


def test_a_land_only_building_number_ends_in_zeros():
    """GB/T 37346-2019 5.3: a W building number has no building."""
    assert ids.validate_building_number("500112001002GB00015W0000").endswith("W0000")
    with pytest.raises(ids.IdentifierError, match="land-only"):
        ids.validate_building_number("500112001002GB00015W0003")


FULL_WIDTH_FIVE = "\uff15"
ARABIC_INDIC_ONE = "\u0661"


@pytest.mark.parametrize("digit", [FULL_WIDTH_FIVE, ARABIC_INDIC_ONE, "\u0e51", "\U0001d7d3"])
def test_identifiers_take_ascii_digits_only(digit):
    """GB/T 37346, GB 11643 and GB 32100 write digits 0-9 only; Python's \\d and int() would also
    take full-width or Arabic-Indic digits, which print as another number."""
    with pytest.raises(ids.IdentifierError):
        ids.validate_unit_number(digit + UNIT_SAMPLE[1:])
    with pytest.raises(ids.IdentifierError):
        ids.validate_building_number(digit + UNIT_SAMPLE[1:24])
    with pytest.raises(ids.IdentifierError):
        ids.validate_resident_id(RESIDENT_SAMPLES[1][:5] + digit + RESIDENT_SAMPLES[1][6:])
    with pytest.raises(ids.IdentifierError):
        ids.validate_uscc(digit + USCC_SAMPLE[1:])


def test_building_number_is_a_unit_number_without_its_unit():
    assert ids.validate_building_number("500112001002GB00015F0003") == "500112001002GB00015F0003"
    with pytest.raises(ids.IdentifierError):
        ids.validate_building_number(UNIT_SAMPLE)


@pytest.mark.parametrize(
    "value", ["not-a-uuid", "3f1c2a9e8b7d4c1e9a2f5d6e7f8a9b0c", "{3f1c2a9e-8b7d-4c1e-9a2f-5d6e7f8a9b0c}"]
)
def test_request_ids_must_be_canonical_uuids(value):
    with pytest.raises(ids.IdentifierError):
        ids.validate_uuid(value)


def test_upper_case_uuid_is_normalized():
    assert ids.validate_uuid("3F1C2A9E-8B7D-4C1E-9A2F-5D6E7F8A9B0C") == "3f1c2a9e-8b7d-4c1e-9a2f-5d6e7f8a9b0c"
