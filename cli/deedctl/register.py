"""deedctl unit, seize, release, objection, correction and erase: reading the book (不动产登记簿),
the restrictions a clerk enters on a court's or a party's word, and erasing a person from it."""

from __future__ import annotations

import hashlib

import typer
from rich.table import Table

from cli.deedctl.common import (
    REQUEST_ID_HELP,
    Options,
    as_dict,
    emit,
    enum_name,
    key_value_table,
    parse_time,
    request_id,
    run,
    show_table,
    when,
)
from deedflow.registry.v1 import registry_service_pb2 as pb
from deedflow.registry.v1 import registry_service_pb2_grpc
from deedflow.type.v1 import parties_pb2
from shared.money import yuan

unit_app = typer.Typer(help="The register of one unit.", no_args_is_help=True)
objection_app = typer.Typer(help="Objections (异议登记).", no_args_is_help=True)
correction_app = typer.Typer(help="Corrections (更正登记).", no_args_is_help=True)


def _entries_table(title: str, entries) -> Table:
    table = Table(title=title)
    for column in ("#", "entry", "state", "holders", "amount", "ruling", "queue", "entered", "ends", "case"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        ruling = f"{entry.ruling.authority} {entry.ruling.ruling_number}".strip()
        table.add_row(
            str(entry.sequence),
            enum_name(pb.EntryKind, entry.kind, "ENTRY_KIND_"),
            enum_name(pb.EntryState, entry.state, "ENTRY_STATE_"),
            ", ".join(entry.holders) or "-",
            yuan(entry.amount_fen) if entry.amount_fen else "-",
            ruling or "-",
            str(entry.queue_position or "-"),
            when(entry.entry_time),
            when(entry.expire_time) if entry.expire_time.seconds else when(entry.end_time),
            entry.created_by_case or "-",
        )
    return table


def _registry(options: Options):
    return options.channel("registry")


async def _call(options: Options, verb: str, request):
    async with _registry(options) as channel:
        return await getattr(registry_service_pb2_grpc.RegistryServiceStub(channel), verb)(request)


@unit_app.command("show")
def unit_show(
    ctx: typer.Context, unit_number: str = typer.Argument(..., help="The 28-character unit number.")
):
    """The unit's facts and its current rights and restrictions; queued seizures in queue order."""
    options: Options = ctx.obj
    unit = run(options, lambda: _call(options, "GetUnit", pb.GetUnitRequest(unit_number=unit_number))).unit
    if options.json_output:
        emit(options, as_dict(unit))
        return
    facts = unit.facts
    show_table(
        key_value_table(
            f"unit {unit.facts.unit_number}",
            {
                "address": facts.address,
                "area": f"{facts.gross_area_dm2 / 100:.2f} m²",
                "use": facts.use,
                "building": unit.building_number,
                "first registered": when(unit.first_registration_time) if unit.first_registered else "no",
                "as of": when(unit.as_of_time),
            },
        )
    )
    ordered = sorted(unit.entries, key=lambda e: (e.queue_position or 0, e.sequence))
    show_table(_entries_table("current rights and restrictions", ordered))


@unit_app.command("history")
def unit_history(
    ctx: typer.Context,
    unit_number: str = typer.Argument(..., help="The 28-character unit number."),
    as_of: str | None = typer.Option(None, help="The book as it stood at this time (ISO-8601)."),
) -> None:
    """Every entry of the unit, historic ones too, as the book stood now or at --as-of."""
    options: Options = ctx.obj
    request = pb.ListEntriesRequest(unit_number=unit_number, page_size=500)
    if as_of:
        request.as_of_time.FromDatetime(parse_time(as_of, "--as-of"))
    entries = run(options, lambda: _call(options, "ListEntries", request)).entries
    title = f"history of {unit_number}" + (f" as of {as_of}" if as_of else "")
    emit(options, [as_dict(e) for e in entries], _entries_table(title, entries))


def _show_entries(options: Options, title: str, rid: str, entries) -> None:
    entries = [e for e in entries if e.name]
    if options.json_output:
        emit(options, {"request_id": rid, "entries": [as_dict(e) for e in entries]})
    else:
        show_table(_entries_table(title, entries))


def _ruling(court: str, ruling: str) -> parties_pb2.CourtRuling:
    return parties_pb2.CourtRuling(authority=court, ruling_number=ruling)


def seize(
    ctx: typer.Context,
    unit_number: str = typer.Argument(..., help="The unit to seize."),
    court: str = typer.Option(..., help="The court, e.g. 重庆市渝北区人民法院."),
    ruling: str = typer.Option(..., help="The ruling's number, e.g. (2026)渝0112执123号."),
    end: str = typer.Option(..., help="End of the term as the ruling gives it (ISO-8601); at most 3 years."),
    start: str | None = typer.Option(None, help="Start of the term (ISO-8601); default now."),
    pre: bool = typer.Option(False, "--pre", help="A pre-seizure (预查封) of an unregistered unit."),
    debtor: str | None = typer.Option(None, help="For --pre on a buyer's 预告: buyers/{resident id}."),
    request: str | None = typer.Option(None, "--request-id", help=REQUEST_ID_HELP),
) -> None:
    """Enters a court's seizure (查封); a second one queues behind the first (轮候查封)."""
    options: Options = ctx.obj
    message = pb.SeizeUnitRequest(
        request_id=request_id(options, request),
        unit_number=unit_number,
        ruling=_ruling(court, ruling),
        pre_seizure=pre,
        debtor=debtor or "",
    )
    if start:
        message.start_time.FromDatetime(parse_time(start, "--start"))
    message.end_time.FromDatetime(parse_time(end, "--end"))
    entry = run(options, lambda: _call(options, "SeizeUnit", message)).entry
    _show_entries(options, f"seizure entered on {unit_number}", message.request_id, [entry])


def renew(
    ctx: typer.Context,
    entry: str = typer.Argument(..., help="The seizure entry, units/{unit}/entries/{n}."),
    court: str = typer.Option(..., help="The court renewing it."),
    ruling: str = typer.Option(..., help="The renewal ruling's number."),
    end: str = typer.Option(..., help="The new end (ISO-8601); at most 3 years from now."),
    request: str | None = typer.Option(None, "--request-id", help=REQUEST_ID_HELP),
) -> None:
    """Renews a seizure (续封) before its term ends (查封规定 27)."""
    options: Options = ctx.obj
    message = pb.RenewSeizureRequest(
        request_id=request_id(options, request), entry=entry, ruling=_ruling(court, ruling)
    )
    message.end_time.FromDatetime(parse_time(end, "--end"))
    renewed = run(options, lambda: _call(options, "RenewSeizure", message)).entry
    _show_entries(options, f"seizure renewed to {end}", message.request_id, [renewed])


def release(
    ctx: typer.Context,
    entry: str = typer.Argument(..., help="The seizure entry, units/{unit}/entries/{n}."),
    court: str = typer.Option(..., help="The court releasing it."),
    ruling: str = typer.Option(..., help="The releasing ruling's number."),
    request: str | None = typer.Option(None, "--request-id", help=REQUEST_ID_HELP),
) -> None:
    """Releases a seizure (解封); the next queued seizure, if any, takes effect."""
    options: Options = ctx.obj
    message = pb.ReleaseSeizureRequest(
        request_id=request_id(options, request), entry=entry, ruling=_ruling(court, ruling)
    )
    reply = run(options, lambda: _call(options, "ReleaseSeizure", message))
    _show_entries(options, "released (and promoted)", message.request_id, [reply.released, reply.promoted])


@objection_app.command("add")
def objection_add(
    ctx: typer.Context,
    unit_number: str = typer.Argument(..., help="The unit objected about."),
    objector: str = typer.Option(..., help="buyers/{resident id} or organizations/{USCC}."),
    grounds: str = typer.Option(..., help="Why the book is said to be wrong."),
    entry: str | None = typer.Option(None, help="The entry objected to."),
    request: str | None = typer.Option(None, "--request-id", help=REQUEST_ID_HELP),
) -> None:
    """Enters an objection (异议登记); it lapses after 15 days without a lawsuit (民法典 220)."""
    options: Options = ctx.obj
    message = pb.AddObjectionRequest(
        request_id=request_id(options, request),
        unit_number=unit_number,
        objector=objector,
        grounds=grounds,
        related_entry=entry or "",
    )
    added = run(options, lambda: _call(options, "AddObjection", message)).entry
    _show_entries(options, f"objection entered on {unit_number}", message.request_id, [added])


@objection_app.command("lift")
def objection_lift(
    ctx: typer.Context,
    entry: str = typer.Argument(..., help="The objection entry."),
    request: str | None = typer.Option(None, "--request-id", help=REQUEST_ID_HELP),
) -> None:
    """Lifts an objection (注销异议)."""
    options: Options = ctx.obj
    message = pb.LiftObjectionRequest(request_id=request_id(options, request), entry=entry)
    lifted = run(options, lambda: _call(options, "LiftObjection", message)).entry
    _show_entries(options, "objection lifted", message.request_id, [lifted])


@correction_app.command("request")
def correction_request(
    ctx: typer.Context,
    entry: str = typer.Argument(..., help="The entry said to be wrong."),
    grounds: str = typer.Option(..., help="What is wrong with it."),
    request: str | None = typer.Option(None, "--request-id", help=REQUEST_ID_HELP),
) -> None:
    """Opens a correction (更正登记) of an entry; transfers of the unit wait until it is resolved."""
    options: Options = ctx.obj
    message = pb.RequestCorrectionRequest(
        request_id=request_id(options, request), entry=entry, grounds=grounds
    )
    opened = run(options, lambda: _call(options, "RequestCorrection", message)).entry
    _show_entries(options, "correction pending", message.request_id, [opened])


@correction_app.command("resolve")
def correction_resolve(
    ctx: typer.Context,
    correction: str = typer.Argument(..., help="The pending correction entry."),
    request: str | None = typer.Option(None, "--request-id", help=REQUEST_ID_HELP),
) -> None:
    """Resolves a pending correction, the book standing as it is."""
    options: Options = ctx.obj
    message = pb.ResolveCorrectionRequest(request_id=request_id(options, request), correction=correction)
    entries = run(options, lambda: _call(options, "ResolveCorrection", message)).entries
    _show_entries(options, "correction resolved", message.request_id, entries)


def erase(
    ctx: typer.Context,
    holder: str = typer.Argument(..., help="buyers/{resident id} or organizations/{USCC}."),
    legal_basis: str = typer.Option(..., help="Why the law allows it, e.g. 个人信息保护法 47."),
    request: str | None = typer.Option(None, "--request-id", help=REQUEST_ID_HELP),
) -> None:
    """Erases a holder's personal data from the book (个人信息保护法 47) once every entry naming
    them is historic; their leaves, proofs and documents still verify."""
    options: Options = ctx.obj
    message = pb.EraseHolderRequest(
        request_id=request_id(options, request), holder=holder, legal_basis=legal_basis
    )
    erased = run(options, lambda: _call(options, "EraseHolder", message))
    data = {"request_id": message.request_id, "entries": list(erased.entries)}
    emit(options, data, key_value_table("holder erased", {**data, "entries": ", ".join(erased.entries)}))


def rotate_key(
    ctx: typer.Context,
    authority: str = typer.Argument(..., help="The book: its authority's county code, e.g. 500112."),
    request: str | None = typer.Option(None, "--request-id", help=REQUEST_ID_HELP),
) -> None:
    """Rotates a book's signing key: the checkpoint at its size now is signed by the old key and
    the new; relying parties trust each key for its range of sizes (registry-log-{code}.keys.json)."""
    options: Options = ctx.obj

    async def rotate() -> pb.RotateBookKeyResponse:
        books = (await _call(options, "ListBooks", pb.ListBooksRequest())).books
        current = next((b.public_key for b in books if b.authority == authority), b"")
        message.retiring_key_id = hashlib.sha256(current).digest() if current else b"\0" * 32
        return await _call(options, "RotateBookKey", message)

    message = pb.RotateBookKeyRequest(request_id=request_id(options, request), authority=authority)
    rotated = run(options, rotate)
    keys = [
        {
            "verifier_key": k.verifier_key,
            "first_size": k.first_size,
            "last_size": k.last_size if k.HasField("last_size") else None,
        }
        for k in rotated.keys
    ]
    data = {"request_id": message.request_id, "transition_size": rotated.checkpoint.tree_size, "keys": keys}
    ranges = "; ".join(f"{k['first_size']}..{k['last_size'] or ''} {k['verifier_key'][:48]}…" for k in keys)
    shown = {"transition at size": rotated.checkpoint.tree_size, "keys": ranges}
    emit(options, data, key_value_table(f"book {authority}: key rotated", shown))
