"""deedctl verify, books and audit: checking a register document offline, listing the books (one
per registration authority), and re-walking each book against its signed checkpoints."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import Progress
from rich.table import Table

from cli.deedctl.common import (
    Options,
    console,
    counted,
    document_summary,
    emit,
    errors,
    key_value_table,
    masked_holders,
    read_input,
    run,
    show_table,
)
from cli.deedctl.exit_codes import ExitCode
from client import witnesses
from client.audit import Witnessed, audit_log, witness_problem
from client.paper.fields import document_fields
from client.paper.reading import Read, read
from client.paper.verdict import Verdict, judge
from deedflow.registry.v1 import registry_service_pb2 as registry_pb
from deedflow.registry.v1 import registry_service_pb2_grpc
from shared import book_keys
from shared.checkpoint import key_id
from shared.cosignature import Cosigner, parse_cosigner_key
from shared.districts import DISTRICTS, validate_authority_code
from shared.documents import BookKey, load_public_key
from shared.logging import mask_personal_ids
from shared.pki import Pki

LEAF_PAGE = 500


def _public_key(options: Options, path: Path | None, authority: str) -> bytes | list[BookKey]:
    """The key trusted for the authority's book: the one named, else its keys over time where it
    rotated its key (registry-log-{code}.keys.json), else its own, else the registry's."""
    key_path = path or Pki(options.settings.pki_path).book_public_key_path(authority)
    try:
        history = None if path or not authority else book_keys.load(options.settings.pki_path, authority)
        return history or load_public_key(key_path.read_bytes())
    except (OSError, ValueError) as exc:
        errors.print(f"[red]cannot read the registry's public key {key_path}: {exc}[/red]")
        raise typer.Exit(ExitCode.ERROR) from None


def _trusted_witnesses(options: Options, keys: list[str], quorum: int | None) -> tuple[list[Cosigner], int]:
    """The witnesses named, or those the PKI folder keeps (witnesses.json), with the quorum asked
    for, else the folder's."""
    try:
        if not keys:
            kept = witnesses.load(options.settings.pki_path)
            keys, quorum = list(kept.keys), kept.quorum if quorum is None else quorum
        quorum = quorum or 0
        trusted = [parse_cosigner_key(text) for text in keys]
    except ValueError as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(ExitCode.USAGE) from None
    if quorum > len(trusted):
        errors.print(f"[red]a quorum of {quorum} needs as many trusted witnesses; {len(trusted)} given[/red]")
        raise typer.Exit(ExitCode.USAGE)
    return trusted, quorum


def _book_of(signed) -> str:
    """The authority whose key the document's checkpoint should bear: the checkpoint's own book,
    which verify_document holds to the unit's (a well-formed code only: it names a file)."""
    authority = signed.checkpoint.authority
    return authority if authority.isascii() and authority.isdigit() and len(authority) == 6 else ""


# The fields a person compares with the paper in their hand, by kind (client/paper/fields.py).
COMPARED = {
    "certificate": ("权利人", "共有情况", "坐落", "不动产单元号", "面积", "证书号"),
    "proof": ("权利人（申请人）", "义务人", "坐落", "不动产单元号", "其他", "证明号"),
}


def _compared_table(verdict: Verdict, content: dict, pdf: bool) -> Table:
    """The fields a person compares: what the registry sealed and, for a PDF, what its page prints."""
    table = Table(title="what the registry sealed" + (" and what the page prints" if pdf else ""))
    table.add_column("field", overflow="fold")
    table.add_column("sealed", overflow="fold")
    if pdf:
        table.add_column("printed", overflow="fold")
    printed = {p.zh: p for p in verdict.printed}
    for field in document_fields(content):
        if field.zh not in COMPARED.get(content.get("kind", ""), ()):
            continue
        row = [f"{field.zh} {field.en}", mask_personal_ids(field.value)]
        if pdf:
            shown = printed.get(field.zh)
            if shown is None or shown.printed is None:
                row.append("[red]not printed[/red]")
            elif shown.same:
                row.append("[green]same[/green]")
            else:
                row.append(f"[red]{mask_personal_ids(shown.printed)}[/red]")
        table.add_row(*row)
    return table


def _show_verdict(options: Options, document: Path, held: Read, verdict: Verdict) -> None:
    """The verdict as JSON for scripts, or as tables and one line per finding for people."""
    result = verdict.result
    summary = {
        "document": str(document),
        "form": held.form,
        "verdict": verdict.verdict,
        "valid": verdict.valid,
        "failures": result.failures,
        "page": verdict.page,
        "witnesses": result.witnesses,
        **document_summary(result.content, held.document),
    }
    if options.json_output:
        printed = [
            {"field": p.zh, "printed": p.printed, "sealed": p.sealed, "same": p.same} for p in verdict.printed
        ]
        emit(options, summary | {"printed": printed, "body": result.content.get("body", {})})
    else:
        shown = {k: v for k, v in summary.items() if k not in ("failures", "valid", "page", "verdict")}
        show_table(key_value_table("register document", masked_holders(shown)))
        if result.content.get("kind") in COMPARED:
            show_table(_compared_table(verdict, result.content, held.pdf is not None))
        if verdict.valid:
            console.print("[green]VALID[/green]: sealed by the registry and included in its signed tree")
        for failure in result.failures:
            console.print(f"[red]INVALID[/red]: {failure}")
        for finding in verdict.page:
            console.print(f"[red]ALTERED[/red]: {mask_personal_ids(finding)}")


def verify(
    ctx: typer.Context,
    document: Path = typer.Argument(
        ..., help="A signed certificate or proof: its JSON file, its PDF, or its QR code's text in a file."
    ),
    registry_key: Path | None = typer.Option(
        None,
        help="The public key (PEM) of the unit's book; default .deedflow/pki/registry-log-{authority}.pub,"
        " else .deedflow/pki/registry-log.pub.",
    ),
    witness: list[str] = typer.Option(
        [],
        help="A witness you trust, by its verifier key (name+id+key, type 0x04); repeat. Default: those"
        " in .deedflow/pki/witnesses.json, with its quorum.",
    ),
    quorum: int | None = typer.Option(
        None,
        min=0,
        help="How many of those witnesses must have cosigned the checkpoint (default: witnesses.json's,"
        " else 0).",
    ),
) -> None:
    """Checks a certificate or registration proof offline: the registry's seal, the entry's
    inclusion in the signed tree, the checkpoint's signature (and the quorum of witnesses'
    cosignatures you ask for), and that it says what its entry says; for a PDF also that its page
    prints what was sealed and that it carries nothing active. No network. Exit 0 VALID; 8
    INVALID or ALTERED; 4 when the file holds no document it reads."""
    options: Options = ctx.obj
    data = read_input(document)
    try:
        held = read(data)
    except ValueError as exc:
        errors.print(f"[red]cannot read {document}: {exc}[/red]")
        raise typer.Exit(ExitCode.INVALID) from None
    public_key = _public_key(options, registry_key, _book_of(held.document))
    trusted, quorum = _trusted_witnesses(options, witness, quorum)
    try:
        verdict = judge(held, public_key, trusted, quorum)
    except ValueError as exc:
        errors.print(f"[red]cannot read {document}: {exc}[/red]")
        raise typer.Exit(ExitCode.INVALID) from None
    _show_verdict(options, document, held, verdict)
    if not verdict.valid:
        raise typer.Exit(ExitCode.TAMPERED)


async def _books(options: Options, authority: str) -> list[registry_pb.BookSummary]:
    async with options.channel("registry") as channel:
        stub = registry_service_pb2_grpc.RegistryServiceStub(channel)
        books = list((await stub.ListBooks(registry_pb.ListBooksRequest())).books)
    return [b for b in books if b.authority == authority] if authority else books


async def _fetch(options: Options, authority: str, progress: Progress):
    async with options.channel("registry") as channel:
        stub = registry_service_pb2_grpc.RegistryServiceStub(channel)
        checkpoints, token, server_key = [], "", b""
        while True:
            page = await stub.ListCheckpoints(
                registry_pb.ListCheckpointsRequest(authority=authority, page_size=500, page_token=token)
            )
            checkpoints += page.checkpoints
            server_key = page.public_key
            token = page.next_page_token
            if not token:
                break
        leaves: list[bytes] = []
        task = progress.add_task(f"reading the leaves of the book of {authority}", total=None)
        while True:
            page = await stub.ListLeaves(
                registry_pb.ListLeavesRequest(
                    authority=authority, start_index=len(leaves), page_size=LEAF_PAGE
                )
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


def _audit_book(
    options: Options, authority: str, public_key: bytes | list[BookKey], witness_path: Path
) -> dict:
    """One book re-walked: its report as data, its witness moved forward when it holds."""
    witnessed = _witnessed(witness_path)
    # The registry serves the book's current key: the trusted one, or the history's last.
    current = public_key if isinstance(public_key, bytes) else public_key[-1].public_key
    with Progress(console=errors, transient=True) as progress:
        leaves, checkpoints, server_key = run(options, lambda: _fetch(options, authority, progress))
    report = audit_log(authority, leaves, checkpoints, public_key)
    changed = report.changed_range()
    against_witness = witness_problem(leaves, witnessed) if witnessed else ""
    data = {
        "authority": authority,
        "district": DISTRICTS.get(authority, ""),
        "ok": report.ok and server_key == current and not against_witness,
        "witness": {
            "tree_size": witnessed.tree_size if witnessed else 0,
            "problem": against_witness,
        },
        "leaves": report.leaves,
        "checkpoints": len(report.findings),
        "server_key_matches": server_key == current,
        "changed_leaves": list(changed) if changed else None,
        # Leaves appended since the last checkpoint: in the book, not yet under any signature.
        "unsigned_leaves": report.leaves - max((f.tree_size for f in report.findings), default=0),
        "findings": [
            {"tree_size": f.tree_size, "checkpoint_time": f.checkpoint_time.isoformat(), "problem": f.problem}
            for f in report.findings
            if not f.ok
        ],
    }
    if data["ok"] and report.findings:
        latest = max(checkpoints, key=lambda c: c.tree_size)
        witness_path.parent.mkdir(parents=True, exist_ok=True)
        witness_path.write_text(Witnessed(latest.tree_size, latest.root_hash).to_json())
    return data


def _problems(book: dict) -> list[str]:
    """What a clerk reads about one book that does not hold."""
    said = []
    if book["witness"]["problem"]:
        said.append(f"[red]TAMPERED[/red]: {book['witness']['problem']}")
    if not book["server_key_matches"]:
        said.append("[red]the registry serves another public key than the one you trust[/red]")
    if book["changed_leaves"]:
        start, end = book["changed_leaves"]
        said.append(f"[red]TAMPERED[/red]: a leaf in [{start}, {end}) was changed after signing")
    return said


def books(ctx: typer.Context) -> None:
    """Lists the books the register keeps, one per registration authority: size, signed size, the
    id of the key that signs it, the alarms its witnesses raised (a fork or a rollback they
    refused) and (with --json) that key as a C2SP note verifier key."""
    options: Options = ctx.obj
    found = run(options, lambda: _books(options, ""))
    rows = [
        {
            "authority": b.authority,
            "district": b.district,
            "leaves": b.tree_size,
            "signed_leaves": b.signed_tree_size,
            "key_id": key_id(b.public_key).hex(),
            "verifier_key": b.verifier_key,
            "witness_alarms": b.witness_alarms,
        }
        for b in found
    ]
    table = Table(title=f"the register's books ({len(rows)})")
    for column in ("book", "leaves", "signed", "key id", "witness alarms"):
        table.add_column(column, overflow="fold")
    for row in rows:
        alarms = row["witness_alarms"]
        table.add_row(
            f"{row['authority']} {row['district']}",
            str(row["leaves"]),
            str(row["signed_leaves"]),
            row["key_id"][:16],
            f"[red]{alarms}[/red]" if alarms else "0",
        )
    emit(options, {"books": rows}, table)


def audit(
    ctx: typer.Context,
    authority: str = typer.Option(
        "", help="Audit only this registration authority's book (its county code, e.g. 500112)."
    ),
    registry_key: Path | None = typer.Option(
        None,
        help="The public key (PEM) you trust for every book audited; default each book's"
        " .deedflow/pki/registry-log-{authority}.pub, else .deedflow/pki/registry-log.pub.",
    ),
    witness: Path | None = typer.Option(
        None,
        help="The folder where this auditor keeps, per book, the last checkpoint it verified"
        " (default .deedflow/witness); each book must still begin with that tree.",
    ),
) -> None:
    """Re-walks every book of the register (one per registration authority), or one: recomputes
    its Merkle tree from every leaf and checks it against every checkpoint signed over it, and
    against the last checkpoint this auditor verified before (its witness), which it then moves
    forward. Exit 8 if anything no longer holds in any book."""
    options: Options = ctx.obj
    if authority:
        try:
            validate_authority_code(authority)
        except ValueError as exc:
            errors.print(f"[red]--authority: {exc}[/red]")
            raise typer.Exit(ExitCode.USAGE) from None
    witness_dir = witness or options.settings.home / "witness"
    books = run(options, lambda: _books(options, authority))
    audited = [
        _audit_book(
            options,
            book.authority,
            _public_key(options, registry_key, book.authority),
            witness_dir / f"registry-{book.authority}.json",
        )
        for book in books
    ]
    if not _report_audit(options, audited):
        raise typer.Exit(ExitCode.TAMPERED)


def _report_audit(options: Options, audited: list[dict]) -> bool:
    """Prints the audit of every book (a table, then each problem found); True if all hold."""
    data = {"ok": all(b["ok"] for b in audited), "books": audited}
    table = Table(title=f"audit of the register: {counted(len(audited), 'book')}")
    for column in ("book", "leaves", "checkpoints", "unsigned", "result"):
        table.add_column(column, overflow="fold")
    for book in audited:
        table.add_row(
            f"{book['authority']} {book['district']}",
            str(book["leaves"]),
            str(book["checkpoints"]),
            str(book["unsigned_leaves"]),
            "[green]holds[/green]" if book["ok"] else "[red]does not hold[/red]",
        )
    emit(options, data, table)
    if not options.json_output:
        for book in audited:
            for problem in _problems(book):
                console.print(f"{book['authority']}: {problem}")
            for finding in book["findings"]:
                console.print(
                    f"{book['authority']}: checkpoint at {finding['tree_size']}: {finding['problem']}"
                )
        if not audited:
            console.print("the register keeps no book yet")
        elif data["ok"]:
            console.print(
                "[green]the register is intact[/green]: every signed checkpoint of every book holds"
            )
    return data["ok"]
