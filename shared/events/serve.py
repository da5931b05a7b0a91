"""Puts an office's event feed on its gRPC server, with the sequencer that numbers its events, the
listener that wakes the sequencer and the watchers, the pruner that keeps the feed to its
retention, and the relays of other offices' feeds into it."""

from __future__ import annotations

from functools import partial

import grpc

from deedflow.events.v1 import events_service_pb2_grpc
from shared.events.feed import EventFeed
from shared.events.pages import Enrich
from shared.events.relay import relay_forever
from shared.events.retention import prune_forever
from shared.events.sequencer import Sequencer
from shared.events.servicer import EventServicer
from shared.runtime import ServiceDeps


def serve_events(
    server: grpc.aio.Server, deps: ServiceDeps, enrich: Enrich | None = None, relays: tuple[str, ...] = ()
) -> None:
    settings = deps.settings
    sequencer = Sequencer(deps.database)
    feed = EventFeed(sequencer)
    events_service_pb2_grpc.add_EventServiceServicer_to_server(
        EventServicer(deps.database, feed, settings.max_event_watches_per_caller, enrich), server
    )
    deps.run_in_background(feed.run(deps.database.url), "event-feed")
    deps.run_in_background(sequencer.run(), "event-sequencer")
    pruning = prune_forever(
        deps.database, deps.clock, settings.events_retention_days, settings.events_prune_seconds
    )
    deps.run_in_background(pruning, "event-pruner")
    for office in relays:
        deps.run_in_background(
            relay_forever(partial(deps.open_peer, office), deps.database, office), f"{office}-event-relay"
        )
