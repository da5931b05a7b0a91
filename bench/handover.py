"""Handover day (交房): K purchases of one building wait for completion, with the tax paid;
CompleteBuilding then carries every one through first registration, transfer with the mortgage
and the certificate. Prints the seconds until every certificate is ready and the cost per unit.
Every service runs as its own process.

    .venv/bin/python -m bench.handover --units 200
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import grpc

from bench.floor import run as run_floor
from bench.stack import cpu_by_service, print_cpu, running_stack
from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from deedflow.contract.v1 import contract_service_pb2_grpc
from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from deedflow.tax.v1 import tax_service_pb2 as tax_pb
from deedflow.tax.v1 import tax_service_pb2_grpc
from deedflow.transfer.v1 import transfer_service_pb2 as transfer_pb
from deedflow.transfer.v1 import transfer_service_pb2_grpc
from shared.config import Settings
from shared.grpc.channels import secure_channel
from shared.pki import Pki
from shared.runstate import address_of
from tests.flows import DEVELOPER, next_resident_id
from tests.parties import buyer
from tests.purchases import signed_filing

BUILDING = "500112001002GB09998F0001"


# The floor's concurrency: the handover keeps about this many purchases in flight.
FLOOR_CONCURRENCY = 16

# A server takes at most 256 streams on one connection (shared/grpc/server.py): the watches of a
# large building are spread over channels of this many each.
WATCHES_PER_CHANNEL = 200

# The shares of the certificates whose arrival time is printed: whether they come steadily or in lumps.
SHARES = (1, 10, 25, 50, 75, 90, 100)


def _paid(purchase: pb.Purchase) -> bool:
    """The saga has taken the tax as paid (its TAX_PAID step is done)."""
    return any(s.kind == pb.STEP_KIND_TAX_PAID and s.state == pb.STEP_STATE_SUCCEEDED for s in purchase.steps)


class Watch:
    """One purchase's watch, held from its filing to its certificate: one stream a purchase, as
    a developer's system would hold it (the orchestrator admits 1,000 watches a caller, and a
    watch ended just before another begins may not have been let go by the server yet). A watch
    whose orchestrator replica died is opened again on another (it begins with the purchase as
    it stands, so nothing is missed)."""

    def __init__(self, desk, name: str) -> None:
        self.desk = desk
        self.name = name
        self.stream = desk.WatchPurchase(pb.WatchPurchaseRequest(name=name))

    async def until(self, reached: Callable[[pb.Purchase], bool]) -> pb.Purchase:
        while True:
            try:
                change = await self.stream.read()
            except grpc.aio.AioRpcError as exc:
                if exc.code() != grpc.StatusCode.UNAVAILABLE:
                    raise
                self.stream = self.desk.WatchPurchase(pb.WatchPurchaseRequest(name=self.name))
                continue
            if change is grpc.aio.EOF:
                raise RuntimeError(f"the watch of {self.name} ended")
            if reached(change.purchase):
                return change.purchase
            if change.purchase.state in (pb.PURCHASE_STATE_PARKED, pb.PURCHASE_STATE_REJECTED):
                raise RuntimeError(f"{self.name} stopped: {change.purchase.problem}")

    def end(self) -> None:
        self.stream.cancel()


@dataclass
class Handed:
    """What a handover took: filing and paying, then CompleteBuilding to every certificate."""

    units: int
    prepared: float
    seconds: float
    first_registered: float
    arrivals: list[float]
    # Each process's CPU seconds when the buildings were completed (bench.stack.cpu_by_service).
    cpu_at_completion: dict[str, float]
    # Milliseconds of each FilePurchase call (launch day: every sale filed at once).
    filing_ms: list[float]


async def hand_over(
    settings: Settings,
    pki: Pki,
    buildings: list[str],
    units: int,
    filing_concurrency: int,
    during: Callable[[], Awaitable[None]] | None = None,
) -> Handed:
    """`units` purchases of each building filed and paid; then every building completed at once,
    and the time until every certificate is ready. `during` runs once the buildings are
    completed, while the certificates are being made (the rehearsal kills replicas there)."""

    def channel(service: str, identity):
        # The server must prove it is that service (whatever the address names: one replica,
        # a list of them, a DNS name).
        return secure_channel(
            address_of(settings, service), pki.ca_pem, identity, default_timeout=120, service=service
        )

    async with (
        channel("contract", pki.caller("housing")) as housing_channel,
        channel("orchestrator", pki.caller("developer")) as desk_channel,
        channel("tax", pki.caller("bank-a")) as tax_channel,
        channel("transfer", pki.caller("clerk")) as clerk_channel,
    ):
        housing = contract_service_pb2_grpc.ContractServiceStub(housing_channel)
        desk = orchestrator_service_pb2_grpc.PurchaseServiceStub(desk_channel)
        tax = tax_service_pb2_grpc.TaxServiceStub(tax_channel)
        numbers = []
        for building in buildings:
            # Floor and room, 20 to a floor: four digits hold the 1,000-unit building and more.
            units_of = [f"{building}{n // 20 + 1:02d}{n % 20 + 1:02d}" for n in range(units)]
            numbers += units_of
            await housing.CreateProject(
                contract_pb.CreateProjectRequest(
                    request_id=str(uuid.uuid4()),
                    display_name="交房压测（虚构）",
                    presale_permit_number=f"渝住建预售(HANDOVER-{building[:6]}-{building[-6:]})",
                    developer=DEVELOPER,
                    units=[
                        contract_pb.ProjectUnit(
                            unit_number=u, room_label=u[-4:], gross_area_dm2=9_000, residential=True
                        )
                        for u in units_of
                    ],
                )
            )
        gate = asyncio.Semaphore(filing_concurrency)
        async with contextlib.AsyncExitStack() as watching:
            desks = [
                orchestrator_service_pb2_grpc.PurchaseServiceStub(
                    await watching.enter_async_context(channel("orchestrator", pki.caller("developer")))
                )
                for _ in range(0, len(numbers), WATCHES_PER_CHANNEL)
            ]
            watches: list[Watch] = []
            watching.callback(lambda: [w.end() for w in watches])
            filing_ms: list[float] = []

            async def prepare(i: int, unit: str) -> None:
                filing, _ = signed_filing(pki, unit, with_loan=True, buyers=[buyer(pki, next_resident_id())])
                async with gate:
                    sent = time.perf_counter()
                    reply = await desk.FilePurchase(
                        pb.FilePurchaseRequest(request_id=str(uuid.uuid4()), filing=filing)
                    )
                    filing_ms.append((time.perf_counter() - sent) * 1000)
                    watch = Watch(desks[i // WATCHES_PER_CHANNEL], reply.purchase.name)
                    watches.append(watch)
                    awaiting = await watch.until(lambda p: p.state == pb.PURCHASE_STATE_AWAITING_COMPLETION)
                    docs = awaiting.documents
                    await tax.RecordPayment(
                        tax_pb.RecordPaymentRequest(
                            request_id=str(uuid.uuid4()),
                            assessment=docs.tax_assessment,
                            payment=tax_pb.Payment(
                                payment_reference=f"P-{uuid.uuid4().hex[:12]}",
                                amount_fen=docs.tax_fen,
                            ),
                        )
                    )
                    # The building is completed once every sale is paid and the saga has
                    # taken note: that noting is not part of the handover's time.
                    await watch.until(_paid)

            began = time.perf_counter()
            await asyncio.gather(*(prepare(i, u) for i, u in enumerate(numbers)))
            prepared = time.perf_counter() - began

            clerk = transfer_service_pb2_grpc.TransferServiceStub(clerk_channel)
            for building in buildings:
                # The registry's site inspection (CQ 21) is on record before completion is declared.
                await clerk.RecordSiteInspection(
                    transfer_pb.RecordSiteInspectionRequest(
                        request_id=str(uuid.uuid4()),
                        building_number=building,
                        outcome=transfer_pb.SITE_INSPECTION_OUTCOME_AS_DESCRIBED,
                    )
                )
            began = time.perf_counter()
            cpu_at_completion = cpu_by_service(settings)
            await asyncio.gather(
                *(
                    desk.CompleteBuilding(
                        pb.CompleteBuildingRequest(
                            request_id=str(uuid.uuid4()),
                            building_number=building,
                            completion_record_number=f"渝建竣备(BENCH-{building[-6:]})",
                        )
                    )
                    for building in buildings
                )
            )
            first_registered = time.perf_counter() - began
            if during is not None:
                await during()

            async def ready(watch: Watch) -> float:
                await watch.until(lambda p: p.state == pb.PURCHASE_STATE_CERTIFICATE_READY)
                return time.perf_counter() - began

            arrivals = sorted(await asyncio.gather(*(ready(w) for w in watches)))
        seconds = time.perf_counter() - began
        return Handed(
            len(numbers), prepared, seconds, first_registered, arrivals, cpu_at_completion, filing_ms
        )


async def handover(units: int, filing_concurrency: int) -> None:
    with running_stack() as (settings, pki):
        handed = await hand_over(settings, pki, [BUILDING], units, filing_concurrency)
        print_cpu(settings, handed.cpu_at_completion, " from CompleteBuilding to the last certificate")
    seconds = handed.seconds
    print(f"handover: {units} units with mortgages, filed and paid in {handed.prepared:.1f} s")
    per_unit = seconds / units * 1000
    print(f"  CompleteBuilding -> every certificate ready: {seconds:.2f} s, {per_unit:.1f} ms per unit")
    arrivals = handed.arrivals
    print(
        f"  first registration answered at {handed.first_registered:.2f} s; certificates ready:"
        + ", ".join(
            f" {share}% at {arrivals[max(0, len(arrivals) * share // 100 - 1)]:.2f} s" for share in SHARES
        )
    )
    floor = await run_floor(2000, [FLOOR_CONCURRENCY])
    insert = next(f for f in floor if f.name == "EchoInsert")
    hop_ms = 1000 / insert.throughput
    print(
        f"  floor at c={FLOOR_CONCURRENCY}: echo+insert {insert.throughput:.0f} calls/s"
        f" ({hop_ms:.2f} ms of the machine each); a unit cost {per_unit / hop_ms:.0f} of them"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--filing-concurrency", type=int, default=32)
    args = parser.parse_args()
    asyncio.run(handover(args.units, args.filing_concurrency))


if __name__ == "__main__":
    main()
