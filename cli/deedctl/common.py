"""What every deedctl command shares: options, channels, output, and turning a refusal into a
message and an exit code."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import grpc
import typer
from google.protobuf import json_format
from google.protobuf.message import Message
from grpc_status import rpc_status
from rich.console import Console
from rich.table import Table

from cli import tables
from cli.deedctl.exit_codes import ExitCode, exit_code_for
from cli.deedctl.identity import ClientIdentity, IdentityProblem
from cli.deedctl.reasons import meaning
from shared.config import Settings
from shared.grpc.channels import secure_channel
from shared.grpc.status import bad_request, error_info
from shared.logging import mask_personal_ids
from shared.runstate import address_of
from shared.timestamps import CHINA, china_time

console = Console()
# A message is one line, however narrow the terminal: the terminal wraps it, rich does not break it.
errors = Console(stderr=True, soft_wrap=True)
T = TypeVar("T")


@dataclass
class Options:
    identity: ClientIdentity
    settings: Settings
    target: str | None
    json_output: bool

    def target_of(self, service: str) -> str:
        return self.target or address_of(self.settings, service)

    def channel(self, service: str) -> grpc.aio.Channel:
        # The certificate the caller named first: a wrong --cert is what they will want to hear.
        pair = self.identity.pair()
        return secure_channel(self.target_of(service), self.identity.ca_pem(), pair)


def emit(options: Options, data: object, table: Table | None = None) -> None:
    """JSON for scripts, a table for people (show_table)."""
    if options.json_output or table is None:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        show_table(table)


def show_table(table: Table, out: Console | None = None) -> None:
    """A table on deedctl's console (cli.tables.show_table)."""
    tables.show_table(table, out or console)


def read_input(path: Path) -> bytes:
    """A file named on the command line; one line saying what is wrong, and exit 2, when it
    cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        errors.print(f"[red]no such file: {path}[/red] (check the path; it is read from {Path.cwd()})")
    except IsADirectoryError:
        errors.print(f"[red]{path} is a folder, not a file[/red]")
    except OSError as exc:
        errors.print(f"[red]cannot read {path}: {exc.strerror}[/red]")
    raise typer.Exit(ExitCode.USAGE)


def key_value_table(title: str, data: dict) -> Table:
    # Values fold onto further lines rather than being cut: a hash or a name is no use in part.
    table = Table(title=title, show_header=False)
    table.add_column(overflow="fold")
    table.add_column(overflow="fold")
    for key, value in data.items():
        table.add_row(key, str(value))
    return table


def document_summary(content: dict, document) -> dict:
    """What a sealed document (a SignedDocument, `content` its parsed content) is, for a person or
    a script: kind, number, entry, unit, holders, and where it sits in the signed tree."""
    return {
        "kind": content.get("kind", ""),
        "number": content.get("number", ""),
        "entry": content.get("entry", ""),
        "unit_number": content.get("unit_number", ""),
        "holders": content.get("holders", []),
        "sealed_time": content.get("sealed_time", ""),
        "tree_size": document.checkpoint.tree_size,
        "leaf_index": document.leaf_index,
        "root_hash": document.checkpoint.root_hash.hex(),
    }


def masked_holders(data: dict) -> dict:
    """The summary as a table shows it to people: holders in one line, resident IDs masked, the
    sealing time in Beijing time (a script's JSON keeps the document's own words)."""
    shown = data | {"holders": mask_personal_ids(", ".join(data["holders"]))}
    if data.get("sealed_time"):
        shown["sealed_time"] = china_time(
            dt.datetime.fromisoformat(data["sealed_time"].replace("Z", "+00:00"))
        )
    return shown


def refusal(exc: grpc.aio.AioRpcError) -> dict:
    """A refusal as data: code, reason, its meaning in Chinese and English, and bad fields."""
    status = rpc_status.from_call(exc)
    data: dict = {"code": exc.code().name, "message": exc.details() or ""}
    info = error_info(status) if status is not None else None
    if info is not None:
        chinese, english = meaning(info.reason)
        data |= {"reason": info.reason, "meaning_zh": chinese, "meaning_en": english}
        if info.metadata:
            data["metadata"] = dict(info.metadata)
    request = bad_request(status) if status is not None else None
    if request is not None:
        data["fields"] = {v.field: v.description for v in request.field_violations}
    return data


UNREACHABLE_HINT = "is the stack running? `deedflow status` tells; `deedflow up --detach` starts it"
# What gRPC says when no connection could be made, and when TLS would not agree.
_UNREACHABLE = re.compile(
    r"failed to connect|connections to all backends failing|Connection refused|DNS resolution"
)
_HANDSHAKE = re.compile(r"(?i)handshake|certificate verify|ssl|tls")
_ADDRESS = re.compile(r"(?:ipv4:|ipv6:|dns:)?(\[?[\w.:-]+\]?:\d+)")


def connection_problem(exc: grpc.aio.AioRpcError) -> str | None:
    """One line for a call that never reached a service: what, where, and what to do."""
    if exc.code() != grpc.StatusCode.UNAVAILABLE:
        return None
    said = f"{exc.details() or ''} {exc.debug_error_string() or ''}"
    found = _ADDRESS.search(said)
    where = f" at {found.group(1)}" if found else ""
    if _HANDSHAKE.search(said) and not _UNREACHABLE.search(said):
        return (
            f"the service{where} refused the TLS handshake: its certificate and yours must come from"
            " the CA given with --ca (default .deedflow/pki/ca.pem)"
        )
    if _UNREACHABLE.search(said):
        return f"cannot reach deedflow{where}: {UNREACHABLE_HINT}"
    return None


def report_refusal(options: Options, exc: grpc.aio.AioRpcError) -> ExitCode:
    problem = connection_problem(exc)
    if problem is not None:
        if options.json_output:
            errors.print_json(json.dumps({"error": {"code": "UNAVAILABLE", "message": problem}}))
        else:
            errors.print(f"[red]{problem}[/red]")
        return ExitCode.UNAVAILABLE
    data = refusal(exc)
    if options.json_output:
        errors.print_json(json.dumps({"error": data}, ensure_ascii=False))
    else:
        fields = data.get("fields", {})
        # A bad field is said once, by the field; any other refusal by its message.
        errors.print(f"[red]refused: {data['code']}[/red]" + ("" if fields else f" {data['message']}"))
        if "reason" in data:
            errors.print(f"  {data['reason']}: {data['meaning_zh']} / {data['meaning_en']}")
        for field, why in fields.items():
            errors.print(f"  {field}: {why}")
    return exit_code_for(exc.code())


def run(options: Options, work: Callable[[], Awaitable[T]]) -> T:
    """Runs a command's calls; a refusal becomes a message and the exit code of its class, a
    certificate or key that cannot be used one line and exit 2."""
    try:
        return asyncio.run(work())
    except grpc.aio.AioRpcError as exc:
        raise typer.Exit(report_refusal(options, exc)) from None
    except IdentityProblem as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(ExitCode.USAGE) from None


def as_dict(message: Message) -> dict:
    """A message as JSON-ready data, field names as in the protos."""
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def enum_name(enum_type, value: int, prefix: str) -> str:
    return enum_type.Name(value).removeprefix(prefix)


def when(stamp) -> str:
    """A timestamp as people read it, Beijing time with its offset (JSON keeps UTC), or '-'."""
    if not stamp.seconds and not stamp.nanos:
        return "-"
    return china_time(stamp.ToDatetime(tzinfo=dt.UTC))


def counted(n: int, noun: str) -> str:
    """'1 book', '2 books'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def utc(stamp) -> str | None:
    """A timestamp as scripts read it (JSON): RFC 3339 in UTC, or None when unset."""
    if not stamp.seconds and not stamp.nanos:
        return None
    return stamp.ToJsonString()


def parse_time(text: str, option: str) -> dt.datetime:
    """An ISO-8601 time from the command line; Beijing time when no zone is given."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not an ISO-8601 time", param_hint=option) from None
    return value if value.tzinfo else value.replace(tzinfo=CHINA)


REQUEST_ID_HELP = "Idempotency key; default a new one, printed so a timed-out command can be re-run safely."


def request_id(options: Options, given: str | None) -> str:
    """The request id to send: the given one (a retry) or a new one, always told to the clerk."""
    chosen = given or str(uuid.uuid4())
    if not options.json_output:
        errors.print(f"[dim]request id {chosen} (re-run with --request-id {chosen} to retry safely)[/dim]")
    return chosen
