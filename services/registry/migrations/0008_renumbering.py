"""A presale unit renumbered at the as-built survey (担保制度解释 52): the presale unit records the
as-built unit it became; each entry carried to it names the entry it continues, and the event that
ended the presale entry names its successor.

Revision ID: registry_0008
Revises: registry_0007
Create Date: 2026-12-01
"""

from alembic import op

revision = "registry_0008"
down_revision = "registry_0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE unit ADD COLUMN renumbered_to text")
    # NULL for every other entry and event: a leaf names the column only when it is set
    # (services/registry/log.py), so every leaf written before encodes as it did.
    op.execute("ALTER TABLE entry ADD COLUMN carried_from text")
    op.execute("ALTER TABLE entry_event ADD COLUMN carried_to text")


def downgrade() -> None:
    op.execute("ALTER TABLE entry_event DROP COLUMN carried_to")
    op.execute("ALTER TABLE entry DROP COLUMN carried_from")
    op.execute("ALTER TABLE unit DROP COLUMN renumbered_to")
