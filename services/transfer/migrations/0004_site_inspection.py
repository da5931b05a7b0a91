"""The registry's site inspections (实地查看) of completed buildings, which first registration
needs in Chongqing (CQ 21); append-only, the latest stands for the building.

Revision ID: transfer_0004
Revises: transfer_0003
Create Date: 2026-12-01
"""

from alembic import op

revision = "transfer_0004"
down_revision = "transfer_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE site_inspection (
            building_number text NOT NULL,
            sequence integer NOT NULL,
            outcome text NOT NULL CHECK (outcome IN ('AS_DESCRIBED', 'NOT_AS_DESCRIBED')),
            findings text NOT NULL,
            inspector text NOT NULL,
            inspect_time timestamptz NOT NULL,
            PRIMARY KEY (building_number, sequence)
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE site_inspection")
