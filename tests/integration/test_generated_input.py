"""Generated input on every RPC of every service, as every kind of caller: no answer is INTERNAL or
UNKNOWN, a unary call never hangs, and a refused call changes no row of any office's records.

Bounded for CI; a longer run is one command (docs/authorization.md, "Generated input"):
    DEEDFLOW_GENERATED_CALLS=400 DEEDFLOW_GENERATED_SEED=$RANDOM \\
        .venv/bin/pytest tests/integration/test_generated_input.py
"""

from __future__ import annotations

import collections
import os
import random

import asyncpg
import grpc
import pytest
from google.protobuf.message import Message

from shared.auth import Role
from shared.catalog import SERVICE_NAMES
from shared.db import plain_url
from shared.policy import POLICY, SERVICE_CALLS
from tests.flows import file_contract, open_offices, preregister, presale
from tests.generated import Generator
from tests.support import REPORTED, channel_as, every_rpc, in_process, message_class, row_digests

CALLS_PER_RPC = int(os.environ.get("DEEDFLOW_GENERATED_CALLS", "14"))
SEED = int(os.environ.get("DEEDFLOW_GENERATED_SEED", "20261201"))
# Records that are not state a call changes: a refused call may store its answer for replay, and
# the registry signs checkpoints of its book by itself, in the background.
NOT_STATE = {"idempotency_record", "checkpoint"}
NEVER = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN}


def _mutating(method) -> bool:
    return "request_id" in method.input_type.fields_by_name


def _names(message: Message, into: set[str]) -> None:
    """Every resource name and identifier in a reply, to aim generated calls at real objects."""
    for field, value in message.ListFields():
        if field.type == field.TYPE_MESSAGE:
            for item in value if field.is_repeated else [value]:
                _names(item, into)
        elif field.type == field.TYPE_STRING:
            for item in value if field.is_repeated else [value]:
                if item and len(item) < 80:
                    into.add(item)


def _brief(request: Message) -> str:
    return " ".join(str(request).split())[:300]


async def _call(channel, path, method, request, corrupt: bytes | None):
    """One call; the answer's status code (OK included)."""
    request_type = message_class(method.input_type)
    serializer = (lambda _: corrupt) if corrupt is not None else request_type.SerializeToString
    factory = channel.unary_stream if method.server_streaming else channel.unary_unary
    stub = factory(path, request_serializer=serializer, response_deserializer=lambda b: b)
    try:
        if method.server_streaming:
            async for _ in stub(request, timeout=3):
                pass
        else:
            await stub(request, timeout=20)
    except grpc.aio.AioRpcError as error:
        return error.code(), error.details()
    return grpc.StatusCode.OK, ""


async def test_generated_input_on_every_rpc(server_url, fresh_database_url, test_settings, pki):
    rng = random.Random(SEED)
    settings = test_settings.model_copy(deep=True)
    known: set[str] = set()
    async with in_process(SERVICE_NAMES, settings, fresh_database_url) as started:
        ports = {name: s.server.port for name, s in started.items()}
        async with open_offices(ports, pki) as offices:
            building, units = await presale(offices, units=3)
            sale = await file_contract(offices, pki, units[0])
            prereg, case = await preregister(offices, sale)
            for reply in (sale.contract, prereg, case):
                _names(reply, known)
            known.update({building, *units})
        generator = Generator(rng, sorted(known))
        connection = await asyncpg.connect(plain_url(fresh_database_url))

        async def fingerprint() -> dict[str, str]:
            return await row_digests(connection, list(SERVICE_NAMES), NOT_STATE)

        channels: dict[tuple[str, Role, str], grpc.aio.Channel] = {}

        def channel(service: str, role: Role, path: str) -> grpc.aio.Channel:
            key = (service, role, path if role is Role.SERVICE else "")
            if key not in channels:
                channels[key] = channel_as(role, ports[service], pki, path if role is Role.SERVICE else "")
            return channels[key]

        codes: collections.Counter[str] = collections.Counter()
        findings: list[str] = []
        rpcs = list(every_rpc())
        served = {p for calls in SERVICE_CALLS.values() for p in calls}
        try:
            state = await fingerprint()
            for service, full_name, method in rpcs:
                path = f"/{full_name}/{method.name}"
                roles = sorted(POLICY.get(path, frozenset()) - {Role.BUYER}) or [Role.CLERK]
                for _ in range(CALLS_PER_RPC):
                    role = (
                        rng.choice(roles)
                        if rng.random() < 0.9
                        else rng.choice([r for r in Role if r is not Role.BUYER])
                    )
                    if role is Role.SERVICE and path not in served:
                        role = Role.CLERK
                    request = generator.request(method.input_type)
                    corrupt = None
                    if rng.random() < 0.15:
                        corrupt = generator.corrupt(request.SerializeToString())
                    code, details = await _call(channel(service, role, path), path, method, request, corrupt)
                    codes[code.name] += 1
                    if code in NEVER or (
                        code is grpc.StatusCode.DEADLINE_EXCEEDED and not method.server_streaming
                    ):
                        findings.append(
                            f"{path} as {role}: {code.name} {details[:160]!r} <- {_brief(request)}"
                        )
                    if _mutating(method):
                        after = await fingerprint()
                        if code is not grpc.StatusCode.OK and after != state:
                            changed = sorted(t for t in after if after[t] != state.get(t))
                            findings.append(f"{path} as {role}: refused {code.name} yet changed {changed}")
                        state = after
        finally:
            for c in channels.values():
                await c.close()
            await connection.close()
    total = sum(codes.values())
    REPORTED.append(
        f"generated input: {total} calls over {len(rpcs)} RPCs (seed {SEED}):"
        f" {', '.join(f'{k} {v}' for k, v in codes.most_common())}"
    )
    assert not findings, "\n".join(findings[:40])
    assert total == len(rpcs) * CALLS_PER_RPC


pytestmark = pytest.mark.timeout(900)
