"""A saga step's intent is the exact request it sends, recorded before the call: a resumed step
sends those bytes again, as a journal operation's does (decision 71).

Revision ID: orchestrator_0012
Revises: orchestrator_0011
Create Date: 2026-12-08
"""

from alembic import op

revision = "orchestrator_0012"
down_revision = "orchestrator_0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE purchase_step ADD COLUMN intent bytea")


def downgrade() -> None:
    op.execute("ALTER TABLE purchase_step DROP COLUMN intent")
