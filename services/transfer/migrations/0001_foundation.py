"""The service schema's foundation, the idempotency store: every service's first migration is this one.

Revision ID: transfer_0001
Revises:
Create Date: 2026-11-26
"""

from shared.migrations.common import create_idempotency_table_v1, never_migrated_down

revision = "transfer_0001"
down_revision = None
branch_labels = None
depends_on = None

upgrade = create_idempotency_table_v1
downgrade = never_migrated_down
