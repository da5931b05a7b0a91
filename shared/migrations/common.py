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


def create_case_tables_v1() -> None:
    """Registry cases and their history (shared/casework), in the current service schema."""
    for statement in (
        """
        CREATE TABLE registry_case (
            case_number text PRIMARY KEY,
            kind text NOT NULL,
            state text NOT NULL,
            unit_number text NOT NULL,
            applicants text[] NOT NULL,
            subject text NOT NULL,
            lodge_time timestamptz NOT NULL,
            time_limit_working_days integer NOT NULL,
            due_time timestamptz NOT NULL,
            corrections jsonb NOT NULL DEFAULT '[]',
            refusal_reasons text[] NOT NULL DEFAULT '{}',
            register_time timestamptz,
            entries text[] NOT NULL DEFAULT '{}',
            document_number text NOT NULL DEFAULT '',
            update_time timestamptz NOT NULL
        )
        """,
        "CREATE INDEX registry_case_queue ON registry_case (state, lodge_time)",
        """
        CREATE TABLE case_event (
            case_number text NOT NULL REFERENCES registry_case,
            event_sequence integer NOT NULL,
            state text NOT NULL,
            actor text NOT NULL,
            event_time timestamptz NOT NULL,
            notes text[] NOT NULL DEFAULT '{}',
            PRIMARY KEY (case_number, event_sequence)
        )
        """,
        "CREATE SEQUENCE case_number_seq",
        "CREATE SEQUENCE document_number_seq",
    ):
        op.execute(statement)
