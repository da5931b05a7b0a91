"""The event feed (shared/events): a purchase's changes written to the outbox by triggers on the
purchase and its steps, so every path that changes a purchase reports it in its own transaction.

Revision ID: orchestrator_0009
Revises: orchestrator_0008
Create Date: 2026-12-05
"""

from alembic import op

from shared.migrations.common import create_event_tables_v1, never_migrated_down

revision = "orchestrator_0009"
down_revision = "orchestrator_0008"
branch_labels = None
depends_on = None

STATEMENTS = (
    # The purchase's own state: filed, parked, resumed, cancelling, cancelled, rejected. The other
    # states follow from a step, which reports itself.
    """
    CREATE FUNCTION purchase_event() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        happened text;
    BEGIN
        IF TG_OP = 'INSERT' THEN
            happened := CASE WHEN NEW.state = 'REJECTED' THEN 'PURCHASE_REJECTED' ELSE 'PURCHASE_FILED' END;
        ELSIF NEW.state IS DISTINCT FROM OLD.state THEN
            happened := CASE
                WHEN NEW.state = 'PARKED' THEN 'PURCHASE_PARKED'
                WHEN NEW.state = 'REJECTED' THEN 'PURCHASE_REJECTED'
                WHEN NEW.state = 'CANCELLED' THEN 'PURCHASE_CANCELLED'
                WHEN NEW.state = 'CANCELLING' THEN 'CANCELLATION_STARTED'
                WHEN OLD.state = 'PARKED' THEN 'PURCHASE_RESUMED'
            END;
        END IF;
        IF happened IS NOT NULL THEN
            INSERT INTO event (type, subject, unit_number, developer_uscc, bank_uscc, version, event_time)
            VALUES (happened, 'purchases/' || NEW.id, NEW.unit_number, NEW.developer_uscc, NEW.bank_uscc,
                    NEW.version, NEW.update_time);
        END IF;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER purchase_event AFTER INSERT OR UPDATE OF state ON purchase"
    " FOR EACH ROW EXECUTE FUNCTION purchase_event()",
    # A forward step succeeding is the event of that name (contract filed, 预告 entered, ...). The
    # purchase row was updated first in the same change (engine.save), so its version is this
    # change's.
    """
    CREATE FUNCTION purchase_step_event() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.direction = 'FORWARD' AND NEW.state = 'SUCCEEDED'
           AND (TG_OP = 'INSERT' OR OLD.state IS DISTINCT FROM 'SUCCEEDED') THEN
            INSERT INTO event (type, subject, unit_number, developer_uscc, bank_uscc, version, event_time)
            SELECT NEW.kind, 'purchases/' || p.id, p.unit_number, p.developer_uscc, p.bank_uscc,
                   p.version, p.update_time
            FROM purchase p WHERE p.id = NEW.purchase_id;
        END IF;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER purchase_step_event AFTER INSERT OR UPDATE OF state ON purchase_step"
    " FOR EACH ROW EXECUTE FUNCTION purchase_step_event()",
)


def upgrade() -> None:
    create_event_tables_v1("purchase")
    for statement in STATEMENTS:
        op.execute(statement)


downgrade = never_migrated_down
