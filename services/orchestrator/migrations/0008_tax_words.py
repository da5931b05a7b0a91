"""How many times the tax office has said a purchase's contract is paid: a word that comes while
the saga is asking for itself (its answer "unpaid" already on the way) still wakes the purchase,
because the wait it then records compares this count with the one it claimed the purchase at.

Revision ID: orchestrator_0008
Revises: orchestrator_0007
Create Date: 2026-12-02
"""

from alembic import op

revision = "orchestrator_0008"
down_revision = "orchestrator_0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE purchase ADD COLUMN tax_words bigint NOT NULL DEFAULT 0")


def downgrade() -> None:
    op.execute("ALTER TABLE purchase DROP COLUMN tax_words")
