"""deedctl certificate get and proof get: a sealed certificate (不动产权证书) or mortgage proof
(不动产登记证明) fetched as files a person keeps: the signed JSON document and its PDF."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from cli.deedctl.common import Options, document_summary, emit, errors, key_value_table, masked_holders, run
from cli.deedctl.exit_codes import ExitCode
from client.paper.font import FontMissing
from client.paper.pdf import render
from deedflow.mortgage.v1 import mortgage_service_pb2 as mortgage_pb
from deedflow.mortgage.v1 import mortgage_service_pb2_grpc
from deedflow.registry.v1 import document_pb2
from deedflow.transfer.v1 import transfer_service_pb2 as transfer_pb
from deedflow.transfer.v1 import transfer_service_pb2_grpc
from shared.documents import to_file
from shared.ids import IdentifierError, validate_unit_number

certificate_app = typer.Typer(
    help="Certificates (不动产权证书) as files: signed JSON and PDF.", no_args_is_help=True
)
proof_app = typer.Typer(
    help="Mortgage proofs (不动产登记证明) as files: signed JSON and PDF.", no_args_is_help=True
)

PDF_HELP = "Write the PDF (the template's fields, a QR code and the signed document embedded) here."
JSON_HELP = "Write the signed document (JSON, as deedctl verify and the verification page read it) here."


def _unit_number(text: str) -> str | None:
    try:
        return validate_unit_number(text)
    except IdentifierError:
        return None


async def _certificate(options: Options, which: str) -> document_pb2.SignedDocument:
    async with options.channel("transfer") as channel:
        stub = transfer_service_pb2_grpc.TransferServiceStub(channel)
        name = which if which.startswith("certificates/") else f"certificates/{which}"
        unit = _unit_number(which)
        if unit is not None:
            listed = (
                await stub.ListCertificates(transfer_pb.ListCertificatesRequest(unit_number=unit))
            ).certificates
            if not listed:
                errors.print(f"[red]no certificate of unit {unit} that you may read[/red]")
                raise typer.Exit(ExitCode.NOT_FOUND)
            # Newest first: those of the newest entry are the unit's current certificates (one per
            # co-owner when each asked for their own copy).
            current = [c for c in listed if c.entry == listed[0].entry]
            if len(current) > 1:
                names = ", ".join(c.name for c in current)
                errors.print(
                    f"[red]unit {unit} has {len(current)} current certificates; name one: {names}[/red]"
                )
                raise typer.Exit(ExitCode.USAGE)
            name = current[0].name
        reply = await stub.GetCertificate(transfer_pb.GetCertificateRequest(name=name, with_document=True))
        return reply.document


async def _proof(options: Options, which: str) -> document_pb2.SignedDocument:
    async with options.channel("mortgage") as channel:
        stub = mortgage_service_pb2_grpc.MortgageServiceStub(channel)
        name = which
        unit = _unit_number(which)
        if unit is not None:
            listed = (
                await stub.ListMortgages(
                    mortgage_pb.ListMortgagesRequest(
                        unit_number=unit, state=mortgage_pb.MORTGAGE_STATE_REGISTERED
                    )
                )
            ).mortgages
            if len(listed) != 1:
                found = ", ".join(m.name for m in listed) or "none that you may read"
                errors.print(
                    f"[red]unit {unit} has {len(listed)} registered mortgages ({found}); name one[/red]"
                )
                raise typer.Exit(ExitCode.NOT_FOUND if not listed else ExitCode.USAGE)
            name = listed[0].name
        reply = await stub.GetMortgage(mortgage_pb.GetMortgageRequest(name=name, with_document=True))
        if not reply.proof_document.content:
            errors.print(f"[red]{name} is not entered in the book yet: it has no proof[/red]")
            raise typer.Exit(ExitCode.REFUSED)
        return reply.proof_document


def _save(
    options: Options, document: document_pb2.SignedDocument, pdf: Path | None, json_file: Path | None
) -> None:
    content = json.loads(document.content)
    written = {}
    try:
        if json_file is not None:
            json_file.write_text(to_file(document))
            written["json"] = str(json_file)
        if pdf is not None:
            pdf.write_bytes(render(document))
            written["pdf"] = str(pdf)
    except FontMissing as exc:
        errors.print(f"[red]cannot write the PDF: {exc}[/red]")
        raise typer.Exit(ExitCode.ERROR) from None
    except OSError as exc:
        errors.print(f"[red]cannot write {exc.filename}: {exc.strerror}[/red]")
        raise typer.Exit(ExitCode.ERROR) from None
    data = document_summary(content, document) | written
    emit(options, data, key_value_table(data["number"], masked_holders(data)))
    if not written:
        errors.print("[dim]nothing written: give --pdf FILE and/or --json FILE[/dim]")


@certificate_app.command("get")
def get_certificate(
    ctx: typer.Context,
    which: str = typer.Argument(
        ..., help="A unit number (its current certificate) or a certificate's name or number."
    ),
    pdf: Path | None = typer.Option(None, "--pdf", help=PDF_HELP),
    json_file: Path | None = typer.Option(None, "--json", help=JSON_HELP),
) -> None:
    """Fetches a certificate as the registry seals it now, for its seller during handover and for
    officials, and writes it as a PDF and/or the signed JSON."""
    options: Options = ctx.obj
    _save(options, run(options, lambda: _certificate(options, which)), pdf, json_file)


@proof_app.command("get")
def get_proof(
    ctx: typer.Context,
    which: str = typer.Argument(
        ..., help="A unit number (its registered mortgage) or a mortgage's name, mortgages/…"
    ),
    pdf: Path | None = typer.Option(None, "--pdf", help=PDF_HELP),
    json_file: Path | None = typer.Option(None, "--json", help=JSON_HELP),
) -> None:
    """Fetches a mortgage's registration proof as the registry seals it now, for the mortgagee bank
    and officials, and writes it as a PDF and/or the signed JSON."""
    options: Options = ctx.obj
    _save(options, run(options, lambda: _proof(options, which)), pdf, json_file)
