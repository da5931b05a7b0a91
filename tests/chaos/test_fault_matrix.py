"""The fault matrix: every named fault point (a boundary between a local commit and a remote call,
in every office and the orchestrator) x what can go wrong there:

- kill: the process dies with SIGKILL and its supervisor starts it again on its port;
- db: the database becomes unreachable;
- peer: the peer is unreachable and the call never leaves (before a call);
- lost: the peer acted but its answer is lost (after a call);

for a financed purchase from filing to handover and for a cancellation before the transfer. The
points are found by running the flows once with tracing on; each mode then arms every point it
applies to, each firing once, while the flows run again on fresh units. Every purchase must end
where it should, every point must have fired, and the invariants (tools/invariants.py) must hold.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from shared import faults
from shared.catalog import SERVICE_NAMES
from shared.config import Settings
from tests.chaos.client import CANCELLED, HANDED_OVER, building_handed_over, cancelled_before_transfer, desks
from tests.chaos.cluster import QUICK, Cluster
from tests.support import REPORTED, fresh_database, in_process, new_building_number
from tools import invariants

pytestmark = pytest.mark.slow

MODES_AT = {
    "before-call": ("kill", "db", "peer"),
    "after-call": ("kill", "db", "lost"),
    "after-record": ("kill", "db"),
    "after-local": ("kill", "db"),
    "after-commit": ("kill", "db"),
}
UNITS = 2
FLOW_SECONDS = 240


def modes_of(point: str) -> tuple[str, ...]:
    return MODES_AT[point.rsplit("/", 1)[1]]


async def run_flows(addresses: dict[str, str], pki) -> None:
    """A building of financed purchases to handover, and a cancellation, side by side."""
    async with asyncio.timeout(FLOW_SECONDS), desks(addresses, pki) as d:
        handed, cancelled = await asyncio.gather(
            building_handed_over(d, pki, new_building_number(), UNITS),
            cancelled_before_transfer(d, pki, new_building_number()),
        )
    assert [p.state for p in handed] == [HANDED_OVER] * UNITS, [p.problem for p in handed]
    assert cancelled.state == CANCELLED, cancelled.problem


@pytest.fixture(scope="module")
def matrix_database(server_url):
    yield from fresh_database(server_url)


@pytest.fixture(scope="module")
async def matrix_stack(matrix_database, pki, tmp_path_factory):
    """All seven services in this process, with short leases and quick retries."""
    saved = {k: v for k, v in os.environ.items() if k in QUICK}
    os.environ.update(QUICK)
    settings = Settings(home=tmp_path_factory.mktemp("matrix"), pki_dir=pki.root, bind_host="127.0.0.1")
    try:
        async with in_process(SERVICE_NAMES, settings, matrix_database):
            yield dict(settings.addresses)
    finally:
        faults.configure()
        for key in QUICK:
            os.environ.pop(key, None)
        os.environ.update(saved)


@pytest.fixture(scope="module")
async def points(matrix_stack, pki, tmp_path_factory) -> list[str]:
    """Every fault point the two flows pass, found by running them once with tracing on."""
    trace = tmp_path_factory.mktemp("trace") / "points"
    faults.configure(trace=trace)
    try:
        await run_flows(matrix_stack, pki)
    finally:
        faults.configure()
    found = sorted(set(trace.read_text().split()))
    services = {p.split("/")[0] for p in found}
    assert {"orchestrator", "contract", "preregistration", "transfer"} <= services, services
    return found


@pytest.mark.parametrize("mode", ["db", "peer", "lost"])
async def test_every_point_in_process(matrix_stack, points, pki, matrix_database, mode):
    armed = {p for p in points if mode in modes_of(p)}
    faults.configure(",".join(f"{p}={mode}" for p in sorted(armed)))
    try:
        await run_flows(matrix_stack, pki)
        fired = faults.fired()
    finally:
        faults.configure()
    assert fired == armed, f"never fired: {sorted(armed - fired)}"
    assert await invariants.check(matrix_database) == []
    REPORTED.append(
        f"fault matrix, {mode}: {len(armed)} points fired, flows ended right, 0 invariant violations"
    )


async def test_every_point_killed(points, pki, fresh_database_url, tmp_path):
    """Each process is killed at each of its points in turn (a point fires once, across restarts)
    and started again by its supervisor, while the flows run. A process killed at one point may
    die after another operation committed but before it reached its next point, which then
    resumes from the journal past that point: the flows run again (at most twice more) until every
    point has fired."""
    armed = [p for p in points if "kill" in modes_of(p)]
    marks = tmp_path / "marks"
    by_service = {
        name: ",".join(f"{p}=kill" for p in armed if p.startswith(f"{name}/")) for name in SERVICE_NAMES
    }
    cluster = Cluster(tmp_path / "cluster", fresh_database_url, pki.root, faults=by_service, marks=marks)
    await cluster.start()
    supervisor = asyncio.create_task(cluster.supervise())
    fired: set[str] = set()
    try:
        for _ in range(3):
            await run_flows(cluster.addresses, pki)
            fired = {Path(m).name.replace("~", "/") for m in marks.iterdir()}
            if fired >= set(armed):
                break
    finally:
        supervisor.cancel()
        await asyncio.gather(supervisor, return_exceptions=True)
        await cluster.stop()
    assert fired == set(armed), f"never fired: {sorted(set(armed) - fired)}"
    assert sum(cluster.restarts.values()) == len(armed)
    assert await invariants.check(fresh_database_url) == []
    REPORTED.append(
        f"fault matrix, kill: {len(armed)} points, {sum(cluster.restarts.values())} processes killed"
        " and restarted, flows ended right, 0 invariant violations"
    )
    total = len(armed) + sum(len([p for p in points if m in modes_of(p)]) for m in ("db", "peer", "lost"))
    REPORTED.append(f"fault matrix: {len(points)} fault points, {total} cases (point x mode)")
