"""Settings of the purchase saga's own (DEEDFLOW_SAGA_*); its lease, backoff and parking are
durable execution's, shared with every office's journal (shared/durable.py, DEEDFLOW_DURABLE_*)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.durable import DurableSettings


class SagaSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DEEDFLOW_SAGA_", extra="ignore")

    # Purchases a worker advances at once (claiming more as each is done) while its process's
    # door is filing purchases: the door's answers come first.
    claim_batch: int = 16
    # ... and while no filing has come for `door_quiet_seconds`: a building's handover then moves
    # its purchases together, and their calls travel to each office in large batches.
    claim_batch_door_quiet: int = 1000
    door_quiet_seconds: float = 1.0
    # How long a purchase waits before asking the tax office again whether the tax (or the 补税
    # after a reassessment) is paid.
    tax_recheck_seconds: float = 300.0
    # The lease, the backoff and the parking rule.
    durable: DurableSettings = Field(default_factory=DurableSettings)
