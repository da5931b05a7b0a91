"""AnswerFirstInterceptor with twins that race: a handler's refusal is checked against the store
once more, so a twin answered while this call checked gives its answer, not a refusal that the
twin's own writes caused; a refusal with nothing stored stands."""

from __future__ import annotations

import uuid

import grpc
import pytest

from deedflow.contract.v1 import contract_service_pb2 as pb
from deedflow.type.v1.reasons import Reason
from shared.auth import Caller, Role, current_caller
from shared.errors import FailedPrecondition
from shared.grpc.interceptors import AnswerFirstInterceptor
from shared.idempotency import IdempotencyKey

METHOD = "/deedflow.contract.v1.ContractService/CreateContract"
REQUEST = pb.CreateContractRequest(request_id=str(uuid.uuid4()))
ANSWER = pb.CreateContractResponse(contract=pb.Contract(name="contracts/twin")).SerializeToString()


class StoreAnsweredMidway:
    """A journal whose store is empty at the first look and, if `twin_answers`, holds the twin's
    answer at any later one."""

    def __init__(self, twin_answers: bool) -> None:
        self.twin_answers = twin_answers
        self.looks: list[IdempotencyKey] = []

    async def answer(self, key: IdempotencyKey, request: object) -> bytes | None:
        self.looks.append(key)
        return None

    async def twin_answer(self, key: IdempotencyKey, request: object) -> bytes | None:
        self.looks.append(key)
        return ANSWER if self.twin_answers else None


class Details:
    method = METHOD


async def _refused_by_the_twins_writes(request: pb.CreateContractRequest, context: object) -> None:
    raise FailedPrecondition(Reason.UNIT_ALREADY_CONTRACTED, "the unit is under contract")


async def _served(journal: StoreAnsweredMidway) -> bytes:
    async def continuation(details: object) -> grpc.RpcMethodHandler:
        return grpc.unary_unary_rpc_method_handler(_refused_by_the_twins_writes)

    current_caller.set(Caller(Role.DEVELOPER, "91500112MA5U0DF01L"))
    handler = await AnswerFirstInterceptor(journal).intercept_service(continuation, Details())
    return await handler.unary_unary(REQUEST, None)


async def test_a_twin_answered_while_this_call_checked_gives_its_answer():
    journal = StoreAnsweredMidway(twin_answers=True)
    assert await _served(journal) == ANSWER
    key = IdempotencyKey("deedflow://developer/91500112MA5U0DF01L", METHOD, REQUEST.request_id)
    assert journal.looks == [key, key]


async def test_a_refusal_with_nothing_stored_stands():
    journal = StoreAnsweredMidway(twin_answers=False)
    with pytest.raises(FailedPrecondition) as refused:
        await _served(journal)
    assert refused.value.reason == Reason.UNIT_ALREADY_CONTRACTED
    assert len(journal.looks) == 2
