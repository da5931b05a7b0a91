"""Signed terms are used once: a contract's digest (of its terms) is unique, so the parties'
signatures over a cancelled contract cannot be replayed onto a new contract with the same terms
(docs/signing.md, "Replay").

Revision ID: contract_0004
Revises: contract_0003
Create Date: 2026-12-01
"""

from alembic import op

revision = "contract_0004"
down_revision = "contract_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE UNIQUE INDEX contract_terms_once ON contract (digest)")


def downgrade() -> None:
    op.execute("DROP INDEX contract_terms_once")
