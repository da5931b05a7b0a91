"""The operation journal: entering a case in the book as recorded steps; case numbers per authority and year.

Revision ID: transfer_0003
Revises: transfer_0002
Create Date: 2026-12-01
"""

from alembic import op

from shared.migrations.common import (
    add_idempotency_status_v2,
    create_journal_tables_v1,
    journal_cases_v2,
    never_migrated_down,
)

revision = "transfer_0003"
down_revision = "transfer_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_idempotency_status_v2()
    create_journal_tables_v1()
    journal_cases_v2()
    # Certificates are numbered by the register now, per authority and year.
    op.execute("DROP SEQUENCE certificate_number_seq")


downgrade = never_migrated_down
