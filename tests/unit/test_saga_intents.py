"""A saga step's call is sent as its recorded intent (steps.Context.send): the exact request is
recorded before it leaves, and a step resumed with an intent recorded sends those bytes again,
never a request built anew from what the purchase holds now (the journal's rule, decision 71).
A step replayed only to learn what it did (a compensation) records nothing."""

from __future__ import annotations

import datetime as dt
import uuid

from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.preregistration.v1 import preregistration_service_pb2 as prereg_pb
from services.orchestrator.domain import StepKind
from services.orchestrator.steps import Context, preregister


class Peer:
    """The preregistration office as a step sees it: it answers and keeps what it was sent."""

    def __init__(self, events: list[str]) -> None:
        self.events = events
        self.received: list[prereg_pb.LodgePreregistrationRequest] = []

    async def LodgePreregistration(self, request):
        self.events.append("sent")
        self.received.append(request)
        return prereg_pb.LodgePreregistrationResponse(
            preregistration=prereg_pb.Preregistration(name="preregistrations/p1", proof_number="P1")
        )


class Clients:
    def __init__(self, peer: Peer) -> None:
        self.preregistration = peer


def _context(peer: Peer, contract: str, intents=None, intend=None) -> Context:
    return Context(
        uuid.UUID("00000000-0000-4000-8000-000000000001"),
        pb.PurchaseFiling(unit_number="500112001001010101"),
        pb.PurchaseDocuments(contract=contract),
        Clients(peer),
        dt.datetime(2026, 12, 8, tzinfo=dt.UTC),
        False,
        intents=intents or {},
        intend=intend,
    )


async def test_the_request_is_recorded_before_it_is_sent():
    events: list[str] = []
    recorded: list[tuple[StepKind, str, bytes]] = []

    async def intend(kind, direction, intent):
        events.append("recorded")
        recorded.append((kind, direction, intent))

    peer = Peer(events)
    context = _context(peer, "contracts/c1", intend=intend)
    await preregister(context)
    assert events == ["recorded", "sent"]
    ((kind, direction, intent),) = recorded
    assert (kind, direction) == (StepKind.PREREGISTERED, "forward")
    assert intent == peer.received[0].SerializeToString(deterministic=True)
    assert peer.received[0].request_id == context.rid(StepKind.PREREGISTERED)
    assert context.documents.preregistration == "preregistrations/p1"


async def test_a_resumed_step_sends_its_recorded_request_and_records_nothing_new():
    first = prereg_pb.LodgePreregistrationRequest(
        request_id="first-run", unit_number="500112001001010101", contract="contracts/as-first-sent"
    )
    recorded: list[bytes] = []

    async def intend(kind, direction, intent):
        recorded.append(intent)

    peer = Peer([])
    # What the purchase holds now differs from what the first run sent: the bytes sent are the first's.
    context = _context(
        peer,
        "contracts/changed-since",
        intents={("PREREGISTERED", "FORWARD"): first.SerializeToString(deterministic=True)},
        intend=intend,
    )
    await preregister(context)
    assert peer.received == [first]
    assert recorded == []


async def test_a_step_replayed_to_learn_what_it_did_records_nothing():
    peer = Peer([])
    context = _context(peer, "contracts/c1", intend=None)
    await preregister(context)
    assert len(peer.received) == 1
    assert context.intents == {}
