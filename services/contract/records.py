"""The contract office's records (预售项目, 商品房买卖合同 and its signatures) as its tables hold them."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from deedflow.contract.v1 import contract_service_pb2 as pb
from services.contract.domain import ContractState, parties
from shared.records import table


@table("contract", "project")
@dataclass(frozen=True, slots=True)
class Project:
    """A presale project under its presale permit (预售许可)."""

    presale_permit_number: str
    display_name: str
    developer_name: str
    developer_uscc: str
    permit_time: dt.datetime | None
    create_time: dt.datetime


@dataclass(frozen=True, slots=True)
class UnitOnSale:
    """A unit of a presale project, with the live contract on it if any (not a table: the unit
    joined to its project and its contract)."""

    unit_number: str
    presale_permit_number: str
    building_number: str
    room_label: str
    gross_area_dm2: int
    residential: bool
    contract_id: uuid.UUID | None
    contract_state: str | None
    developer_uscc: str


@table("contract", "contract")
@dataclass(frozen=True, slots=True)
class Contract:
    """A sale contract: its canonical terms, state, and filing (网签备案)."""

    id: uuid.UUID
    unit_number: str
    developer_uscc: str
    state: str
    canonical_bytes: bytes
    digest: bytes
    filing_number: str | None
    file_time: dt.datetime | None
    cancellation_basis: str
    certificate_number: str
    create_time: dt.datetime
    update_time: dt.datetime
    filing_due_time: dt.datetime | None


@table("contract", "contract_signature")
@dataclass(frozen=True, slots=True)
class ContractSignature:
    """One party's verified signature over the contract's terms."""

    contract_id: uuid.UUID
    signer: str
    algorithm: str
    signature: bytes
    certificate_pem: str
    certificate_sha256: bytes
    digest: bytes
    sign_time: dt.datetime | None
    verify_time: dt.datetime


@dataclass(frozen=True)
class ContractRecord:
    row: Contract
    terms: pb.ContractTerms
    signatures: list[ContractSignature]

    @property
    def state(self) -> ContractState:
        return ContractState(self.row.state)

    def moved(self, row: Contract) -> ContractRecord:
        """The same contract after a change of its row alone (its terms and signatures stay)."""
        return ContractRecord(row, self.terms, self.signatures)

    @property
    def parties(self) -> list[str]:
        return parties(self.terms)

    @property
    def pending(self) -> list[str]:
        signed = {s.signer for s in self.signatures}
        return [p for p in self.parties if p not in signed]
