"""deedctl purchases: the filed purchases as the orchestrator tracks them: list, show, watch live,
those parked for a person with the reason, and resuming one once its cause is removed."""

from __future__ import annotations

import json

import typer
from rich.live import Live
from rich.table import Table

from cli.deedctl.common import (
    REQUEST_ID_HELP,
    Options,
    as_dict,
    console,
    emit,
    enum_name,
    key_value_table,
    request_id,
    run,
    show_table,
    when,
)
from cli.deedctl.reasons import meaning
from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from shared.grpc.status import error_info

app = typer.Typer(
    help="Purchases filed once (一件事), as the orchestrator tracks them.", no_args_is_help=True
)

TERMINAL = (pb.PURCHASE_STATE_HANDED_OVER, pb.PURCHASE_STATE_CANCELLED, pb.PURCHASE_STATE_REJECTED)


def _state(value: int) -> str:
    return enum_name(pb.PurchaseState, value, "PURCHASE_STATE_")


def _problem(purchase: pb.Purchase) -> str:
    """Why a purchase waits for a person: the refusal's reason, its meaning and the message."""
    if not purchase.problem.code:
        return ""
    info = error_info(purchase.problem)
    if info is None:
        return purchase.problem.message
    chinese, english = meaning(info.reason)
    return f"{info.reason}: {chinese} / {english} ({purchase.problem.message})"


def _name(purchase: str) -> str:
    return purchase if purchase.startswith("purchases/") else f"purchases/{purchase}"


async def _list(options: Options, request: pb.ListPurchasesRequest) -> list[pb.Purchase]:
    async with options.channel("orchestrator") as channel:
        stub = orchestrator_service_pb2_grpc.PurchaseServiceStub(channel)
        found: list[pb.Purchase] = []
        while True:
            page = await stub.ListPurchases(request)
            found += page.purchases
            if not page.next_page_token:
                return found
            request.page_token = page.next_page_token


def _list_table(title: str, purchases: list[pb.Purchase], with_problem: bool) -> Table:
    table = Table(title=f"{title} ({len(purchases)})")
    columns = ["purchase", "unit", "state", "updated"] + (
        ["waiting for a person because"] if with_problem else []
    )
    for column in columns:
        table.add_column(column, overflow="fold")
    for p in purchases:
        row = [p.name, p.filing.unit_number, _state(p.state), when(p.update_time)]
        table.add_row(*row, *([_problem(p)] if with_problem else []))
    return table


def _summary(p: pb.Purchase) -> dict:
    return {
        "name": p.name,
        "unit_number": p.filing.unit_number,
        "state": _state(p.state),
        "problem": _problem(p),
    }


@app.command("list")
def list_purchases(
    ctx: typer.Context,
    state: str | None = typer.Option(None, help="FILING, AWAITING_COMPLETION, CERTIFICATE_READY, PARKED, …"),
    building: str | None = typer.Option(None, help="Only this building (24-character number)."),
) -> None:
    """Purchases, newest first, by state and building."""
    options: Options = ctx.obj
    request = pb.ListPurchasesRequest(building_number=building or "", page_size=500)
    if state:
        try:
            request.state = pb.PurchaseState.Value(f"PURCHASE_STATE_{state.upper()}")
        except ValueError:
            raise typer.BadParameter(f"unknown state {state!r}", param_hint="--state") from None
    found = run(options, lambda: _list(options, request))
    emit(options, [_summary(p) for p in found], _list_table("purchases", found, with_problem=False))


@app.command()
def parked(ctx: typer.Context) -> None:
    """Purchases waiting for a person (PARKED), with the reason each was stopped."""
    options: Options = ctx.obj
    request = pb.ListPurchasesRequest(state=pb.PURCHASE_STATE_PARKED, page_size=500)
    found = run(options, lambda: _list(options, request))
    emit(options, [_summary(p) for p in found], _list_table("parked purchases", found, with_problem=True))


async def _resume(options: Options, request: pb.ResumePurchaseRequest) -> pb.Purchase:
    async with options.channel("orchestrator") as channel:
        stub = orchestrator_service_pb2_grpc.PurchaseServiceStub(channel)
        return (await stub.ResumePurchase(request)).purchase


@app.command()
def resume(
    ctx: typer.Context,
    purchase: str = typer.Argument(..., help="purchases/{id} or the id."),
    note: str = typer.Option(..., help="What you did about the cause, e.g. the seizure was lifted."),
    withdraw_cancellation: bool = typer.Option(
        False, help="For a cancellation parked because its consent proved invalid: drop it and go on."
    ),
    request: str | None = typer.Option(None, "--request-id", help=REQUEST_ID_HELP),
) -> None:
    """Sends a parked purchase back to work once a person has removed the cause."""
    options: Options = ctx.obj
    message = pb.ResumePurchaseRequest(
        request_id=request_id(options, request),
        name=_name(purchase),
        note=note,
        withdraw_cancellation=withdraw_cancellation,
    )
    resumed = run(options, lambda: _resume(options, message))
    summary = _summary(resumed) | {"request_id": message.request_id}
    emit(options, summary, key_value_table(resumed.name, summary))


def _timeline(purchase: pb.Purchase) -> Table:
    table = Table(title=f"{purchase.name}: {_state(purchase.state)} (version {purchase.version})")
    for column in ("step", "state", "started", "ended", "attempts", "last error"):
        table.add_column(column, overflow="fold")
    for step in purchase.steps:
        table.add_row(
            enum_name(pb.StepKind, step.kind, "STEP_KIND_"),
            enum_name(pb.StepState, step.state, "STEP_STATE_"),
            when(step.start_time),
            when(step.end_time),
            str(step.attempts),
            step.last_error.message or "-",
        )
    return table


@app.command()
def show(ctx: typer.Context, purchase: str = typer.Argument(..., help="purchases/{id} or the id.")) -> None:
    """One purchase: its state, every step, its documents and any problem."""
    options: Options = ctx.obj

    async def fetch() -> pb.Purchase:
        async with options.channel("orchestrator") as channel:
            stub = orchestrator_service_pb2_grpc.PurchaseServiceStub(channel)
            return (await stub.GetPurchase(pb.GetPurchaseRequest(name=_name(purchase)))).purchase

    found = run(options, fetch)
    if options.json_output:
        emit(options, as_dict(found))
        return
    documents = found.documents
    show_table(
        key_value_table(
            found.name,
            {
                "unit": found.filing.unit_number,
                "state": _state(found.state),
                "problem": _problem(found) or "-",
                "contract": documents.contract or "-",
                "filing number": documents.filing_number or "-",
                "certificates": ", ".join(documents.certificate_numbers) or "-",
                "mortgage proof": documents.mortgage_proof_number or "-",
                "filed": when(found.create_time),
                "handed over": when(found.handover_time),
            },
        )
    )
    show_table(_timeline(found))


@app.command()
def watch(
    ctx: typer.Context,
    purchase: str = typer.Argument(..., help="purchases/{id} or the id."),
    after_version: int = typer.Option(0, help="Resume after this version (as printed before)."),
) -> None:
    """Follows a purchase live until it ends (handed over, cancelled or rejected); Ctrl-C stops.
    With --json, one line of JSON per change."""
    options: Options = ctx.obj

    async def follow() -> None:
        async with options.channel("orchestrator") as channel:
            stub = orchestrator_service_pb2_grpc.PurchaseServiceStub(channel)
            stream = stub.WatchPurchase(
                pb.WatchPurchaseRequest(name=_name(purchase), after_version=after_version)
            )
            if options.json_output:
                async for change in stream:
                    typer.echo(_json_line(change.purchase))
                    if change.purchase.state in TERMINAL:
                        return
                return
            with Live(console=console, auto_refresh=False) as live:
                async for change in stream:
                    live.update(_timeline(change.purchase), refresh=True)
                    if change.purchase.state in TERMINAL:
                        return

    try:
        run(options, follow)
    except KeyboardInterrupt:
        raise typer.Exit(0) from None


def _json_line(purchase: pb.Purchase) -> str:
    return json.dumps({"version": purchase.version, **_summary(purchase)}, ensure_ascii=False)
