"""The operation journal: entering a case in the book as recorded steps; case numbers per authority and year.

Revision ID: mortgage_0003
Revises: mortgage_0002
Create Date: 2026-12-01
"""

from shared.migrations.common import (
    add_idempotency_status_v2,
    create_journal_tables_v1,
    journal_cases_v2,
    never_migrated_down,
)

revision = "mortgage_0003"
down_revision = "mortgage_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_idempotency_status_v2()
    create_journal_tables_v1()
    journal_cases_v2()


downgrade = never_migrated_down
