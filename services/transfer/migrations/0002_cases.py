"""First registrations, transfers, certificates and their registry cases.

Revision ID: transfer_0002
Revises: transfer_0001
Create Date: 2026-11-26
"""

from alembic import op

from shared.migrations.common import create_case_tables_v1, never_migrated_down

revision = "transfer_0002"
down_revision = "transfer_0001"
branch_labels = None
depends_on = None

STATEMENTS = (
    """
    CREATE TABLE first_registration (
        building_number text PRIMARY KEY,
        request bytea NOT NULL,
        state text NOT NULL,
        case_number text NOT NULL,
        register_time timestamptz,
        update_time timestamptz NOT NULL
    )
    """,
    """
    CREATE TABLE transfer (
        id uuid PRIMARY KEY,
        unit_number text NOT NULL,
        application bytea NOT NULL,
        state text NOT NULL,
        case_number text NOT NULL,
        ownership_entry text NOT NULL DEFAULT '',
        mortgage_entry text NOT NULL DEFAULT '',
        mortgage_priority_time timestamptz,
        mortgage_proof_number text NOT NULL DEFAULT '',
        certificates text[] NOT NULL DEFAULT '{}',
        fee_fen bigint NOT NULL DEFAULT 0,
        register_time timestamptz,
        update_time timestamptz NOT NULL
    )
    """,
    """
    -- One transfer of a unit in the queue at a time; the register refuses a second one anyway.
    CREATE UNIQUE INDEX one_lodged_transfer_per_unit ON transfer (unit_number) WHERE state = 'LODGED'
    """,
    """
    CREATE TABLE certificate (
        certificate_number text PRIMARY KEY,
        unit_number text NOT NULL,
        transfer_id uuid NOT NULL REFERENCES transfer,
        owners bytea NOT NULL,
        address text NOT NULL,
        gross_area_dm2 bigint NOT NULL,
        use text NOT NULL,
        encumbrances text[] NOT NULL,
        entry text NOT NULL,
        register_time timestamptz NOT NULL,
        issue_time timestamptz NOT NULL
    )
    """,
    "CREATE INDEX certificate_by_unit ON certificate (unit_number, issue_time DESC)",
    "CREATE SEQUENCE certificate_number_seq",
)


def upgrade() -> None:
    create_case_tables_v1()
    # One statement per call: asyncpg prepares each, and a prepared statement holds one command.
    for statement in STATEMENTS:
        op.execute(statement)


downgrade = never_migrated_down
