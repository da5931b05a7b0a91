"""Waiting for the operator's stop: the one way every long-running process here ends."""

from __future__ import annotations

import asyncio
import signal


async def stop_requested() -> None:
    """Returns at the first SIGTERM or SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
