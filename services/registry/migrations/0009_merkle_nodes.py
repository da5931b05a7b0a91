"""The book's Merkle tree kept with it: the hash of every complete (perfect) subtree, level 0
being each leaf's hash, so that a checkpoint costs O(new leaves) and a proof O(log n) reads.
Filled for an existing book when the registry starts (services/registry/tree.py).

Revision ID: registry_0009
Revises: registry_0008
Create Date: 2026-12-01
"""

from alembic import op

from shared.migrations.common import never_migrated_down

revision = "registry_0009"
down_revision = "registry_0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE merkle_node (
            level smallint NOT NULL CHECK (level BETWEEN 0 AND 62),
            position bigint NOT NULL CHECK (position >= 0),
            hash bytea NOT NULL CHECK (length(hash) = 32),
            PRIMARY KEY (level, position)
        )
        """
    )
    # As append-only as the rows it hashes (refuse_book_change is the book's own guard).
    op.execute(
        "CREATE TRIGGER merkle_node_append_only BEFORE UPDATE OR DELETE ON merkle_node"
        " FOR EACH ROW EXECUTE FUNCTION refuse_book_change()"
    )
    op.execute(
        "CREATE TRIGGER merkle_node_no_truncate BEFORE TRUNCATE ON merkle_node"
        " FOR EACH STATEMENT EXECUTE FUNCTION refuse_book_change()"
    )


downgrade = never_migrated_down
