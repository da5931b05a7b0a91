"""First registration (首次登记) and transfer (转移登记) rules: fees and certificates."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from shared.auth import Caller, Role
from shared.parties import OFFICIALS, is_holder

# Residential fee per case including one certificate, and per extra certificate (民法典 223:
# by the case, not by area or price; amounts are practice and may change).
FEE_PER_CASE_FEN = 8_000
FEE_PER_EXTRA_CERTIFICATE_FEN = 1_000


class RegistrationState(StrEnum):
    LODGED = "LODGED"
    REGISTERED = "REGISTERED"
    ABANDONED = "ABANDONED"


def may_read_certificate(who: Caller, seller: str, owners: Iterable[str], released: bool) -> bool:
    """Who reads a certificate (不动产权证书): officials; the seller until it is released to its
    owners at handover (交房即交证), when the developer hands it over with the keys; each owner
    named on it, for ever."""
    if who.role in OFFICIALS:
        return True
    if who.role is Role.DEVELOPER:
        return who.id == seller and not released
    return is_holder(who, owners)


def fee_fen(certificates: int) -> int:
    """¥80 for the case with one certificate, ¥10 for each further one."""
    return FEE_PER_CASE_FEN + FEE_PER_EXTRA_CERTIFICATE_FEN * max(certificates - 1, 0)
