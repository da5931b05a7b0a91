"""Two handovers at once, in two districts against in one: the register keeps one book per
registration authority, so two buildings of different districts append to two books and never
wait for each other's log head, where two buildings of one district share one. Each case runs on
a stack of its own (every service its own OS process); it prints CompleteBuilding -> every
certificate, and how long the registry's appends waited for their book's head
(deedflow_registry_book_wait_seconds, by authority), and the ratio of the two cases.

    .venv/bin/python -m bench.districts --units 250
"""

from __future__ import annotations

import argparse
import asyncio

from bench.handover import Handed, hand_over
from bench.stack import running_stack, samples
from shared.config import Settings
from shared.districts import DISTRICTS

CASES = {
    "one district (渝北区 twice)": ["500112001002GB09101F0001", "500112001002GB09102F0001"],
    "two districts (渝北区, 江北区)": ["500112001002GB09103F0001", "500105001002GB09104F0001"],
}


def book_waits(settings: Settings) -> dict[str, tuple[float, float]]:
    """(appends, seconds waited) so far, by authority, from the registry's metrics."""
    waits: dict[str, list[float]] = {}
    for sample in samples(settings, "registry"):
        if sample.name.startswith("deedflow_registry_book_wait_seconds_"):
            counts = waits.setdefault(sample.labels["authority"], [0.0, 0.0])
            if sample.name.endswith("_count"):
                counts[0] = sample.value
            elif sample.name.endswith("_sum"):
                counts[1] = sample.value
    return {authority: (count, seconds) for authority, (count, seconds) in waits.items()}


async def one_case(buildings: list[str], units: int, concurrency: int) -> tuple[Handed, dict]:
    with running_stack() as (settings, pki):
        handed = await hand_over(settings, pki, buildings, units, concurrency)
        return handed, book_waits(settings)


async def run(units: int, concurrency: int) -> None:
    results = {}
    for label, buildings in CASES.items():
        handed, waits = await one_case(buildings, units, concurrency)
        results[label] = handed
        print(f"{label}: {len(buildings)} buildings of {units} units, completed at once")
        print(
            f"  CompleteBuilding -> every certificate ready: {handed.seconds:.2f} s"
            f" ({handed.seconds / handed.units * 1000:.1f} ms per unit);"
            f" filed and paid in {handed.prepared:.1f} s"
        )
        for authority, (count, seconds) in sorted(waits.items()):
            print(
                f"  book {authority} {DISTRICTS[authority]}: {count:.0f} appends waited {seconds:.2f} s"
                f" for its head in all, {seconds / max(count, 1) * 1000:.2f} ms each on average"
            )
    same, apart = results.values()
    print(
        f"two districts against one: {apart.seconds:.2f} s against {same.seconds:.2f} s"
        f" ({apart.seconds / same.seconds:.2f} x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--units", type=int, default=250, help="Units in each building.")
    parser.add_argument("--filing-concurrency", type=int, default=32)
    args = parser.parse_args()
    asyncio.run(run(args.units, args.filing_concurrency))


if __name__ == "__main__":
    main()
