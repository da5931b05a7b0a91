"""A late filing is accepted and recorded: each filed contract keeps when its filing fell due.

Revision ID: contract_0005
Revises: contract_0004
Create Date: 2026-12-01
"""

from alembic import op

revision = "contract_0005"
down_revision = "contract_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE contract ADD COLUMN filing_due_time timestamptz")


def downgrade() -> None:
    op.execute("ALTER TABLE contract DROP COLUMN filing_due_time")
