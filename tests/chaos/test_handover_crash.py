"""The crash the exactly-once issue found: CompleteBuilding for a 60-unit building, then SIGKILL
of the orchestrator and the transfer office while the handover is in full swing, both started
again by their supervisor. The transfer office dies right after the book entered its sixth
transfer (before it recorded that), the orchestrator as it asks for its eighth. Every purchase
still reaches its certificate, and the register and the offices agree: no entry without its
case, no case without its entries, each clearance consumed once."""

from __future__ import annotations

import asyncio

import pytest

from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from tests.chaos.client import AWAITING, READY, desks, file, pay, persist, presale, rid, watch_until
from tests.chaos.cluster import Cluster
from tests.support import REPORTED, new_building_number
from tools import invariants

pytestmark = pytest.mark.slow

UNITS = 60
DEATHS = {
    "transfer": "transfer/LodgeTransfer/commit/after-call=kill@6",
    "orchestrator": "orchestrator/saga/TRANSFERRED/forward/before-call=kill@8",
}


async def test_sixty_units_survive_the_orchestrator_and_transfer_office_killed_mid_handover(
    pki, fresh_database_url, tmp_path
):
    cluster = Cluster(tmp_path / "cluster", fresh_database_url, pki.root, DEATHS, tmp_path / "marks")
    await cluster.start()
    supervisor = asyncio.create_task(cluster.supervise())
    try:
        async with asyncio.timeout(300), desks(cluster.addresses, pki) as d:
            building = new_building_number()
            units = await presale(d, building, UNITS)
            gate = asyncio.Semaphore(16)

            async def filed(unit: str) -> pb.Purchase:
                async with gate:
                    purchase, _ = await file(d, pki, unit)
                    waiting = await watch_until(d.developer, purchase.name, AWAITING)
                    await pay(d, waiting)
                    return waiting

            purchases = await asyncio.gather(*(filed(u) for u in units))
            stopped = [p.problem for p in purchases if p.state != AWAITING]
            assert {p.state for p in purchases} == {AWAITING}, stopped
            await persist(
                d.developer.CompleteBuilding,
                pb.CompleteBuildingRequest(
                    request_id=rid(), building_number=building, completion_record_number="渝建竣备60"
                ),
            )
            done = await asyncio.gather(*(watch_until(d.developer, p.name, READY) for p in purchases))
    finally:
        supervisor.cancel()
        await asyncio.gather(supervisor, return_exceptions=True)
        await cluster.stop()
    assert cluster.restarts == {**dict.fromkeys(cluster.restarts, 0), "orchestrator": 1, "transfer": 1}
    assert [p.state for p in done] == [READY] * UNITS, [p.problem for p in done if p.state != READY]
    certificates = {n for p in done for n in p.documents.certificate_numbers}
    assert len(certificates) == UNITS
    assert await invariants.check(fresh_database_url) == []
    REPORTED.append(
        "60-unit handover: transfer office killed after its 6th book commit, orchestrator at its 8th"
        f" transfer; {len(certificates)} certificates, 0 invariant violations (0 orphaned entries)"
    )
