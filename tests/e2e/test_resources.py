"""Bounded resources: a caller holds only so many WatchPurchase streams, and a watch of a
finished purchase that has shown its last version ends instead of waiting forever."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from grpc_status import rpc_status

from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from shared.grpc.channels import secure_channel
from shared.grpc.status import error_info
from shared.pki import issue_identity
from tests.flows import presale, seized_unit
from tests.purchases import file_purchase, signed_filing, until, until_waiting
from tests.support import client_channel


@pytest.fixture(scope="module")
async def desk(services, pki):
    async with client_channel(services["orchestrator"].server.port, pki, "developer") as channel:
        yield orchestrator_service_pb2_grpc.PurchaseServiceStub(channel)


@pytest.fixture(scope="module")
async def watcher(services, pki, tmp_path_factory):
    """A clerk of its own (a fresh identity), so no other test's watches count against it."""
    pair = issue_identity(pki.root, "clerk", "C-WATCH", tmp_path_factory.mktemp("watcher") / "clerk")
    target = f"127.0.0.1:{services['orchestrator'].server.port}"
    async with secure_channel(target, pki.ca_pem, pair) as channel:
        yield orchestrator_service_pb2_grpc.PurchaseServiceStub(channel)


async def test_a_caller_holds_a_bounded_number_of_watches(desk, watcher, pki, offices, test_settings):
    _, (unit, _) = await presale(offices)
    purchase = await file_purchase(desk, signed_filing(pki, unit, with_loan=False)[0])
    await until_waiting(desk, purchase.name)
    limit = test_settings.max_watches_per_caller
    streams = [watcher.WatchPurchase(pb.WatchPurchaseRequest(name=purchase.name)) for _ in range(limit)]
    try:
        for stream in streams:
            # The first version arrives once the server counts the stream.
            assert (await stream.read()).purchase.name == purchase.name
        extra = watcher.WatchPurchase(pb.WatchPurchaseRequest(name=purchase.name))
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await extra.read()
        assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert error_info(rpc_status.from_call(caught.value)).reason == "TOO_MANY_WATCHES"
        streams.pop().cancel()
        # The server has let the cancelled stream go once a new one is admitted.
        async with asyncio.timeout(10):
            while True:
                again = watcher.WatchPurchase(pb.WatchPurchaseRequest(name=purchase.name))
                first = await _first_or_code(again)
                if first == grpc.StatusCode.RESOURCE_EXHAUSTED:
                    continue
                assert first.purchase.name == purchase.name
                streams.append(again)
                break
    finally:
        for stream in streams:
            stream.cancel()


async def _first_or_code(stream):
    """The stream's first message, or the code it was refused with."""
    try:
        return await stream.read()
    except grpc.aio.AioRpcError as error:
        return error.code()


async def test_a_watch_of_a_finished_purchase_past_its_last_version_ends(desk, pki, offices):
    # A seized unit: the filing is rejected at its first step, a final state.
    unit = await seized_unit(offices, 602)
    purchase = await file_purchase(desk, signed_filing(pki, unit, with_loan=False)[0])
    rejected = await until(desk, purchase.name, pb.PURCHASE_STATE_REJECTED)
    async with asyncio.timeout(10):
        seen = [
            change
            async for change in desk.WatchPurchase(
                pb.WatchPurchaseRequest(name=purchase.name, after_version=rejected.version)
            )
        ]
    assert seen == []


@pytest.mark.slow
async def test_a_connection_that_never_completes_its_handshake_is_closed(services):
    """Attack 11: idle TCP connections with no TLS held a service's file descriptors for good.
    The server gives a handshake 10 seconds (grpc.server_handshake_timeout_ms)."""
    port = services["contract"].server.port
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        async with asyncio.timeout(30):
            # The server closes the connection: the read ends with EOF (b"") or a reset.
            try:
                data = await reader.read(1024)
            except ConnectionResetError:
                data = b""
        assert data == b""
    finally:
        writer.close()
