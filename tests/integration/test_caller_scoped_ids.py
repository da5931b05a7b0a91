"""Ids derived from a request id belong to its caller (issue 31): two developers that happen to
choose the same request id each file their own flat, one after the other and at once, and each
purchase, its contract and the rest of its saga go on as if the other did not exist."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from deedflow.contract.v1 import contract_service_pb2_grpc
from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from deedflow.type.v1 import parties_pb2
from shared.ids import request_derived_id
from tests.flows import presale
from tests.parties import buyer
from tests.purchases import seller_of, signed_filing, until
from tests.support import client_channel

SELLERS = ("developer", "developer-b")
PAST_FILING = (
    pb.PURCHASE_STATE_AWAITING_COMPLETION,
    pb.PURCHASE_STATE_REJECTED,
    pb.PURCHASE_STATE_PARKED,
)


@contextlib.asynccontextmanager
async def desks(services, pki, service: str, stub_type):
    async with contextlib.AsyncExitStack() as stack:
        yield {
            who: stub_type(
                await stack.enter_async_context(client_channel(services[service].server.port, pki, who))
            )
            for who in SELLERS
        }


def test_a_derived_id_is_the_callers_own():
    namespace, request_id = uuid.uuid4(), str(uuid.uuid4())
    a = request_derived_id(namespace, "deedflow://developer/A", request_id)
    assert a == request_derived_id(namespace, "deedflow://developer/A", request_id)
    assert a != request_derived_id(namespace, "deedflow://developer/B", request_id)
    assert a != request_derived_id(namespace, "deedflow://developer/A", request_id, "context")


async def _file_each(offices, services, pki, concurrently: bool) -> dict[str, pb.Purchase]:
    request_id = str(uuid.uuid4())
    filings = {}
    for who in SELLERS:
        _, (unit,) = await presale(offices, units=1, developer=seller_of(pki, who))
        filings[who], _ = signed_filing(pki, unit, with_loan=False, seller=who)
    async with desks(services, pki, "orchestrator", orchestrator_service_pb2_grpc.PurchaseServiceStub) as by:
        calls = {
            who: by[who].FilePurchase(pb.FilePurchaseRequest(request_id=request_id, filing=filings[who]))
            for who in SELLERS
        }
        if concurrently:
            replies = dict(zip(calls, await asyncio.gather(*calls.values()), strict=True))
        else:
            replies = {who: await call for who, call in calls.items()}
        settled = {who: await until(by[who], replies[who].purchase.name, *PAST_FILING) for who in SELLERS}
    return {who: (replies[who].purchase, settled[who]) for who in SELLERS}


async def test_two_developers_one_request_id_one_after_the_other(offices, services, pki):
    filed = await _file_each(offices, services, pki, concurrently=False)
    names = {who: filed[who][0].name for who in SELLERS}
    assert names["developer"] != names["developer-b"]
    for who in SELLERS:
        first, settled = filed[who]
        assert first.filing.developer.uscc == seller_of(pki, who).uscc
        assert settled.state == pb.PURCHASE_STATE_AWAITING_COMPLETION, settled.problem


async def test_two_developers_one_request_id_at_once(offices, services, pki):
    filed = await _file_each(offices, services, pki, concurrently=True)
    assert filed["developer"][0].name != filed["developer-b"][0].name
    for who in SELLERS:
        assert filed[who][1].state == pb.PURCHASE_STATE_AWAITING_COMPLETION, filed[who][1].problem


async def test_two_developers_one_request_id_each_contract_their_own_flat(offices, services, pki):
    request_id = str(uuid.uuid4())
    people = [buyer(pki, "11010519491231002X")]
    async with desks(services, pki, "contract", contract_service_pb2_grpc.ContractServiceStub) as by:
        created = {}
        for who in SELLERS:
            _, (unit,) = await presale(offices, units=1, developer=seller_of(pki, who))
            terms = contract_pb.ContractTerms(
                unit_number=unit,
                developer=seller_of(pki, who),
                buyers=[
                    parties_pb2.Buyer(
                        name="买受人",
                        resident_id=people[0].party.removeprefix("buyers/"),
                        share_basis_points=10_000,
                        home_count=parties_pb2.HOME_COUNT_ONLY,
                    )
                ],
                price_ex_vat_fen=100_000_000,
                gross_area_dm2=9_000,
            )
            reply = await by[who].CreateContract(
                contract_pb.CreateContractRequest(request_id=request_id, terms=terms)
            )
            created[who] = reply.contract
        assert created["developer"].name != created["developer-b"].name
        for who in SELLERS:
            mine = await by[who].GetContract(contract_pb.GetContractRequest(name=created[who].name))
            assert mine.contract.terms.developer.uscc == seller_of(pki, who).uscc
