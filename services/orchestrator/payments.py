"""The tax office's word that a contract's tax is paid (WatchClearances), turned into the waiting
purchase being due at once: the saga's own look at the clearance, every tax_recheck_seconds,
stays as the safety net for anything this stream missed."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import grpc

from deedflow.tax.v1 import tax_service_pb2 as tax_pb
from deedflow.tax.v1 import tax_service_pb2_grpc
from services.orchestrator import repository
from shared.clock import Clock
from shared.db import Database

log = logging.getLogger("deedflow.payments")

RECONNECT_SECONDS = 1.0


async def follow_payments(open_tax: Callable[[], grpc.aio.Channel], database: Database, clock: Clock) -> None:
    """Runs for the life of the process, subscribing again whenever the stream ends, each time
    on a channel of its own (the tax office may publish its address after this process starts)."""
    while True:
        channel = open_tax()
        stream = tax_service_pb2_grpc.TaxServiceStub(channel).WatchClearances(tax_pb.WatchClearancesRequest())
        try:
            async for issued in stream:
                async with database.transaction() as connection:
                    at = clock.now()
                    # A resync names no contract: every purchase waiting for its tax looks again.
                    woken = await repository.make_tax_waits_due(connection, at, issued.contract)
                    if woken:
                        await repository.wake(connection)
        except grpc.aio.AioRpcError as exc:
            log.info(
                "the clearance stream ended; subscribing again", extra={"fields": {"code": exc.code().name}}
            )
        except Exception as exc:
            # A database outage must not end the follower, nor the saga's workers gathered beside
            # it: it subscribes again, and the resync that starts every stream makes up the gap.
            log.warning("cannot record a payment's word now", extra={"fields": {"error": repr(exc)}})
        finally:
            stream.cancel()
            await channel.close()
        await asyncio.sleep(RECONNECT_SECONDS)
