"""Settings of the purchase saga (DEEDFLOW_SAGA_*)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class SagaSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DEEDFLOW_SAGA_", extra="ignore")

    # How long a worker holds a purchase before another may take it over. Longer than any one
    # step's calls; shorter means a crashed worker's purchases move on sooner.
    lease_seconds: float = 30.0
    # Purchases a worker advances at once (claiming more as each is done) while its process's
    # door is filing purchases: the door's answers come first.
    claim_batch: int = 16
    # ... and while no filing has come for `door_quiet_seconds`: a building's handover then moves
    # its purchases together, and their calls travel to each office in large batches.
    claim_batch_door_quiet: int = 1000
    door_quiet_seconds: float = 1.0
    # Retry of a step that failed for an outage or without explanation: first delay, doubling up
    # to the cap.
    backoff_start_seconds: float = 1.0
    backoff_cap_seconds: float = 600.0
    # Unexplained failures (INTERNAL, UNKNOWN, anything unrecognised) of one step after which the
    # purchase parks with that error for a clerk, instead of being retried for ever.
    max_unexplained_failures: int = 5
    # How long a purchase waits before asking the tax office again whether the tax (or the 补税
    # after a reassessment) is paid.
    tax_recheck_seconds: float = 300.0
