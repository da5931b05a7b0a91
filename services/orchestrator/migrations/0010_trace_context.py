"""The trace a purchase was filed in (W3C traceparent), so the saga's later steps join it.

Revision ID: orchestrator_0010
Revises: orchestrator_0009
Create Date: 2026-12-05
"""

from alembic import op

revision = "orchestrator_0010"
down_revision = "orchestrator_0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE purchase ADD COLUMN trace_context text NOT NULL DEFAULT ''")


def downgrade() -> None:
    op.execute("ALTER TABLE purchase DROP COLUMN trace_context")
