"""The role table (shared/policy.py) covers every RPC, and every RPC admits exactly the roles it
lists: each of the 71 RPCs is called by each of the seven roles over mTLS."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import descriptor_pool
from grpc_status import rpc_status

from shared.auth import Role
from shared.catalog import SERVICE_NAMES, service_info
from shared.grpc.channels import secure_channel
from shared.grpc.status import error_info
from shared.policy import POLICY
from tests.parties import buyer
from tests.support import channel_as, fill_valid, load_all_protos, message_class, unary_or_stream


def _rpcs():
    load_all_protos()
    pool = descriptor_pool.Default()
    for name in SERVICE_NAMES:
        for full_name in service_info(name).grpc_services:
            for method in pool.FindServiceByName(full_name).methods:
                yield name, full_name, method


def test_the_table_covers_every_rpc_and_nothing_else():
    declared = {f"/{service}/{method.name}" for _, service, method in _rpcs()}
    assert declared == set(POLICY)


def test_no_rpc_admits_a_buyer_certificate():
    """A buyer's certificate binds a signing key; it is not an API credential."""
    assert all(Role.BUYER not in roles for roles in POLICY.values())


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
async def test_every_rpc_admits_exactly_its_roles(services, pki, role):
    if role is Role.BUYER:
        identity = buyer(pki, "11010519491231002X").pair
    wrong = []
    for name, service, method in _rpcs():
        port = services[name].server.port
        channel = (
            secure_channel(f"127.0.0.1:{port}", pki.ca_pem, identity)
            if role is Role.BUYER
            else channel_as(role, port, pki)
        )
        async with channel:
            try:
                call = unary_or_stream(channel, service, method)
                request = fill_valid(message_class(method.input_type)())
                if method.server_streaming:
                    async for _ in call(request):
                        break
                else:
                    await call(request)
                denied = False
            except grpc.aio.AioRpcError as exc:
                info = (
                    error_info(rpc_status.from_call(exc))
                    if exc.code() == grpc.StatusCode.PERMISSION_DENIED
                    else None
                )
                denied = info is not None and info.reason == "ROLE_NOT_ALLOWED"
        expected_denied = role not in POLICY[f"/{service}/{method.name}"]
        if denied != expected_denied:
            wrong.append(f"{service}/{method.name}: {'denied' if denied else 'admitted'}")
    assert wrong == []
