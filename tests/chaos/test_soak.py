"""The nemesis soak (bench/soak.py), short: launch day and a building's handover while a service
is killed a second and a half after the last one serves again, PostgreSQL crashes once the
building is paid and the transfer office dies at its first certificate. Nothing is sold twice,
every purchase of the building is handed over, and every invariant holds."""

from __future__ import annotations

import pytest

from bench.soak import soak
from tests.support import REPORTED

# The suite's 300 s guard against a hang is too short for the soak on a slow machine (this one
# ran a 10-million-step Python loop in 2.0 s on 2026-12-07, four times slower than before, and
# the soak took over 300 s): its own bound is 15 minutes, still far inside CI's 90.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


async def test_a_short_soak_under_the_nemesis_keeps_every_invariant(tmp_path):
    figures = await soak(tmp_path, buyers=40, flats=10, units=20, kill_every=1.5)
    REPORTED.extend(figures.lines())
    assert figures.violations == []
    assert figures.double_sales == 0
    assert figures.handover_outcomes == {"HANDED_OVER": 20}
    assert figures.postgres_restarts == 1
    assert figures.killed["transfer"] >= 1
    assert figures.filed <= 10 + figures.launch_outcomes["REJECTED"]
    assert figures.filed + figures.refused_at_the_door == 40
