"""What parties sign to consent to undoing a purchase: one text for every office involved.

Cancelling a purchase before transfer touches the pre-mortgage, the pre-registration and the
filed contract. Each party signs "cancel:" followed by the contract's digest once, and every office
verifies the same signatures, so consent is given once and checked everywhere (电子签名法 13).
"""

from __future__ import annotations


def cancellation_text(contract_digest: bytes) -> bytes:
    return b"cancel:" + contract_digest
