"""The unit as the housing authority's building table (楼盘表) showed it at the door, kept with the
purchase: the deed tax is assessed on its area and planned use without asking the contract office
again. Empty for purchases filed before; their assessment asks, as it always did.

Revision ID: orchestrator_0007
Revises: orchestrator_0006
Create Date: 2026-12-01
"""

from alembic import op

revision = "orchestrator_0007"
down_revision = "orchestrator_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE purchase ADD COLUMN unit bytea")


def downgrade() -> None:
    op.execute("ALTER TABLE purchase DROP COLUMN unit")
