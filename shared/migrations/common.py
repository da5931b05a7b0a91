"""DDL helpers that several services' migrations call; versioned by name, never changed."""

from __future__ import annotations

from alembic import op


def never_migrated_down() -> None:
    """Every migration's downgrade: a register and the records behind it are only ever added to;
    a bad migration is corrected by a new one going up."""
    raise NotImplementedError("deedflow's records are never migrated down; correct with a new migration")


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


def add_idempotency_status_v2() -> None:
    """A recorded refusal is an answer too (shared/idempotency.py)."""
    op.execute("ALTER TABLE idempotency_record ADD COLUMN status bytea")


def create_number_counter_v1() -> None:
    """One counter per kind, registration authority and year (shared/numbering.py)."""
    op.execute(
        """
        CREATE TABLE number_counter (
            kind text NOT NULL,
            authority text NOT NULL,
            year integer NOT NULL,
            last bigint NOT NULL CHECK (last > 0),
            PRIMARY KEY (kind, authority, year)
        )
        """
    )


def create_journal_tables_v1() -> None:
    """The operation journal (shared/journal.py): work that spans services, with the intent and
    outcome of each step it takes."""
    for statement in (
        """
        CREATE TABLE operation (
            id uuid PRIMARY KEY,
            kind text NOT NULL,
            subject text NOT NULL,
            state text NOT NULL CHECK (state IN ('RUNNING', 'SUCCEEDED', 'FAILED', 'PARKED')),
            caller text NOT NULL,
            method text NOT NULL,
            request_id uuid NOT NULL,
            input bytea NOT NULL,
            outcome bytea,
            attempts integer NOT NULL DEFAULT 0,
            unexplained_failures integer NOT NULL DEFAULT 0,
            last_error bytea,
            due_at timestamptz,
            leased_by text,
            lease_until timestamptz,
            create_time timestamptz NOT NULL,
            update_time timestamptz NOT NULL
        )
        """,
        "CREATE INDEX operation_due ON operation (due_at) WHERE due_at IS NOT NULL",
        "CREATE INDEX operation_open ON operation (state) WHERE state IN ('RUNNING', 'PARKED')",
        """
        CREATE TABLE operation_step (
            operation_id uuid NOT NULL REFERENCES operation,
            name text NOT NULL,
            -- Remote steps: the exact request sent (intent) and the peer's answer (outcome).
            -- Local steps and remembered facts: the outcome only.
            intent bytea,
            outcome bytea,
            record_time timestamptz NOT NULL,
            PRIMARY KEY (operation_id, name)
        )
        """,
    ):
        op.execute(statement)


def journal_cases_v2() -> None:
    """Case numbers from the authority's counter, and the operation entering a case in the book
    (a case being entered cannot be withdrawn or refused under it)."""
    create_number_counter_v1()
    op.execute("ALTER TABLE registry_case ADD COLUMN register_operation uuid")
    op.execute("DROP SEQUENCE case_number_seq")
    op.execute("DROP SEQUENCE document_number_seq")


def create_event_tables_v1(office: str) -> None:
    """The event feed's outbox (shared/events), in the current service schema: rows written by
    the triggers of the office's own tables (or relayed from another office), ordered by the
    writing transaction's id and the row's position, which is the order a reader can rely on
    (shared/events/store.py); what was pruned, so an older cursor is refused; the positions of
    the feeds this office relays."""
    for statement in (
        f"""
        CREATE TABLE event (
            transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
            position bigint GENERATED ALWAYS AS IDENTITY,
            id uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
            type text NOT NULL,
            subject text NOT NULL,
            unit_number text NOT NULL DEFAULT '',
            developer_uscc text NOT NULL DEFAULT '',
            bank_uscc text NOT NULL DEFAULT '',
            version bigint NOT NULL DEFAULT 0,
            office text NOT NULL DEFAULT '{office}',
            event_time timestamptz NOT NULL,
            PRIMARY KEY (transaction_id, position)
        )
        """,
        "CREATE INDEX event_by_developer ON event (developer_uscc, transaction_id, position)",
        "CREATE INDEX event_by_bank ON event (bank_uscc, transaction_id, position)",
        "CREATE INDEX event_by_time ON event (event_time)",
        """
        CREATE TABLE event_horizon (
            only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
            transaction_id xid8 NOT NULL,
            position bigint NOT NULL
        )
        """,
        "CREATE TABLE event_source (office text PRIMARY KEY, cursor text NOT NULL)",
        """
        CREATE FUNCTION event_recorded() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('event_recorded', '');
            RETURN NULL;
        END $$
        """,
        "CREATE TRIGGER event_recorded AFTER INSERT ON event FOR EACH STATEMENT"
        " EXECUTE FUNCTION event_recorded()",
    ):
        op.execute(statement)


def sequence_events_v2() -> None:
    """The feed's order becomes a sequence number that the office's sequencer gives each event
    after its transaction commits (shared/events/sequencer.py, decision 66), so a reader no longer
    waits behind the oldest transaction of the cluster. The events kept so far are numbered in the
    order the old cursor (transaction id, position) compared them, and `legacy_last` remembers
    where those end, so a cursor given out before this change still resumes where it was."""
    for statement in (
        "ALTER TABLE event ADD COLUMN sequence bigint",
        "CREATE UNIQUE INDEX event_in_order ON event (sequence)",
        "CREATE INDEX event_unsequenced ON event (transaction_id, position) WHERE sequence IS NULL",
        """
        UPDATE event SET sequence = numbered.n
        FROM (SELECT transaction_id, position,
                     row_number() OVER (ORDER BY transaction_id, position) AS n FROM event) AS numbered
        WHERE (event.transaction_id, event.position) = (numbered.transaction_id, numbered.position)
        """,
        "DROP INDEX event_by_developer",
        "DROP INDEX event_by_bank",
        "CREATE INDEX event_by_developer ON event (developer_uscc, sequence)",
        "CREATE INDEX event_by_bank ON event (bank_uscc, sequence)",
        """
        CREATE TABLE event_sequencer (
            only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
            last bigint NOT NULL,
            legacy_last bigint NOT NULL
        )
        """,
        "INSERT INTO event_sequencer (last, legacy_last)"
        " SELECT coalesce(max(sequence), 0), coalesce(max(sequence), 0) FROM event",
        "ALTER TABLE event_horizon ADD COLUMN sequence bigint NOT NULL DEFAULT 0",
    ):
        op.execute(statement)
