"""The tax schema's foundation: the idempotency store.

Revision ID: tax_0001
Revises:
Create Date: 2026-11-26
"""

from shared.migrations.common import create_idempotency_table_v1

revision = "tax_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_idempotency_table_v1()


def downgrade() -> None:
    raise NotImplementedError("the register and its cases are never migrated down")
