"""The role table (shared/policy.py) covers every RPC, and every RPC admits exactly the roles it
lists: each RPC is called by each of the seven roles over mTLS; and each of our services may
call exactly the RPCs its work needs."""

from __future__ import annotations

import grpc
import pytest
from grpc_status import rpc_status

from shared.auth import Role
from shared.catalog import SERVICE_NAMES
from shared.grpc.channels import secure_channel
from shared.grpc.status import error_info
from shared.policy import POLICY, SERVICE_CALLS
from tests.parties import buyer
from tests.support import channel_as, every_rpc, fill_valid, message_class, stream_admitted, unary_or_stream


def test_the_table_covers_every_rpc_and_nothing_else():
    declared = {f"/{service}/{method.name}" for _, service, method in every_rpc()}
    assert declared == set(POLICY)


def test_a_buyer_certificate_only_reads_the_owners_documents():
    """A buyer's certificate binds a signing key; as an API credential it reads the owner's own
    certificate and mortgage proof, and nothing else (each office narrows it to the owner's)."""
    assert {method for method, roles in POLICY.items() if Role.BUYER in roles} == {
        "/deedflow.transfer.v1.TransferService/GetCertificate",
        "/deedflow.transfer.v1.TransferService/ListCertificates",
        "/deedflow.mortgage.v1.MortgageService/GetMortgage",
        "/deedflow.mortgage.v1.MortgageService/ListMortgages",
    }


def test_services_are_admitted_exactly_where_one_of_them_calls():
    """The SERVICE role appears in the table only where some service needs it, and never where
    the role table would refuse the service anyway."""
    called = set().union(*SERVICE_CALLS.values())
    admitting = {method for method, roles in POLICY.items() if Role.SERVICE in roles}
    assert admitting == called
    assert set(SERVICE_CALLS) == set(SERVICE_NAMES)


async def _refusal(channel, service, method) -> str:
    """'' when the call got past authorization, else the PERMISSION_DENIED reason."""
    try:
        call = unary_or_stream(channel, service, method)
        request = fill_valid(message_class(method.input_type)())
        if method.server_streaming:
            await stream_admitted(call(request))
        else:
            await call(request)
    except grpc.aio.AioRpcError as exc:
        if exc.code() == grpc.StatusCode.PERMISSION_DENIED:
            info = error_info(rpc_status.from_call(exc))
            if info is not None and info.reason in ("ROLE_NOT_ALLOWED", "SERVICE_CALL_NOT_ALLOWED"):
                return info.reason
    return ""


@pytest.mark.parametrize("caller_service", SERVICE_NAMES)
async def test_each_service_calls_only_what_its_work_needs(services, pki, caller_service):
    wrong = []
    for name, service, method in every_rpc():
        path = f"/{service}/{method.name}"
        if Role.SERVICE not in POLICY[path]:
            continue
        async with secure_channel(
            f"127.0.0.1:{services[name].server.port}",
            pki.ca_pem,
            pki.service(caller_service),
            default_timeout=10,
        ) as channel:
            refused = await _refusal(channel, service, method)
        expected = "" if path in SERVICE_CALLS[caller_service] else "SERVICE_CALL_NOT_ALLOWED"
        if refused != expected:
            wrong.append(f"{path}: {refused or 'admitted'}")
    assert wrong == []


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
async def test_every_rpc_admits_exactly_its_roles(services, pki, role):
    if role is Role.BUYER:
        identity = buyer(pki, "11010519491231002X").pair
    wrong = []
    for name, service, method in every_rpc():
        port = services[name].server.port
        channel = (
            secure_channel(f"127.0.0.1:{port}", pki.ca_pem, identity)
            if role is Role.BUYER
            else channel_as(role, port, pki)
        )
        async with channel:
            denied = await _refusal(channel, service, method) != ""
        path = f"/{service}/{method.name}"
        # The SERVICE role is played by the orchestrator's certificate.
        expected_denied = role not in POLICY[path] or (
            role is Role.SERVICE and path not in SERVICE_CALLS["orchestrator"]
        )
        if denied != expected_denied:
            wrong.append(f"{service}/{method.name}: {'denied' if denied else 'admitted'}")
    assert wrong == []
