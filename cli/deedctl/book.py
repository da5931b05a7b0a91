"""deedctl verify and audit: checking a register document offline, and re-walking the whole log
against the registry's signed checkpoints."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import Progress
from rich.table import Table

from cli.deedctl.common import (
    Options,
    console,
    document_summary,
    emit,
    errors,
    key_value_table,
    masked_holders,
    run,
)
from cli.deedctl.exit_codes import ExitCode
from deedflow.registry.v1 import registry_service_pb2 as registry_pb
from deedflow.registry.v1 import registry_service_pb2_grpc
from shared.audit import Witnessed, audit_log, witness_problem
from shared.documents import load_public_key, verify_document
from shared.paper.reading import read_document

LEAF_PAGE = 500


def _public_key(options: Options, path: Path | None) -> bytes:
    key_path = path or options.settings.pki_path / "registry-log.pub"
    try:
        return load_public_key(key_path.read_bytes())
    except (OSError, ValueError) as exc:
        errors.print(f"[red]cannot read the registry's public key {key_path}: {exc}[/red]")
        raise typer.Exit(ExitCode.ERROR) from None


def verify(
    ctx: typer.Context,
    document: Path = typer.Argument(
        ..., help="A signed certificate or proof: its JSON file, its PDF, or its QR code's text in a file."
    ),
    registry_key: Path | None = typer.Option(
        None, help="The registry's public key (PEM); default .deedflow/pki/registry-log.pub."
    ),
) -> None:
    """Checks a certificate or registration proof offline: the registry's seal, the entry's
    inclusion in the signed tree, the checkpoint's signature, and that it says what its entry
    says. No network. Exit 8 when any check fails."""
    options: Options = ctx.obj
    public_key = _public_key(options, registry_key)
    try:
        signed = read_document(document.read_bytes())
    except (OSError, ValueError) as exc:
        errors.print(f"[red]cannot read {document}: {exc}[/red]")
        raise typer.Exit(ExitCode.INVALID) from None
    try:
        result = verify_document(signed, public_key)
    except ValueError as exc:
        errors.print(f"[red]cannot read {document}: {exc}[/red]")
        raise typer.Exit(ExitCode.INVALID) from None
    body = result.content.get("body", {})
    data = {
        "document": str(document),
        "valid": result.ok,
        "failures": result.failures,
        **document_summary(result.content, signed),
    }
    if options.json_output:
        emit(options, data | {"body": body})
    else:
        shown = masked_holders({k: v for k, v in data.items() if k not in ("failures", "valid")})
        console.print(key_value_table("register document", shown))
        if result.ok:
            console.print("[green]VALID[/green]: sealed by the registry and included in its signed tree")
        for failure in result.failures:
            console.print(f"[red]INVALID[/red]: {failure}")
    if not result.ok:
        raise typer.Exit(ExitCode.TAMPERED)


async def _fetch(options: Options, progress: Progress):
    async with options.channel("registry") as channel:
        stub = registry_service_pb2_grpc.RegistryServiceStub(channel)
        checkpoints, token, server_key = [], "", b""
        while True:
            page = await stub.ListCheckpoints(
                registry_pb.ListCheckpointsRequest(page_size=500, page_token=token)
            )
            checkpoints += page.checkpoints
            server_key = page.public_key
            token = page.next_page_token
            if not token:
                break
        leaves: list[bytes] = []
        task = progress.add_task("reading the book's leaves", total=None)
        while True:
            page = await stub.ListLeaves(
                registry_pb.ListLeavesRequest(start_index=len(leaves), page_size=LEAF_PAGE)
            )
            leaves += page.leaves
            progress.update(task, completed=len(leaves), total=page.tree_size)
            if len(leaves) >= page.tree_size or not page.leaves:
                break
        return leaves, checkpoints, server_key


def _witnessed(path: Path) -> Witnessed | None:
    try:
        return Witnessed.from_json(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError) as exc:
        errors.print(f"[red]cannot read the witness file {path}: {exc}[/red]")
        raise typer.Exit(ExitCode.ERROR) from None


def audit(
    ctx: typer.Context,
    registry_key: Path | None = typer.Option(
        None, help="The registry's public key (PEM) you trust; default .deedflow/pki/registry-log.pub."
    ),
    witness: Path | None = typer.Option(
        None,
        help="Where this auditor keeps the last checkpoint it verified (default"
        " .deedflow/witness/registry.json); the book must still begin with that tree.",
    ),
) -> None:
    """Re-walks the whole book: recomputes the Merkle tree from every leaf and checks it against
    every checkpoint the registry signed, and against the last checkpoint this auditor verified
    before (its witness), which it then moves forward. Exit 8 if anything no longer holds."""
    options: Options = ctx.obj
    public_key = _public_key(options, registry_key)
    witness_path = witness or options.settings.home / "witness" / "registry.json"
    witnessed = _witnessed(witness_path)
    with Progress(console=errors, transient=True) as progress:
        leaves, checkpoints, server_key = run(options, lambda: _fetch(options, progress))
    report = audit_log(leaves, checkpoints, public_key)
    changed = report.changed_range()
    against_witness = witness_problem(leaves, witnessed) if witnessed else ""
    data = {
        "ok": report.ok and server_key == public_key and not against_witness,
        "witness": {
            "tree_size": witnessed.tree_size if witnessed else 0,
            "problem": against_witness,
        },
        "leaves": report.leaves,
        "checkpoints": len(report.findings),
        "server_key_matches": server_key == public_key,
        "changed_leaves": list(changed) if changed else None,
        # Leaves appended since the last checkpoint: in the book, not yet under any signature.
        "unsigned_leaves": report.leaves - max((f.tree_size for f in report.findings), default=0),
        "findings": [
            {"tree_size": f.tree_size, "checkpoint_time": f.checkpoint_time.isoformat(), "problem": f.problem}
            for f in report.findings
            if not f.ok
        ],
    }
    table = Table(title=f"audit of the register: {report.leaves} leaves, {len(report.findings)} checkpoints")
    for column in ("tree size", "signed at", "result"):
        table.add_column(column, overflow="fold")
    for finding in report.findings:
        table.add_row(
            str(finding.tree_size),
            finding.checkpoint_time.isoformat(timespec="seconds"),
            "[green]holds[/green]" if finding.ok else f"[red]{finding.problem}[/red]",
        )
    emit(options, data, table)
    if data["ok"] and report.findings:
        latest = max(checkpoints, key=lambda c: c.tree_size)
        witness_path.parent.mkdir(parents=True, exist_ok=True)
        witness_path.write_text(Witnessed(latest.tree_size, latest.root_hash).to_json())
    if not options.json_output:
        if against_witness:
            console.print(f"[red]TAMPERED[/red]: {against_witness}")
        if server_key != public_key:
            console.print("[red]the registry serves another public key than the one you trust[/red]")
        if changed:
            console.print(
                f"[red]TAMPERED[/red]: a leaf in [{changed[0]}, {changed[1]}) was changed after signing"
            )
        elif data["ok"]:
            console.print("[green]the book is intact[/green]: every signed checkpoint holds")
        if data["unsigned_leaves"]:
            console.print(f"{data['unsigned_leaves']} leaves were appended after the last checkpoint")
    if not data["ok"]:
        raise typer.Exit(ExitCode.TAMPERED)
