"""Pre-registrations, pre-mortgages and their registry cases.

Revision ID: preregistration_0002
Revises: preregistration_0001
Create Date: 2026-11-26
"""

from alembic import op

from shared.migrations.common import create_case_tables_v1, never_migrated_down

revision = "preregistration_0002"
down_revision = "preregistration_0001"
branch_labels = None
depends_on = None

STATEMENTS = (
    """
    CREATE TABLE preregistration (
        id uuid PRIMARY KEY,
        unit_number text NOT NULL,
        contract text NOT NULL,
        filing_number text NOT NULL,
        holders bytea NOT NULL,
        developer bytea NOT NULL,
        state text NOT NULL,
        case_number text NOT NULL,
        proof_number text NOT NULL DEFAULT '',
        entry text NOT NULL DEFAULT '',
        register_time timestamptz,
        update_time timestamptz NOT NULL
    )
    """,
    """
    -- A contract has at most one pre-registration pending or in force.
    CREATE UNIQUE INDEX one_live_preregistration_per_contract ON preregistration (contract)
        WHERE state IN ('PENDING', 'IN_FORCE')
    """,
    """
    CREATE TABLE premortgage (
        id uuid PRIMARY KEY,
        unit_number text NOT NULL,
        preregistration_id uuid NOT NULL REFERENCES preregistration,
        bank_uscc text NOT NULL,
        loan bytea NOT NULL,
        mortgagors bytea NOT NULL,
        state text NOT NULL,
        case_number text NOT NULL,
        proof_number text NOT NULL DEFAULT '',
        entry text NOT NULL DEFAULT '',
        register_time timestamptz,
        update_time timestamptz NOT NULL
    )
    """,
    """
    CREATE UNIQUE INDEX one_live_premortgage_per_preregistration ON premortgage (preregistration_id)
        WHERE state IN ('PENDING', 'IN_FORCE')
    """,
)


def upgrade() -> None:
    create_case_tables_v1()
    # One statement per call: asyncpg prepares each, and a prepared statement holds one command.
    for statement in STATEMENTS:
        op.execute(statement)


downgrade = never_migrated_down
