"""The event feed (shared/events): a mortgage's discharge written to the outbox by a trigger on
the mortgage, in the transaction that lodges or enters it.

Revision ID: mortgage_0004
Revises: mortgage_0003
Create Date: 2026-12-05
"""

from alembic import op

from shared.migrations.common import create_event_tables_v1, never_migrated_down

revision = "mortgage_0004"
down_revision = "mortgage_0003"
branch_labels = None
depends_on = None

STATEMENTS = (
    """
    CREATE FUNCTION mortgage_event() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.discharge_case_number <> '' AND OLD.discharge_case_number = '' THEN
            INSERT INTO event (type, subject, unit_number, bank_uscc, event_time)
            VALUES ('DISCHARGE_LODGED', 'mortgages/' || NEW.id, NEW.unit_number, NEW.bank_uscc,
                    NEW.update_time);
        END IF;
        IF NEW.state = 'DISCHARGED' AND OLD.state IS DISTINCT FROM 'DISCHARGED' THEN
            INSERT INTO event (type, subject, unit_number, bank_uscc, event_time)
            VALUES ('MORTGAGE_DISCHARGED', 'mortgages/' || NEW.id, NEW.unit_number, NEW.bank_uscc,
                    NEW.update_time);
        END IF;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER mortgage_event AFTER UPDATE OF state, discharge_case_number ON mortgage"
    " FOR EACH ROW EXECUTE FUNCTION mortgage_event()",
)


def upgrade() -> None:
    create_event_tables_v1("mortgage")
    for statement in STATEMENTS:
        op.execute(statement)


downgrade = never_migrated_down
