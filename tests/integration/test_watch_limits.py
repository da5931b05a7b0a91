"""Stream limits are per caller and cost nothing to anyone else (issue 31): two callers, each
opening one stream more than the limit (1,000, the default) at once, each on one connection.
Each is refused exactly its one stream (RESOURCE_EXHAUSTED TOO_MANY_WATCHES); every other stream
of either stays open, is sent the purchase as it stands, and then each change as it happens.
gRPC core's own cap on calls waiting for the server (1,000) once cancelled ~200 of them
(shared/grpc/server.py)."""

from __future__ import annotations

import asyncio
import collections
import contextlib

import grpc

from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from shared.catalog import SERVICE_NAMES
from shared.config import Settings
from tests.flows import open_offices, presale
from tests.purchases import file_purchase, pay, signed_filing, until
from tests.support import client_channel, in_process

LIMIT = 1000
CHANNELS = 1


async def test_each_caller_is_refused_its_one_stream_too_many_and_no_other(own_server, tmp_path, pki):
    settings = Settings(
        home=tmp_path / "home", pki_dir=pki.root, bind_host="127.0.0.1", max_watches_per_caller=LIMIT
    )
    async with (
        in_process(SERVICE_NAMES, settings, own_server) as started,
        open_offices({n: s.server.port for n, s in started.items()}, pki) as offices,
        contextlib.AsyncExitStack() as stack,
    ):
        port = started["orchestrator"].server.port
        channels = {
            who: [await stack.enter_async_context(client_channel(port, pki, who)) for _ in range(CHANNELS)]
            for who in ("developer", "bank-a")
        }
        desk = orchestrator_service_pb2_grpc.PurchaseServiceStub(channels["developer"][0])
        _, (unit, _) = await presale(offices)
        purchase = await until(
            desk,
            (await file_purchase(desk, signed_filing(pki, unit, with_loan=True)[0])).name,
            pb.PURCHASE_STATE_AWAITING_COMPLETION,
        )
        first: dict[str, list] = collections.defaultdict(list)
        refused: collections.Counter = collections.Counter()
        streams = []

        async def watch(who: str, n: int) -> None:
            stub = orchestrator_service_pb2_grpc.PurchaseServiceStub(channels[who][n % CHANNELS])
            stream = stub.WatchPurchase(pb.WatchPurchaseRequest(name=purchase.name))
            streams.append((who, stream))
            try:
                first[who].append((await anext(aiter(stream))).purchase.version)
            except grpc.aio.AioRpcError as error:
                refused[(who, error.code())] += 1

        try:
            async with asyncio.timeout(120):
                await asyncio.gather(*(watch(who, n) for who in channels for n in range(LIMIT + 1)))
            assert refused == {
                ("developer", grpc.StatusCode.RESOURCE_EXHAUSTED): 1,
                ("bank-a", grpc.StatusCode.RESOURCE_EXHAUSTED): 1,
            }
            assert {who: len(versions) for who, versions in first.items()} == {
                "developer": LIMIT,
                "bank-a": LIMIT,
            }
            assert {v for versions in first.values() for v in versions} == {purchase.version}
            # Every stream still open hears the next change.
            await pay(offices, purchase)
            open_streams = [stream for _, stream in streams if not stream.done()]
            assert len(open_streams) == 2 * LIMIT
            async with asyncio.timeout(120):
                later = await asyncio.gather(*(anext(aiter(stream)) for stream in open_streams))
            assert all(reply.purchase.version > purchase.version for reply in later)
        finally:
            for _, stream in streams:
                stream.cancel()
