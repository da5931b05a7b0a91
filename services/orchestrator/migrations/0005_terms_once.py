"""Signed terms are filed once: the digest of a filing's contract terms is unique across
purchases, so a cancelled filing resent with its old signatures and a new request id is refused
(docs/signing.md, "Replay"). A rejected filing created nothing and may be filed again.

Revision ID: orchestrator_0005
Revises: orchestrator_0004
Create Date: 2026-12-01
"""

from alembic import op

revision = "orchestrator_0005"
down_revision = "orchestrator_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE purchase ADD COLUMN terms_sha256 bytea")
    op.execute("CREATE UNIQUE INDEX purchase_terms_once ON purchase (terms_sha256) WHERE state <> 'REJECTED'")


def downgrade() -> None:
    op.execute("DROP INDEX purchase_terms_once")
    op.execute("ALTER TABLE purchase DROP COLUMN terms_sha256")
