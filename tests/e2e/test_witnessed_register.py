"""A register watched by three witnesses (c2sp.org/tlog-witness), a quorum of two: documents carry
their checkpoint as a C2SP note with the witnesses' cosignatures, verifiers require the quorum,
issuance goes on with one witness down and pauses below quorum, and a witness that saw another
history raises an alarm. Real witnesses over TLS with their own state, a real registry."""

from __future__ import annotations

import asyncio
import base64
import json
import sqlite3
import sys
from pathlib import Path

import grpc
import pytest
from typer.testing import CliRunner

from cli.deedctl.main import app as deedctl_app
from client import verifier
from deedflow.events.v1 import events_service_pb2 as events_pb
from deedflow.events.v1 import events_service_pb2_grpc
from deedflow.mortgage.v1 import mortgage_service_pb2 as mortgage_pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2 as purchase_pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from deedflow.registry.v1 import registry_service_pb2 as pb
from deedflow.registry.v1 import registry_service_pb2_grpc
from deedflow.transfer.v1 import transfer_service_pb2 as transfer_pb
from services.registry.app import register
from services.witness.app import serve, server_tls
from services.witness.store import Store
from services.witness.witness import Witness
from shared import signed_note
from shared.catalog import SERVICE_NAMES
from shared.checkpoint import book_origin
from shared.config import Settings
from shared.cosignature import parse_cosigner_key
from shared.documents import load_public_key, to_file, verify_document
from shared.grpc.channels import secure_channel
from shared.pki import issue_witness
from shared.runtime import start_service
from tests.browser import VerifierPage
from tests.e2e.test_register_audit import BOOK, _objections, deedctl
from tests.flows import open_offices, presale, rid
from tests.purchases import complete, file_purchase, pay, signed_filing, until
from tests.support import client_channel, in_process, new_building_number, scrape
from tools.chromium import headless_chromium

ORIGIN = book_origin(BOOK)
NAMES = ("w1", "w2", "w3")


class Witnesses:
    """Three witnesses of the book, each startable and stoppable, each with its own state."""

    def __init__(self, pki, folder) -> None:
        self.pki, self.folder = pki, folder
        log_key = pki.book_key(BOOK).public_key().public_bytes_raw()
        self.trusted = {ORIGIN: [signed_note.Verifier(ORIGIN, log_key)]}
        self.running: dict[str, object] = {}
        self.ports: dict[str, int] = {}
        self.judges = {
            name: Witness(
                f"witness.example/{name}",
                pki.witness_key(name),
                self.trusted,
                Store(folder / f"{name}.sqlite"),
            )
            for name in NAMES
        }

    async def start(self, name: str) -> None:
        tls = issue_witness(self.pki.root, name)
        running = await serve(
            self.judges[name],
            "127.0.0.1",
            self.ports.get(name, 0),
            server_tls(str(tls / f"{name}.pem"), str(tls / f"{name}.key")),
        )
        self.ports[name] = int(running.url.rsplit(":", 1)[1])
        self.running[name] = running

    async def stop(self, name: str) -> None:
        await self.running.pop(name).stop()

    def settings(self) -> str:
        return json.dumps(
            [
                {"url": f"https://127.0.0.1:{self.ports[n]}", "key": self.judges[n].cosigner.verifier_key()}
                for n in NAMES
            ]
        )

    def verifier_keys(self) -> list[str]:
        return [self.judges[n].cosigner.verifier_key() for n in NAMES]


@pytest.fixture
async def witnessed(pki, tmp_path, fresh_database_url, test_settings, monkeypatch):
    """(the registry, the witnesses): the registry submits to all three and seals on two."""
    for name in NAMES:
        issue_witness(pki.root, name)
    witnesses = Witnesses(pki, tmp_path)
    for name in NAMES:
        await witnesses.start(name)
    monkeypatch.setenv("DEEDFLOW_REGISTRY_WITNESSES", witnesses.settings())
    monkeypatch.setenv("DEEDFLOW_REGISTRY_WITNESS_QUORUM", "2")
    monkeypatch.setenv("DEEDFLOW_REGISTRY_WITNESS_TIMEOUT_SECONDS", "2")
    monkeypatch.setenv("DEEDFLOW_REGISTRY_CHECKPOINT_EVERY_LEAVES", "1000000000")
    monkeypatch.setenv("DEEDFLOW_REGISTRY_CHECKPOINT_EVERY_SECONDS", "1e9")
    started = await start_service("registry", register, test_settings, fresh_database_url, port=0)
    yield started, witnesses
    await started.stop(0)
    for name in list(witnesses.running):
        await witnesses.stop(name)
    for judge in witnesses.judges.values():
        judge.store.close()


async def _sealed(pki, port: int, number: int) -> pb.SealDocumentResponse:
    """A new objection on a new unit, and a proof sealed on it."""
    async with (
        secure_channel(f"127.0.0.1:{port}", pki.ca_pem, pki.caller("clerk")) as clerk_channel,
        secure_channel(f"127.0.0.1:{port}", pki.ca_pem, pki.service("transfer")) as service_channel,
    ):
        unit = await _objections(registry_service_pb2_grpc.RegistryServiceStub(clerk_channel), 1)
        return await registry_service_pb2_grpc.RegistryServiceStub(service_channel).SealDocument(
            pb.SealDocumentRequest(
                entry=f"units/{unit}/entries/1",
                kind="proof",
                number=f"渝(2026)渝北区不动产证明第{number:07d}号",
                body=b"{}",
            )
        )


def _without_cosignatures(document, keep: int):
    """The document with only the book's signature and `keep` cosignatures left in its note."""
    copy = type(document)()
    copy.CopyFrom(document)
    lines = copy.checkpoint_note.split("\n\n", 1)[1].splitlines(keepends=True)
    text = copy.checkpoint_note.split("\n\n", 1)[0] + "\n\n"
    copy.checkpoint_note = text + lines[0] + "".join(lines[1 : 1 + keep])
    return copy


async def test_documents_carry_a_quorum_of_cosignatures_and_issuance_survives_one_witness_down(
    witnessed, pki, tmp_path
):
    started, witnesses = witnessed
    port = started.server.port
    key = load_public_key(pki.registry_public_key_path.read_bytes())
    cosigners = [w.cosigner for w in witnesses.judges.values()]

    first = (await _sealed(pki, port, 1)).document
    result = verify_document(first, key, cosigners, 2)
    assert result.ok, result.failures
    assert result.witnesses == [f"witness.example/{n}" for n in NAMES]
    # Below quorum, the same document is refused by a verifier that requires two.
    one = _without_cosignatures(first, 1)
    assert verify_document(one, key, cosigners, 2).failures == [
        "1 of the 2 witness cosignatures required verify"
    ]
    assert verify_document(one, key, cosigners, 1).ok

    held, stripped = tmp_path / "proof.json", tmp_path / "stripped.json"
    held.write_text(to_file(first))
    stripped.write_text(to_file(one))
    trust = [arg for k in witnesses.verifier_keys() for arg in ("--witness", k)] + ["--quorum", "2"]
    key_file = ["--registry-key", str(pki.registry_public_key_path)]
    accepted = await deedctl(pki, 9, "--json", "verify", str(held), *key_file, *trust)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert len(json.loads(accepted.stdout)["witnesses"]) == 3
    refused = await deedctl(pki, 9, "verify", str(stripped), *key_file, *trust)
    assert refused.returncode == 8
    assert "1 of the 2 witness cosignatures required verify" in refused.stdout

    # One witness down: documents are still sealed, on the two that answer.
    await witnesses.stop("w3")
    second = (await _sealed(pki, port, 2)).document
    result = verify_document(second, key, cosigners, 2)
    assert result.ok, result.failures
    assert result.witnesses == ["witness.example/w1", "witness.example/w2"]

    # Two down: the registry still enters cases, but seals nothing its readers would refuse.
    await witnesses.stop("w2")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await _sealed(pki, port, 3)
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
    assert "WITNESS_QUORUM_NOT_MET" in str(caught.value.trailing_metadata())

    # Back up, w2 is brought up to date from the size it last cosigned, and sealing resumes.
    await witnesses.start("w2")
    third = (await _sealed(pki, port, 4)).document
    assert verify_document(third, key, cosigners, 2).ok


async def test_a_witness_that_saw_another_history_or_more_of_it_raises_an_alarm(witnessed, pki, caplog):
    started, witnesses = witnessed
    port = started.server.port
    await _sealed(pki, port, 1)
    # w1 is made to remember another root at the size it cosigned (the book showed it a fork);
    # w2 to remember more of the book than there is (the book was restored from an old backup).
    for name, change in (
        ("w1", "UPDATE latest SET root = zeroblob(32)"),
        ("w2", "UPDATE latest SET size = 1000000"),
    ):
        state = sqlite3.connect(witnesses.folder / f"{name}.sqlite")
        with state:
            state.execute(change)
        state.close()
    await witnesses.stop("w3")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await _sealed(pki, port, 2)
    assert "WITNESS_QUORUM_NOT_MET" in str(caught.value.trailing_metadata())

    async with secure_channel(f"127.0.0.1:{port}", pki.ca_pem, pki.caller("clerk")) as channel:
        books = (
            await registry_service_pb2_grpc.RegistryServiceStub(channel).ListBooks(pb.ListBooksRequest())
        ).books
        feed = events_service_pb2_grpc.EventServiceStub(channel)
        events = (await feed.ListEvents(events_pb.ListEventsRequest(page_size=100))).events
    assert [b.witness_alarms for b in books] == [2]
    # Clerks hear of it on the feed: two alarms of the book.
    alarm = (events_pb.EVENT_TYPE_WITNESS_ALARM, f"books/{BOOK}")
    assert [(e.type, e.subject) for e in events] == [alarm, alarm]
    alarms = [r for r in caplog.records if r.getMessage() == "witness alarm"]
    assert sorted(r.fields["kind"] for r in alarms) == ["FORK", "ROLLBACK"]
    samples = await scrape(started.deps.metrics.port)
    for kind in ("FORK", "ROLLBACK"):
        labels = tuple(sorted({"authority": BOOK, "kind": kind}.items()))
        assert samples[("deedflow_registry_witness_alarms_total", labels)] == 1
    shown = await deedctl(pki, port, "--json", "books")
    assert json.loads(shown.stdout)["books"][0]["witness_alarms"] == 2


def _cosignature_flipped(document, witness: str):
    """The document with one byte of `witness`'s cosignature (inside its signature) changed."""
    copy = type(document)()
    copy.CopyFrom(document)
    lines = copy.checkpoint_note.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith(f"\u2014 {witness} "):
            raw = bytearray(base64.b64decode(line.split(" ")[2]))
            raw[20] ^= 1
            lines[i] = f"\u2014 {witness} {base64.b64encode(bytes(raw)).decode()}\n"
    copy.checkpoint_note = "".join(lines)
    return copy


def _variants(document) -> dict:
    note = document.checkpoint_note
    text, lines = note.split("\n\n", 1)
    book_line, *cosignatures = lines.splitlines(keepends=True)

    def with_note(value: str):
        copy = type(document)()
        copy.CopyFrom(document)
        copy.checkpoint_note = value
        return copy

    return {
        "as issued": document,
        "two cosignatures": _without_cosignatures(document, 2),
        "one cosignature": _without_cosignatures(document, 1),
        "none": _without_cosignatures(document, 0),
        "one twice": with_note(f"{text}\n\n{book_line}{cosignatures[0]}{cosignatures[0]}"),
        "one flipped": _cosignature_flipped(document, "witness.example/w1"),
        "two flipped": _cosignature_flipped(
            _cosignature_flipped(document, "witness.example/w1"), "witness.example/w2"
        ),
        "no book signature": with_note(f"{text}\n\n{''.join(cosignatures)}"),
        "another size": with_note(note.replace(f"\n{document.checkpoint.tree_size}\n", "\n1\n", 1)),
        "no note": with_note(""),
    }


async def test_the_page_and_deedctl_require_the_quorum_alike(witnessed, pki, tmp_path):
    """Documents a relying party might be handed, cosigned by three, two, one or no witnesses,
    with cosignatures forged or repeated: the page (Chromium) and deedctl verify, each told to
    trust the three witnesses and require two, give one answer."""
    started, witnesses = witnessed
    document = (await _sealed(pki, started.server.port, 1)).document
    key_pem = pki.registry_public_key_path.read_bytes()
    trust = [arg for k in witnesses.verifier_keys() for arg in ("--witness", k)] + ["--quorum", "2"]
    answers = {}
    with (
        headless_chromium() as browser,
        verifier.PageServer(verifier.Trust(key_pem, tuple(witnesses.verifier_keys()), 2)) as served,
    ):
        page = VerifierPage(browser, served.url)
        for name, variant in _variants(document).items():
            path = tmp_path / f"{name.replace(' ', '-')}.json"
            path.write_text(to_file(variant))
            # deedctl verify in this process (a subprocess a variant costs a second each).
            said = CliRunner().invoke(
                deedctl_app,
                ["--json", "verify", str(path), "--registry-key", str(pki.registry_public_key_path), *trust],
                env={"DEEDFLOW_PKI_DIR": str(pki.root)},
            )
            expected = json.loads(said.stdout)
            shown = page.check_file(path)
            assert shown.verdict == ("VALID" if expected["valid"] else "INVALID"), (
                name,
                shown.failures,
                expected,
            )
            assert shown.failures == expected["failures"], name
            answers[name] = expected["valid"]
    assert answers == {
        "as issued": True,
        "two cosignatures": True,
        "one cosignature": False,
        "none": False,
        "one twice": False,
        "one flipped": True,
        "two flipped": False,
        "no book signature": False,
        "another size": False,
        "no note": False,
    }


async def _witness_process(pki, tmp_path, name: str, log_key: str) -> tuple[asyncio.subprocess.Process, dict]:
    """`deedflow witness` as its operator runs it; the process and its registry settings entry."""
    tls = issue_witness(pki.root, name)
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "deedflow"),
        "witness",
        *("--name", f"witness.example/{name}", "--key", str(tmp_path / f"{name}.key")),
        *("--state", str(tmp_path / f"{name}.sqlite"), "--log", log_key, "--port", "0"),
        *("--tls-cert", str(tls / f"{name}.pem"), "--tls-key", str(tls / f"{name}.key")),
        stdout=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(30):
        url = (await process.stdout.readline()).decode().split(" at ")[1].strip()
        key = (await process.stdout.readline()).decode().removeprefix("verifier key: ").strip()
    return process, {"url": url, "key": key}


async def test_a_witness_killed_in_the_middle_of_a_handover_leaves_issuance_at_two_of_three(
    pki, tmp_path, fresh_database_url, monkeypatch
):
    """Three witness processes; one is killed (SIGKILL) while the developer confirms the
    handover. The certificate and the bank's proof are then issued on checkpoints the two left
    cosigned, and verify with a quorum of two."""
    settings = Settings(home=tmp_path / "home", pki_dir=pki.root, bind_host="127.0.0.1")
    unit_book = new_building_number()[:6]
    log_key = signed_note.verifier_key(
        book_origin(unit_book), pki.book_key(unit_book).public_key().public_bytes_raw()
    )
    processes, configured = {}, []
    for name in NAMES:
        processes[name], entry = await _witness_process(pki, tmp_path, name, log_key)
        configured.append(entry)
    monkeypatch.setenv("DEEDFLOW_REGISTRY_WITNESSES", json.dumps(configured))
    monkeypatch.setenv("DEEDFLOW_REGISTRY_WITNESS_QUORUM", "2")
    monkeypatch.setenv("DEEDFLOW_REGISTRY_WITNESS_TIMEOUT_SECONDS", "2")
    monkeypatch.setenv("DEEDFLOW_REGISTRY_CHECKPOINT_EVERY_SECONDS", "0.5")
    cosigners = [parse_cosigner_key(entry["key"]) for entry in configured]
    key = load_public_key(pki.book_public_key_path(unit_book).read_bytes())
    try:
        async with in_process(SERVICE_NAMES, settings, fresh_database_url) as started:
            ports = {name: service.server.port for name, service in started.items()}
            async with (
                open_offices(ports, pki) as offices,
                client_channel(ports["orchestrator"], pki, "developer") as desk_channel,
            ):
                desk = orchestrator_service_pb2_grpc.PurchaseServiceStub(desk_channel)
                building, (unit, _) = await presale(offices)
                assert unit[:6] == unit_book
                purchase = await file_purchase(desk, signed_filing(pki, unit, with_loan=True)[0])
                await pay(
                    offices, await until(desk, purchase.name, purchase_pb.PURCHASE_STATE_AWAITING_COMPLETION)
                )
                await complete(desk, building)
                ready = await until(desk, purchase.name, purchase_pb.PURCHASE_STATE_CERTIFICATE_READY)
                handover = asyncio.ensure_future(
                    desk.ConfirmHandover(
                        purchase_pb.ConfirmHandoverRequest(request_id=rid(), name=purchase.name)
                    )
                )
                processes["w3"].kill()
                await processes["w3"].wait()
                handed = await handover
                assert handed.purchase.state == purchase_pb.PURCHASE_STATE_HANDED_OVER
                number = ready.documents.certificate_numbers[0]
                certificate = await offices.transfer_clerk.GetCertificate(
                    transfer_pb.GetCertificateRequest(name=f"certificates/{number}", with_document=True)
                )
                mortgage = (
                    await offices.mortgage_as_bank.ListMortgages(
                        mortgage_pb.ListMortgagesRequest(unit_number=unit)
                    )
                ).mortgages[0]
                proof = await offices.mortgage_as_bank.GetMortgage(
                    mortgage_pb.GetMortgageRequest(name=mortgage.name, with_document=True)
                )
                # A document on an entry made after the kill rests on a checkpoint only two saw.
                later = await _objections(offices.registry_clerk, 1)
                after = await offices.registry.SealDocument(
                    pb.SealDocumentRequest(
                        entry=f"units/{later}/entries/1",
                        kind="proof",
                        number="渝(2026)渝北区不动产证明第0000009号",
                        body=b"{}",
                    )
                )
        for document in (certificate.document, proof.proof_document, after.document):
            result = verify_document(document, key, cosigners, 2)
            assert result.ok, result.failures
            assert {"witness.example/w1", "witness.example/w2"} <= set(result.witnesses)
        assert verify_document(after.document, key, cosigners, 2).witnesses == [
            "witness.example/w1",
            "witness.example/w2",
        ]
    finally:
        for process in processes.values():
            if process.returncode is None:
                process.terminate()
                await process.wait()
