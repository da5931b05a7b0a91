"""Who recorded each payment, and which bank lends on the assessed contract (the one bank, with
the collecting agents the deployment names, that may record its payment: issue 31).

Revision ID: tax_0005
Revises: tax_0004
Create Date: 2026-12-07
"""

from alembic import op

from shared.migrations.common import never_migrated_down

revision = "tax_0005"
down_revision = "tax_0004"
branch_labels = None
depends_on = None

STATEMENTS = (
    # The caller that recorded the payment (its certificate's identity); '' for those before.
    "ALTER TABLE payment ADD COLUMN recorded_by text NOT NULL DEFAULT ''",
    # The lending bank's USCC from the contract's signed terms, '' for a purchase without a loan;
    # NULL for an assessment made before this column, whose contract is read when it is paid.
    "ALTER TABLE assessment ADD COLUMN lending_bank_uscc text",
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


downgrade = never_migrated_down
