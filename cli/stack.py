"""`deedflow`: start, stop and inspect the local stack, or run one service."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import grpc
import typer
from rich.console import Console
from rich.table import Table

from cli.tables import show_table
from client import verifier as page_files
from client import witnesses
from client.healthcheck import health_status
from shared import ids, signed_note
from shared.catalog import SERVICE_NAMES, service_info
from shared.checkpoint import book_origin
from shared.config import Settings
from shared.db import plain_url
from shared.districts import DISTRICTS, validate_authority_code
from shared.grpc.channels import secure_channel
from shared.migrate import migrate
from shared.pg import database_url, embedded_dir, embedded_psql, embedded_running, stop_embedded
from shared.pki import Pki, issue_book_key, issue_identity, issue_witness
from shared.runstate import command_line, process_alive, read, run_dir
from shared.runtime import load_pki, main

app = typer.Typer(help="Run deedflow: every service as its own process on PostgreSQL, over mTLS.")
console = Console()
# A message is one line, however narrow the terminal: the terminal wraps it, rich does not break it.
errors = Console(stderr=True, soft_wrap=True)
NOT_RUNNING = "no stack is running here: `deedflow up --detach` starts one"

STACK_FILE = "stack.json"
POLL_SECONDS = 0.2


@dataclass
class ServiceRow:
    service: str
    pid: int | None
    port: int | None
    state: str
    metrics_port: int | None = None


def _stack_file(settings: Settings) -> Path:
    return run_dir(settings.home) / STACK_FILE


async def _health_of(service: str, port: int, settings: Settings, pki: Pki) -> str:
    target = f"{settings.bind_host}:{port}"
    async with secure_channel(target, pki.ca_pem, pki.service(service)) as channel:
        return await health_status(channel)


async def _rows(settings: Settings, pki: Pki) -> list[ServiceRow]:
    rows = []
    for service in SERVICE_NAMES:
        record = read(settings.home, service)
        if record is None or not process_alive(record.pid):
            rows.append(ServiceRow(service, None, None, "STOPPED"))
            continue
        state = await _health_of(service, record.port, settings, pki)
        rows.append(ServiceRow(service, record.pid, record.port, state, record.metrics_port or None))
    return rows


def _print_table(rows: list[ServiceRow], settings: Settings) -> None:
    table = Table(title="deedflow services")
    for column in ("service", "term", "address", "metrics", "pid", "state"):
        table.add_column(column, overflow="fold")
    for row in rows:
        address = f"{settings.bind_host}:{row.port}" if row.port else "-"
        metrics = f"http://{settings.bind_host}:{row.metrics_port}/metrics" if row.metrics_port else "-"
        colour = "green" if row.state == "SERVING" else "red"
        table.add_row(
            row.service,
            service_info(row.service).chinese_term,
            address,
            metrics,
            str(row.pid or "-"),
            f"[{colour}]{row.state}[/{colour}]",
        )
    show_table(table, console)


def _spawn(service: str, env: dict[str, str], settings: Settings) -> subprocess.Popen:
    logs = settings.home / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with (logs / f"{service}.log").open("ab") as log_file:
        # A new session, so a Ctrl-C in the terminal reaches only `deedflow up`, which then
        # stops the services in order.
        return subprocess.Popen(
            [sys.executable, "-m", f"services.{service}"],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


async def _wait_healthy(
    processes: dict[str, subprocess.Popen], settings: Settings, pki: Pki, wait_seconds: float
) -> list[ServiceRow]:
    deadline = time.monotonic() + wait_seconds
    pending = set(processes)
    while pending:
        for service in sorted(pending):
            process = processes[service]
            if process.poll() is not None:
                log = settings.home / "logs" / f"{service}.log"
                tail = log.read_text(errors="replace").splitlines()[-15:]
                raise RuntimeError(f"{service} exited with {process.returncode}:\n" + "\n".join(tail))
            record = read(settings.home, service)
            if (
                record is not None
                and record.pid == process.pid
                and await _health_of(service, record.port, settings, pki) == "SERVING"
            ):
                pending.discard(service)
        if pending:
            if time.monotonic() > deadline:
                raise RuntimeError(f"not healthy after {wait_seconds:.0f} s: {', '.join(sorted(pending))}")
            await asyncio.sleep(POLL_SECONDS)
    return await _rows(settings, pki)


def _terminate(pids: list[int], grace: float) -> None:
    """SIGTERM every service, wait for them to drain, SIGKILL what is left."""
    for pid in pids:
        if process_alive(pid):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace + 5
    while any(process_alive(pid) for pid in pids) and time.monotonic() < deadline:
        for pid in pids:
            # Reap our own children so they do not linger as zombies that look alive.
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
        time.sleep(POLL_SECONDS)
    for pid in pids:
        if process_alive(pid):
            os.kill(pid, signal.SIGKILL)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _shutdown(settings: Settings, pids: list[int], embedded: bool) -> None:
    # A second Ctrl-C must not cut the orderly stop short.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _terminate(pids, settings.shutdown_grace_seconds)
    if embedded:
        stop_embedded(embedded_dir(settings.home))
    _stack_file(settings).unlink(missing_ok=True)
    console.print("deedflow stopped")


def _start_witness(name: str, settings: Settings, pki: Pki, logs: list[str]) -> tuple[subprocess.Popen, dict]:
    """A development witness as its own process (`deedflow witness`), trusting every book's key;
    the process and the registry's setting for it (its URL and verifier key)."""
    tls = issue_witness(pki.root, name)
    log_dir = settings.home / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    command = [
        str(Path(sys.executable).parent / "deedflow"),
        "witness",
        *("--name", f"witness.example/{name}", "--key", str(tls / f"{name}-cosign.key")),
        *("--state", str(settings.home / "witnesses" / f"{name}.sqlite"), "--port", "0"),
        *("--tls-cert", str(tls / f"{name}.pem"), "--tls-key", str(tls / f"{name}.key")),
        *(arg for key in logs for arg in ("--log", key)),
    ]
    with (log_dir / f"witness-{name}.log").open("ab") as log_file:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log_file, start_new_session=True)
    assert process.stdout is not None
    said = [process.stdout.readline().decode() for _ in range(2)]
    if not all(said) or " at " not in said[0]:
        raise RuntimeError(f"witness {name} did not start: see {log_dir / f'witness-{name}.log'}")
    return process, {
        "url": said[0].split(" at ")[1].strip(),
        "key": said[1].removeprefix("verifier key: ").strip(),
    }


def start_witnesses(count: int, settings: Settings, pki: Pki) -> tuple[list[int], dict[str, str]]:
    """`count` witnesses of every book; their pids, and the registry's settings naming them (a
    majority must cosign). The keys and quorum are kept in the PKI folder for relying parties."""
    if not count:
        # The development PKI speaks for the stack that runs: one without witnesses asks none.
        (pki.root / witnesses.FILE).unlink(missing_ok=True)
        return [], {}
    logs = [
        signed_note.verifier_key(book_origin(code), pki.book_key(code).public_key().public_bytes_raw())
        for code in DISTRICTS
    ]
    started: list[tuple[subprocess.Popen, dict]] = []
    try:
        for i in range(1, count + 1):
            started.append(_start_witness(f"w{i}", settings, pki, logs))
    except RuntimeError:
        _terminate([p.pid for p, _ in started], 1.0)
        raise
    quorum = count // 2 + 1
    kept = witnesses.save(pki.root, witnesses.WitnessTrust(tuple(w["key"] for _, w in started), quorum))
    console.print(f"witnesses: {count}, a quorum of {quorum} (trusted by relying parties: {kept})")
    env = {
        "DEEDFLOW_REGISTRY_WITNESSES": json.dumps([w for _, w in started]),
        "DEEDFLOW_REGISTRY_WITNESS_QUORUM": str(quorum),
    }
    return [p.pid for p, _ in started], env


def _witnesses_or_stop(
    count: int, settings: Settings, pki: Pki, embedded: bool
) -> tuple[list[int], dict[str, str]]:
    """start_witnesses, or, when one does not start, the stack stopped and the command ended."""
    try:
        return start_witnesses(count, settings, pki)
    except RuntimeError as exc:
        console.print(f"[red]{exc}[/red]")
        _shutdown(settings, [], embedded)
        raise typer.Exit(1) from None


@app.command()
def up(
    detach: bool = typer.Option(False, "--detach", "-d", help="Leave the stack running and return."),
    timeout: float = typer.Option(90.0, help="Seconds to wait for every service to be SERVING."),
    witness_count: int = typer.Option(
        0, "--witnesses", min=0, max=9, help="Run this many witnesses of the books; a majority must cosign."
    ),
) -> None:
    """Start PostgreSQL, migrate, start every service as its own process (and the witnesses
    asked for), wait until healthy."""
    settings = Settings()
    settings.check()
    stack_file = _stack_file(settings)
    if stack_file.exists():
        running = json.loads(stack_file.read_text())
        if any(process_alive(pid) for pid in running["pids"]):
            console.print("[red]a stack is already running here; `deedflow down` first[/red]")
            raise typer.Exit(1)
    # From here on SIGTERM behaves like Ctrl-C, so a stop asked for at any moment, even during
    # start-up, stops every service that was started instead of leaving orphans.
    signal.signal(signal.SIGTERM, _interrupt)
    pki = load_pki(settings)
    embedded = not settings.database_url
    url = database_url(settings)
    console.print(f"PostgreSQL: {'embedded at ' + str(embedded_dir(settings.home)) if embedded else url}")

    async def migrate_all() -> None:
        for service in SERVICE_NAMES:
            await migrate(settings.database_urls.get(service) or url, service)

    asyncio.run(migrate_all())
    witness_pids, witness_env = _witnesses_or_stop(witness_count, settings, pki, embedded)
    env = {**os.environ, "DATABASE_URL": url, "DEEDFLOW_HOME": str(settings.home.resolve()), **witness_env}
    processes = {service: _spawn(service, env, settings) for service in SERVICE_NAMES}
    pids = [p.pid for p in processes.values()] + witness_pids
    stack_file.parent.mkdir(parents=True, exist_ok=True)
    stack_file.write_text(json.dumps({"pids": pids, "embedded_pg": embedded}))
    try:
        rows = asyncio.run(_wait_healthy(processes, settings, pki, timeout))
    except (RuntimeError, KeyboardInterrupt) as exc:
        console.print(f"[red]{exc}[/red]")
        _shutdown(settings, pids, embedded)
        raise typer.Exit(1) from None
    _print_table(rows, settings)
    console.print(f"logs: {settings.home / 'logs'}")
    if detach:
        console.print("running in the background; `deedflow status`, `deedflow down`")
        return
    crashed: list[str] = []
    try:
        console.print("Ctrl-C or SIGTERM stops every service")
        while all(p.poll() is None for p in processes.values()):
            time.sleep(POLL_SECONDS)
        crashed = [service for service, process in processes.items() if process.poll() is not None]
    except KeyboardInterrupt:
        pass
    for service in crashed:
        console.print(f"[red]{service} exited with {processes[service].returncode}; stopping the rest[/red]")
    _shutdown(settings, pids, embedded)
    if crashed:
        raise typer.Exit(1)


def _runs(pid: int, service: str) -> bool:
    """Whether the process runs `service` (python -m services.<name>, or deedflow serve <name>):
    a published pid that the system has since given to another program is left alone."""
    words = command_line(pid)
    return f"services.{service}" in words or ("serve" in words and service in words)


def _published_pids(settings: Settings) -> list[int]:
    """The live processes that published themselves as this home's services: those `deedflow up`
    started, and any a person started since with `deedflow serve`."""
    records = (read(settings.home, service) for service in SERVICE_NAMES)
    return [r.pid for r in records if r is not None and process_alive(r.pid) and _runs(r.pid, r.service)]


@app.command()
def down() -> None:
    """Stop a stack started with `deedflow up --detach`, and any of its services restarted since
    with `deedflow serve`."""
    settings = Settings()
    stack_file = _stack_file(settings)
    running = json.loads(stack_file.read_text()) if stack_file.exists() else None
    known = running["pids"] if running else []
    pids = known + [pid for pid in _published_pids(settings) if pid not in known]
    if running is None and not pids:
        console.print("no stack is running here")
        return
    _shutdown(settings, pids, running["embedded_pg"] if running else False)


@app.command()
def status() -> None:
    """Show every service's process, port and health; exit 1 unless all are SERVING."""
    settings = Settings()
    rows = asyncio.run(_rows(settings, load_pki(settings)))
    _print_table(rows, settings)
    if any(row.state != "SERVING" for row in rows):
        if all(row.pid is None for row in rows):
            errors.print(f"[red]{NOT_RUNNING}[/red]")
        else:
            errors.print(
                f"[red]not every service is serving; the logs are under {settings.home / 'logs'}[/red]"
            )
        raise typer.Exit(1)


@app.command()
def seed() -> None:
    """Load the synthetic seed data (developer, project, 120 units, banks) into a running stack."""
    from cli.seed import load

    settings = Settings()
    try:
        project = asyncio.run(load(settings, load_pki(settings)))
    except grpc.aio.AioRpcError as exc:
        if exc.code() == grpc.StatusCode.UNAVAILABLE:
            errors.print(f"[red]cannot reach the stack to seed it: {NOT_RUNNING}[/red]")
            raise typer.Exit(3) from None
        errors.print(f"[red]the stack refused the seed data: {exc.code().name} {exc.details()}[/red]")
        raise typer.Exit(1) from None
    console.print(
        f"seeded {project.display_name}: permit {project.presale_permit_number},"
        f" buildings {', '.join(project.building_numbers)}"
    )


# Who a development identity may be, and how its identifier is checked.
_IDENTITIES = {
    "developer": ids.validate_uscc,
    "bank": ids.validate_uscc,
    "buyer": ids.validate_resident_id,
    "clerk": lambda value: value,
    "housing": ids.validate_uscc,
    "tax": lambda value: value,
}


@app.command()
def pki(
    role: str | None = typer.Option(
        None, help=f"Issue a development identity of this role: {', '.join(_IDENTITIES)}."
    ),
    ident: str | None = typer.Option(
        None, "--id", help="Its identifier: a USCC, a resident ID (buyer) or a staff number (clerk)."
    ),
    out: Path | None = typer.Option(
        None, help="Write <out>.pem and <out>.key (0600); default ./<role>-<id>."
    ),
    book_key: str | None = typer.Option(
        None,
        help="Give this registration authority's book (its county code, e.g. 500105) a signing key"
        " of its own instead of the registry's.",
    ),
) -> None:
    """Create the development CA and certificates (if missing) and show where they are; with
    --role and --id, issue one more development identity (a test system's certificate); with
    --book-key, a signing key of an authority's own."""
    settings = Settings()
    # What was asked is checked before anything is made.
    if book_key is not None:
        try:
            validate_authority_code(book_key)
        except ids.IdentifierError as exc:
            errors.print(f"[red]--book-key: {exc}[/red]")
            raise typer.Exit(2) from None
    if role is not None or ident is not None:
        if role not in _IDENTITIES or not ident:
            errors.print(f"[red]--role must be one of {', '.join(_IDENTITIES)}, with --id[/red]")
            raise typer.Exit(2)
        try:
            ident = _IDENTITIES[role](ident)
        except ids.IdentifierError as exc:
            errors.print(f"[red]--id: {exc}[/red]")
            raise typer.Exit(2) from None
    folder = load_pki(settings).root
    console.print(f"PKI ready in {folder} (throw-away development material; never commit it)")
    if book_key is not None:
        public = issue_book_key(folder, book_key)
        console.print(
            f"the book of {book_key} is signed with its own key from the registry's next start: {public}"
        )
    if role is None or ident is None:
        return
    stem = out or Path(f"{role}-{ident}")
    issue_identity(folder, role, ident, stem)
    console.print(f"deedflow://{role}/{ident}: {stem}.pem and {stem}.key (0600), from the development CA")


@app.command()
def psql(
    url: bool = typer.Option(False, "--url", help="Print the connection URL and stop, for another client."),
) -> None:
    """psql on the stack's database, where each service's tables are in the schema named after it
    (registry.entry, orchestrator.purchase, …). Without DATABASE_URL it is the embedded
    PostgreSQL of this home (.deedflow/pg, reached over a Unix socket), while the stack runs."""
    settings = Settings()
    if settings.database_url:
        target = settings.database_url
    elif embedded_running(embedded_dir(settings.home)):
        target = database_url(settings)
    else:
        console.print("[red]the embedded PostgreSQL is not running: `deedflow up --detach` first[/red]")
        raise typer.Exit(1)
    if url:
        typer.echo(target)
        return
    client = shutil.which("psql") if settings.database_url else None
    client = client or str(embedded_psql())
    os.execv(client, [client, plain_url(target)])


@app.command()
def verifier(
    host: str = typer.Option("127.0.0.1", help="Address to serve on; loopback keeps it to this machine."),
    port: int = typer.Option(8089, help="Port to serve on (0: any free)."),
    registry_key: Path | None = typer.Option(
        None, help="The registry's public key the page trusts (PEM); default the stack's registry-log.pub."
    ),
    write: Path | None = typer.Option(
        None, help="Write the page and the key into this folder instead of serving."
    ),
    witness: list[str] = typer.Option(
        [], help="A witness the page trusts, by its verifier key (type 0x04); repeat."
    ),
    quorum: int = typer.Option(
        0, min=0, help="How many of those witnesses must have cosigned a document's checkpoint."
    ),
) -> None:
    """The verification page for certificates and proofs (PDF, JSON or QR text), checked in the
    browser against the registry's key; served here until Ctrl-C, or written to open from disk."""
    settings = Settings()
    key_path = registry_key or load_pki(settings).registry_public_key_path
    try:
        kept = page_files.Trust.of_folder(settings.pki_path, key_path.read_bytes())
        trust = page_files.Trust(
            kept.key_pem, tuple(witness) or kept.witnesses, quorum or kept.quorum, kept.book_keys
        )
        if write is not None:
            console.print(f"open {page_files.write(write, trust)} in a browser")
            return
        server = page_files.PageServer(trust, host, port)
    except OSError as exc:
        errors.print(
            f"[red]cannot {'write' if write else 'serve'} the page: {exc.filename}: {exc.strerror}[/red]"
        )
        raise typer.Exit(1) from None
    except ValueError as exc:
        errors.print(f"[red]the registry key {key_path} cannot be used: {exc}[/red]")
        raise typer.Exit(1) from None
    with server:
        console.print(f"verification page: {server.url} (Ctrl-C to stop)")
        with contextlib.suppress(KeyboardInterrupt):
            server.thread.join()


@app.command()
def witness(
    name: str = typer.Option("witness.example/dev", help="The witness's name, as its cosignatures carry it."),
    key: Path = typer.Option(
        Path(".deedflow/witness/cosign.key"),
        help="Its Ed25519 key (PEM); a throw-away one is made if missing.",
    ),
    state: Path = typer.Option(
        Path(".deedflow/witness/state.sqlite"), help="Where it records what it cosigned."
    ),
    log: list[str] = typer.Option(
        ..., help="A log it witnesses, by its verifier key (`deedctl books`); repeat."
    ),
    host: str = typer.Option("127.0.0.1", help="Address to serve on."),
    port: int = typer.Option(8090, help="Port to serve on (0: any free)."),
    tls_cert: Path | None = typer.Option(None, help="Its TLS certificate (PEM); with --tls-key, HTTPS."),
    tls_key: Path | None = typer.Option(None, help="Its TLS key (PEM)."),
) -> None:
    """A transparency-log witness (c2sp.org/tlog-witness): cosigns each book's checkpoints that are
    consistent with what it cosigned before, and refuses forks and rollbacks."""
    tls_files = (str(tls_cert), str(tls_key)) if tls_cert and tls_key else None
    try:
        importlib.import_module("services.witness.main").run(name, key, state, log, host, port, tls_files)
    except ValueError as exc:
        errors.print(f"[red]cannot start the witness: {exc}[/red]")
        raise typer.Exit(2) from None


@app.command()
def tiles(
    host: str = typer.Option("127.0.0.1", help="Address to serve on."),
    port: int = typer.Option(8091, help="Port to serve on (0: any free)."),
    write: Path | None = typer.Option(
        None, help="Write every book's tiles into this folder instead of serving."
    ),
) -> None:
    """The register's books as C2SP tlog-tiles (c2sp.org/tlog-tiles): each book's checkpoint note
    with its witnesses' cosignatures, its Merkle tree as tiles and its leaves as entry bundles, at
    /<county code>/…, with cache headers; read from the registry's database (DATABASE_URL, else the
    embedded PostgreSQL, which must be running)."""
    settings = Settings()
    url = settings.database_urls.get("registry") or database_url(settings)
    importlib.import_module("services.registry.tiles_http").run(url, host, port, write)


@app.command()
def serve(service: str = typer.Argument(..., help=f"One of: {', '.join(SERVICE_NAMES)}")) -> None:
    """Run one service in the foreground (as docker-compose does)."""
    if service not in SERVICE_NAMES:
        console.print(f"[red]unknown service {service!r}; one of: {', '.join(SERVICE_NAMES)}[/red]")
        raise typer.Exit(2)
    main(service, importlib.import_module(f"services.{service}.app").register)
