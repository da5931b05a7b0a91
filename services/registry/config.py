"""Settings of the registry (DEEDFLOW_REGISTRY_*)."""

from __future__ import annotations

from pydantic import BaseModel
from pydantic_settings import BaseSettings, SettingsConfigDict


class WitnessSettings(BaseModel):
    """A witness the registry submits its checkpoints to: its add-checkpoint URL prefix and its
    verifier key (c2sp.org/tlog-cosignature, type 0x04)."""

    url: str
    key: str


class RegistrySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DEEDFLOW_REGISTRY_", extra="ignore")

    # The registry signs a checkpoint by itself once this many leaves are unsigned, or once any
    # leaf has waited this long, whichever comes first: a row changed after it was entered is
    # caught at the next checkpoint, not only when someone asks for a document.
    checkpoint_every_leaves: int = 100
    checkpoint_every_seconds: float = 5.0
    # The registry audits its own book in the background, this many leaves every half second
    # (re-encoded from their rows and checked against the hashes entered with them), so a row
    # changed behind its back stops every proof and seal within one pass (docs/decisions.md 37):
    # 500 leaves a second is about 1 % of a core, and a pass over a million leaves 33 minutes.
    audit_leaves_per_tick: int = 250
    # The largest leaf (an entry or a state event as the book stores it) the registry accepts.
    max_leaf_bytes: int = 16_384
    # The witnesses every new checkpoint is submitted to (JSON: [{"url": ..., "key": ...}]), and
    # how many must have cosigned a checkpoint before a document is sealed on it (k of n; 0: none
    # asked for). Below that the registry enters cases but seals nothing: a document its readers
    # would refuse is not issued (docs/decisions.md 78).
    witnesses: list[WitnessSettings] = []
    witness_quorum: int = 0
    # How long one witness may take to answer before it counts as down for that round.
    witness_timeout_seconds: float = 5.0
