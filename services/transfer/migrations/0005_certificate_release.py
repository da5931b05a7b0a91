"""When a transfer's certificates were released to their owners at handover (交房即交证): from
then on the seller no longer reads them (issue 31).

Revision ID: transfer_0005
Revises: transfer_0004
Create Date: 2026-12-07
"""

from alembic import op

from shared.migrations.common import never_migrated_down

revision = "transfer_0005"
down_revision = "transfer_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE certificate ADD COLUMN release_time timestamptz")


downgrade = never_migrated_down
