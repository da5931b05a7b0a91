"""The event feed ordered by a sequence its sequencer gives each committed event (decision 66).

Revision ID: mortgage_0005
Revises: mortgage_0004
Create Date: 2026-12-07
"""

from shared.migrations.common import never_migrated_down, sequence_events_v2

revision = "mortgage_0005"
down_revision = "mortgage_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    sequence_events_v2()


downgrade = never_migrated_down
