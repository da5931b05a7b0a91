"""deedctl as a clerk runs it: a subprocess against a live stack (`deedflow up`, each service its
own process, mTLS, PostgreSQL), for every command, in tables and --json, with its exit codes,
including refusals: a wrong role, a seized unit, an unknown unit.

The stack is set up once: the seeds, the demo's two purchases to handover, then a third purchase
on building 2 whose unit a court seizes before completion (so it parks), and mortgage cases
lodged by bank A for the clerk to work."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from google.protobuf import json_format

import seeds
from cli.demo import Parties, filing_for, party_signature
from deedflow.casework.v1 import casework_service_pb2 as case_pb
from deedflow.casework.v1 import casework_service_pb2_grpc
from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from deedflow.contract.v1 import contract_service_pb2_grpc
from deedflow.mortgage.v1 import mortgage_service_pb2 as mortgage_pb
from deedflow.mortgage.v1 import mortgage_service_pb2_grpc
from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from deedflow.tax.v1 import tax_service_pb2_grpc
from deedflow.type.v1 import parties_pb2
from shared import statements
from shared.config import Settings
from shared.grpc.channels import secure_channel
from shared.ids import validate_resident_id
from shared.pki import Pki
from shared.runstate import address_of
from tests.browser import VerifierPage
from tests.purchases import complete, pay, until
from tests.support import fresh_database, stack_env
from tools.chromium import headless_chromium

BIN = Path(sys.executable).parent
COURT, RULING = "重庆市渝北区人民法院", "(2026)渝0112执100号"
# A seizure term ends within three years (民诉法解释 485); a year from now.
TERM_END = (dt.datetime.now(dt.UTC) + dt.timedelta(days=365)).isoformat()
LATER_COURT, LATER_RULING = "重庆市江北区人民法院", "(2026)渝0105执200号"


@dataclass
class Stack:
    env: dict[str, str]
    home: Path
    demo_purchases: list[pb.Purchase]
    parked: pb.Purchase
    seized_unit: str
    owned_unit: str  # the demo's flat paid in full, owned by its buyer


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "deedctl"), *args], env=env, capture_output=True, text=True, timeout=120)


def as_json(result: subprocess.CompletedProcess):
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def _settings(env: dict[str, str]) -> Settings:
    return Settings(home=Path(env["DEEDFLOW_HOME"]))


async def _as(env, caller: str, service: str, stub_type):
    settings = _settings(env)
    pki = Pki(settings.pki_path)
    channel = secure_channel(
        address_of(settings, service), pki.ca_pem, pki.caller(caller), default_timeout=30
    )
    return channel, stub_type(channel)


async def _on_sale(contracts, building: str) -> contract_pb.Unit:
    """A flat of the seed project's building still on sale."""
    request = contract_pb.ListUnitsRequest(
        project=f"projects/{seeds.PRESALE_PERMIT}",
        building_number=building,
        sale_state=contract_pb.UNIT_SALE_STATE_ON_SALE,
        page_size=1,
    )
    return (await contracts.ListUnits(request)).units[0]


async def _park_a_purchase(env: dict[str, str]) -> tuple[pb.Purchase, str]:
    """Files a purchase on building 2, then a court seizes the unit before completion: the
    transfer is refused and the purchase parks for a clerk."""
    settings = _settings(env)
    pki = Pki(settings.pki_path)
    parties = Parties(settings.home / "demo-parties", pki)
    channel, contracts = await _as(
        env, "developer", "contract", contract_service_pb2_grpc.ContractServiceStub
    )
    desk_channel, desk = await _as(
        env, "developer", "orchestrator", orchestrator_service_pb2_grpc.PurchaseServiceStub
    )
    tax_channel = None
    try:
        building = seeds.BUILDINGS[1]
        unit = await _on_sale(contracts, building)
        buyer = seeds.buyers()[150]
        filing = filing_for(unit, [buyer], parties, pki, seeds.BANKS[0])
        filed = (
            await desk.FilePurchase(pb.FilePurchaseRequest(request_id=str(uuid.uuid4()), filing=filing))
        ).purchase
        waiting = await until(desk, filed.name, pb.PURCHASE_STATE_AWAITING_COMPLETION)
        tax_channel, tax = await _as(env, seeds.BANKS[0].stem, "tax", tax_service_pb2_grpc.TaxServiceStub)
        await pay(SimpleNamespace(tax_as_bank=tax), waiting)
        seized = run(env, "seize", unit.unit_number, "--court", COURT, "--ruling", RULING, "--end", TERM_END)
        assert seized.returncode == 0, seized.stdout + seized.stderr
        # The registry's site inspection (CQ 21), as a clerk records it, before completion.
        inspected = run(env, "building", "inspect", building, "--outcome", "as-described")
        assert inspected.returncode == 0, inspected.stdout + inspected.stderr
        await complete(desk, building)
        parked = await until(desk, filed.name, pb.PURCHASE_STATE_PARKED)
        return parked, unit.unit_number
    finally:
        for open_channel in (channel, desk_channel, tax_channel):
            if open_channel is not None:
                await open_channel.close()


@pytest.fixture(scope="module")
def stack(tmp_path_factory, server_url):
    home = tmp_path_factory.mktemp("deedctl") / "home"
    for database_url in fresh_database(server_url):
        env = stack_env(home, database_url, 220)
        try:
            for command in (
                ["deedflow", "up", "--detach"],
                ["deedflow", "seed"],
                ["python", "-m", "cli.demo"],
            ):
                done = subprocess.run(
                    [str(BIN / command[0]), *command[1:]],
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=300,
                )
                assert done.returncode == 0, done.stdout + done.stderr
            purchases = as_json(run(env, "--json", "purchases", "list"))
            parked, seized_unit = asyncio.run(_park_a_purchase(env))
            demo = [p for p in purchases if p["state"] == "HANDED_OVER"]
            owned = next(p["unit_number"] for p in demo if not _has_mortgage(env, p["unit_number"]))
            yield Stack(env, home, demo, parked, seized_unit, owned)
        finally:
            subprocess.run([str(BIN / "deedflow"), "down"], env=env, capture_output=True, timeout=120)


def _has_mortgage(env, unit: str) -> bool:
    entries = as_json(run(env, "--json", "unit", "show", unit))["entries"]
    return any(e["kind"] == "ENTRY_KIND_MORTGAGE" for e in entries)


async def _lodge_mortgage(env, unit: str) -> str:
    """Bank A lodges a mortgage of the owned flat for a clerk to work (no auto-register)."""
    channel, desk = await _as(env, "clerk", "orchestrator", orchestrator_service_pb2_grpc.PurchaseServiceStub)
    bank_channel, mortgages = await _as(
        env, seeds.BANKS[0].stem, "mortgage", mortgage_service_pb2_grpc.MortgageServiceStub
    )
    try:
        listed = (await desk.ListPurchases(pb.ListPurchasesRequest())).purchases
        owners = next(p for p in listed if p.filing.unit_number == unit).filing.buyers
        bank = seeds.BANKS[0]
        loan = parties_pb2.Loan(
            bank=parties_pb2.Organization(name=bank.name, uscc=bank.uscc),
            amount_fen=50_000_000,
            term_months=120,
            mortgage_contract_number=f"DK-{uuid.uuid4().hex[:8]}",
        )
        # The owners sign the mortgage's terms with their own keys, kept by the demo's parties.
        settings = _settings(env)
        parties = Parties(settings.home / "demo-parties", Pki(settings.pki_path))
        text = statements.mortgage(unit, loan, owners)
        reply = await mortgages.LodgeMortgage(
            mortgage_pb.LodgeMortgageRequest(
                request_id=str(uuid.uuid4()),
                unit_number=unit,
                loan=loan,
                mortgagors=owners,
                mortgagor_signatures=[
                    party_signature(f"buyers/{o.resident_id}", parties.buyer(o.resident_id), text)
                    for o in owners
                ],
            )
        )
        return reply.case_record.name
    finally:
        await channel.close()
        await bank_channel.close()


async def _resubmit(env, case: str) -> None:
    channel, cases = await _as(
        env, seeds.BANKS[0].stem, "mortgage", casework_service_pb2_grpc.CaseworkServiceStub
    )
    try:
        await cases.ResubmitCase(
            case_pb.ResubmitCaseRequest(request_id=str(uuid.uuid4()), name=case, answers=["补齐第3页签字"])
        )
    finally:
        await channel.close()


def test_a_building_inspected_on_site_then_first_registered(stack):
    """CQ 21: the clerk's site inspection is on the building's first registration."""
    building = stack.seized_unit[:24]
    shown = run(stack.env, "--json", "building", "show", building)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    registration = json.loads(shown.stdout)
    assert registration["state"] == "REGISTRATION_STATE_REGISTERED"
    assert registration["site_inspection"]["outcome"] == "SITE_INSPECTION_OUTCOME_AS_DESCRIBED"
    vague = run(stack.env, "building", "inspect", building, "--outcome", "not-as-described")
    assert vague.returncode != 0
    assert "findings" in vague.stdout + vague.stderr


def test_purchases_list_show_watch(stack):
    env = stack.env
    listed = as_json(run(env, "--json", "purchases", "list", "--state", "HANDED_OVER"))
    assert {p["name"] for p in listed} == {p["name"] for p in stack.demo_purchases}
    table = run(env, "purchases", "list", "--building", seeds.BUILDINGS[0])
    assert table.returncode == 0
    assert all(p["name"] in table.stdout for p in stack.demo_purchases)
    assert stack.parked.name not in table.stdout
    name = stack.demo_purchases[0]["name"]
    shown = as_json(run(env, "--json", "purchases", "show", name))
    assert shown["state"] == "PURCHASE_STATE_HANDED_OVER"
    assert shown["documents"]["certificate_numbers"]
    assert "CERTIFICATE_READY" in run(env, "purchases", "show", name).stdout
    watched = run(env, "--json", "purchases", "watch", name)
    assert watched.returncode == 0
    assert json.loads(watched.stdout.splitlines()[-1])["state"] == "HANDED_OVER"
    unknown = run(env, "--json", "purchases", "show", f"purchases/{uuid.uuid4()}")
    assert unknown.returncode == 6
    assert json.loads(unknown.stderr)["error"]["code"] == "NOT_FOUND"


def test_events_list_and_watch_resume_from_a_cursor(stack):
    """The clerk's view of the feed: the demo's handovers and the parked purchase are in it; a
    watch stopped after three events and started again from the third's cursor goes on with the
    fourth; a cursor the feed did not give is refused with its field named."""
    env = stack.env
    # The newest event is readable once no older transaction runs (the feed's horizon): listed
    # again, a few times at most, until the park the stack ended with is there.
    for _ in range(10):
        listed = as_json(run(env, "--json", "events", "list", "--limit", "1000"))
        kinds = {(e["subject"], e["type"]) for e in listed}
        if (stack.parked.name, "PURCHASE_PARKED") in kinds:
            break
    assert {(p["name"], "HANDED_OVER") for p in stack.demo_purchases} <= kinds
    assert (stack.parked.name, "PURCHASE_PARKED") in kinds
    first = [
        json.loads(line) for line in run(env, "--json", "events", "watch", "--count", "3").stdout.splitlines()
    ]
    assert [e["event"] for e in first] == [e["event"] for e in listed[:3]]
    resumed = run(env, "--json", "events", "watch", "--after", first[-1]["cursor"], "--count", "1")
    assert json.loads(resumed.stdout)["event"] == listed[3]["event"]
    assert listed[3]["cursor"] in run(env, "events", "list", "--after", first[-1]["cursor"]).stdout
    bad = run(env, "--json", "events", "list", "--after", "not-a-cursor")
    assert bad.returncode != 0
    assert json.loads(bad.stderr)["error"]["code"] == "INVALID_ARGUMENT"


def test_resume_is_refused_for_a_purchase_not_parked_and_needs_a_note(stack):
    """`purchases resume` reaches ResumePurchase: a handed-over purchase is not parked (exit 5 with
    the reason), and a resume without saying what was done is malformed (exit 4). Resuming the
    parked purchase itself would race this module's other tests, which read it parked."""
    handed_over = stack.demo_purchases[0]["name"]
    refused = run(stack.env, "--json", "purchases", "resume", handed_over, "--note", "查封已解除")
    assert refused.returncode == 5, refused.stdout + refused.stderr
    assert json.loads(refused.stderr)["error"]["reason"] == "PURCHASE_NOT_PARKED"
    silent = run(stack.env, "--json", "purchases", "resume", stack.parked.name, "--note", "")
    assert silent.returncode == 4, silent.stdout + silent.stderr
    assert "note" in json.loads(silent.stderr)["error"]["fields"]
    shown = as_json(run(stack.env, "--json", "purchases", "show", stack.parked.name))
    assert shown["state"] == "PURCHASE_STATE_PARKED"


def test_parked_purchases_show_why_in_chinese_and_english(stack):
    parked = as_json(run(stack.env, "--json", "purchases", "parked"))
    assert [p["name"] for p in parked] == [stack.parked.name]
    assert parked[0]["problem"].startswith("UNIT_SEIZED: 该房屋已被查封或预查封 / a seizure")
    table = run(stack.env, "purchases", "parked")
    assert table.returncode == 0
    assert "UNIT_SEIZED" in table.stdout
    assert "该房屋已被查封或预查封" in table.stdout


def test_seizures_queue_in_order_and_release_promotes_the_next(stack):
    env, unit = stack.env, stack.seized_unit
    queued = as_json(
        run(env, "--json", "seize", unit, "--court", LATER_COURT, "--ruling", LATER_RULING, "--end", TERM_END)
    )
    assert queued["entries"][0]["state"] == "ENTRY_STATE_PENDING"
    assert queued["entries"][0]["queue_position"] == 1
    assert uuid.UUID(queued["request_id"])
    shown = as_json(run(env, "--json", "unit", "show", unit))
    seizures = [e for e in shown["entries"] if e["kind"] == "ENTRY_KIND_SEIZURE"]
    assert [(e["ruling"]["ruling_number"], e["state"]) for e in seizures] == [
        (RULING, "ENTRY_STATE_CURRENT"),
        (LATER_RULING, "ENTRY_STATE_PENDING"),
    ]
    table = run(env, "unit", "show", unit)
    assert table.stdout.index(RULING) < table.stdout.index(LATER_RULING)
    before_release = shown["as_of_time"]
    first = next(e["name"] for e in seizures if e["ruling"]["ruling_number"] == RULING)
    released = as_json(run(env, "--json", "release", first, "--court", COURT, "--ruling", RULING + "解"))
    assert [e["state"] for e in released["entries"]] == ["ENTRY_STATE_HISTORIC", "ENTRY_STATE_CURRENT"]
    then = as_json(run(env, "--json", "unit", "history", unit, "--as-of", before_release))
    assert {e["ruling"]["ruling_number"]: e["state"] for e in then if "ruling" in e}[
        RULING
    ] == "ENTRY_STATE_CURRENT"
    now = as_json(run(env, "--json", "unit", "history", unit))
    assert {e["ruling"]["ruling_number"]: e["state"] for e in now if "ruling" in e}[
        RULING
    ] == "ENTRY_STATE_HISTORIC"
    assert "history of" in run(env, "unit", "history", unit).stdout
    promoted = next(e["name"] for e in released["entries"] if e["state"] == "ENTRY_STATE_CURRENT")
    later_end = (dt.datetime.now(dt.UTC) + dt.timedelta(days=700)).isoformat()
    renewed = as_json(
        run(
            env,
            "--json",
            "renew",
            promoted,
            "--court",
            LATER_COURT,
            "--ruling",
            LATER_RULING + "续",
            "--end",
            later_end,
        )
    )
    renewed_end = dt.datetime.fromisoformat(renewed["entries"][0]["expire_time"].replace("Z", "+00:00"))
    assert renewed_end.date() == dt.datetime.fromisoformat(later_end).date()


def test_objection_and_correction(stack):
    env, unit = stack.env, stack.owned_unit
    added = as_json(
        run(
            env,
            "--json",
            "objection",
            "add",
            unit,
            "--objector",
            f"organizations/{seeds.BANKS[1].uscc}",
            "--grounds",
            "权属有争议",
        )
    )
    objection = added["entries"][0]
    assert (objection["kind"], objection["state"]) == ("ENTRY_KIND_OBJECTION", "ENTRY_STATE_CURRENT")
    lifted = run(env, "objection", "lift", objection["name"])
    assert lifted.returncode == 0, lifted.stderr
    assert "objection lifted" in lifted.stdout
    assert "HISTORIC" in lifted.stdout
    ownership = next(
        e["name"]
        for e in as_json(run(env, "--json", "unit", "show", unit))["entries"]
        if e["kind"] == "ENTRY_KIND_OWNERSHIP"
    )
    opened = as_json(run(env, "--json", "correction", "request", ownership, "--grounds", "面积记载有误"))
    correction = opened["entries"][0]
    assert correction["state"] == "ENTRY_STATE_CURRENT"
    resolved = as_json(run(env, "--json", "correction", "resolve", correction["name"]))
    assert any(
        e["name"] == correction["name"] and e["state"] == "ENTRY_STATE_HISTORIC" for e in resolved["entries"]
    )


def test_a_case_worked_from_the_queue_to_the_book(stack):
    env = stack.env
    case = asyncio.run(_lodge_mortgage(env, stack.owned_unit))
    queue = as_json(run(env, "--json", "cases", "list", "--service", "mortgage"))
    row = next(r for r in queue if r["case"] == case)
    assert (row["state"], row["time_limit_working_days"]) == ("LODGED", 7)
    assert 0 < row["hours_left"] <= 7 * 24 * 2
    assert case in run(env, "cases", "list").stdout
    requisitioned = as_json(
        run(
            env,
            "--json",
            "requisition",
            case,
            "--item",
            "抵押合同: 缺少第3页签字",
            "--item",
            "身份证明: 复印件不清晰",
        )
    )
    assert requisitioned["state"] == "CASE_STATE_REQUISITIONED"
    assert [c["subject"] for c in requisitioned["corrections"]] == ["抵押合同", "身份证明"]
    bad = run(env, "requisition", case, "--item", "no colon here")
    assert bad.returncode == 2
    asyncio.run(_resubmit(env, case))
    approved = as_json(run(env, "--json", "approve", case))
    assert approved["state"] == "CASE_STATE_APPROVED"
    registered = as_json(run(env, "--json", "cases", "register", case))
    assert registered["state"] in ("CASE_STATE_REGISTERED", "CASE_STATE_ISSUED")
    shown = run(env, "cases", "show", case)
    assert "REQUISITIONED" in shown.stdout
    assert "抵押合同" in shown.stdout
    again = run(env, "withdraw", case)
    assert again.returncode == 5
    assert "CASE_ALREADY_REGISTERED" in again.stderr


def test_refuse_and_withdraw(stack):
    env = stack.env
    refused_case = asyncio.run(_lodge_mortgage(env, stack.owned_unit))
    table = run(env, "refuse", refused_case, "--reason", "抵押合同与申请不一致")
    assert table.returncode == 0, table.stderr
    assert "REFUSED" in table.stdout
    assert "refused because: 抵押合同与申请不一致" in table.stdout
    assert "--request-id" in table.stderr, "the request id is told, so a timed-out refusal can be re-run"
    refused = as_json(run(env, "--json", "cases", "show", refused_case))
    assert refused["state"] == "CASE_STATE_REFUSED"
    assert refused["refusal_reasons"] == ["抵押合同与申请不一致"]
    withdrawn_case = asyncio.run(_lodge_mortgage(env, stack.owned_unit))
    rid = str(uuid.uuid4())
    withdrawn = as_json(run(env, "--json", "withdraw", withdrawn_case, "--request-id", rid))
    assert withdrawn["state"] == "CASE_STATE_WITHDRAWN"
    replayed = as_json(run(env, "--json", "withdraw", withdrawn_case, "--request-id", rid))
    assert replayed == withdrawn, "re-running with the same request id replays the same answer"


def test_refusals_carry_their_reason_and_exit_code(stack):
    env, home = stack.env, stack.home
    callers = home / "pki" / "callers"
    as_developer = ["--cert", str(callers / "developer.pem"), "--key", str(callers / "developer.key")]
    wrong_role = run(
        env,
        *as_developer,
        "seize",
        stack.owned_unit,
        "--court",
        COURT,
        "--ruling",
        "(2026)渝0112执1号",
        "--end",
        TERM_END,
    )
    assert wrong_role.returncode == 7
    assert "ROLE_NOT_ALLOWED" in wrong_role.stderr
    assert "调用者的角色无权调用该接口" in wrong_role.stderr
    unknown = run(env, "--json", "unit", "show", "500112001002GB00099F00010101")
    assert unknown.returncode == 6
    assert json.loads(unknown.stderr)["error"]["code"] == "NOT_FOUND"
    bad = run(env, "--json", "unit", "show", "not-a-unit")
    assert bad.returncode == 4
    assert "unit_number" in json.loads(bad.stderr)["error"]["fields"]
    # A case on a seized unit cannot be approved: the register's restriction, in both languages.
    seizure = as_json(
        run(
            env,
            "--json",
            "seize",
            stack.owned_unit,
            "--court",
            COURT,
            "--ruling",
            "(2026)渝0112执300号",
            "--end",
            TERM_END,
        )
    )
    case = asyncio.run(_lodge_mortgage(env, stack.owned_unit))
    refused = run(env, "approve", case)
    assert refused.returncode == 5
    assert "UNIT_SEIZED" in refused.stderr
    assert "该房屋已被查封或预查封" in refused.stderr
    as_json(
        run(env, "--json", "release", seizure["entries"][0]["name"], "--court", COURT, "--ruling", "解封")
    )


def test_verify_and_audit_on_the_live_stack(stack):
    env, home = stack.env, stack.home
    verified = as_json(run(env, "--json", "verify", str(home / "demo" / "certificate.json")))
    assert (verified["valid"], verified["kind"]) == (True, "certificate")
    audit = as_json(run(env, "--json", "audit"))
    assert audit["ok"] is True
    assert [book["authority"] for book in audit["books"]] == ["500112"]
    assert audit["books"][0]["leaves"] > 0


def test_the_logs_of_whole_purchases_name_them_and_hold_no_resident_id(stack):
    """Every service's JSON log over the demo's purchases (and this module's work): lines carry the
    request id, the caller and what they are about, and no whole resident ID appears anywhere."""
    buyers = {
        b["resident_id"]
        for p in stack.demo_purchases
        for b in as_json(run(stack.env, "--json", "purchases", "show", p["name"]))["filing"]["buyers"]
    }
    assert buyers
    lines = [
        json.loads(line)
        for log in (stack.home / "logs").glob("*.log")
        for line in log.read_text().splitlines()
        if line.startswith("{")
    ]
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    assert not [rid for rid in buyers if rid in text]
    candidates = set(re.findall(r"(?<![0-9A-Za-z])\d{17}[\dX](?![0-9A-Za-z])", text))
    assert not [c for c in candidates if _is_resident_id(c)]
    calls = [line for line in lines if line.get("logger") == "deedflow.access"]
    assert calls
    assert all(line.get("request_id") and line.get("caller", "").startswith("deedflow://") for line in calls)
    steps = [line for line in lines if line.get("logger") == "deedflow.saga" and line["message"] == "step"]
    assert {line["subject"] for line in steps} >= {p["name"] for p in stack.demo_purchases}
    cases = [line for line in lines if line.get("logger") == "deedflow.cases"]
    assert any(line["case"].startswith("cases/ZY") and line["state"] == "REGISTERED" for line in cases)


def _is_resident_id(text: str) -> bool:
    try:
        validate_resident_id(text)
    except ValueError:
        return False
    return True


def test_certificates_and_proofs_come_as_files_that_verify(stack, tmp_path):
    """`certificate get` and `proof get` by unit number or by name, as the clerk and as the
    mortgagee bank: the PDF and the JSON they write both verify; another bank is told nothing."""
    env, home = stack.env, stack.home
    mortgaged = next(p["unit_number"] for p in stack.demo_purchases if _has_mortgage(env, p["unit_number"]))
    pdf, signed = tmp_path / "certificate.pdf", tmp_path / "certificate.json"
    got = as_json(
        run(env, "--json", "certificate", "get", mortgaged, "--pdf", str(pdf), "--json", str(signed))
    )
    assert (got["kind"], got["unit_number"], got["pdf"], got["json"]) == (
        "certificate",
        mortgaged,
        str(pdf),
        str(signed),
    )
    for written in (pdf, signed):
        verified = as_json(run(env, "--json", "verify", str(written)))
        assert (verified["valid"], verified["number"]) == (True, got["number"])
    again = tmp_path / "by-name.json"
    by_name = as_json(run(env, "--json", "certificate", "get", got["number"], "--json", str(again)))
    assert by_name["number"] == got["number"]

    callers = home / "pki" / "callers"

    def as_bank(stem: str) -> list[str]:
        return ["--cert", str(callers / f"{stem}.pem"), "--key", str(callers / f"{stem}.key")]

    proof_pdf = tmp_path / "proof.pdf"
    proof = as_json(
        run(env, *as_bank(seeds.BANKS[0].stem), "--json", "proof", "get", mortgaged, "--pdf", str(proof_pdf))
    )
    assert (proof["kind"], proof["holders"]) == ("proof", [f"organizations/{seeds.BANKS[0].uscc}"])
    assert as_json(run(env, "--json", "verify", str(proof_pdf)))["valid"] is True
    other_bank = run(env, *as_bank(seeds.BANKS[1].stem), "proof", "get", mortgaged, "--pdf", str(proof_pdf))
    assert other_bank.returncode == 6, other_bank.stdout + other_bank.stderr
    no_certificate = run(env, "certificate", "get", stack.seized_unit, "--pdf", str(pdf))
    assert no_certificate.returncode == 6, no_certificate.stdout + no_certificate.stderr


def test_the_demo_writes_pdfs_that_the_page_opened_from_disk_finds_valid(stack):
    demo = stack.home / "demo"
    with headless_chromium() as driver:
        page = VerifierPage(driver, (demo / "verifier" / "index.html").as_uri())
        assert page.key_state() == "true"
        for name in ("certificate.pdf", "mortgage-proof.pdf", "certificate.json"):
            answer = page.check_file(demo / name)
            assert answer.verdict == "VALID", (name, answer.failures)


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "bank.py"


async def _bank_example(env: dict[str, str], folder: Path) -> tuple[str, str, Path]:
    """examples/bank.py as bank A runs it: it signs the loan terms the developer sends, follows the
    feed from the start, keeps the proof when the mortgage is recorded and lodges the discharge of
    the repaid loan, which a clerk enters; it stops once the feed reports it discharged."""
    settings = _settings(env)
    pki = Pki(settings.pki_path)
    parties = Parties(settings.home / "demo-parties", pki)
    channels = []

    async def stub(caller: str, service: str, stub_type):
        channel, made = await _as(env, caller, service, stub_type)
        channels.append(channel)
        return made

    contracts = await stub("developer", "contract", contract_service_pb2_grpc.ContractServiceStub)
    desk = await stub("developer", "orchestrator", orchestrator_service_pb2_grpc.PurchaseServiceStub)
    tax = await stub(seeds.BANKS[0].stem, "tax", tax_service_pb2_grpc.TaxServiceStub)
    cases = await stub("clerk", "mortgage", casework_service_pb2_grpc.CaseworkServiceStub)
    follower = None
    try:
        building = seeds.BUILDINGS[0]
        unit = await _on_sale(contracts, building)
        filing = filing_for(unit, [seeds.buyers()[160]], parties, pki, seeds.BANKS[0])
        # The developer sends the terms; the bank signs its slot with the example.
        filing.loan.ClearField("bank_signature")
        (folder / "filing.json").write_text(json_format.MessageToJson(filing))
        signing = await asyncio.create_subprocess_exec(
            *(
                sys.executable,
                str(EXAMPLE),
                "sign",
                str(folder / "filing.json"),
                str(folder / "signature.json"),
            ),
            env=env,
            stderr=asyncio.subprocess.PIPE,
        )
        _, signing_errors = await asyncio.wait_for(signing.communicate(), 60)
        assert signing.returncode == 0, signing_errors.decode()
        json_format.Parse((folder / "signature.json").read_text(), filing.loan.bank_signature)
        purchase = (
            await desk.FilePurchase(pb.FilePurchaseRequest(request_id=str(uuid.uuid4()), filing=filing))
        ).purchase
        follower = await asyncio.create_subprocess_exec(
            sys.executable,
            str(EXAMPLE),
            "follow",
            "--state",
            str(folder / "bank"),
            "--repaid",
            unit.unit_number,
            "--exit-when-discharged",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        await pay(
            SimpleNamespace(tax_as_bank=tax),
            await until(desk, purchase.name, pb.PURCHASE_STATE_AWAITING_COMPLETION),
        )
        await complete(desk, building)
        await until(desk, purchase.name, pb.PURCHASE_STATE_CERTIFICATE_READY)
        lines = []
        async with asyncio.timeout(120):
            while not (found := re.search(r"discharge lodged as case (\S+)", "".join(lines))):
                line = (await follower.stdout.readline()).decode()
                assert line, "".join(lines) + (await follower.stderr.read()).decode()
                lines.append(line)
            await cases.ApproveCase(case_pb.ApproveCaseRequest(request_id=str(uuid.uuid4()), name=found[1]))
            await cases.RegisterCase(case_pb.RegisterCaseRequest(request_id=str(uuid.uuid4()), name=found[1]))
            rest, errors = await follower.communicate()
        assert follower.returncode == 0, errors.decode()
        return "".join(lines) + rest.decode(), unit.unit_number, folder / "bank"
    finally:
        if follower is not None and follower.returncode is None:
            follower.kill()
            await follower.wait()
        for channel in channels:
            await channel.close()


def test_the_bank_example_signs_follows_keeps_the_proof_and_discharges(stack, tmp_path):
    output, unit, state = asyncio.run(_bank_example(stack.env, tmp_path))
    assert "MORTGAGE_RECORDED" in output
    assert re.search(rf"MORTGAGE_DISCHARGED mortgages/\S+ {unit}", output)
    # Where it stopped: a second run starts after the discharge, with nothing left to do.
    assert (state / "cursor").read_text()
    proofs = sorted(state.glob("mortgage-proof-*.json"))
    assert proofs
    for proof in proofs:
        verified = as_json(run(stack.env, "--json", "verify", str(proof)))
        assert (verified["valid"], verified["kind"]) == (True, "proof")
