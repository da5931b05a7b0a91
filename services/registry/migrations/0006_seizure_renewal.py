"""A seizure renewed (续封) before its term ends: the renewing event carries the new end.

Revision ID: registry_0006
Revises: registry_0005
Create Date: 2026-12-01
"""

from alembic import op

revision = "registry_0006"
down_revision = "registry_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE entry_event ADD COLUMN expire_time timestamptz")


def downgrade() -> None:
    op.execute("ALTER TABLE entry_event DROP COLUMN expire_time")
