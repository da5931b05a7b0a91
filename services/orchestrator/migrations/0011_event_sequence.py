"""The event feed ordered by a sequence its sequencer gives each committed event (decision 66).

Revision ID: orchestrator_0011
Revises: orchestrator_0010
Create Date: 2026-12-07
"""

from shared.migrations.common import never_migrated_down, sequence_events_v2

revision = "orchestrator_0011"
down_revision = "orchestrator_0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    sequence_events_v2()


downgrade = never_migrated_down
