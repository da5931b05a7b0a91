"""Documents numbered by the register when it enters their case: one counter per kind, authority
and year, and every number issued kept once (so no two documents share a number); recorded
refusals in the idempotency store.

Revision ID: registry_0004
Revises: registry_0003
Create Date: 2026-12-01
"""

from alembic import op

from shared.migrations.common import add_idempotency_status_v2, create_number_counter_v1, never_migrated_down

revision = "registry_0004"
down_revision = "registry_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_idempotency_status_v2()
    create_number_counter_v1()
    op.execute(
        """
        CREATE TABLE issued_document (
            number text PRIMARY KEY,
            kind text NOT NULL CHECK (kind IN ('CERTIFICATE', 'PROOF')),
            unit_number text NOT NULL REFERENCES unit,
            registry_case text NOT NULL,
            issue_time timestamptz NOT NULL
        )
        """
    )


downgrade = never_migrated_down
