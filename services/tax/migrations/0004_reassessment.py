"""Reassessment on the as-built area (补税/退税): what has been paid is kept apart from what is
due, and each reassessment is recorded; each assessment keeps the digest of the buyers' signed
declaration of their home count.

Revision ID: tax_0004
Revises: tax_0003
Create Date: 2026-12-01
"""

from alembic import op

from shared.migrations.common import never_migrated_down

revision = "tax_0004"
down_revision = "tax_0003"
branch_labels = None
depends_on = None

STATEMENTS = (
    "ALTER TABLE assessment ADD COLUMN paid_fen bigint NOT NULL DEFAULT 0 CHECK (paid_fen >= 0)",
    "UPDATE assessment SET paid_fen = tax_fen WHERE state IN ('PAID', 'CONSUMED', 'REFUNDED')",
    # The digest of the signed terms in which the buyers declared their home count.
    "ALTER TABLE assessment ADD COLUMN declaration_sha256 bytea",
    """
    CREATE TABLE reassessment (
        assessment_id uuid NOT NULL REFERENCES assessment,
        sequence integer NOT NULL CHECK (sequence > 0),
        gross_area_dm2 bigint NOT NULL CHECK (gross_area_dm2 > 0),
        price_ex_vat_fen bigint NOT NULL CHECK (price_ex_vat_fen > 0),
        tax_fen_before bigint NOT NULL,
        tax_fen_after bigint NOT NULL,
        reason text NOT NULL,
        reassess_time timestamptz NOT NULL,
        PRIMARY KEY (assessment_id, sequence)
    )
    """,
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


downgrade = never_migrated_down
