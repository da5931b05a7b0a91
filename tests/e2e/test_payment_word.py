"""The tax office tells the saga when a contract's tax is paid (WatchClearances): on a stack whose
saga looks at the clearance by itself only once an hour, a purchase waiting for its tax goes on
as soon as the bank's payment is recorded, and until then the saga has not asked the tax office
for a clearance it has heard nothing of."""

from __future__ import annotations

import pytest

from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from shared.catalog import SERVICE_NAMES
from tests.flows import open_offices, presale
from tests.purchases import file_purchase, pay, signed_filing, until_waiting
from tests.support import client_channel, fresh_database, in_process, scrape

AN_HOUR = "3600"
GET_CLEARANCE = "/deedflow.tax.v1.TaxService/GetClearance"


@pytest.fixture(scope="module")
def word_database(server_url):
    yield from fresh_database(server_url)


@pytest.fixture(scope="module")
async def slow_looking_stack(word_database, test_settings, pki, tmp_path_factory):
    """Every office, with the saga's own look at a waiting tax an hour apart. A home and
    addresses of its own: nothing of this stack may find the session's offices."""
    settings = test_settings.model_copy(
        deep=True, update={"addresses": {}, "home": tmp_path_factory.mktemp("word-home")}
    )
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DEEDFLOW_SAGA_TAX_RECHECK_SECONDS", AN_HOUR)
        async with (
            in_process(SERVICE_NAMES, settings, word_database) as started,
            open_offices({n: s.server.port for n, s in started.items()}, pki) as offices,
            client_channel(started["orchestrator"].server.port, pki, "developer") as desk_channel,
        ):
            yield (
                offices,
                orchestrator_service_pb2_grpc.PurchaseServiceStub(desk_channel),
                started["tax"].deps.metrics.port,
            )


async def _clearances_asked(metrics_port: int) -> float:
    """How many times the tax office has been asked for a clearance, whatever it answered."""
    return sum(
        value
        for (name, labels), value in (await scrape(metrics_port)).items()
        if name == "deedflow_grpc_requests_total" and ("method", GET_CLEARANCE) in labels
    )


async def test_a_payment_wakes_the_purchase_waiting_for_it(slow_looking_stack, pki):
    """契税法 11 as the saga waits for it: the tax office's clearance reaches the waiting purchase
    when the payment commits, not at the saga's next look an hour later."""
    offices, desk, tax_metrics = slow_looking_stack
    _, (unit, _) = await presale(offices)
    filing, _ = signed_filing(pki, unit, with_loan=False)
    asked_before = await _clearances_asked(tax_metrics)
    purchase = await file_purchase(desk, filing)
    waiting = await until_waiting(desk, purchase.name, step=pb.STEP_KIND_TAX_PAID)
    assert not waiting.documents.tax_clearance_number
    # No word of a payment yet: the saga waits for one without asking.
    assert await _clearances_asked(tax_metrics) == asked_before
    await pay(offices, waiting)
    # Paid: the tax step is done and the purchase waits for its building, well inside the hour.
    paid = await until_waiting(desk, purchase.name, seconds=30, step=pb.STEP_KIND_BUILDING_FIRST_REGISTERED)
    assert paid.documents.tax_clearance_number
    assert await _clearances_asked(tax_metrics) > asked_before
