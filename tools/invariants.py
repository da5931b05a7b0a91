"""What must hold across every office after any crash, outage or lost answer, checked against the
database itself (every service's schema): the chaos tests, the fault matrix and the soak all end
with it, and an operator can run it against a deployment:

    .venv/bin/python -m tools.invariants postgresql://…/deedflow
    .venv/bin/python -m tools.invariants --offices '{"registry": "postgresql://…", …}'

With the offices on several databases (DEEDFLOW_DATABASE_URLS), their tables are first copied,
as they stand, into one scratch database beside the registry's, which is dropped afterwards: the
invariants are joins across offices, and no office reads another's database.

- every unit has at most one current ownership, and no case's entries are in the book twice;
- every entry a case made is that case's, registered in its office, and every registered case
  has exactly its entries; no case is left half entered;
- every purchase ends certificate-ready / handed over, cancelled, rejected, or parked with a
  reason a clerk can act on (or, if asked, is still waiting for its building or its tax);
- each transferred unit's tax clearance is consumed exactly once, and nothing transferred was
  refunded;
- certificate and proof numbers are unique, and each certificate's number was issued by the book;
- the register's log is gapless and every checkpoint's root is the root of its leaves;
- no office has an operation left unfinished;
- on a unit bought through the orchestrator, every office's record (contract, assessment,
  pre-registration, pre-mortgage, transfer) is one a purchase names: a retry made nothing twice.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import sys
import uuid
from dataclasses import dataclass

import asyncpg
from google.rpc import status_pb2

from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from services.registry import log
from shared import merkle
from shared.db import plain_url, with_database
from shared.grpc.status import error_info
from shared.migrate import migrate

# The registry case prefix of each office that enters cases in the book.
OFFICES = {"YG": "preregistration", "ZY": "transfer", "DY": "mortgage"}
JOURNALED = ("contract", "preregistration", "transfer", "mortgage", "orchestrator")
SETTLED = frozenset({"CERTIFICATE_READY", "HANDED_OVER", "CANCELLED", "REJECTED", "PARKED"})


@dataclass(frozen=True)
class Violation:
    invariant: str
    detail: str

    def __str__(self) -> str:
        return f"{self.invariant}: {self.detail}"


async def _one_current_ownership(connection) -> list[Violation]:
    rows = await connection.fetch(
        """
        WITH last AS (
            SELECT DISTINCT ON (unit_number, sequence) unit_number, sequence, state
            FROM registry.entry_event ORDER BY unit_number, sequence, event_sequence DESC)
        SELECT e.unit_number, count(*) AS n FROM registry.entry e JOIN last l USING (unit_number, sequence)
        WHERE e.kind = 'OWNERSHIP' AND l.state = 'CURRENT' GROUP BY e.unit_number HAVING count(*) > 1
        """
    )
    return [Violation("one current ownership", f"{r['unit_number']} has {r['n']}") for r in rows]


async def _cases_entered_once(connection) -> list[Violation]:
    rows = await connection.fetch(
        "SELECT created_by_case, unit_number, kind, count(*) AS n FROM registry.entry"
        " WHERE created_by_case LIKE 'cases/%' GROUP BY 1, 2, 3 HAVING count(*) > 1"
    )
    ended = await connection.fetch(
        "SELECT unit_number, sequence, count(*) AS n FROM registry.entry_event"
        " WHERE state = 'HISTORIC' GROUP BY 1, 2 HAVING count(*) > 1"
    )
    return [
        Violation(
            "entered once", f"{r['created_by_case']} made {r['n']} {r['kind']} entries on {r['unit_number']}"
        )
        for r in rows
    ] + [
        Violation("entered once", f"units/{r['unit_number']}/entries/{r['sequence']} ended {r['n']} times")
        for r in ended
    ]


async def _cases_match_the_book(connection) -> list[Violation]:
    """Book -> office and office -> book: the case behind every entry and event, and the
    entries behind every registered case."""
    found: list[Violation] = []
    created: dict[str, set[str]] = {}
    for row in await connection.fetch(
        "SELECT created_by_case, unit_number, sequence FROM registry.entry"
        " WHERE created_by_case LIKE 'cases/%'"
    ):
        name = f"units/{row['unit_number']}/entries/{row['sequence']}"
        created.setdefault(row["created_by_case"], set()).add(name)
    touched: dict[str, set[str]] = {}
    for row in await connection.fetch(
        "SELECT case_name, unit_number, sequence FROM registry.entry_event WHERE case_name LIKE 'cases/%'"
    ):
        touched.setdefault(row["case_name"], set()).add(
            f"units/{row['unit_number']}/entries/{row['sequence']}"
        )
    registered: dict[str, set[str]] = {}
    for prefix, office in OFFICES.items():
        for row in await connection.fetch(
            f"SELECT case_number, state, entries, register_operation FROM {office}.registry_case"
        ):
            name = f"cases/{row['case_number']}"
            if row["state"] in ("REGISTERED", "ISSUED"):
                registered[name] = set(row["entries"])
            elif row["register_operation"] is not None:
                found.append(Violation("cases entered whole", f"{name} at {office} is left being entered"))
            if not row["case_number"].startswith(prefix):
                found.append(
                    Violation("cases entered whole", f"{name} at {office} has another office's prefix")
                )
    for case in sorted(set(created) | set(touched)):
        if case not in registered:
            found.append(
                Violation(
                    "entries have their case", f"{case} is in the book but not registered at its office"
                )
            )
            continue
        expected = created.get(case) or touched.get(case, set())
        if registered[case] != expected:
            found.append(
                Violation(
                    "cases have their entries",
                    f"{case} records {sorted(registered[case])}, the book {sorted(expected)}",
                )
            )
    for case, entries in registered.items():
        if case not in created and case not in touched:
            found.append(
                Violation(
                    "cases have their entries",
                    f"{case} is registered but the book has none of {sorted(entries)}",
                )
            )
    return found


async def _purchases_settled(connection, allow_waiting: bool) -> list[Violation]:
    found = []
    for row in await connection.fetch("SELECT id, state, problem FROM orchestrator.purchase"):
        state = row["state"]
        if state == "PARKED":
            problem = status_pb2.Status.FromString(row["problem"] or b"")
            info = error_info(problem)
            if not (info and info.reason) and not problem.message:
                found.append(
                    Violation("purchases settled", f"purchases/{row['id']} is parked without a reason")
                )
        elif state not in SETTLED and not (allow_waiting and state == "AWAITING_COMPLETION"):
            found.append(Violation("purchases settled", f"purchases/{row['id']} is left {state}"))
    return found


async def _tax_consumed_once(connection) -> list[Violation]:
    found = []
    for row in await connection.fetch(
        """
        SELECT t.case_number, count(a.id) FILTER (WHERE a.state = 'CONSUMED') AS consumed
        FROM transfer.transfer t
        LEFT JOIN tax.assessment a ON a.transfer_case = 'cases/' || t.case_number
        WHERE t.state = 'REGISTERED' GROUP BY t.case_number
        HAVING count(a.id) FILTER (WHERE a.state = 'CONSUMED') <> 1
        """
    ):
        found.append(
            Violation(
                "clearance consumed once", f"cases/{row['case_number']} consumed {row['consumed']} clearances"
            )
        )
    for row in await connection.fetch(
        """
        SELECT a.id, a.state, a.contract FROM tax.assessment a
        JOIN contract.contract c ON a.contract = 'contracts/' || c.id
        WHERE c.state = 'TRANSFERRED' AND a.state IN ('REFUNDED', 'VOIDED')
        """
    ):
        found.append(
            Violation("no refund after registration", f"{row['contract']} was {row['state'].lower()}")
        )
    return found


async def _numbers_unique(connection) -> list[Violation]:
    found = []
    for row in await connection.fetch(
        """
        SELECT number, count(*) AS n FROM (
            SELECT proof_number AS number FROM preregistration.preregistration WHERE proof_number <> ''
            UNION ALL SELECT proof_number FROM preregistration.premortgage WHERE proof_number <> ''
            UNION ALL SELECT proof_number FROM mortgage.mortgage WHERE proof_number <> ''
            UNION ALL SELECT certificate_number FROM transfer.certificate) documents
        GROUP BY number HAVING count(*) > 1
        """
    ):
        found.append(Violation("numbers unique", f"{row['number']} names {row['n']} documents"))
    for row in await connection.fetch(
        "SELECT c.certificate_number FROM transfer.certificate c LEFT JOIN registry.issued_document d"
        " ON d.number = c.certificate_number AND d.kind = 'CERTIFICATE' WHERE d.number IS NULL"
    ):
        found.append(
            Violation("numbers unique", f"certificate {row['certificate_number']} was not issued by the book")
        )
    return found


async def _log_intact(connection) -> list[Violation]:
    """Every authority's book: its head counts its rows, and each of its checkpoints still holds."""
    await connection.execute("SET search_path TO registry")
    try:
        found = []
        for authority in await log.books(connection):
            size = await log.size(connection, authority)
            indexes = await connection.fetchval(
                f"SELECT count(*) FROM (SELECT leaf_index FROM entry WHERE {log.BOOK_OF_ROW} = $1"
                f" UNION ALL SELECT leaf_index FROM entry_event WHERE {log.BOOK_OF_ROW} = $1) leaves",
                authority,
            )
            if indexes != size:
                found.append(
                    Violation(
                        "log intact", f"the head of book {authority} says {size} leaves, its rows {indexes}"
                    )
                )
                continue
            hashes = [merkle.leaf_hash(leaf) for leaf in await log.leaves(connection, authority, size)]
            for row in await connection.fetch(
                "SELECT tree_size, root_hash FROM checkpoint WHERE authority = $1 ORDER BY tree_size",
                authority,
            ):
                if row["tree_size"] > size or merkle.root(hashes[: row["tree_size"]]) != row["root_hash"]:
                    found.append(
                        Violation(
                            "log intact",
                            f"book {authority}'s checkpoint at {row['tree_size']} no longer holds",
                        )
                    )
        return found
    finally:
        await connection.execute("RESET search_path")


async def _operations_finished(connection) -> list[Violation]:
    found = []
    for office in JOURNALED:
        for row in await connection.fetch(
            f"SELECT kind, subject, state FROM {office}.operation WHERE state IN ('RUNNING', 'PARKED')"
        ):
            found.append(
                Violation(
                    "operations finished", f"{office} {row['kind']} for {row['subject']} is {row['state']}"
                )
            )
    return found


# Each office's records of a unit, as the purchase documents name them.
_RECORDS = (
    ("contract", "SELECT 'contracts/' || id AS name, unit_number FROM contract.contract"),
    ("tax_assessment", "SELECT 'assessments/' || id, unit_number FROM tax.assessment"),
    ("preregistration", "SELECT 'preregistrations/' || id, unit_number FROM preregistration.preregistration"),
    ("premortgage", "SELECT 'premortgages/' || id, unit_number FROM preregistration.premortgage"),
    ("transfer", "SELECT 'transfers/' || id, unit_number FROM transfer.transfer"),
)


async def _records_are_purchases(connection) -> list[Violation]:
    named: set[str] = set()
    units: set[str] = set()
    for row in await connection.fetch("SELECT unit_number, documents FROM orchestrator.purchase"):
        units.add(row["unit_number"])
        documents = pb.PurchaseDocuments.FromString(row["documents"])
        named.update(getattr(documents, field) for field, _ in _RECORDS)
    found = []
    for field, query in _RECORDS:
        for row in await connection.fetch(query):
            if row["unit_number"] in units and row[0] not in named:
                found.append(
                    Violation("made once", f"{row[0]} on {row['unit_number']} is no purchase's {field}")
                )
    return found


async def check(database_url: str, allow_waiting: bool = False) -> list[Violation]:
    """Every violation found; an empty list when everything holds."""
    connection = await asyncpg.connect(plain_url(database_url))
    try:
        found: list[Violation] = []
        for invariant in (
            _one_current_ownership,
            _cases_entered_once,
            _cases_match_the_book,
            _tax_consumed_once,
            _numbers_unique,
            _log_intact,
            _operations_finished,
            _records_are_purchases,
        ):
            found.extend(await invariant(connection))
        found.extend(await _purchases_settled(connection, allow_waiting))
        return found
    finally:
        await connection.close()


async def _copy_office(source_url: str, target: asyncpg.Connection, office: str) -> None:
    """Every table of the office's schema, rows as they stand, into the same (migrated) schema of
    `target`; triggers and foreign keys off, since the rows are copies, not new facts."""
    source = await asyncpg.connect(plain_url(source_url))
    try:
        tables = await source.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = $1"
            " AND table_type = 'BASE TABLE' AND table_name <> 'alembic_version'",
            office,
        )
        if tables:
            # Whatever the migrations seeded goes first, all at once: a table truncated after
            # another was copied would take the copy with it (CASCADE follows foreign keys).
            await target.execute(
                "TRUNCATE " + ", ".join(f'"{office}"."{row["table_name"]}"' for row in tables) + " CASCADE"
            )
        for row in tables:
            rows = io.BytesIO()
            await source.copy_from_table(row["table_name"], schema_name=office, output=rows, format="binary")
            rows.seek(0)
            await target.copy_to_table(row["table_name"], schema_name=office, source=rows, format="binary")
    finally:
        await source.close()


async def check_offices(urls: dict[str, str], allow_waiting: bool = False) -> list[Violation]:
    """`check` over offices kept on several databases (office -> URL; every office named)."""
    if len(set(urls.values())) == 1:
        return await check(next(iter(urls.values())), allow_waiting)
    server = urls["registry"]
    name = f"deedflow_invariants_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(plain_url(server))
    await admin.execute(f'CREATE DATABASE "{name}"')
    scratch = with_database(server, name)
    try:
        for office in urls:
            await migrate(scratch, office)
        target = await asyncpg.connect(plain_url(scratch))
        try:
            await target.execute("SET session_replication_role = replica")
            for office, url in urls.items():
                await _copy_office(url, target, office)
        finally:
            await target.close()
        return await check(scratch, allow_waiting)
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database_url", nargs="?", help="the one database every office keeps its schema in")
    parser.add_argument(
        "--offices", help="a JSON object: each office's database URL, as DEEDFLOW_DATABASE_URLS"
    )
    parser.add_argument(
        "--allow-waiting", action="store_true", help="purchases may still wait for completion"
    )
    arguments = parser.parse_args()
    if bool(arguments.database_url) == bool(arguments.offices):
        parser.error("give either one database URL or --offices")
    urls = json.loads(arguments.offices) if arguments.offices else {}
    violations = asyncio.run(
        check_offices(urls, arguments.allow_waiting)
        if urls
        else check(arguments.database_url, arguments.allow_waiting)
    )
    for violation in violations:
        print(violation)
    print(f"{len(violations)} invariant violations")
    sys.exit(1 if violations else 0)


if __name__ == "__main__":
    main()
