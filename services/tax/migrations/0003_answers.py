"""Recorded refusals in the idempotency store.

Revision ID: tax_0003
Revises: tax_0002
Create Date: 2026-12-01
"""

from shared.migrations.common import add_idempotency_status_v2, never_migrated_down

revision = "tax_0003"
down_revision = "tax_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_idempotency_status_v2()


downgrade = never_migrated_down
