"""deedctl commands. Identity comes from the clerk's certificate; every call goes over mTLS."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer
from rich.table import Table

from cli.deedctl import book, building, cases, documents, events, purchases, register
from cli.deedctl.common import UNREACHABLE_HINT, Options, emit, errors, key_value_table, run
from cli.deedctl.exit_codes import ExitCode
from cli.deedctl.identity import resolve_identity
from client.healthcheck import health_status
from shared.catalog import SERVICE_NAMES, service_info
from shared.config import Settings
from shared.timestamps import china_time

app = typer.Typer(help="deedctl: registry clerks' command line (mTLS gRPC).", no_args_is_help=True)


@app.callback()
def main(
    ctx: typer.Context,
    cert: Path | None = typer.Option(None, help="Client certificate (PEM); default the dev clerk."),
    key: Path | None = typer.Option(None, help="Private key of the certificate (PEM)."),
    ca: Path | None = typer.Option(None, help="CA certificate that signed the servers (PEM)."),
    target: str | None = typer.Option(None, help="host:port of the service to call."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    settings = Settings()
    ctx.obj = Options(resolve_identity(settings.pki_path, cert, key, ca), settings, target, json_output)


app.command()(book.verify)
app.command()(book.books)
app.command()(book.audit)
app.add_typer(cases.app, name="cases")
app.add_typer(purchases.app, name="purchases")
app.add_typer(events.app, name="events")
app.add_typer(building.app, name="building")
app.add_typer(documents.certificate_app, name="certificate")
app.add_typer(documents.proof_app, name="proof")
app.add_typer(register.unit_app, name="unit")
app.add_typer(register.objection_app, name="objection")
app.add_typer(register.correction_app, name="correction")
app.command()(register.seize)
app.command()(register.release)
app.command()(register.renew)
app.command()(register.erase)
app.command("rotate-key")(register.rotate_key)
# The case verbs also stand alone, as a clerk types them: `deedctl approve ZY2026…`.
for verb in ("requisition", "approve", "register", "refuse", "withdraw"):
    app.command(verb)(cases.VERBS[verb])


async def _health(options: Options, service: str) -> str:
    async with options.channel(service) as channel:
        return await health_status(channel)


@app.command()
def whoami(ctx: typer.Context) -> None:
    """Who the servers see you as (from your certificate), proven by an mTLS call to the registry."""
    options: Options = ctx.obj

    async def ask() -> tuple:
        caller = options.identity.caller()
        return caller, options.identity.validity(), await _health(options, "registry")

    caller, (not_before, not_after), accepted = run(options, ask)
    data = {
        "identity": caller.uri,
        "role": caller.role.value,
        "id": caller.id,
        "certificate": str(options.identity.cert_path),
        "not_before": not_before.isoformat(),
        "not_after": not_after.isoformat(),
        "registry": options.target_of("registry"),
        "registry_answer": accepted,
    }
    shown = data | {"not_before": china_time(not_before), "not_after": china_time(not_after)}
    emit(options, data, key_value_table("who the servers see you as", shown))
    if accepted != "SERVING":
        errors.print(f"[red]{UNREACHABLE_HINT}[/red]")
        raise typer.Exit(ExitCode.UNAVAILABLE)


@app.command()
def health(ctx: typer.Context) -> None:
    """Health of every service over mTLS; exit 3 unless all are SERVING."""
    options: Options = ctx.obj

    async def check_all() -> list[dict[str, str]]:
        states = await asyncio.gather(*(_health(options, s) for s in SERVICE_NAMES))
        return [
            {"service": s, "term": service_info(s).chinese_term, "address": options.target_of(s), "state": st}
            for s, st in zip(SERVICE_NAMES, states, strict=True)
        ]

    rows = run(options, check_all)
    table = Table(title="deedflow health")
    for column in ("service", "term", "address", "state"):
        table.add_column(column, overflow="fold")
    for row in rows:
        colour = "green" if row["state"] == "SERVING" else "red"
        table.add_row(row["service"], row["term"], row["address"], f"[{colour}]{row['state']}[/{colour}]")
    emit(options, rows, table)
    if any(row["state"] != "SERVING" for row in rows):
        errors.print(f"[red]{UNREACHABLE_HINT}[/red]")
        raise typer.Exit(ExitCode.UNAVAILABLE)
