"""The as-built survey (实测): each unit's surveyed area, recorded once, at first registration,
in an append-only table of its own (the presale facts stay as they were filed).

Revision ID: registry_0005
Revises: registry_0004
Create Date: 2026-12-01
"""

from alembic import op

revision = "registry_0005"
down_revision = "registry_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE unit_survey (
            unit_number text PRIMARY KEY REFERENCES unit,
            gross_area_dm2 bigint NOT NULL CHECK (gross_area_dm2 > 0),
            registry_case text NOT NULL,
            record_time timestamptz NOT NULL
        )
        """
    )
    op.execute(
        """
        CREATE TRIGGER unit_survey_append_only BEFORE UPDATE OR DELETE ON unit_survey
            FOR EACH ROW EXECUTE FUNCTION refuse_book_change()
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE unit_survey")
