"""Synthetic, clearly fictional demo data: one Chongqing developer, a presale project of two
60-unit buildings, 200 buyers and three banks. Every identifier is valid (check characters
computed) and made up; every name says it is a test name. Deterministic: the same data every run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shared.ids import resident_id_check_char

DEVELOPER_NAME = "重庆测试置业有限公司（虚构）"
DEVELOPER_USCC = "91500112MA5U0DF01L"
PROJECT_NAME = "测试花园（虚构项目）"
PRESALE_PERMIT = "渝住建预售(2026)测试001号"
# County 500112 (渝北区), cadastral district 001, sub-district 002, parcel GB00015, building F.
PARCEL = "500112001002GB00015F"
BUILDINGS = (f"{PARCEL}0001", f"{PARCEL}0002")
FLOORS = 15
UNITS_PER_FLOOR = 4
BUYERS = 200


@dataclass(frozen=True)
class Bank:
    stem: str  # the development PKI's caller certificate (shared/pki.py DEV_CALLERS)
    name: str
    uscc: str


BANKS = (
    Bank("bank-a", "测试银行重庆分行（虚构）", "915000007094231152"),
    Bank("bank-b", "示例商业银行重庆分行（虚构）", "91500000MA60BNK00D"),
    Bank("bank-c", "样例农村商业银行（虚构）", "91500000MA5U7BK0CK"),
)


@dataclass(frozen=True)
class SeedUnit:
    unit_number: str
    room_label: str
    gross_area_dm2: int


@dataclass(frozen=True)
class SeedBuyer:
    name: str
    resident_id: str


def units() -> list[SeedUnit]:
    """Two buildings of 15 floors x 4 flats; flats 1 and 4 of each floor are the larger ones."""
    found = []
    for building_index, building in enumerate(BUILDINGS, start=1):
        for floor in range(1, FLOORS + 1):
            for flat in range(1, UNITS_PER_FLOOR + 1):
                area = 14_350 if flat in (1, 4) else 9_800
                found.append(
                    SeedUnit(f"{building}{floor:02d}{flat:02d}", f"{building_index}-{floor}-{flat:02d}", area)
                )
    return found


def buyers() -> list[SeedBuyer]:
    """Made-up people in Chongqing's 渝北区 (500112), born 1970-2000, with valid check characters."""
    found = []
    for n in range(1, BUYERS + 1):
        birth = dt.date(1970, 1, 1) + dt.timedelta(days=n * 53)
        first17 = f"500112{birth:%Y%m%d}{n % 1000:03d}"
        found.append(SeedBuyer(f"测试买受人{n:03d}", first17 + resident_id_check_char(first17)))
    return found
