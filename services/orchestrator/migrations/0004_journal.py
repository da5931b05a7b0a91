"""The operation journal (a building's first registration asked for by CompleteBuilding), recorded
refusals, and per-step counts the saga needs: how often a step failed unexplained (bounded), and
which application a step is on (a clerk's resume after a refusal makes a new one).

Revision ID: orchestrator_0004
Revises: orchestrator_0003
Create Date: 2026-12-01
"""

from alembic import op

from shared.migrations.common import add_idempotency_status_v2, create_journal_tables_v1, never_migrated_down

revision = "orchestrator_0004"
down_revision = "orchestrator_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_idempotency_status_v2()
    create_journal_tables_v1()
    op.execute("ALTER TABLE purchase_step ADD COLUMN unexplained_failures integer NOT NULL DEFAULT 0")
    op.execute("ALTER TABLE purchase_step ADD COLUMN generation integer NOT NULL DEFAULT 0")


downgrade = never_migrated_down
