"""The purchase's filed contract as a column, so that the tax office's word that a contract's tax
is paid wakes the purchase waiting for it (WatchClearances). Filled as each purchase is next
recorded; until then its own periodic look at the clearance stands.

Revision ID: orchestrator_0006
Revises: orchestrator_0005
Create Date: 2026-12-01
"""

from alembic import op

revision = "orchestrator_0006"
down_revision = "orchestrator_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE purchase ADD COLUMN contract text")
    op.execute("CREATE INDEX purchase_by_contract ON purchase (contract) WHERE contract IS NOT NULL")


def downgrade() -> None:
    op.execute("DROP INDEX purchase_by_contract")
    op.execute("ALTER TABLE purchase DROP COLUMN contract")
