"""Each book's keys over time: a key's range of tree sizes, from the size its book was rotated to
it to the size it was rotated away at (the transition checkpoint, signed by both). A book with no
row here has never rotated its key: the one it signs with covers every size.

Revision ID: registry_0014
Revises: registry_0013
Create Date: 2026-12-08
"""

from alembic import op

from shared.migrations.common import never_migrated_down

revision = "registry_0014"
down_revision = "registry_0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE book_key (
            authority text NOT NULL REFERENCES book,
            key_id bytea NOT NULL CHECK (length(key_id) = 32),
            public_key bytea NOT NULL CHECK (length(public_key) = 32),
            first_size bigint NOT NULL CHECK (first_size >= 0),
            last_size bigint CHECK (last_size >= first_size),
            PRIMARY KEY (authority, key_id)
        )
        """
    )
    # One current key a book.
    op.execute("CREATE UNIQUE INDEX book_key_current ON book_key (authority) WHERE last_size IS NULL")


downgrade = never_migrated_down
