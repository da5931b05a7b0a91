"""Test helpers: client channels with a chosen identity, and requests built from descriptors."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import itertools
import json
import os
import pkgutil
import shutil
import subprocess
import urllib.request
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import grpc
from google.protobuf import descriptor_pool, message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor, MethodDescriptor
from google.protobuf.message import Message
from prometheus_client.parser import text_string_to_metric_families

import deedflow
from deedflow.type.v1 import field_rules_pb2
from shared.auth import Role
from shared.catalog import SERVICE_NAMES, service_info
from shared.db import plain_url, with_database
from shared.grpc.channels import secure_channel
from shared.grpc.status import error_info
from shared.pki import Pki
from shared.policy import POLICY, SERVICE_CALLS
from shared.runtime import StartedService, start_service

VALID = {
    field_rules_pb2.IDENTIFIER_FORMAT_UNIT_NUMBER: "500112001002GB00015F00030502",
    field_rules_pb2.IDENTIFIER_FORMAT_RESIDENT_ID: "11010519491231002X",
    field_rules_pb2.IDENTIFIER_FORMAT_USCC: "91110000600037341L",
    field_rules_pb2.IDENTIFIER_FORMAT_UUID: "3f1c2a9e-8b7d-4c1e-9a2f-5d6e7f8a9b0c",
    field_rules_pb2.IDENTIFIER_FORMAT_BUILDING_NUMBER: "500112001002GB00015F0003",
    field_rules_pb2.IDENTIFIER_FORMAT_AUTHORITY_CODE: "500112",
}
# One wrong character each: a letter where a digit belongs, a bad check character, etc.
INVALID = {
    field_rules_pb2.IDENTIFIER_FORMAT_UNIT_NUMBER: "500112001002GB00015X00030502",
    field_rules_pb2.IDENTIFIER_FORMAT_RESIDENT_ID: "110105194912310021",
    field_rules_pb2.IDENTIFIER_FORMAT_USCC: "91110000600037341K",
    field_rules_pb2.IDENTIFIER_FORMAT_UUID: "not-a-uuid",
    field_rules_pb2.IDENTIFIER_FORMAT_BUILDING_NUMBER: "500112001002GB00015F003",
    field_rules_pb2.IDENTIFIER_FORMAT_AUTHORITY_CODE: "110105",
}


_buildings = itertools.count(1)
# Lines a test reports (figures it measured), printed at the end of the run (tests/conftest.py).
REPORTED: list[str] = []


async def scrape_text(port: int) -> str:
    """A service's /metrics page."""

    def fetch() -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as reply:
            return reply.read().decode()

    return await asyncio.to_thread(fetch)


async def scrape(port: int) -> dict[tuple[str, tuple], float]:
    """A service's metrics: (sample name, sorted labels) -> value."""
    text = await scrape_text(port)
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def outcome_of(outcome: Message):
    """A batch outcome (shared/batches.py) as a test compares it: the response, or the refusal's
    (code, ErrorInfo reason)."""
    if outcome.HasField("response"):
        return outcome.response
    info = error_info(outcome.error)
    code = next(c for c in grpc.StatusCode if c.value[0] == outcome.error.code)
    return code, info.reason if info else None


def new_building_number(county: str = "500112") -> str:
    """A building number no other test in this session uses (they share one database)."""
    return f"{county}001002GB{next(_buildings):05d}F0001"


def load_all_protos() -> None:
    """Imports every generated module, so the default descriptor pool knows every service."""
    for module in pkgutil.walk_packages(deedflow.__path__, "deedflow."):
        if module.name.endswith("_pb2"):
            importlib.import_module(module.name)


def every_rpc() -> Iterator[tuple[str, str, MethodDescriptor]]:
    """(server, gRPC service, method) for every RPC of every deedflow service."""
    load_all_protos()
    pool = descriptor_pool.Default()
    for name in SERVICE_NAMES:
        for full_name in service_info(name).grpc_services:
            for method in pool.FindServiceByName(full_name).methods:
                yield name, full_name, method


async def row_digests(
    connection: asyncpg.Connection, schemas: list[str], skip: set[str], naming: str = ""
) -> dict[str, str]:
    """An md5 of every table's rows (only the rows whose text holds `naming`, when given), by
    "schema.table", over every table of the schemas but those in `skip`: to show nothing changed."""
    tables = await connection.fetch(
        "SELECT table_schema, table_name FROM information_schema.tables"
        " WHERE table_schema = ANY($1::text[]) AND table_type = 'BASE TABLE'"
        " AND table_name <> ALL($2::text[]) ORDER BY table_schema, table_name",
        schemas,
        sorted(skip | {"alembic_version"}),
    )
    where = " WHERE strpos(x::text, $1) > 0" if naming else ""
    query = " UNION ALL ".join(
        f"SELECT '{t['table_schema']}.{t['table_name']}' AS t,"
        f" md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h"
        f" FROM {t['table_schema']}.{t['table_name']} x{where}"
        for t in tables
    )
    return {r["t"]: r["h"] for r in await connection.fetch(query, *([naming] if naming else []))}


CALLER_OF_ROLE = {
    Role.DEVELOPER: "developer",
    Role.BANK: "bank-a",
    Role.CLERK: "clerk",
    Role.HOUSING: "housing",
    Role.TAX: "tax",
}


def service_calling(method: str) -> str:
    """One of our services that calls the method in its work (SERVICE_CALLS)."""
    return next(name for name, calls in SERVICE_CALLS.items() if method in calls)


def channel_as(role: Role, port: int, pki: Pki, method: str = "") -> grpc.aio.Channel:
    """An mTLS channel as a development identity of this role; for the SERVICE role, the service
    that calls `method`, or the orchestrator."""
    if role is Role.SERVICE:
        identity = pki.service(service_calling(method) if method else "orchestrator")
    else:
        identity = pki.caller(CALLER_OF_ROLE[role])
    return secure_channel(f"127.0.0.1:{port}", pki.ca_pem, identity, default_timeout=10)


def allowed_role(method: str) -> Role:
    """A role the policy admits for the method, preferring a clerk."""
    roles = POLICY[method]
    return Role.CLERK if Role.CLERK in roles else sorted(roles)[0]


def client_channel(port: int, pki: Pki, caller: str = "clerk") -> grpc.aio.Channel:
    """An mTLS channel to a local server as one of the development PKI's callers."""
    return secure_channel(f"127.0.0.1:{port}", pki.ca_pem, pki.caller(caller), default_timeout=10)


def rules(field: FieldDescriptor) -> field_rules_pb2.FieldRules:
    options = field.GetOptions()
    if options.HasExtension(field_rules_pb2.field):
        return options.Extensions[field_rules_pb2.field]
    return field_rules_pb2.FieldRules()


def message_class(descriptor: Descriptor) -> type[Message]:
    return message_factory.GetMessageClass(descriptor)


def fill_valid(message: Message) -> Message:
    """Sets every required field (recursively) to a valid value, so only the RPC itself decides."""
    for field in message.DESCRIPTOR.fields:
        rule = rules(field)
        if not rule.required:
            continue
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            child = getattr(message, field.name).add() if field.is_repeated else getattr(message, field.name)
            child.SetInParent()
            fill_valid(child)
        elif field.type == FieldDescriptor.TYPE_STRING:
            setattr(message, field.name, VALID.get(rule.format, "x"))
        elif field.type == FieldDescriptor.TYPE_BYTES:
            setattr(message, field.name, b"x")
        else:
            setattr(message, field.name, 1)
    return message


def first_formatted_path(descriptor: Descriptor, seen: frozenset[str] = frozenset()) -> list[FieldDescriptor]:
    """The path to the first string field with an identifier format, through message fields."""
    for field in descriptor.fields:
        if field.type == FieldDescriptor.TYPE_STRING and rules(field).format and not field.is_repeated:
            return [field]
    for field in descriptor.fields:
        if field.type == FieldDescriptor.TYPE_MESSAGE and field.message_type.full_name not in seen:
            rest = first_formatted_path(field.message_type, seen | {descriptor.full_name})
            if rest:
                return [field, *rest]
    return []


def set_bad_identifier(message: Message, path: list[FieldDescriptor]) -> str:
    """Puts an invalid identifier at `path` and returns the field path the server should name."""
    names = []
    target = message
    for field in path[:-1]:
        if field.is_repeated:
            target = getattr(target, field.name).add()
            fill_valid(target)
            names.append(f"{field.name}[0]")
        else:
            target = getattr(target, field.name)
            target.SetInParent()
            fill_valid(target)
            names.append(field.name)
    last = path[-1]
    setattr(target, last.name, INVALID[rules(last).format])
    names.append(last.name)
    return ".".join(names)


async def stream_admitted(stream) -> bool:
    """Whether a server stream was taken up: it sent its headers and goes on (a feed may stay
    open and quiet for ever). A refusal ends the call before any headers and raises here."""
    await stream.initial_metadata()
    if not stream.done():
        stream.cancel()
        return True
    async for _ in stream:
        pass
    return True


def unary_or_stream(channel: grpc.aio.Channel, service: str, method: MethodDescriptor):
    """A callable for any method of any service, from its descriptor."""
    path = f"/{service}/{method.name}"
    serializer = message_class(method.input_type).SerializeToString
    deserializer = message_class(method.output_type).FromString
    if method.server_streaming:
        return channel.unary_stream(path, request_serializer=serializer, response_deserializer=deserializer)
    return channel.unary_unary(path, request_serializer=serializer, response_deserializer=deserializer)


async def _admin(url: str, sql: str) -> None:
    connection = await asyncpg.connect(plain_url(url))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def fresh_database(server_url: str) -> Iterator[str]:
    """Creates a database for one user of it and drops it (with its connections) afterwards."""
    name = f"deedflow_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    yield with_database(server_url, name)
    asyncio.run(_admin(server_url, f'DROP DATABASE "{name}" WITH (FORCE)'))


async def start_at(name: str, settings, database_url: str, port: int, clock=None) -> StartedService:
    """One service, in this process, on `port` (a replica whose address its peers already know)."""
    register = importlib.import_module(f"services.{name}.app").register
    return await start_service(name, register, settings, database_url, port=port, clock=clock)


@contextlib.asynccontextmanager
async def in_process(
    names, settings, database_url: str | dict[str, str], clock=None
) -> AsyncIterator[dict[str, StartedService]]:
    """The named services, in this process, in that order, on free ports, over mTLS; each is
    published in `settings.addresses` as it starts, so the next finds it (as docker-compose's
    services find each other). Stopped in reverse order. `database_url` is one for all, or each
    office's own."""
    started: dict[str, StartedService] = {}
    try:
        for name in names:
            register = importlib.import_module(f"services.{name}.app").register
            url = database_url if isinstance(database_url, str) else database_url[name]
            started[name] = await start_service(name, register, settings, url, port=0, clock=clock)
            settings.addresses[name] = f"127.0.0.1:{started[name].server.port}"
        yield started
    finally:
        for service in reversed(list(started.values())):
            await service.stop(0)


# The offices spread over three PostgreSQL servers (tests of offices on their own databases).
OFFICE_SERVERS = {
    "orchestrator": 0,
    "contract": 0,
    "tax": 0,
    "preregistration": 1,
    "transfer": 1,
    "mortgage": 2,
    "registry": 2,
}


def stack_env(home: Path, database_url: str, columns: int = 200) -> dict[str, str]:
    """The environment of a whole stack run as a user runs it: its own home and database, every
    service on a port the OS picks (published under {home}/run)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEEDFLOW_")}
    env.update(
        DEEDFLOW_HOME=str(home),
        DATABASE_URL=database_url,
        DEEDFLOW_PORTS=json.dumps(dict.fromkeys(SERVICE_NAMES, 0)),
        COLUMNS=str(columns),
    )
    return env


def build_go(source: Path, folder: Path, cache: Path) -> Path:
    """A Go program of tests/interop built with Debian's Go and golang.org/x/mod (make
    test-packages installs them), offline: GOPATH mode over Debian's source tree, with a build
    cache the session's Go programs share (x/mod is compiled once). The binary."""
    go = shutil.which("go")
    assert go is not None, "Go is missing: `make test-packages` installs golang-go"
    out = folder / source.stem
    env = {
        **os.environ,
        "GO111MODULE": "off",
        "GOPATH": "/usr/share/gocode",
        "GOCACHE": str(cache),
        "GOFLAGS": "",
    }
    subprocess.run([go, "build", "-o", str(out), str(source)], check=True, env=env, timeout=600)
    return out
