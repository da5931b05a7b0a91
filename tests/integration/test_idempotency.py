"""The idempotency store on real PostgreSQL: replays are identical, a reused request id with
another payload is refused and changes nothing, concurrent duplicates have one effect."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from deedflow.tax.v1 import tax_service_pb2 as pb
from shared.db import Database
from shared.errors import FailedPrecondition, RequestIdReused
from shared.idempotency import IdempotencyKey, run_idempotent
from shared.migrate import migrate

METHOD = "/deedflow.tax.v1.TaxService/RecordPayment"


@pytest.fixture(scope="module")
async def database(database_url):
    """The tax schema as migrated, plus a table that counts effects."""
    await migrate(database_url, "tax")
    db = await Database.connect(database_url, "tax", max_size=24)
    async with db.transaction() as connection:
        await connection.execute(
            "CREATE TABLE IF NOT EXISTS test_effect (id bigserial PRIMARY KEY, request_id uuid NOT NULL)"
        )
    yield db
    await db.close()


def _request(request_id: str, amount: int = 1_200_000) -> pb.RecordPaymentRequest:
    return pb.RecordPaymentRequest(
        request_id=request_id,
        assessment="assessments/1",
        payment=pb.Payment(payment_reference="PAY-1", amount_fen=amount),
    )


async def _effects(db: Database, request_id: str) -> int:
    async with db.transaction() as connection:
        return await connection.fetchval(
            "SELECT count(*) FROM test_effect WHERE request_id = $1", uuid.UUID(request_id)
        )


def _work(request_id: str, pause: float = 0.0):
    async def work(connection):
        effect_id = await connection.fetchval(
            "INSERT INTO test_effect (request_id) VALUES ($1) RETURNING id", uuid.UUID(request_id)
        )
        # Holding the transaction open lets concurrent duplicates pile up on the claim.
        await asyncio.sleep(pause)
        return pb.RecordPaymentResponse(
            assessment=pb.Assessment(
                name=f"assessments/{effect_id}", tax_fen=1_200_000, clearance_number=str(effect_id)
            )
        )

    return work


async def test_replay_returns_the_identical_response_and_does_nothing_again(database):
    request_id = str(uuid.uuid4())
    key = IdempotencyKey("deedflow://bank/915000007094231152", METHOD, request_id)
    first = await run_idempotent(
        database, key, _request(request_id), pb.RecordPaymentResponse, _work(request_id)
    )
    second = await run_idempotent(
        database, key, _request(request_id), pb.RecordPaymentResponse, _work(request_id)
    )
    assert second.SerializeToString(deterministic=True) == first.SerializeToString(deterministic=True)
    assert await _effects(database, request_id) == 1


async def test_same_request_id_with_other_payload_is_refused_and_changes_nothing(database):
    request_id = str(uuid.uuid4())
    key = IdempotencyKey("deedflow://bank/915000007094231152", METHOD, request_id)
    await run_idempotent(database, key, _request(request_id), pb.RecordPaymentResponse, _work(request_id))
    with pytest.raises(RequestIdReused) as caught:
        await run_idempotent(
            database, key, _request(request_id, amount=1), pb.RecordPaymentResponse, _work(request_id)
        )
    assert caught.value.reason == "REQUEST_ID_REUSED"
    assert await _effects(database, request_id) == 1


async def test_concurrent_duplicates_produce_one_effect(database):
    request_id = str(uuid.uuid4())
    key = IdempotencyKey("deedflow://developer/91500112MA5U0DF01L", METHOD, request_id)
    responses = await asyncio.gather(
        *(
            run_idempotent(
                database, key, _request(request_id), pb.RecordPaymentResponse, _work(request_id, 0.05)
            )
            for _ in range(20)
        )
    )
    assert len({r.SerializeToString(deterministic=True) for r in responses}) == 1
    assert await _effects(database, request_id) == 1


async def test_the_key_includes_the_caller(database):
    request_id = str(uuid.uuid4())
    for bank in ("915000007094231152", "91500000MA60BNK00D"):
        key = IdempotencyKey(f"deedflow://bank/{bank}", METHOD, request_id)
        await run_idempotent(database, key, _request(request_id), pb.RecordPaymentResponse, _work(request_id))
    assert await _effects(database, request_id) == 2


async def test_a_refused_request_leaves_no_claim_and_may_be_retried(database):
    request_id = str(uuid.uuid4())
    key = IdempotencyKey("deedflow://clerk/C0001", METHOD, request_id)

    async def refuse(connection):
        await _work(request_id)(connection)
        raise FailedPrecondition("DEED_TAX_UNPAID", "not yet")

    with pytest.raises(FailedPrecondition):
        await run_idempotent(database, key, _request(request_id), pb.RecordPaymentResponse, refuse)
    assert await _effects(database, request_id) == 0
    await run_idempotent(database, key, _request(request_id), pb.RecordPaymentResponse, _work(request_id))
    assert await _effects(database, request_id) == 1
