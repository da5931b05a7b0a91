"""The register's event feed (shared/events), for the alarms clerks must see at once: a witness
alarm (a fork, a rollback or a refusal, registry_0012) written to the outbox by a trigger in the
transaction that records it. The purchase office relays it into the feed clerks follow.

Revision ID: registry_0013
Revises: registry_0012
Create Date: 2026-12-08
"""

from alembic import op

from shared.migrations.common import create_event_tables_v1, never_migrated_down, sequence_events_v2

revision = "registry_0013"
down_revision = "registry_0012"
branch_labels = None
depends_on = None

STATEMENTS = (
    """
    CREATE FUNCTION witness_alarm_event() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO event (type, subject, event_time)
        VALUES ('WITNESS_ALARM', 'books/' || NEW.authority, NEW.raised_time);
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER witness_alarm_event AFTER INSERT ON witness_alarm"
    " FOR EACH ROW EXECUTE FUNCTION witness_alarm_event()",
)


def upgrade() -> None:
    create_event_tables_v1("registry")
    sequence_events_v2()
    for statement in STATEMENTS:
        op.execute(statement)


downgrade = never_migrated_down
