"""Projects on presale, their units, contracts and signatures; one live contract per unit.

Revision ID: contract_0002
Revises: contract_0001
Create Date: 2026-11-26
"""

from alembic import op

from shared.migrations.common import never_migrated_down

revision = "contract_0002"
down_revision = "contract_0001"
branch_labels = None
depends_on = None

STATEMENTS = (
    """
    CREATE TABLE project (
        presale_permit_number text PRIMARY KEY,
        display_name text NOT NULL,
        developer_name text NOT NULL,
        developer_uscc text NOT NULL,
        permit_time timestamptz,
        create_time timestamptz NOT NULL
    )
    """,
    """
    CREATE TABLE project_unit (
        unit_number text PRIMARY KEY,
        presale_permit_number text NOT NULL REFERENCES project,
        building_number text NOT NULL,
        room_label text NOT NULL,
        gross_area_dm2 bigint NOT NULL CHECK (gross_area_dm2 > 0),
        residential boolean NOT NULL
    )
    """,
    "CREATE INDEX project_unit_by_project ON project_unit (presale_permit_number, unit_number)",
    """
    CREATE TABLE contract (
        id uuid PRIMARY KEY,
        unit_number text NOT NULL REFERENCES project_unit,
        developer_uscc text NOT NULL,
        state text NOT NULL CHECK (state IN ('DRAFTED', 'SIGNED', 'FILED', 'TRANSFERRED', 'CANCELLED')),
        canonical_bytes bytea NOT NULL,
        digest bytea NOT NULL,
        filing_number text UNIQUE,
        file_time timestamptz,
        cancellation_basis text NOT NULL DEFAULT '',
        certificate_number text NOT NULL DEFAULT '',
        create_time timestamptz NOT NULL,
        update_time timestamptz NOT NULL
    )
    """,
    """
    -- One flat, one buyer: at most one live contract per unit, whatever the code above does.
    CREATE UNIQUE INDEX one_live_contract_per_unit ON contract (unit_number)
        WHERE state <> 'CANCELLED'
    """,
    """
    CREATE TABLE contract_signature (
        contract_id uuid NOT NULL REFERENCES contract,
        signer text NOT NULL,
        algorithm text NOT NULL,
        signature bytea NOT NULL,
        certificate_pem text NOT NULL,
        certificate_sha256 bytea NOT NULL,
        digest bytea NOT NULL,
        sign_time timestamptz,
        verify_time timestamptz NOT NULL,
        PRIMARY KEY (contract_id, signer)
    )
    """,
    "CREATE SEQUENCE filing_number_seq",
)


def upgrade() -> None:
    # One statement per call: asyncpg prepares each, and a prepared statement holds one command.
    for statement in STATEMENTS:
        op.execute(statement)


downgrade = never_migrated_down
