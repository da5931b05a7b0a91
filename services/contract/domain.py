"""Rules of the sale contract (商品房买卖合同) and its online filing (网签备案).

The canonical bytes of a contract are the deterministic protobuf serialization of its terms;
every party signs exactly those bytes (电子签名法 13), and any change after signing changes them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from enum import StrEnum

from deedflow.contract.v1 import contract_service_pb2 as pb
from deedflow.type.v1.reasons import Reason
from shared import co_ownership
from shared.errors import FailedPrecondition, FieldViolation, PermissionDenied

# Filing is due within 30 days of signing (practice in Chongqing; DOMAIN.md "Contract").
FILING_DEADLINE = dt.timedelta(days=30)


class ContractState(StrEnum):
    DRAFTED = "DRAFTED"
    SIGNED = "SIGNED"
    FILED = "FILED"
    TRANSFERRED = "TRANSFERRED"
    CANCELLED = "CANCELLED"


def canonical_bytes(terms: pb.ContractTerms) -> bytes:
    return terms.SerializeToString(deterministic=True)


def digest_of(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def developer_party(uscc: str) -> str:
    return f"organizations/{uscc}"


def buyer_party(resident_id: str) -> str:
    return f"buyers/{resident_id}"


def parties(terms: pb.ContractTerms) -> list[str]:
    """Who must sign: the developer, then every buyer."""
    return [developer_party(terms.developer.uscc), *(buyer_party(b.resident_id) for b in terms.buyers)]


def term_violations(terms: pb.ContractTerms, prefix: str = "terms") -> list[FieldViolation]:
    """What is wrong with the terms beyond the field formats the protos declare."""
    found = co_ownership.violations(terms.buyers, terms.co_ownership, prefix)
    if terms.price_ex_vat_fen <= 0:
        found.append(FieldViolation(f"{prefix}.price_ex_vat_fen", "must be positive"))
    if terms.vat_fen < 0:
        found.append(FieldViolation(f"{prefix}.vat_fen", "must not be negative"))
    if terms.gross_area_dm2 <= 0:
        found.append(FieldViolation(f"{prefix}.gross_area_dm2", "must be positive"))
    return found


def check_can_sign(
    state: ContractState, party: str, all_parties: list[str], signed: set[str], slot: str = "signature"
) -> None:
    """A party signs a drafted contract once; a signature naming anyone else is refused."""
    if state is not ContractState.DRAFTED:
        raise FailedPrecondition(
            Reason.CONTRACT_NOT_DRAFTED, f"the contract is {state.value.lower()}; signing is closed"
        )
    if party not in all_parties:
        raise PermissionDenied(
            Reason.SIGNER_NOT_A_PARTY,
            f"{slot} names {party or 'nobody'}, who is not a party of this contract",
            {"signer": party, "slot": slot},
        )
    if party in signed:
        raise FailedPrecondition(Reason.ALREADY_SIGNED, f"{party} has already signed", {"signer": party})


def check_can_file(state: ContractState, pending: list[str]) -> None:
    if state is ContractState.DRAFTED:
        raise FailedPrecondition(
            Reason.SIGNATURES_MISSING, f"still to sign: {', '.join(pending)}", {"pending": ",".join(pending)}
        )
    if state is not ContractState.SIGNED:
        raise FailedPrecondition(
            Reason.CONTRACT_NOT_SIGNED, f"the contract is {state.value.lower()}, not awaiting filing"
        )


def filing_due(last_signature: dt.datetime | None) -> dt.datetime | None:
    """When filing fell due: 30 days after the last signature. Filing after it is the developer's
    breach of its duty (城市房地产管理法 45; 重庆市城市房地产开发经营管理条例), recorded and counted;
    it is no reason to deny the buyer a filed contract and the 预告 that protects them."""
    return None if last_signature is None else last_signature + FILING_DEADLINE


def check_can_cancel(state: ContractState) -> None:
    if state is ContractState.TRANSFERRED:
        raise FailedPrecondition(
            Reason.CONTRACT_TRANSFERRED, "the transfer is registered; nothing is undone (民法典 214)"
        )
    if state is ContractState.CANCELLED:
        raise FailedPrecondition(Reason.CONTRACT_CANCELLED, "the contract is already cancelled")


def filing_number(year: int, serial: int) -> str:
    """A Chongqing-style opaque filing number, e.g. 渝房网签备(2026)0000123."""
    return f"渝房网签备({year}){serial:07d}"
