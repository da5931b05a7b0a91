"""Witnesses of the books (c2sp.org/tlog-witness): each checkpoint's signed note, its
cosignatures as the witnesses returned them, the size each witness last cosigned of each book
(the `old` of the next request), and the alarms raised when a witness says the book forked or
went back.

Revision ID: registry_0012
Revises: registry_0011
Create Date: 2026-12-08
"""

from alembic import op

from shared.migrations.common import never_migrated_down

revision = "registry_0012"
down_revision = "registry_0011"
branch_labels = None
depends_on = None

STATEMENTS = (
    # The checkpoint as the C2SP note the registry signed with it, so that whoever publishes the
    # book (deedflow tiles) serves it without holding the book's key.
    "ALTER TABLE checkpoint ADD COLUMN note text",
    """
    CREATE TABLE cosignature (
        authority text NOT NULL,
        tree_size bigint NOT NULL,
        witness text NOT NULL,
        -- The note signature line, as the witness returned it (c2sp.org/tlog-cosignature).
        line text NOT NULL CHECK (length(line) <= 1024),
        cosigned_time timestamptz NOT NULL,
        PRIMARY KEY (authority, tree_size, witness),
        FOREIGN KEY (authority, tree_size) REFERENCES checkpoint
    )
    """,
    """
    CREATE TABLE witnessed (
        witness text NOT NULL,
        authority text NOT NULL REFERENCES book,
        tree_size bigint NOT NULL CHECK (tree_size > 0),
        PRIMARY KEY (witness, authority)
    )
    """,
    """
    CREATE TABLE witness_alarm (
        id bigserial PRIMARY KEY,
        authority text NOT NULL,
        witness text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('FORK', 'ROLLBACK', 'REFUSED')),
        detail text NOT NULL,
        raised_time timestamptz NOT NULL,
        -- One row a finding: the same refusal met again (a client retrying) is not a new alarm.
        UNIQUE (authority, witness, kind, detail)
    )
    """,
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


downgrade = never_migrated_down
