"""The interceptor chain on a real mTLS server: domain errors become precise statuses with
details, anything unexpected becomes INTERNAL (never UNKNOWN, never a traceback), streams too,
and the caller is read from the certificate."""

from __future__ import annotations

import asyncpg
import grpc
import pytest
from grpc_status import rpc_status

from deedflow.registry.v1 import registry_service_pb2 as pb
from shared.auth import Role, caller
from shared.context import request_id_var
from shared.errors import (
    AlreadyExists,
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    RequestIdReused,
)
from shared.grpc.server import start_server
from shared.grpc.status import bad_request, error_info
from tests.support import client_channel

SERVICE = "deedflow.test.v1.Probe"
RAISES = {
    "FailedPrecondition": FailedPrecondition(
        "UNIT_SEIZED", "the unit is seized", {"entry": "units/x/entries/3"}
    ),
    "NotFound": NotFound("no such unit"),
    "AlreadyExists": AlreadyExists("BUILDING_EXISTS", "already there"),
    "PermissionDenied": PermissionDenied("BANK_MISMATCH", "another bank's loan"),
    "InvalidArgument": InvalidArgument([FieldViolation("loan.amount_fen", "must be positive")]),
    "Unexpected": ZeroDivisionError("division by zero"),
    "RequestIdReused": RequestIdReused("/deedflow.tax.v1.TaxService/RecordPayment"),
    "Deadlock": asyncpg.DeadlockDetectedError("deadlock detected"),
}


def _register(server: grpc.aio.Server) -> None:
    def raiser(error: BaseException):
        async def handle(request, context):
            raise error

        return handle

    async def who(request, context):
        # The caller comes from the TLS auth context; the request id from the request.
        return pb.GetUnitResponse(unit=pb.Unit(name=caller().uri, building_number=request_id_var.get() or ""))

    async def stream_fails(request, context):
        yield pb.GetUnitResponse(unit=pb.Unit(name="first"))
        raise FailedPrecondition("OBJECTION_PENDING", "an objection is pending")

    handlers = {
        name: grpc.unary_unary_rpc_method_handler(
            raiser(error),
            request_deserializer=pb.GetUnitRequest.FromString,
            response_serializer=pb.GetUnitResponse.SerializeToString,
        )
        for name, error in RAISES.items()
    }
    handlers["Who"] = grpc.unary_unary_rpc_method_handler(
        who,
        request_deserializer=pb.SeizeUnitRequest.FromString,
        response_serializer=pb.GetUnitResponse.SerializeToString,
    )
    handlers["Stream"] = grpc.unary_stream_rpc_method_handler(
        stream_fails,
        request_deserializer=pb.GetUnitRequest.FromString,
        response_serializer=pb.GetUnitResponse.SerializeToString,
    )
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))


@pytest.fixture(scope="module")
async def probe(pki):
    everyone = frozenset(Role)
    policy = {f"/{SERVICE}/{name}": everyone for name in (*RAISES, "Who", "Stream")}
    running = await start_server(
        "probe", (SERVICE,), _register, pki_for_probe(pki), "127.0.0.1", 0, policy=policy
    )
    yield running
    await running.stop(0)


def pki_for_probe(pki):
    """The probe server presents the registry's certificate; any service certificate will do."""

    class ProbePki(type(pki)):
        def service(self, name):
            return super().service("registry")

    return ProbePki(pki.root)


UNIT = "500112001002GB00015F00030502"


async def _unary(channel, method, request, response=pb.GetUnitResponse):
    return await channel.unary_unary(
        f"/{SERVICE}/{method}",
        request_serializer=type(request).SerializeToString,
        response_deserializer=response.FromString,
    )(request)


@pytest.mark.parametrize(
    ("method", "code", "reason"),
    [
        ("FailedPrecondition", grpc.StatusCode.FAILED_PRECONDITION, "UNIT_SEIZED"),
        ("NotFound", grpc.StatusCode.NOT_FOUND, None),
        ("AlreadyExists", grpc.StatusCode.ALREADY_EXISTS, "BUILDING_EXISTS"),
        ("PermissionDenied", grpc.StatusCode.PERMISSION_DENIED, "BANK_MISMATCH"),
        ("RequestIdReused", grpc.StatusCode.INVALID_ARGUMENT, "REQUEST_ID_REUSED"),
        # PostgreSQL undid the transaction to break a lock cycle: retryable, never INTERNAL.
        ("Deadlock", grpc.StatusCode.ABORTED, "TRANSACTION_CONFLICT"),
    ],
)
async def test_domain_errors_map_to_codes_with_error_info(probe, pki, method, code, reason):
    async with client_channel(probe.port, pki) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await _unary(channel, method, pb.GetUnitRequest(unit_number=UNIT))
    assert caught.value.code() == code
    info = error_info(rpc_status.from_call(caught.value))
    if reason is None:
        assert info is None
    else:
        assert info.reason == reason
        assert info.domain == "deedflow.probe"


async def test_error_info_carries_metadata(probe, pki):
    async with client_channel(probe.port, pki) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await _unary(channel, "FailedPrecondition", pb.GetUnitRequest(unit_number=UNIT))
    assert error_info(rpc_status.from_call(caught.value)).metadata["entry"] == "units/x/entries/3"


async def test_invalid_argument_from_a_handler_carries_bad_request(probe, pki):
    async with client_channel(probe.port, pki) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await _unary(channel, "InvalidArgument", pb.GetUnitRequest(unit_number=UNIT))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    violations = bad_request(rpc_status.from_call(caught.value)).field_violations
    assert [(v.field, v.description) for v in violations] == [("loan.amount_fen", "must be positive")]


async def test_unexpected_exception_is_internal_without_traceback(probe, pki):
    async with client_channel(probe.port, pki) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await _unary(channel, "Unexpected", pb.GetUnitRequest(unit_number=UNIT))
    assert caught.value.code() == grpc.StatusCode.INTERNAL
    assert "request id" in caught.value.details()
    assert "ZeroDivisionError" not in caught.value.details()
    assert "Traceback" not in caught.value.details()


async def test_stream_error_after_first_item_keeps_its_reason(probe, pki):
    async with client_channel(probe.port, pki) as channel:
        call = channel.unary_stream(
            f"/{SERVICE}/Stream",
            request_serializer=pb.GetUnitRequest.SerializeToString,
            response_deserializer=pb.GetUnitResponse.FromString,
        )(pb.GetUnitRequest(unit_number=UNIT))
        first = await call.read()
        assert first.unit.name == "first"
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await call.read()
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error_info(rpc_status.from_call(caught.value)).reason == "OBJECTION_PENDING"


@pytest.mark.parametrize(
    ("stem", "uri"), [("bank-a", "deedflow://bank/915000007094231152"), ("clerk", "deedflow://clerk/C0001")]
)
async def test_caller_and_request_id_come_from_certificate_and_request(probe, pki, stem, uri):
    request_id = "0d4c3b2a-1f0e-4d9c-8b7a-6a5b4c3d2e1f"
    request = pb.SeizeUnitRequest(
        request_id=request_id, unit_number=UNIT, ruling={"authority": "court", "ruling_number": "(2026)1"}
    )
    async with client_channel(probe.port, pki, caller=stem) as channel:
        reply = await _unary(channel, "Who", request)
    assert reply.unit.name == uri
    assert reply.unit.building_number == request_id


async def test_bad_identifier_is_refused_before_the_handler(probe, pki):
    async with client_channel(probe.port, pki) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            # Unexpected would answer INTERNAL if its handler ran.
            await _unary(channel, "Unexpected", pb.GetUnitRequest(unit_number="500112"))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    violations = bad_request(rpc_status.from_call(caught.value)).field_violations
    assert [v.field for v in violations] == ["unit_number"]
