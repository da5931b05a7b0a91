"""deedctl events: the event feed (事件订阅) of the purchase office, which carries the whole flow:
list a page after a cursor, or watch it live and resume after a disconnect from the last cursor
printed."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from cli.deedctl.common import Options, console, emit, enum_name, run, utc, when
from deedflow.events.v1 import events_service_pb2 as pb
from deedflow.events.v1 import events_service_pb2_grpc

app = typer.Typer(help="The event feed of the whole flow, resumable from a cursor.", no_args_is_help=True)

CURSOR_HELP = "Start after this cursor (the last one printed before); empty: the oldest event kept."


def _summary(event: pb.Event) -> dict:
    return {
        "cursor": event.cursor,
        "event": event.name,
        "type": enum_name(pb.EventType, event.type, "EVENT_TYPE_"),
        "subject": event.subject,
        "unit_number": event.unit_number,
        "time": utc(event.event_time),
        "office": event.office,
    }


def _table(events: list[pb.Event]) -> Table:
    table = Table(title=f"events ({len(events)})")
    for column in ("cursor", "type", "subject", "unit", "time"):
        table.add_column(column, overflow="fold")
    for event in events:
        row = _summary(event)
        table.add_row(row["cursor"], row["type"], row["subject"], row["unit_number"], when(event.event_time))
    return table


def _stub(channel) -> events_service_pb2_grpc.EventServiceStub:
    return events_service_pb2_grpc.EventServiceStub(channel)


@app.command("list")
def list_events(
    ctx: typer.Context,
    after: str = typer.Option("", "--after", help=CURSOR_HELP),
    limit: int = typer.Option(100, min=1, max=1000, help="At most this many."),
) -> None:
    """One page of events after a cursor; the last line's cursor is where to go on from."""
    options: Options = ctx.obj

    async def fetch() -> list[pb.Event]:
        async with options.channel("orchestrator") as channel:
            request = pb.ListEventsRequest(after_cursor=after, page_size=limit)
            return list((await _stub(channel).ListEvents(request)).events)

    found = run(options, fetch)
    emit(options, [_summary(e) for e in found], _table(found))


@app.command()
def watch(
    ctx: typer.Context,
    after: str = typer.Option("", "--after", help=CURSOR_HELP),
    count: int = typer.Option(0, min=0, help="Stop after this many events (0: until Ctrl-C)."),
) -> None:
    """Follows the feed live, one line per event (JSON with --json); Ctrl-C stops. Run it again
    with --after and the last cursor printed to go on exactly from there."""
    options: Options = ctx.obj

    async def follow() -> None:
        async with options.channel("orchestrator") as channel:
            seen = 0
            async for response in _stub(channel).WatchEvents(pb.WatchEventsRequest(after_cursor=after)):
                row = _summary(response.event)
                if options.json_output:
                    typer.echo(json.dumps(row, ensure_ascii=False))
                else:
                    at = when(response.event.event_time)
                    line = f"{row['cursor']}  {at}  {row['type']:<26} {row['subject']}"
                    console.print(f"{line}  {row['unit_number']}", soft_wrap=True)
                seen += 1
                if count and seen >= count:
                    return

    try:
        run(options, follow)
    except KeyboardInterrupt:
        raise typer.Exit(0) from None
