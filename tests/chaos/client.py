"""A developer's, bank's and housing authority's client as a careful integrator writes it, for the
chaos tests and the soak: every call is retried with the same request (and so the same request
id) while the answer is an outage or a lost race, and a watch that breaks is taken up again from
the last version seen. With it, the flows of a whole building (filed, paid, completed, handed
over) and of a cancellation before the transfer."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import grpc

from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from deedflow.contract.v1 import contract_service_pb2_grpc
from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from deedflow.tax.v1 import tax_service_pb2 as tax_pb
from deedflow.tax.v1 import tax_service_pb2_grpc
from deedflow.transfer.v1 import transfer_service_pb2 as transfer_pb
from deedflow.transfer.v1 import transfer_service_pb2_grpc
from shared.grpc.channels import secure_channel
from shared.pki import Pki
from tests.flows import DEVELOPER
from tests.purchases import joint_cancellation, signed_filing

RETRIED = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.ABORTED})
# A client's pause before it tries again after an outage (a retry backoff, not a wait for state).
RETRY_PAUSE_SECONDS = 0.1
AWAITING = pb.PURCHASE_STATE_AWAITING_COMPLETION
READY = pb.PURCHASE_STATE_CERTIFICATE_READY
HANDED_OVER = pb.PURCHASE_STATE_HANDED_OVER
CANCELLED = pb.PURCHASE_STATE_CANCELLED
STOPPED = frozenset({pb.PURCHASE_STATE_PARKED, pb.PURCHASE_STATE_REJECTED})


def rid() -> str:
    return str(uuid.uuid4())


async def persist(rpc, request):
    """The answer to `request`, however many outages it takes (the caller bounds the time)."""
    while True:
        try:
            return await rpc(request)
        except grpc.aio.AioRpcError as exc:
            if exc.code() not in RETRIED:
                raise
        await asyncio.sleep(RETRY_PAUSE_SECONDS)


@dataclass
class Desks:
    """Stubs as the developer, the bank, the housing authority and the registry's clerk hold them."""

    developer: orchestrator_service_pb2_grpc.PurchaseServiceStub
    contracts: contract_service_pb2_grpc.ContractServiceStub
    housing: contract_service_pb2_grpc.ContractServiceStub
    bank_tax: tax_service_pb2_grpc.TaxServiceStub
    inspector: transfer_service_pb2_grpc.TransferServiceStub


@contextlib.asynccontextmanager
async def desks(addresses: dict[str, str], pki: Pki) -> AsyncIterator[Desks]:
    def channel(service: str, caller: str) -> grpc.aio.Channel:
        return secure_channel(addresses[service], pki.ca_pem, pki.caller(caller), default_timeout=20)

    channels = [
        channel("orchestrator", "developer"),
        channel("contract", "developer"),
        channel("contract", "housing"),
        channel("tax", "bank-a"),
        channel("transfer", "clerk"),
    ]
    try:
        yield Desks(
            orchestrator_service_pb2_grpc.PurchaseServiceStub(channels[0]),
            contract_service_pb2_grpc.ContractServiceStub(channels[1]),
            contract_service_pb2_grpc.ContractServiceStub(channels[2]),
            tax_service_pb2_grpc.TaxServiceStub(channels[3]),
            transfer_service_pb2_grpc.TransferServiceStub(channels[4]),
        )
    finally:
        for c in channels:
            await c.close()


async def watch_until(desk, name: str, *states: int) -> pb.Purchase:
    """The purchase once it reaches one of `states`, or stops (parked, rejected) or ends elsewhere:
    whatever it shows then, for the caller to assert on. A broken watch resumes from the last
    version seen."""
    after = 0
    while True:
        # Ended as soon as it has answered: a server takes at most 256 streams on one connection.
        stream = desk.WatchPurchase(pb.WatchPurchaseRequest(name=name, after_version=after))
        try:
            async for change in stream:
                after = change.purchase.version
                if change.purchase.state in states or change.purchase.state in STOPPED:
                    return change.purchase
            return (await persist(desk.GetPurchase, pb.GetPurchaseRequest(name=name))).purchase
        except grpc.aio.AioRpcError as exc:
            if exc.code() not in RETRIED:
                raise
        finally:
            stream.cancel()
        await asyncio.sleep(RETRY_PAUSE_SECONDS)


async def presale(d: Desks, building: str, units: int) -> list[str]:
    numbers = [f"{building}{n // 99 + 1:02d}{n % 99 + 1:02d}" for n in range(units)]
    await persist(
        d.housing.CreateProject,
        contract_pb.CreateProjectRequest(
            request_id=rid(),
            display_name="示例花园（虚构）",
            presale_permit_number=f"渝住建预售({building[-9:]})",
            developer=DEVELOPER,
            units=[
                contract_pb.ProjectUnit(
                    unit_number=n, room_label=n[-4:], gross_area_dm2=9_000, residential=True
                )
                for n in numbers
            ],
        ),
    )
    # The registry's site inspection (CQ 21), on record before the building is completed.
    await persist(
        d.inspector.RecordSiteInspection,
        transfer_pb.RecordSiteInspectionRequest(
            request_id=rid(),
            building_number=building,
            outcome=transfer_pb.SITE_INSPECTION_OUTCOME_AS_DESCRIBED,
        ),
    )
    return numbers


async def file(d: Desks, pki: Pki, unit: str, with_loan: bool = True):
    """Files the purchase once (whatever the retries); the purchase and its buyers."""
    filing, people = signed_filing(pki, unit, with_loan=with_loan)
    reply = await persist(d.developer.FilePurchase, pb.FilePurchaseRequest(request_id=rid(), filing=filing))
    return reply.purchase, people


async def pay(d: Desks, purchase: pb.Purchase) -> None:
    await persist(
        d.bank_tax.RecordPayment,
        tax_pb.RecordPaymentRequest(
            request_id=rid(),
            assessment=purchase.documents.tax_assessment,
            payment=tax_pb.Payment(
                payment_reference=f"PAY-{uuid.uuid4().hex[:12]}", amount_fen=purchase.documents.tax_fen
            ),
        ),
    )


async def building_handed_over(d: Desks, pki: Pki, building: str, units: int) -> list[pb.Purchase]:
    """A building's purchases, each with a loan, from filing to handover: every purchase as it
    ends (HANDED_OVER, unless something stopped it)."""
    numbers = await presale(d, building, units)
    filed = [p for p, _ in await asyncio.gather(*(file(d, pki, unit) for unit in numbers))]
    waiting = await asyncio.gather(*(watch_until(d.developer, p.name, AWAITING) for p in filed))
    if any(p.state != AWAITING for p in waiting):
        return list(waiting)
    await asyncio.gather(*(pay(d, p) for p in waiting))
    await persist(
        d.developer.CompleteBuilding,
        pb.CompleteBuildingRequest(
            request_id=rid(), building_number=building, completion_record_number=f"渝建竣备{building[-6:]}"
        ),
    )
    return list(await asyncio.gather(*(hand_over(d, p.name) for p in filed)))


async def hand_over(d: Desks, name: str) -> pb.Purchase:
    ready = await watch_until(d.developer, name, READY)
    if ready.state != READY:
        return ready
    return (
        await persist(d.developer.ConfirmHandover, pb.ConfirmHandoverRequest(request_id=rid(), name=name))
    ).purchase


async def cancelled_before_transfer(d: Desks, pki: Pki, building: str) -> pb.Purchase:
    """A financed purchase waiting for its building, cancelled by every party and the bank: the
    purchase as it ends (CANCELLED, unless something stopped it)."""
    (unit,) = await presale(d, building, 1)
    purchase, people = await file(d, pki, unit)
    waiting = await watch_until(d.developer, purchase.name, AWAITING)
    if waiting.state != AWAITING:
        return waiting
    await pay(d, waiting)
    contract = (
        await persist(
            d.contracts.GetContract, contract_pb.GetContractRequest(name=waiting.documents.contract)
        )
    ).contract
    await persist(
        d.developer.CancelPurchase,
        pb.CancelPurchaseRequest(
            request_id=rid(),
            name=purchase.name,
            joint=joint_cancellation(
                pki, people, contract.terms.unit_number, contract.digest, with_bank=True
            ),
        ),
    )
    return await watch_until(d.developer, purchase.name, CANCELLED)
