"""deedctl cases: the clerks' queue and verbs (after SOLA): list, show, requisition, approve,
register, refuse, withdraw. A case's number names its office: YG pre-registration, ZY transfer,
DY mortgage."""

from __future__ import annotations

import datetime as dt

import typer
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
    utc,
    when,
)
from deedflow.casework.v1 import casework_service_pb2 as pb
from deedflow.casework.v1 import casework_service_pb2_grpc

app = typer.Typer(help="Registration cases: the queue and the clerk's verbs.", no_args_is_help=True)

OFFICES = {"YG": "preregistration", "ZY": "transfer", "DY": "mortgage"}
OPEN = (pb.CASE_STATE_LODGED, pb.CASE_STATE_REQUISITIONED, pb.CASE_STATE_APPROVED)


def office_of(case: str) -> str:
    """The service that keeps a case, from its number's prefix."""
    number = case.removeprefix("cases/")
    try:
        return OFFICES[number[:2]]
    except KeyError:
        raise typer.BadParameter(
            f"{case!r} is not a case number (YG…, ZY… or DY…)", param_hint="CASE"
        ) from None


def _case_name(case: str) -> str:
    return case if case.startswith("cases/") else f"cases/{case}"


def _state(value: int) -> str:
    return enum_name(pb.CaseState, value, "CASE_STATE_")


def _time_left(case: pb.Case, now: dt.datetime) -> tuple[str, float | None]:
    """Time left to the statutory limit, for open cases; negative when overdue."""
    if case.state not in OPEN or not case.due_time.seconds:
        return "-", None
    hours = (case.due_time.ToDatetime(tzinfo=dt.UTC) - now).total_seconds() / 3600
    text = f"{hours / 24:.1f} d" if abs(hours) >= 24 else f"{hours:.1f} h"
    return (f"[red]{text} overdue[/red]" if hours < 0 else text), hours


def _row(case: pb.Case, office: str, now: dt.datetime) -> dict:
    left_text, hours = _time_left(case, now)
    age_days = (now - case.lodge_time.ToDatetime(tzinfo=dt.UTC)).total_seconds() / 86400
    return {
        "case": case.name,
        "office": office,
        "kind": enum_name(pb.CaseKind, case.kind, "CASE_KIND_"),
        "state": _state(case.state),
        "unit_number": case.unit_number,
        "lodged": utc(case.lodge_time),
        "age_days": round(age_days, 2),
        "time_limit_working_days": case.time_limit_working_days,
        "due": utc(case.due_time),
        "_lodged": when(case.lodge_time),
        "_due": when(case.due_time),
        "hours_left": None if hours is None else round(hours, 1),
        "_left": left_text,
    }


@app.command("list")
def list_cases(
    ctx: typer.Context,
    office: list[str] = typer.Option(
        [], "--service", help="preregistration, transfer or mortgage (repeatable); default all three."
    ),
    state: list[str] = typer.Option(
        [], help="LODGED, REQUISITIONED, APPROVED, … (repeatable); default open."
    ),
    unit: str | None = typer.Option(None, help="Only this unit's cases."),
    older_than_days: float = typer.Option(0, help="Only cases lodged at least this many days ago."),
) -> None:
    """The queue: cases by office, state and age, with the statutory time limit and time left."""
    options: Options = ctx.obj
    offices = office or list(OFFICES.values())
    unknown = set(offices) - set(OFFICES.values())
    if unknown:
        raise typer.BadParameter(f"unknown office {sorted(unknown)}", param_hint="--service")
    try:
        states = [pb.CaseState.Value(f"CASE_STATE_{s.upper()}") for s in state] or list(OPEN)
    except ValueError:
        raise typer.BadParameter(f"unknown state in {state}", param_hint="--state") from None
    now = dt.datetime.now(dt.UTC)
    request = pb.ListCasesRequest(states=states, unit_number=unit or "", page_size=500)
    if older_than_days:
        request.lodged_before.FromDatetime(now - dt.timedelta(days=older_than_days))

    async def fetch() -> list[dict]:
        rows = []
        for name in offices:
            async with options.channel(name) as channel:
                stub = casework_service_pb2_grpc.CaseworkServiceStub(channel)
                rows += [_row(c, name, now) for c in (await stub.ListCases(request)).cases]
        return sorted(rows, key=lambda r: (r["hours_left"] is None, r["hours_left"] or 0))

    rows = run(options, fetch)
    table = Table(title=f"cases ({len(rows)})")
    columns = ("case", "office", "kind", "state", "unit_number")
    for column in (*columns, "lodged", "age_days", "limit (wd)", "due", "time left"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            *(str(row[c]) for c in columns),
            row["_lodged"],
            str(row["age_days"]),
            str(row["time_limit_working_days"]),
            row["_due"],
            row["_left"],
        )
    emit(options, [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows], table)


def _show(options: Options, case: pb.Case) -> None:
    data = as_dict(case)
    if options.json_output:
        emit(options, data)
        return
    left, _ = _time_left(case, dt.datetime.now(dt.UTC))
    show_table(
        key_value_table(
            f"case {case.case_number}",
            {
                "kind": enum_name(pb.CaseKind, case.kind, "CASE_KIND_"),
                "state": _state(case.state),
                "unit": case.unit_number,
                "applicants": ", ".join(case.applicants),
                "lodged": when(case.lodge_time),
                "time limit": f"{case.time_limit_working_days} working days, due {when(case.due_time)}",
                "time left": left,
                "registered": when(case.register_time),
                "entries": ", ".join(case.entries) or "-",
                "document": case.document_number or "-",
            },
        )
    )
    if case.corrections:
        corrections = Table(title="requisition (补正): corrections asked for")
        corrections.add_column("subject", overflow="fold")
        corrections.add_column("description", overflow="fold")
        for item in case.corrections:
            corrections.add_row(item.subject, item.description)
        show_table(corrections)
    if case.refusal_reasons:
        console.print("refused because: " + "; ".join(case.refusal_reasons))
    history = Table(title="history")
    for column in ("state", "by", "at", "notes"):
        history.add_column(column, overflow="fold")
    for event in case.history:
        history.add_row(_state(event.state), event.actor, when(event.event_time), "; ".join(event.notes))
    show_table(history)


def _stub(options: Options, case: str):
    return options.channel(office_of(case))


@app.command()
def show(ctx: typer.Context, case: str = typer.Argument(..., help="The case number, e.g. ZY202600000001.")):
    """One case with its corrections, reasons and history."""
    options: Options = ctx.obj

    async def fetch() -> pb.Case:
        async with _stub(options, case) as channel:
            stub = casework_service_pb2_grpc.CaseworkServiceStub(channel)
            return (await stub.GetCase(pb.GetCaseRequest(name=_case_name(case)))).case_record

    _show(options, run(options, fetch))


def _act(options: Options, case: str, verb: str, build) -> None:
    """Sends one verb for a case and shows the case as it now stands."""

    async def call() -> pb.Case:
        async with _stub(options, case) as channel:
            stub = casework_service_pb2_grpc.CaseworkServiceStub(channel)
            return (await getattr(stub, verb)(build())).case_record

    _show(options, run(options, call))


def requisition(
    ctx: typer.Context,
    case: str = typer.Argument(..., help="The case number."),
    item: list[str] = typer.Option(
        ..., help="'subject: what to correct' (repeatable): one consolidated list (一次性告知)."
    ),
    request: str | None = typer.Option(None, "--request-id", help=REQUEST_ID_HELP),
) -> None:
    """Asks the applicant for every correction at once (补正); the case waits for resubmission."""
    options: Options = ctx.obj
    corrections = []
    for text in item:
        subject, sep, description = text.partition(":")
        if not sep or not subject.strip() or not description.strip():
            raise typer.BadParameter(f"{text!r} must read 'subject: description'", param_hint="--item")
        corrections.append(pb.Correction(subject=subject.strip(), description=description.strip()))
    rid = request_id(options, request)
    _act(
        options,
        case,
        "RequisitionCase",
        lambda: pb.RequisitionCaseRequest(request_id=rid, name=_case_name(case), corrections=corrections),
    )


def _simple(verb: str, message, doc: str):
    def command(
        ctx: typer.Context,
        case: str = typer.Argument(..., help="The case number."),
        request: str | None = typer.Option(None, "--request-id", help=REQUEST_ID_HELP),
    ) -> None:
        options: Options = ctx.obj
        rid = request_id(options, request)
        _act(options, case, verb, lambda: message(request_id=rid, name=_case_name(case)))

    command.__doc__ = doc
    return command


approve = _simple("ApproveCase", pb.ApproveCaseRequest, "Approves a lodged case (审核).")
register = _simple("RegisterCase", pb.RegisterCaseRequest, "Enters an approved case in the book (登簿).")
withdraw = _simple("WithdrawCase", pb.WithdrawCaseRequest, "Withdraws a case before it is entered (撤回).")
app.command("approve")(approve)
app.command("register")(register)
app.command("withdraw")(withdraw)


def refuse(
    ctx: typer.Context,
    case: str = typer.Argument(..., help="The case number."),
    reason: list[str] = typer.Option(..., help="A written reason (repeatable; 条例 22)."),
    request: str | None = typer.Option(None, "--request-id", help=REQUEST_ID_HELP),
) -> None:
    """Refuses a case with written reasons (不予登记)."""
    options: Options = ctx.obj
    rid = request_id(options, request)
    _act(
        options,
        case,
        "RefuseCase",
        lambda: pb.RefuseCaseRequest(request_id=rid, name=_case_name(case), reasons=reason),
    )


app.command("refuse")(refuse)
app.command("requisition")(requisition)
VERBS = {
    "requisition": requisition,
    "approve": approve,
    "register": register,
    "refuse": refuse,
    "withdraw": withdraw,
}
