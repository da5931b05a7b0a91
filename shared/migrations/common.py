"""DDL helpers that several services' migrations call; versioned by name, never changed."""

from __future__ import annotations

from alembic import op


def create_idempotency_table_v1() -> None:
    """The idempotency store's table (shared/idempotency.py), in the current service schema."""
    op.execute(
        """
        CREATE TABLE idempotency_record (
            caller text NOT NULL,
            method text NOT NULL,
            request_id uuid NOT NULL,
            request_sha256 bytea NOT NULL,
            response bytea,
            create_time timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (caller, method, request_id)
        )
        """
    )
