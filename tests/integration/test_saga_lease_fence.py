"""The saga's lease (and the journal's) fences off an advance that outlived it, even in the
worker that claimed the purchase again. A step's call ran past the lease (a slow machine, a peer
that timed out); the same worker's loop found the purchase due and claimed it again, and the new
advance went on to record later steps. The old advance, answered at last, must not write its
stale documents over them: the soak lost a purchase's pre-registration so, and parked it at its
transfer. Claimed twice, the purchase has two holders; only the second writes. On a database of
its own, so the engine here claims nothing but this purchase."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from services.orchestrator import repository
from services.orchestrator.config import SagaSettings
from services.orchestrator.engine import Engine, hold
from shared.clock import SettableClock, SystemClock
from shared.db import Database
from shared.durable import LeaseLostBeforeWriting
from shared.journal import Journal, Operation
from shared.migrate import migrate
from tests.saga_rows import leased_purchase
from tests.support import new_building_number

WORKER = "orchestrator-1:4242:abcdef"


@pytest.fixture
async def database(fresh_database_url):
    await migrate(fresh_database_url, "orchestrator")
    opened = await Database.connect(fresh_database_url, "orchestrator")
    try:
        yield opened
    finally:
        await opened.close()


async def _due_with_its_lease_run_out(database: Database, purchase_id) -> None:
    async with database.transaction() as connection:
        await connection.execute(
            "UPDATE purchase SET due_at = now() - interval '1 second',"
            " lease_until = now() - interval '1 second' WHERE id = $1",
            purchase_id,
        )


async def test_an_advance_that_outlived_its_lease_writes_nothing_after_the_same_worker_claims_again(database):
    engine = Engine(database, SystemClock(), None, None, WORKER, SagaSettings())
    row = await leased_purchase(database, new_building_number(), "nobody")
    await _due_with_its_lease_run_out(database, row.id)
    ((first, _),) = await engine._claim(1)
    await _due_with_its_lease_run_out(database, row.id)
    ((second, _),) = await engine._claim(1)
    assert first.leased_by.startswith(WORKER)
    assert second.leased_by.startswith(WORKER)
    assert first.leased_by != second.leased_by

    hold(second)
    later = pb.PurchaseDocuments(contract="contracts/c", preregistration="preregistrations/p")
    await engine._write(row.id, documents=later.SerializeToString())

    hold(first)
    stale = pb.PurchaseDocuments(contract="contracts/c")
    with pytest.raises(LeaseLostBeforeWriting):
        await engine._write(row.id, documents=stale.SerializeToString())
    async with database.transaction() as connection:
        kept = await repository.purchase(connection, row.id)
    assert pb.PurchaseDocuments.FromString(kept.documents) == later
    assert kept.lease_until > dt.datetime.now(dt.UTC)


async def test_a_journal_driver_that_outlived_its_lease_writes_nothing_after_the_same_worker_takes_over(
    fresh_database_url,
):
    """The journal's lease likewise: an operation taken over by the worker whose own driver of
    it is still running (its lease ran out during a slow call) has two holders, and the first
    driver's next transaction is refused."""
    await migrate(fresh_database_url, "preregistration")
    database = await Database.connect(fresh_database_url, "preregistration")
    clock = SettableClock(dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC))
    journal = Journal(database, clock, "preregistration", WORKER)
    op_id = uuid.uuid4()
    try:
        async with database.transaction() as connection:
            await connection.execute(
                "INSERT INTO operation (id, kind, subject, state, caller, method, request_id, input,"
                " due_at, create_time, update_time)"
                " VALUES ($1, 'Probe', 'probes/1', 'RUNNING', 'deedflow://clerk/C0001', '/Probe', $2, '',"
                " $3, $3, $3)",
                op_id,
                uuid.uuid4(),
                clock.now(),
            )
        first = await journal._take(op_id)
        clock.advance(journal.lease + dt.timedelta(seconds=1))
        second = await journal._take(op_id)
        assert isinstance(first, Operation)
        assert isinstance(second, Operation)
        assert first.holder != second.holder

        async def mark(connection, at) -> bytes:
            return b"done"

        assert await second.local("by-the-second", mark) == b"done"
        with pytest.raises(LeaseLostBeforeWriting):
            await first.local("by-the-first", mark)
        async with database.transaction() as connection:
            steps = await connection.fetch("SELECT name FROM operation_step WHERE operation_id = $1", op_id)
        assert [s["name"] for s in steps] == ["by-the-second"]
    finally:
        await database.close()
