"""Signed checkpoints of the book's Merkle tree.

Revision ID: registry_0003
Revises: registry_0002
Create Date: 2026-11-27
"""

from alembic import op

from shared.migrations.common import never_migrated_down

revision = "registry_0003"
down_revision = "registry_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE checkpoint (
            tree_size bigint PRIMARY KEY,
            root_hash bytea NOT NULL,
            checkpoint_time timestamptz NOT NULL,
            signature bytea NOT NULL
        )
        """
    )


downgrade = never_migrated_down
