"""Every service, started in-process on port 0 with mTLS against real PostgreSQL: health,
reflection, refusal of callers without a valid certificate, UNIMPLEMENTED for RPCs not built
yet, and INVALID_ARGUMENT with a BadRequest naming the field for a bad identifier."""

from __future__ import annotations

import asyncio
import os
import socket

import grpc
import pytest
from cryptography import x509
from google.protobuf import descriptor_pb2, descriptor_pool
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from grpc_status import rpc_status

from shared.catalog import SERVICE_NAMES, service_info
from shared.grpc.server import start_server
from shared.grpc.status import bad_request, error_info
from shared.pki import DEV_CALLERS, issue_leaf, new_ca
from shared.ports import PortInUse
from tests.support import (
    allowed_role,
    channel_as,
    client_channel,
    fill_valid,
    first_formatted_path,
    load_all_protos,
    message_class,
    set_bad_identifier,
    stream_admitted,
    unary_or_stream,
)


def _methods():
    """(server, gRPC service, method) for every RPC of every deedflow service."""
    load_all_protos()
    pool = descriptor_pool.Default()
    for name in SERVICE_NAMES:
        for full_name in service_info(name).grpc_services:
            for method in pool.FindServiceByName(full_name).methods:
                yield pytest.param(name, full_name, method, id=f"{name}:{method.name}")


async def _call(channel, service, method, request):
    stub = unary_or_stream(channel, service, method)
    if method.server_streaming:
        return await stream_admitted(stub(request))
    return await stub(request)


@pytest.mark.parametrize("name", SERVICE_NAMES)
async def test_health_is_serving_for_server_and_each_service(services, pki, name):
    async with client_channel(services[name].server.port, pki) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        for service in ("", *service_info(name).grpc_services):
            reply = await stub.Check(health_pb2.HealthCheckRequest(service=service))
            assert reply.status == health_pb2.HealthCheckResponse.SERVING, service
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.Check(health_pb2.HealthCheckRequest(service="deedflow.nothing.v1.Nothing"))
        assert caught.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize("name", SERVICE_NAMES)
async def test_reflection_lists_the_service(services, pki, name):
    async with client_channel(services[name].server.port, pki) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)

        async def one_request():
            yield reflection_pb2.ServerReflectionRequest(list_services="")

        replies = [reply async for reply in stub.ServerReflectionInfo(one_request())]
    listed = {s.name for s in replies[0].list_services_response.service}
    assert set(service_info(name).grpc_services) <= listed
    assert "grpc.health.v1.Health" in listed


async def test_reflection_answers_under_v1_as_current_clients_ask(services, pki):
    """grpcurl and Postman speak grpc.reflection.v1: the same messages on the wire as v1alpha."""
    async with client_channel(services["mortgage"].server.port, pki) as channel:
        call = channel.stream_stream(
            "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
            request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
            response_deserializer=reflection_pb2.ServerReflectionResponse.FromString,
        )

        async def requests():
            yield reflection_pb2.ServerReflectionRequest(list_services="")
            yield reflection_pb2.ServerReflectionRequest(
                file_containing_symbol="deedflow.mortgage.v1.MortgageService"
            )

        replies = [reply async for reply in call(requests())]
    listed = {s.name for s in replies[0].list_services_response.service}
    assert {"grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"} <= listed
    files = [
        descriptor_pb2.FileDescriptorProto.FromString(raw)
        for raw in replies[1].file_descriptor_response.file_descriptor_proto
    ]
    assert any(f.name.endswith("mortgage_service.proto") for f in files)


@pytest.mark.parametrize("name", SERVICE_NAMES)
async def test_call_without_client_certificate_is_refused(services, pki, name):
    credentials = grpc.ssl_channel_credentials(root_certificates=pki.ca_pem)
    async with grpc.aio.secure_channel(f"127.0.0.1:{services[name].server.port}", credentials) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
    # The TLS handshake itself fails: no handler ever runs.
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE


async def test_certificate_from_another_ca_is_refused(services, pki):
    stranger_ca, stranger_key = new_ca("a stranger's CA")
    forged = issue_leaf(
        stranger_ca, stranger_key, "forged clerk", [x509.UniformResourceIdentifier(DEV_CALLERS["clerk"])]
    )
    credentials = grpc.ssl_channel_credentials(
        root_certificates=pki.ca_pem, private_key=forged.key_pem, certificate_chain=forged.cert_pem
    )
    async with grpc.aio.secure_channel(
        f"127.0.0.1:{services['registry'].server.port}", credentials
    ) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE


async def test_certificate_without_deedflow_identity_is_unauthenticated(services, pki):
    from cryptography.hazmat.primitives import serialization

    ca_cert = x509.load_pem_x509_certificate(pki.ca_pem)
    ca_key = serialization.load_pem_private_key((pki.root / "ca.key").read_bytes(), password=None)
    anonymous = issue_leaf(ca_cert, ca_key, "no identity", [x509.DNSName("somewhere.example")])
    credentials = grpc.ssl_channel_credentials(
        root_certificates=pki.ca_pem, private_key=anonymous.key_pem, certificate_chain=anonymous.cert_pem
    )
    async with grpc.aio.secure_channel(
        f"127.0.0.1:{services['registry'].server.port}", credentials
    ) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "deedflow identity" in caught.value.details()


# Codes that say precisely what happened; UNKNOWN and INTERNAL would mean an unhandled path.
PRECISE = {
    grpc.StatusCode.OK,
    grpc.StatusCode.UNIMPLEMENTED,
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.FAILED_PRECONDITION,
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.ALREADY_EXISTS,
    grpc.StatusCode.PERMISSION_DENIED,
}


@pytest.mark.parametrize(("name", "service", "method"), list(_methods()))
@pytest.mark.parametrize("caller", ["clerk", "developer"])
async def test_every_rpc_answers_a_precise_status(services, pki, name, service, method, caller):
    request = fill_valid(message_class(method.input_type)())
    async with client_channel(services[name].server.port, pki, caller=caller) as channel:
        try:
            await _call(channel, service, method, request)
            code, details = grpc.StatusCode.OK, ""
        except grpc.aio.AioRpcError as exc:
            code, details = exc.code(), exc.details() or ""
    assert code in PRECISE, f"{code.name}: {details}"
    assert "Traceback" not in details


async def test_an_unknown_rpc_answers_unimplemented(services, pki):
    from deedflow.registry.v1 import registry_service_pb2

    async with client_channel(services["registry"].server.port, pki) as channel:
        call = channel.unary_unary(
            "/deedflow.registry.v1.RegistryService/NoSuchMethod",
            request_serializer=registry_service_pb2.GetCheckpointRequest.SerializeToString,
            response_deserializer=registry_service_pb2.GetCheckpointResponse.FromString,
        )
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await call(registry_service_pb2.GetCheckpointRequest())
    assert caught.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert "Traceback" not in (caught.value.details() or "")


def _methods_with_identifiers():
    for param in _methods():
        name, service, method = param.values
        path = first_formatted_path(method.input_type)
        if path:
            yield pytest.param(name, service, method, path, id=param.id)


@pytest.mark.parametrize(("name", "service", "method", "path"), list(_methods_with_identifiers()))
async def test_bad_identifier_is_invalid_argument_naming_the_field(
    services, pki, name, service, method, path
):
    request = fill_valid(message_class(method.input_type)())
    field_path = set_bad_identifier(request, path)
    path = f"/{service}/{method.name}"
    async with channel_as(allowed_role(path), services[name].server.port, pki, path) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await _call(channel, service, method, request)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    status = rpc_status.from_call(caught.value)
    violations = bad_request(status)
    assert violations is not None, "INVALID_ARGUMENT must carry a BadRequest"
    assert field_path in [v.field for v in violations.field_violations]
    assert error_info(status) is None


async def test_missing_request_id_is_named(services, pki):
    from deedflow.registry.v1 import registry_service_pb2, registry_service_pb2_grpc

    async with client_channel(services["registry"].server.port, pki) as channel:
        stub = registry_service_pb2_grpc.RegistryServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.SeizeUnit(
                registry_service_pb2.SeizeUnitRequest(unit_number="500112001002GB00015F00030502")
            )
    violations = bad_request(rpc_status.from_call(caught.value))
    assert {v.field for v in violations.field_violations} == {"request_id", "ruling"}


async def test_health_turns_not_serving_on_shutdown(database_url, test_settings, pki):
    from services.tax.app import register
    from shared.runtime import start_service

    started = await start_service("tax", register, test_settings, database_url, port=0)
    async with client_channel(started.server.port, pki) as channel:
        watch = health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest(service=""))
        first = await watch.read()
        assert first.status == health_pb2.HealthCheckResponse.SERVING
        stopping = asyncio.create_task(started.stop(grace=2))
        second = await watch.read()
        assert second.status == health_pb2.HealthCheckResponse.NOT_SERVING
        await stopping


async def test_a_grpc_port_in_use_is_named_with_its_holder(pki):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        with pytest.raises(PortInUse) as refused:
            await start_server("tax", [], lambda server: None, pki, "127.0.0.1", port)
    assert f"tax: port {port} on 127.0.0.1 is already in use by pid {os.getpid()}" in refused.value.strerror
