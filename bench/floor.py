"""The floor every deedflow benchmark is compared with, measured in the same run.

Two bare grpc.aio servers over the same mTLS as the services: an echo, and an echo that also
runs one asyncpg INSERT transaction. Prints calls/s, p50 and p99 per concurrency. Client and
server share one event loop here, so the figures include the client's cost, as they will in the
benchmarks that compare against them.

    .venv/bin/python -m bench.floor --calls 2000 --concurrency 1 16 64
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import grpc
import uvloop

from shared.config import Settings
from shared.db import keep_session, plain_url, with_database
from shared.grpc.channels import secure_channel
from shared.grpc.server import SERVER_OPTIONS
from shared.grpc.tls import server_credentials
from shared.pg import database_url, embedded_dir, stop_embedded
from shared.pki import ensure_dev_pki

SERVICE = "deedflow.bench.v1.Floor"


@dataclass
class Figures:
    name: str
    concurrency: int
    calls: int
    seconds: float
    latencies_ms: list[float]

    @property
    def throughput(self) -> float:
        return self.calls / self.seconds

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def line(self) -> str:
        return (
            f"{self.name:<14} c={self.concurrency:<3} {self.throughput:8.0f} calls/s"
            f"  p50 {self.quantile(0.5):6.2f} ms  p99 {self.quantile(0.99):6.2f} ms"
            f"  mean {statistics.fmean(self.latencies_ms):6.2f} ms"
        )


def _identity(data: bytes) -> bytes:
    return data


async def start_floor_server(pki, pool: asyncpg.Pool) -> tuple[grpc.aio.Server, int]:
    async def echo(request: bytes, context) -> bytes:
        return request

    async def echo_insert(request: bytes, context) -> bytes:
        async with pool.acquire() as connection, connection.transaction():
            await connection.execute(
                "INSERT INTO bench_floor (id, body) VALUES ($1, $2)", uuid.uuid4(), request
            )
        return request

    handlers = {
        "Echo": grpc.unary_unary_rpc_method_handler(echo, _identity, _identity),
        "EchoInsert": grpc.unary_unary_rpc_method_handler(echo_insert, _identity, _identity),
    }
    server = grpc.aio.server(options=SERVER_OPTIONS)
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
    port = server.add_secure_port("127.0.0.1:0", server_credentials(pki, "registry"))
    await server.start()
    return server, port


async def measure(channel: grpc.aio.Channel, method: str, calls: int, concurrency: int) -> Figures:
    stub = channel.unary_unary(f"/{SERVICE}/{method}", _identity, _identity)
    payload = b"x" * 256
    latencies: list[float] = []
    remaining = calls

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            start = time.perf_counter()
            await stub(payload)
            latencies.append((time.perf_counter() - start) * 1000)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Figures(method, concurrency, calls, time.perf_counter() - began, latencies)


async def run(calls: int, concurrencies: list[int]) -> list[Figures]:
    settings = Settings()
    # An embedded server this run starts is stopped at its end; one already running is left so.
    started_here = not settings.database_url and not (embedded_dir(settings.home) / "postmaster.pid").exists()
    server_url = database_url(settings)
    name = f"deedflow_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(plain_url(server_url))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = with_database(server_url, name)
    # The services' pools skip asyncpg's reset round trip (shared/db.py); so does the floor's.
    pool = await asyncpg.create_pool(plain_url(url), min_size=8, max_size=8, reset=keep_session)
    await pool.execute("CREATE TABLE bench_floor (id uuid PRIMARY KEY, body bytea NOT NULL)")
    pki = ensure_dev_pki(Path(tempfile.mkdtemp(prefix="deedflow-bench-pki-")))
    server, port = await start_floor_server(pki, pool)
    results = []
    try:
        async with secure_channel(f"127.0.0.1:{port}", pki.ca_pem, pki.caller("clerk")) as channel:
            await measure(channel, "Echo", 200, 4)  # warm-up: TLS session, code paths
            for concurrency in concurrencies:
                for method in ("Echo", "EchoInsert"):
                    results.append(await measure(channel, method, calls, concurrency))
    finally:
        await server.stop(0)
        await pool.close()
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()
        if started_here:
            stop_embedded(embedded_dir(settings.home))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16, 64])
    args = parser.parse_args()
    for figures in uvloop.run(run(args.calls, args.concurrency)):
        print(figures.line())


if __name__ == "__main__":
    main()
