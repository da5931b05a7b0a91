"""Coalesced calls (shared/grpc/coalescing.py), against fake stubs: one call alone leaves at once,
calls made while a batch is out go together as the next one, and each caller gets exactly the
answer its call alone would have had."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from deedflow.registry.v1 import registry_service_pb2 as pb
from shared.context import deadline_var
from shared.grpc.coalescing import Coalescer


def _request(n: int) -> pb.CommitCaseRequest:
    return pb.CommitCaseRequest(unit_number=f"unit-{n}")


def _response(request: pb.CommitCaseRequest) -> pb.CommitCaseResponse:
    return pb.CommitCaseResponse(certificate_numbers=[request.unit_number])


def _refusal(reason: str) -> status_pb2.Status:
    detail = any_pb2.Any()
    detail.Pack(error_details_pb2.ErrorInfo(reason=reason, domain="deedflow.registry"))
    code = grpc.StatusCode.FAILED_PRECONDITION.value[0]
    return status_pb2.Status(code=code, message=reason, details=[detail])


def _error(code: grpc.StatusCode) -> grpc.aio.AioRpcError:
    return grpc.aio.AioRpcError(code, grpc.aio.Metadata(), grpc.aio.Metadata(), code.name)


class FakeOffice:
    """The single and the batch method. The first call of each kind is held until released, so a
    test decides what is in flight when the next calls are made."""

    def __init__(self, batch_error: grpc.aio.AioRpcError | None = None) -> None:
        self.alone_calls: list[str] = []
        self.batches: list[list[str]] = []
        self.release = asyncio.Event()
        self.batch_error = batch_error
        self.deadlines_seen: list[float | None] = []

    async def alone(self, request: pb.CommitCaseRequest) -> pb.CommitCaseResponse:
        self.alone_calls.append(request.unit_number)
        self.deadlines_seen.append(deadline_var.get())
        await self.release.wait()
        if request.unit_number.endswith("seized"):
            raise grpc.aio.AioRpcError(
                grpc.StatusCode.FAILED_PRECONDITION,
                grpc.aio.Metadata(),
                grpc.aio.Metadata(("grpc-status-details-bin", _refusal("UNIT_SEIZED").SerializeToString())),
                "UNIT_SEIZED",
            )
        return _response(request)

    async def together(self, requests: list[pb.CommitCaseRequest]):
        self.batches.append([r.unit_number for r in requests])
        if self.batch_error is not None:
            raise self.batch_error
        return [
            _refusal("UNIT_SEIZED") if r.unit_number.endswith("seized") else _response(r) for r in requests
        ]


async def _started(coalescer: Coalescer, requests: list[pb.CommitCaseRequest]) -> list[asyncio.Task]:
    tasks = [asyncio.ensure_future(coalescer(r)) for r in requests]
    await asyncio.sleep(0)  # one turn of the loop: every call has been made
    return tasks


async def test_a_call_made_while_nothing_is_in_flight_leaves_at_once_alone():
    office = FakeOffice()
    office.release.set()
    coalescer = Coalescer(office.alone, office.together, max_items=10)
    assert await coalescer(_request(1)) == _response(_request(1))
    assert office.alone_calls == ["unit-1"]
    assert office.batches == []


async def test_calls_made_while_one_is_out_go_together_each_with_its_own_answer():
    office = FakeOffice()
    coalescer = Coalescer(office.alone, office.together, max_items=10)
    first = await _started(coalescer, [_request(0)])
    seized = pb.CommitCaseRequest(unit_number="unit-seized")
    rest = await _started(coalescer, [_request(1), _request(2), seized])
    office.release.set()
    assert await first[0] == _response(_request(0))
    assert await rest[0] == _response(_request(1))
    assert await rest[1] == _response(_request(2))
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await rest[2]
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    status = rpc_status.from_call(refused.value)
    info = error_details_pb2.ErrorInfo()
    status.details[0].Unpack(info)
    assert info.reason == "UNIT_SEIZED"
    assert office.alone_calls == ["unit-0"]
    assert office.batches == [["unit-1", "unit-2", "unit-seized"]]
    assert coalescer.batches_sent == 1


async def test_a_batch_never_exceeds_its_bound():
    office = FakeOffice()
    coalescer = Coalescer(office.alone, office.together, max_items=2)
    first = await _started(coalescer, [_request(0)])
    rest = await _started(coalescer, [_request(n) for n in range(1, 6)])
    office.release.set()
    await asyncio.gather(*first, *rest)
    assert office.batches == [["unit-1", "unit-2"], ["unit-3", "unit-4"]]
    assert office.alone_calls == ["unit-0", "unit-5"]


@pytest.mark.parametrize("code", [grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.UNIMPLEMENTED])
async def test_a_batch_refused_as_a_whole_is_sent_again_call_by_call(code):
    office = FakeOffice(batch_error=_error(code))
    coalescer = Coalescer(office.alone, office.together, max_items=10)
    first = await _started(coalescer, [_request(0)])
    rest = await _started(coalescer, [_request(1), pb.CommitCaseRequest(unit_number="unit-seized")])
    office.release.set()
    await first[0]
    assert await rest[0] == _response(_request(1))
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await rest[1]
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert office.alone_calls == ["unit-0", "unit-1", "unit-seized"]


async def test_an_outage_of_the_batch_is_every_call_s_outage():
    office = FakeOffice(batch_error=_error(grpc.StatusCode.UNAVAILABLE))
    coalescer = Coalescer(office.alone, office.together, max_items=10)
    first = await _started(coalescer, [_request(0)])
    rest = await _started(coalescer, [_request(1), _request(2)])
    office.release.set()
    await first[0]
    for task in rest:
        with pytest.raises(grpc.aio.AioRpcError) as failed:
            await task
        assert failed.value.code() == grpc.StatusCode.UNAVAILABLE
    assert office.alone_calls == ["unit-0"]


async def test_a_caller_that_gives_up_leaves_the_others_answered():
    office = FakeOffice()
    coalescer = Coalescer(office.alone, office.together, max_items=10)
    first = await _started(coalescer, [_request(0)])
    rest = await _started(coalescer, [_request(1), _request(2)])
    rest[0].cancel()
    office.release.set()
    await first[0]
    assert await rest[1] == _response(_request(2))
    assert rest[0].cancelled()
    # The cancelled call was still waiting when the batch was formed, so only the live one went.
    assert office.alone_calls == ["unit-0", "unit-2"]


async def test_the_sender_does_not_carry_the_deadline_of_the_call_that_started_it():
    office = FakeOffice()
    office.release.set()
    coalescer = Coalescer(office.alone, office.together, max_items=10)
    token = deadline_var.set(12.5)
    try:
        await coalescer(_request(1))
    finally:
        deadline_var.reset(token)
    assert office.deadlines_seen == [None]


class HeldBatches(FakeOffice):
    """Batches too are held until released: what is out at once stays out."""

    async def together(self, requests: list[pb.CommitCaseRequest]):
        self.batches.append([r.unit_number for r in requests])
        await self.release.wait()
        return [_response(r) for r in requests]


@pytest.mark.parametrize(
    ("in_flight", "out_at_once"),
    [(1, [["unit-0", "unit-1"]]), (2, [["unit-0", "unit-1"], ["unit-2", "unit-3"]])],
)
async def test_with_room_for_more_batches_the_next_leaves_while_one_is_out(in_flight, out_at_once):
    office = HeldBatches()
    coalescer = Coalescer(office.alone, office.together, max_items=2, in_flight=in_flight)
    calls = await _started(coalescer, [_request(n) for n in range(5)])
    for _ in range(10):
        await asyncio.sleep(0)
    assert office.batches == out_at_once
    office.release.set()
    assert await asyncio.gather(*calls) == [_response(_request(n)) for n in range(5)]
    assert sum(len(b) for b in office.batches) + len(office.alone_calls) == 5
