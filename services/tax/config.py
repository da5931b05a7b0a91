"""Settings of the tax service (DEEDFLOW_TAX_*)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.tax.domain import CHONGQING_RATE_BP, PROVINCIAL_RATE_MAX_BP, PROVINCIAL_RATE_MIN_BP


class TaxSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DEEDFLOW_TAX_", extra="ignore")

    # The provincial rate for third homes and non-residential property, in basis points
    # (契税法 3: 3-5 %, set by each province; Chongqing 3 %).
    # A rate outside the law's range stops the service at start, before it taxes anyone.
    provincial_rate_basis_points: int = Field(
        CHONGQING_RATE_BP, ge=PROVINCIAL_RATE_MIN_BP, le=PROVINCIAL_RATE_MAX_BP
    )
    # Banks (USCCs) the tax bureau has engaged to collect deed tax at their counters (代征): each
    # may read and record the payment of any assessment. Every other bank only of the contracts
    # it lends on. E.g. DEEDFLOW_TAX_COLLECTING_BANKS='["91500000MA5U7BK0CK"]'.
    collecting_banks: frozenset[str] = frozenset()
