"""Deed-tax assessments, payments and clearances.

Revision ID: tax_0002
Revises: tax_0001
Create Date: 2026-11-26
"""

from alembic import op

from shared.migrations.common import never_migrated_down

revision = "tax_0002"
down_revision = "tax_0001"
branch_labels = None
depends_on = None

STATEMENTS = (
    """
    CREATE TABLE assessment (
        id uuid PRIMARY KEY,
        contract text NOT NULL,
        unit_number text NOT NULL,
        buyers bytea NOT NULL,
        price_ex_vat_fen bigint NOT NULL CHECK (price_ex_vat_fen > 0),
        gross_area_dm2 bigint NOT NULL CHECK (gross_area_dm2 > 0),
        home_count text NOT NULL,
        residential boolean NOT NULL,
        rate_basis_points integer NOT NULL,
        rate_basis text NOT NULL,
        tax_fen bigint NOT NULL CHECK (tax_fen >= 0),
        state text NOT NULL CHECK (state IN ('ASSESSED', 'PAID', 'CONSUMED', 'REFUNDED', 'VOIDED')),
        clearance_number text UNIQUE,
        refund_fen bigint NOT NULL DEFAULT 0,
        refund_reason text NOT NULL DEFAULT '',
        transfer_case text NOT NULL DEFAULT '',
        assess_time timestamptz NOT NULL,
        update_time timestamptz NOT NULL
    )
    """,
    """
    -- One live assessment per contract: a refunded or voided one may be followed by another.
    CREATE UNIQUE INDEX one_live_assessment_per_contract ON assessment (contract)
        WHERE state IN ('ASSESSED', 'PAID', 'CONSUMED')
    """,
    """
    CREATE TABLE payment (
        payment_reference text PRIMARY KEY,
        assessment_id uuid NOT NULL REFERENCES assessment,
        amount_fen bigint NOT NULL CHECK (amount_fen > 0),
        paid_time timestamptz NOT NULL
    )
    """,
    "CREATE SEQUENCE clearance_number_seq",
)


def upgrade() -> None:
    # One statement per call: asyncpg prepares each, and a prepared statement holds one command.
    for statement in STATEMENTS:
        op.execute(statement)


downgrade = never_migrated_down
