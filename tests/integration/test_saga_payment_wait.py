"""The wait for the tax never loses the tax office's word that it is paid.

A worker asks the tax office for the clearance and hears "unpaid"; the bank's payment commits and
the tax office's word (WatchClearances) arrives before the worker has recorded the purchase
waiting. The word found the step under way, not waiting, so it could not make it due; it counts
itself on the purchase instead, and the worker's wait, compared with the count it claimed the
purchase at, stays due. A word that arrives while the wait's transaction holds the purchase is
judged after that transaction commits, and finds the step waiting.

A word is counted on a purchase whatever step it is at, until its transfer: a payment made while
the saga is still filing is known when the tax step comes, which asks the tax office only then
(steps.tax_paid); with no word it waits without asking."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

from services.orchestrator import repository
from services.orchestrator.config import SagaSettings
from services.orchestrator.engine import Engine, hold, save
from shared.clock import SystemClock
from tests.saga_rows import leased_purchase
from tests.support import new_building_number

WORKER = "test-worker"
LATER = dt.timedelta(hours=1)


async def _purchase_asking_for_its_tax(database):
    """A purchase leased to this test's worker, its TAX_PAID step under way (the worker asking)."""
    contract = f"contracts/{uuid.uuid4()}"
    row = await leased_purchase(database, new_building_number(), WORKER, contract)
    async with database.transaction() as connection:
        await repository.write_steps(
            connection, row.id, [("TAX_PAID", "FORWARD", {"state": "RUNNING", "attempts": 1})]
        )
    return row, contract


def _wait_columns(row) -> dict:
    return {
        "state": "AWAITING_COMPLETION",
        # The saga's own next look, far off; the lease is kept so that the session's workers leave
        # this bare purchase alone.
        "due_at": SystemClock().now() + LATER,
        "lease_until": row.lease_until,
    }


_WAITING = [("TAX_PAID", "FORWARD", {"state": "WAITING", "attempts": 1})]


async def _word(database, contract: str) -> int:
    async with database.transaction() as connection:
        return await repository.make_tax_waits_due(connection, SystemClock().now(), contract)


async def _end(database, purchase_id):
    async with database.transaction() as connection:
        recorded = await repository.purchase(connection, purchase_id)
        await connection.execute(
            "UPDATE purchase SET state = 'REJECTED', due_at = NULL WHERE id = $1", purchase_id
        )
    return recorded


async def _record_wait(database, row) -> None:
    engine = Engine(database, SystemClock(), None, None, WORKER, SagaSettings())
    hold(row)
    await engine._write(row.id, _WAITING, tax_words=row.tax_words, **_wait_columns(row))


async def test_a_word_during_the_ask_keeps_the_purchase_due(services):
    database = services["orchestrator"].deps.database
    row, contract = await _purchase_asking_for_its_tax(database)
    # The word comes while the step is under way: there is nothing waiting to wake yet.
    assert await _word(database, contract) == 0
    await _record_wait(database, row)
    recorded = await _end(database, row.id)
    assert recorded.due_at < SystemClock().now() + LATER / 2


async def test_without_a_word_the_purchase_waits_for_its_next_look(services):
    database = services["orchestrator"].deps.database
    row, _ = await _purchase_asking_for_its_tax(database)
    await _record_wait(database, row)
    recorded = await _end(database, row.id)
    assert recorded.due_at > SystemClock().now() + LATER / 2


async def test_a_word_waiting_on_the_wait_being_written_wakes_the_purchase(services):
    database = services["orchestrator"].deps.database
    row, contract = await _purchase_asking_for_its_tax(database)
    async with database.transaction() as saga:
        at = SystemClock().now()
        await save(saga, row.id, at, WORKER, _WAITING, **_wait_columns(row))
        await repository.wait_for_tax(saga, row.id, row.tax_words, at)
        word = asyncio.ensure_future(_word(database, contract))
        # The word's transaction reaches the purchase this one holds, and waits for it.
        async with database.transaction() as observer:
            while not await observer.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND query LIKE 'SELECT p.id FROM purchase p%'"
            ):
                assert not word.done(), "the word went through while the wait held the purchase"
    assert await word == 1
    recorded = await _end(database, row.id)
    assert recorded.due_at < SystemClock().now() + LATER / 2


async def _tax_words(database, purchase_id) -> int:
    async with database.transaction() as connection:
        return (await repository.purchase(connection, purchase_id)).tax_words


async def test_a_word_before_the_tax_step_is_counted_for_it(services):
    database = services["orchestrator"].deps.database
    contract = f"contracts/{uuid.uuid4()}"
    row = await leased_purchase(database, new_building_number(), WORKER, contract, state="FILING")
    # Nothing waits for the tax yet: nothing is woken, but the word is kept.
    assert await _word(database, contract) == 0
    assert await _tax_words(database, row.id) == row.tax_words + 1
    await _end(database, row.id)


async def test_words_that_may_have_been_missed_count_until_the_transfer(services):
    database = services["orchestrator"].deps.database
    building = new_building_number()
    filing = await leased_purchase(database, building, WORKER, f"contracts/{uuid.uuid4()}", state="FILING")
    transferring = await leased_purchase(
        database, new_building_number(), WORKER, f"contracts/{uuid.uuid4()}", state="TRANSFERRING"
    )
    # The resync that starts every stream of words names no contract.
    await _word(database, "")
    assert await _tax_words(database, filing.id) == filing.tax_words + 1
    assert await _tax_words(database, transferring.id) == transferring.tax_words
    for row in (filing, transferring):
        await _end(database, row.id)
