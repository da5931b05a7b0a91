"""The purchase saga's durable state: purchases, their step log, versions for watchers, and
building completions.

Revision ID: orchestrator_0002
Revises: orchestrator_0001
Create Date: 2026-11-26
"""

from alembic import op

from shared.migrations.common import never_migrated_down

revision = "orchestrator_0002"
down_revision = "orchestrator_0001"
branch_labels = None
depends_on = None

STATEMENTS = (
    """
    CREATE TABLE purchase (
        id uuid PRIMARY KEY,
        developer_uscc text NOT NULL,
        bank_uscc text NOT NULL DEFAULT '',
        building_number text NOT NULL,
        unit_number text NOT NULL,
        filing bytea NOT NULL,
        state text NOT NULL,
        version bigint NOT NULL,
        due_at timestamptz,
        leased_by text,
        lease_until timestamptz,
        problem bytea,
        documents bytea NOT NULL,
        cancellation bytea,
        create_time timestamptz NOT NULL,
        update_time timestamptz NOT NULL,
        handover_time timestamptz
    )
    """,
    "CREATE INDEX purchase_due ON purchase (due_at) WHERE due_at IS NOT NULL",
    "CREATE INDEX purchase_by_building ON purchase (building_number, state)",
    "CREATE INDEX purchase_by_developer ON purchase (developer_uscc, id)",
    """
    CREATE TABLE purchase_step (
        purchase_id uuid NOT NULL REFERENCES purchase,
        kind text NOT NULL,
        direction text NOT NULL CHECK (direction IN ('FORWARD', 'COMPENSATE')),
        state text NOT NULL,
        start_time timestamptz,
        end_time timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        last_error bytea,
        next_attempt_time timestamptz,
        -- The worker that last ran the step: which process did what, for operators and tests.
        worker text NOT NULL DEFAULT '',
        PRIMARY KEY (purchase_id, kind, direction)
    )
    """,
    """
    CREATE TABLE purchase_version (
        purchase_id uuid NOT NULL REFERENCES purchase,
        version bigint NOT NULL,
        snapshot bytea NOT NULL,
        change_time timestamptz NOT NULL,
        PRIMARY KEY (purchase_id, version)
    )
    """,
    """
    CREATE TABLE building_completion (
        building_number text PRIMARY KEY,
        request bytea NOT NULL,
        first_registration_case text NOT NULL,
        first_registration_time timestamptz NOT NULL,
        create_time timestamptz NOT NULL
    )
    """,
)


def upgrade() -> None:
    # One statement per call: asyncpg prepares each, and a prepared statement holds one command.
    for statement in STATEMENTS:
        op.execute(statement)


downgrade = never_migrated_down
