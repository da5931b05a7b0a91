"""The transfer office's records (首次登记, 转移登记, 不动产权证书, 实地查看) as its tables hold them."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from shared.records import table


@table("transfer", "first_registration")
@dataclass(frozen=True, slots=True)
class FirstRegistration:
    """A building's first registration (首次登记), lodged once per building."""

    building_number: str
    request: bytes
    state: str
    case_number: str
    register_time: dt.datetime | None
    update_time: dt.datetime


@table("transfer", "transfer")
@dataclass(frozen=True, slots=True)
class Transfer:
    """A transfer registration (转移登记) of a unit to its buyers, with the mortgage it carries."""

    id: uuid.UUID
    unit_number: str
    application: bytes
    state: str
    case_number: str
    ownership_entry: str
    mortgage_entry: str
    mortgage_priority_time: dt.datetime | None
    mortgage_proof_number: str
    certificates: list[str]
    fee_fen: int
    register_time: dt.datetime | None
    update_time: dt.datetime


@table("transfer", "certificate")
@dataclass(frozen=True, slots=True)
class Certificate:
    """A property certificate (不动产权证书) issued with a transfer, released at handover."""

    certificate_number: str
    unit_number: str
    transfer_id: uuid.UUID
    owners: bytes
    address: str
    gross_area_dm2: int
    use: str
    encumbrances: list[str]
    entry: str
    register_time: dt.datetime
    issue_time: dt.datetime
    release_time: dt.datetime | None


@dataclass(frozen=True, slots=True)
class CertificateOfTransfer(Certificate):
    """A certificate with the application of its transfer, which names the seller (who may read
    it until the handover). Not a table: the certificate joined to its transfer."""

    application: bytes


@table("transfer", "site_inspection")
@dataclass(frozen=True, slots=True)
class SiteInspection:
    """The registry's site inspection (实地查看) of a building, numbered in order."""

    building_number: str
    sequence: int
    outcome: str
    findings: str
    inspector: str
    inspect_time: dt.datetime
