"""Leaves that name no person: each entry and state event gets the salt its commitments are made
under (shared/commitments.py), and the book's one permitted change, erasing a person where the law
allows: a holder replaced by `erased/<its commitment>`, every other column as entered. Rows
entered before keep no salt and encode, and hash, as they were entered.

Revision ID: registry_0011
Revises: registry_0010
Create Date: 2026-12-08
"""

from alembic import op

from shared.migrations.common import never_migrated_down

revision = "registry_0011"
down_revision = "registry_0010"
branch_labels = None
depends_on = None

STATEMENTS = (
    "ALTER TABLE entry ADD COLUMN salt bytea CHECK (length(salt) = 32)",
    "ALTER TABLE entry_event ADD COLUMN salt bytea CHECK (length(salt) = 32)",
    """
    -- An entry changes once it is entered only by erasure: each holder as it was or erased to
    -- the commitment its leaf carries (the registry's audit finds a wrong one: the leaf's hash
    -- changes), every other column as it was, and only on a row whose leaf holds commitments.
    CREATE FUNCTION refuse_entry_change_but_erasure() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE'
            AND OLD.salt IS NOT NULL
            AND (to_jsonb(NEW) - 'holders') = (to_jsonb(OLD) - 'holders')
            AND cardinality(NEW.holders) = cardinality(OLD.holders)
            AND NOT EXISTS (
                SELECT 1 FROM unnest(OLD.holders, NEW.holders) AS h(was, now)
                WHERE now <> was AND now !~ '^erased/[0-9a-f]{64}$'
            )
        THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'the register is append-only: % on % is refused', TG_OP, TG_TABLE_NAME;
    END $$
    """,
    "DROP TRIGGER entry_append_only ON entry",
    """
    CREATE TRIGGER entry_append_only BEFORE UPDATE OR DELETE ON entry
        FOR EACH ROW EXECUTE FUNCTION refuse_entry_change_but_erasure()
    """,
)


def upgrade() -> None:
    # One statement per call: asyncpg prepares each, and a prepared statement holds one command.
    for statement in STATEMENTS:
        op.execute(statement)


downgrade = never_migrated_down
