"""Mortgages, their proofs and discharges, and their registry cases.

Revision ID: mortgage_0002
Revises: mortgage_0001
Create Date: 2026-11-26
"""

from alembic import op

from shared.migrations.common import create_case_tables_v1, never_migrated_down

revision = "mortgage_0002"
down_revision = "mortgage_0001"
branch_labels = None
depends_on = None

STATEMENTS = (
    """
    CREATE TABLE mortgage (
        id uuid PRIMARY KEY,
        unit_number text NOT NULL,
        bank_uscc text NOT NULL,
        loan bytea NOT NULL,
        mortgagors bytea NOT NULL,
        state text NOT NULL,
        case_number text NOT NULL DEFAULT '',
        discharge_case_number text NOT NULL DEFAULT '',
        proof_number text NOT NULL DEFAULT '',
        entry text NOT NULL DEFAULT '',
        priority_time timestamptz,
        register_time timestamptz,
        premortgage text NOT NULL DEFAULT '',
        discharge_time timestamptz,
        update_time timestamptz NOT NULL
    )
    """,
    "CREATE UNIQUE INDEX mortgage_by_entry ON mortgage (entry) WHERE entry <> ''",
    "CREATE INDEX mortgage_by_unit ON mortgage (unit_number)",
    "CREATE INDEX mortgage_by_bank ON mortgage (bank_uscc)",
)


def upgrade() -> None:
    create_case_tables_v1()
    # One statement per call: asyncpg prepares each, and a prepared statement holds one command.
    for statement in STATEMENTS:
        op.execute(statement)


downgrade = never_migrated_down
