"""Health probing: used by `deedflow up`, `deedctl health` and docker-compose's health check.

As a command: `python -m client.healthcheck <service> [host:port]` exits 0 when SERVING.
"""

from __future__ import annotations

import asyncio
import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from shared.config import Settings
from shared.grpc.channels import secure_channel
from shared.pki import Pki
from shared.runstate import address_of


async def health_status(channel: grpc.aio.Channel, service: str = "", rpc_seconds: float = 2.0) -> str:
    """SERVING, NOT_SERVING, SERVICE_UNKNOWN, or the gRPC code name when the call fails."""
    stub = health_pb2_grpc.HealthStub(channel)
    try:
        reply = await stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=rpc_seconds)
    except grpc.aio.AioRpcError as exc:
        return exc.code().name
    return health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)


async def _probe(service: str, target: str, pki: Pki) -> str:
    async with secure_channel(target, pki.ca_pem, pki.service(service)) as channel:
        return await health_status(channel)


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m client.healthcheck <service> [host:port]", file=sys.stderr)
        return 2
    settings = Settings()
    service = argv[0]
    target = argv[1] if len(argv) > 1 else address_of(settings, service)
    status = asyncio.run(_probe(service, target, Pki(settings.pki_path)))
    print(f"{service} {target} {status}")
    return 0 if status == "SERVING" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
