"""One live purchase per unit: the door reserves the flat, so a buyer who lost the race is refused
in the one round trip of FilePurchase, not after a saga step (launch day, docs/performance.md).

Revision ID: orchestrator_0003
Revises: orchestrator_0002
Create Date: 2026-11-27
"""

from alembic import op

revision = "orchestrator_0003"
down_revision = "orchestrator_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A rejected or cancelled purchase frees the unit; a parked one still holds it, since a clerk
    # may resume it.
    op.execute(
        "CREATE UNIQUE INDEX one_live_purchase_per_unit ON purchase (unit_number)"
        " WHERE state NOT IN ('CANCELLED', 'REJECTED')"
    )


def downgrade() -> None:
    op.execute("DROP INDEX one_live_purchase_per_unit")
