"""First registration (首次登记) and transfer (转移登记) rules: fees and certificates."""

from __future__ import annotations

from enum import StrEnum

# Residential fee per case including one certificate, and per extra certificate (民法典 223:
# by the case, not by area or price; amounts are practice and may change).
FEE_PER_CASE_FEN = 8_000
FEE_PER_EXTRA_CERTIFICATE_FEN = 1_000


class RegistrationState(StrEnum):
    LODGED = "LODGED"
    REGISTERED = "REGISTERED"
    ABANDONED = "ABANDONED"


def fee_fen(certificates: int) -> int:
    """¥80 for the case with one certificate, ¥10 for each further one."""
    return FEE_PER_CASE_FEN + FEE_PER_EXTRA_CERTIFICATE_FEN * max(certificates - 1, 0)
