"""The operation journal (project buildings sent to the register) and recorded refusals.

Revision ID: contract_0003
Revises: contract_0002
Create Date: 2026-12-01
"""

from shared.migrations.common import add_idempotency_status_v2, create_journal_tables_v1, never_migrated_down

revision = "contract_0003"
down_revision = "contract_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_idempotency_status_v2()
    create_journal_tables_v1()


downgrade = never_migrated_down
