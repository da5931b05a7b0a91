"""The cost of checking a request at the door (shared/grpc/validation.py): microseconds per
FilePurchase request, the largest on the hot path, against the floor of parsing it.

    .venv/bin/python -m bench.validation
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from shared.grpc.validation import violations
from shared.pki import ensure_dev_pki
from tests.flows import DEVELOPER
from tests.purchases import signed_filing

ROUNDS = 2_000


def _timed(work) -> list[float]:
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1e6)
    return sorted(times)


def main() -> None:
    pki = ensure_dev_pki(Path(tempfile.mkdtemp()) / "pki")
    filing, _ = signed_filing(pki, "500112001002GB00015F00030502", with_loan=True)
    assert filing.developer == DEVELOPER
    data = pb.FilePurchaseRequest(
        request_id="3f1c2a9e-8b7d-4c1e-9a2f-5d6e7f8a9b0c", filing=filing
    ).SerializeToString()
    parse = _timed(lambda: pb.FilePurchaseRequest.FromString(data))
    request = pb.FilePurchaseRequest.FromString(data)
    assert violations(request) == []
    check = _timed(lambda: violations(request))
    for label, times in (("parse (floor)", parse), ("validate", check)):
        p99 = times[int(len(times) * 0.99)]
        print(f"{label:>14}: p50 {statistics.median(times):7.1f} µs  p99 {p99:7.1f} µs")
    ratio = statistics.median(check) / statistics.median(parse)
    print(f"validate / parse (p50): {ratio:.1f}x; a request of {len(data)} bytes")


if __name__ == "__main__":
    main()
