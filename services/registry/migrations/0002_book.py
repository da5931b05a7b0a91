"""The book: buildings, units, entries and their state events, append-only.

Revision ID: registry_0002
Revises: registry_0001
Create Date: 2026-11-26
"""

from alembic import op

from shared.migrations.common import never_migrated_down

revision = "registry_0002"
down_revision = "registry_0001"
branch_labels = None
depends_on = None


STATEMENTS = (
    """
    CREATE TABLE building (
        building_number text PRIMARY KEY,
        first_registration_time timestamptz,
        first_registration_case text,
        common_parts text[] NOT NULL DEFAULT '{}',
        create_time timestamptz NOT NULL DEFAULT now()
    )
    """,
    """
    CREATE TABLE unit (
        unit_number text PRIMARY KEY,
        building_number text NOT NULL REFERENCES building,
        address text NOT NULL,
        gross_area_dm2 bigint NOT NULL CHECK (gross_area_dm2 > 0),
        use text NOT NULL DEFAULT '',
        presale_unit_number text NOT NULL DEFAULT '',
        create_time timestamptz NOT NULL DEFAULT now()
    )
    """,
    """
    -- The size of the book's log: every entry and every state event takes the next leaf
    -- index, gapless, so the log can be hashed into a Merkle tree.
    CREATE TABLE log_head (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        size bigint NOT NULL
    )
    """,
    """
    INSERT INTO log_head VALUES (true, 0)
    """,
    """
    CREATE TABLE entry (
        unit_number text NOT NULL REFERENCES unit,
        sequence integer NOT NULL CHECK (sequence > 0),
        kind text NOT NULL CHECK (kind IN ('OWNERSHIP', 'PREREGISTRATION', 'PREMORTGAGE',
            'MORTGAGE', 'SEIZURE', 'PRE_SEIZURE', 'OBJECTION', 'CORRECTION', 'AGREEMENT')),
        holders text[] NOT NULL,
        share_basis_points integer[] NOT NULL,
        amount_fen bigint NOT NULL DEFAULT 0 CHECK (amount_fen >= 0),
        priority_time timestamptz NOT NULL,
        ruling_authority text NOT NULL DEFAULT '',
        ruling_number text NOT NULL DEFAULT '',
        expire_time timestamptz,
        related_sequence integer,
        restricts_transfer boolean NOT NULL DEFAULT false,
        note text NOT NULL DEFAULT '',
        created_by_case text NOT NULL,
        entered_by text NOT NULL,
        entry_time timestamptz NOT NULL,
        leaf_index bigint NOT NULL UNIQUE,
        PRIMARY KEY (unit_number, sequence)
    )
    """,
    """
    CREATE TABLE entry_event (
        unit_number text NOT NULL,
        sequence integer NOT NULL,
        event_sequence integer NOT NULL CHECK (event_sequence > 0),
        state text NOT NULL CHECK (state IN ('PENDING', 'CURRENT', 'HISTORIC')),
        case_name text NOT NULL,
        actor text NOT NULL,
        event_time timestamptz NOT NULL,
        ruling_authority text NOT NULL DEFAULT '',
        ruling_number text NOT NULL DEFAULT '',
        note text NOT NULL DEFAULT '',
        leaf_index bigint NOT NULL UNIQUE,
        PRIMARY KEY (unit_number, sequence, event_sequence),
        FOREIGN KEY (unit_number, sequence) REFERENCES entry
    )
    """,
    """
    -- The book is changed only by appending (条例 8-13): no UPDATE, DELETE or TRUNCATE.
    CREATE FUNCTION refuse_book_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the register is append-only: % on % is refused', TG_OP, TG_TABLE_NAME;
    END $$
    """,
    """
    CREATE TRIGGER entry_append_only BEFORE UPDATE OR DELETE ON entry
        FOR EACH ROW EXECUTE FUNCTION refuse_book_change()
    """,
    """
    CREATE TRIGGER entry_no_truncate BEFORE TRUNCATE ON entry
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_book_change()
    """,
    """
    CREATE TRIGGER entry_event_append_only BEFORE UPDATE OR DELETE ON entry_event
        FOR EACH ROW EXECUTE FUNCTION refuse_book_change()
    """,
    """
    CREATE TRIGGER entry_event_no_truncate BEFORE TRUNCATE ON entry_event
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_book_change()
    """,
)


def upgrade() -> None:
    # One statement per call: asyncpg prepares each, and a prepared statement holds one command.
    for statement in STATEMENTS:
        op.execute(statement)


downgrade = never_migrated_down
