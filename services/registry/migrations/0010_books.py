"""One book per registration authority: the log head, the Merkle tree and the checkpoints are
kept per county code (the first six digits of the unit number), so that commits in different
districts never wait for each other (docs/decisions.md 65). A register kept as one city-wide
book until now is split without losing its order: each authority's leaves keep their relative
order and are numbered from 0 in their own book; the city-wide checkpoints are kept, as signed,
in city_checkpoint (the documents sealed against them still verify offline), and each book's
tree is hashed in again when the registry starts (services/registry/tree.py).

Revision ID: registry_0010
Revises: registry_0009
Create Date: 2026-12-05
"""

from alembic import op

from shared.migrations.common import never_migrated_down

revision = "registry_0010"
down_revision = "registry_0009"
branch_labels = None
depends_on = None

AUTHORITY = "left(unit_number, 6)"

STATEMENTS = (
    """
    -- One row per book: its size, gapless; the row is the book's append lock.
    CREATE TABLE book (
        authority text PRIMARY KEY CHECK (authority ~ '^[0-9]{6}$'),
        size bigint NOT NULL CHECK (size >= 0)
    )
    """,
    # Renumbering the leaves is the one change ever made to entered rows: the append-only guard
    # is lifted for this transaction only, and the rows' contents are untouched.
    "ALTER TABLE entry DISABLE TRIGGER entry_append_only",
    "ALTER TABLE entry_event DISABLE TRIGGER entry_event_append_only",
    "ALTER TABLE entry DROP CONSTRAINT entry_leaf_index_key",
    "ALTER TABLE entry_event DROP CONSTRAINT entry_event_leaf_index_key",
    f"""
    CREATE TEMPORARY TABLE renumbered ON COMMIT DROP AS
    SELECT leaf_index AS old_index, authority,
           row_number() OVER (PARTITION BY authority ORDER BY leaf_index) - 1 AS new_index
    FROM (SELECT leaf_index, {AUTHORITY} AS authority FROM entry
          UNION ALL SELECT leaf_index, {AUTHORITY} FROM entry_event) AS leaves
    """,
    """
    UPDATE entry SET leaf_index = r.new_index FROM renumbered r WHERE r.old_index = entry.leaf_index
    """,
    """
    UPDATE entry_event SET leaf_index = r.new_index
    FROM renumbered r WHERE r.old_index = entry_event.leaf_index
    """,
    "INSERT INTO book SELECT authority, count(*) FROM renumbered GROUP BY authority",
    "ALTER TABLE entry ENABLE TRIGGER entry_append_only",
    "ALTER TABLE entry_event ENABLE TRIGGER entry_event_append_only",
    f"CREATE UNIQUE INDEX entry_book_leaf ON entry (({AUTHORITY}), leaf_index)",
    f"CREATE UNIQUE INDEX entry_event_book_leaf ON entry_event (({AUTHORITY}), leaf_index)",
    "DROP TABLE log_head",
    # The stored tree was the city book's: each authority's is hashed in again from its rows.
    "DROP TABLE merkle_node",
    """
    CREATE TABLE merkle_node (
        authority text NOT NULL,
        level smallint NOT NULL CHECK (level BETWEEN 0 AND 62),
        position bigint NOT NULL CHECK (position >= 0),
        hash bytea NOT NULL CHECK (length(hash) = 32),
        PRIMARY KEY (authority, level, position)
    )
    """,
    """
    CREATE TRIGGER merkle_node_append_only BEFORE UPDATE OR DELETE ON merkle_node
        FOR EACH ROW EXECUTE FUNCTION refuse_book_change()
    """,
    """
    CREATE TRIGGER merkle_node_no_truncate BEFORE TRUNCATE ON merkle_node
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_book_change()
    """,
    "ALTER TABLE checkpoint RENAME TO city_checkpoint",
    "ALTER TABLE city_checkpoint RENAME CONSTRAINT checkpoint_pkey TO city_checkpoint_pkey",
    """
    CREATE TRIGGER city_checkpoint_append_only BEFORE UPDATE OR DELETE ON city_checkpoint
        FOR EACH ROW EXECUTE FUNCTION refuse_book_change()
    """,
    """
    CREATE TABLE checkpoint (
        authority text NOT NULL REFERENCES book,
        tree_size bigint NOT NULL CHECK (tree_size > 0),
        root_hash bytea NOT NULL,
        checkpoint_time timestamptz NOT NULL,
        signature bytea NOT NULL,
        key_id bytea NOT NULL CHECK (length(key_id) = 32),
        PRIMARY KEY (authority, tree_size)
    )
    """,
)


def upgrade() -> None:
    # One statement per call: asyncpg prepares each, and a prepared statement holds one command.
    for statement in STATEMENTS:
        op.execute(statement)


downgrade = never_migrated_down
