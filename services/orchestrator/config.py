"""Settings of the purchase saga (DEEDFLOW_SAGA_*)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class SagaSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DEEDFLOW_SAGA_", extra="ignore")

    # How long a worker holds a purchase before another may take it over. Longer than any one
    # step's calls; shorter means a crashed worker's purchases move on sooner.
    lease_seconds: float = 30.0
    # Purchases a worker claims at once.
    claim_batch: int = 16
    # Fault injection for the chaos tests: "STEP_KIND:after-call" or "STEP_KIND:after-record"
    # makes this process kill itself with SIGKILL at that point. Empty (always, in production).
    chaos_kill_at: str = ""
