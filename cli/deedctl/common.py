"""What every deedctl command shares: options, channels, output, and turning a refusal into a
message and an exit code."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
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

from cli.deedctl.exit_codes import ExitCode, exit_code_for
from cli.deedctl.identity import ClientIdentity
from cli.deedctl.reasons import meaning
from shared.config import Settings
from shared.grpc.channels import secure_channel
from shared.grpc.status import bad_request, error_info
from shared.logging import mask_personal_ids
from shared.runstate import address_of

console = Console()
errors = Console(stderr=True)
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
        return secure_channel(self.target_of(service), self.identity.ca_pem(), self.identity.pair())


def emit(options: Options, data: object, table: Table | None = None) -> None:
    """JSON for scripts, a table for people."""
    if options.json_output or table is None:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        console.print(table)


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
    """The summary as a table shows it to people: holders in one line, resident IDs masked (a
    script's JSON keeps the document's own words)."""
    return data | {"holders": mask_personal_ids(", ".join(data["holders"]))}


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


def report_refusal(options: Options, exc: grpc.aio.AioRpcError) -> ExitCode:
    data = refusal(exc)
    if options.json_output:
        errors.print_json(json.dumps({"error": data}, ensure_ascii=False))
    else:
        errors.print(f"[red]refused: {data['code']}[/red] {data['message']}")
        if "reason" in data:
            errors.print(f"  {data['reason']}: {data['meaning_zh']} / {data['meaning_en']}")
        for field, why in data.get("fields", {}).items():
            errors.print(f"  {field}: {why}")
    return exit_code_for(exc.code())


def run(options: Options, work: Callable[[], Awaitable[T]]) -> T:
    """Runs a command's calls; a refusal becomes a message and the exit code of its class."""
    try:
        return asyncio.run(work())
    except grpc.aio.AioRpcError as exc:
        raise typer.Exit(report_refusal(options, exc)) from None


def as_dict(message: Message) -> dict:
    """A message as JSON-ready data, field names as in the protos."""
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def enum_name(enum_type, value: int, prefix: str) -> str:
    return enum_type.Name(value).removeprefix(prefix)


def when(stamp) -> str:
    """A timestamp in local time to the second, or '-' when unset."""
    if not stamp.seconds and not stamp.nanos:
        return "-"
    return stamp.ToDatetime(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def parse_time(text: str, option: str) -> dt.datetime:
    """An ISO-8601 time from the command line; local time when no zone is given."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not an ISO-8601 time", param_hint=option) from None
    return value if value.tzinfo else value.astimezone()


REQUEST_ID_HELP = "Idempotency key; default a new one, printed so a timed-out command can be re-run safely."


def request_id(options: Options, given: str | None) -> str:
    """The request id to send: the given one (a retry) or a new one, always told to the clerk."""
    chosen = given or str(uuid.uuid4())
    if not options.json_output:
        errors.print(f"[dim]request id {chosen} (re-run with --request-id {chosen} to retry safely)[/dim]")
    return chosen
