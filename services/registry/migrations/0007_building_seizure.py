"""A seizure of the building under construction with its land (在建工程及土地使用权), entered on
each of its units: it also stops the building's first registration.

Revision ID: registry_0007
Revises: registry_0006
Create Date: 2026-12-01
"""

from alembic import op

revision = "registry_0007"
down_revision = "registry_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL for every other entry: a leaf names the column only when it is set (services/registry/log.py).
    op.execute("ALTER TABLE entry ADD COLUMN covers_building boolean")


def downgrade() -> None:
    op.execute("ALTER TABLE entry DROP COLUMN covers_building")
