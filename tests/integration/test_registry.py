"""The register (不动产登记簿) over mTLS gRPC on real PostgreSQL: the book's lifecycle of one unit,
the restriction engine, queued seizures, lapses with a settable clock, append-only storage."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import subprocess
import uuid
from pathlib import Path

import asyncpg
import grpc
import pytest
from grpc_status import rpc_status

from deedflow.registry.v1 import registry_service_pb2 as pb
from deedflow.registry.v1 import registry_service_pb2_grpc
from deedflow.type.v1 import parties_pb2
from services.registry.app import register
from shared.clock import SettableClock
from shared.db import plain_url
from shared.grpc.channels import secure_channel
from shared.grpc.status import bad_request, error_info
from shared.runtime import start_service
from shared.signed_note import Checkpoint, open_note, parse_checkpoint, parse_verifier_key
from tests.support import build_go, new_building_number, outcome_of

CHECKBOOK = Path(__file__).resolve().parents[1] / "interop" / "checkbook.go"

START = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
YEAR = dt.timedelta(days=365)
DEVELOPER = "organizations/91500112MA5U0DF01L"
BANK = "organizations/915000007094231152"
BUYERS = ("buyers/11010519491231002X", "buyers/360426199101010071")
OTHER_BUYER = "buyers/500103199003070017"


@pytest.fixture(scope="module")
def clock() -> SettableClock:
    return SettableClock(START)


@pytest.fixture(scope="module")
async def registry(database_url, test_settings, clock):
    started = await start_service("registry", register, test_settings, database_url, port=0, clock=clock)
    yield started
    await started.stop(0)


@pytest.fixture(scope="module")
async def as_service(registry, pki):
    """The transfer service's identity: the only kind of caller that may commit cases."""
    async with secure_channel(
        f"127.0.0.1:{registry.server.port}", pki.ca_pem, pki.service("transfer")
    ) as channel:
        yield registry_service_pb2_grpc.RegistryServiceStub(channel)


@pytest.fixture(scope="module")
async def as_clerk(registry, pki):
    async with secure_channel(
        f"127.0.0.1:{registry.server.port}", pki.ca_pem, pki.caller("clerk")
    ) as channel:
        yield registry_service_pb2_grpc.RegistryServiceStub(channel)


@pytest.fixture(scope="module")
async def as_developer(registry, pki):
    async with secure_channel(
        f"127.0.0.1:{registry.server.port}", pki.ca_pem, pki.caller("developer")
    ) as channel:
        yield registry_service_pb2_grpc.RegistryServiceStub(channel)


def rid() -> str:
    return str(uuid.uuid4())


def ts(value: dt.datetime):
    from shared.timestamps import to_timestamp

    return to_timestamp(value)


async def new_building(stub, units: int = 2) -> tuple[str, list[str]]:
    """A fresh building with `units` units in the book."""
    building = new_building_number()
    numbers = [f"{building}{room:04d}" for room in range(1, units + 1)]
    await stub.CreateBuilding(
        pb.CreateBuildingRequest(
            request_id=rid(),
            building_number=building,
            units=[
                pb.UnitFacts(
                    unit_number=n, address=f"渝北区示例路1号{n[-4:]}", gross_area_dm2=9000, use="住宅"
                )
                for n in numbers
            ],
        )
    )
    return building, numbers


async def commit(stub, unit, disposal, beneficiaries, new=(), ended=(), request_id=None):
    return await stub.CommitCase(
        pb.CommitCaseRequest(
            request_id=request_id or rid(),
            unit_number=unit,
            registry_case=f"cases/T{uuid.uuid4().hex[:8]}",
            disposal=disposal,
            beneficiaries=beneficiaries,
            new_entries=list(new),
            ended_entries=list(ended),
        )
    )


async def first_register(stub, building):
    return await stub.RecordFirstRegistration(
        pb.RecordFirstRegistrationRequest(
            request_id=rid(),
            building_number=building,
            registry_case="cases/F1",
            owner=DEVELOPER,
            common_parts=["物业管理用房"],
        )
    )


async def preregister(stub, unit, holders=BUYERS):
    reply = await commit(
        stub,
        unit,
        pb.DISPOSAL_PREREGISTRATION,
        list(holders),
        [
            pb.NewEntry(
                kind=pb.ENTRY_KIND_PREREGISTRATION,
                holders=list(holders),
                share_basis_points=[5000] * len(holders),
            )
        ],
    )
    return reply.entries[0]


async def premortgage(stub, unit):
    reply = await commit(
        stub,
        unit,
        pb.DISPOSAL_PREMORTGAGE,
        [*BUYERS, BANK],
        [pb.NewEntry(kind=pb.ENTRY_KIND_PREMORTGAGE, holders=[BANK], amount_fen=80_000_000)],
    )
    return reply.entries[0]


def reason_of(error: grpc.aio.AioRpcError) -> str:
    return error_info(rpc_status.from_call(error)).reason


async def refused(call) -> tuple[grpc.StatusCode, str | None]:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    info = error_info(rpc_status.from_call(caught.value))
    return caught.value.code(), info.reason if info else None


async def test_one_unit_from_presale_to_transfer_with_mortgage(as_service, clock, as_clerk):
    """CQ 29, CQ 62, CQ 66, 担保制度解释 52, 民法典 214: the whole life of one unit in the book."""
    building, (unit, _) = await new_building(as_clerk)
    prereg = await preregister(as_service, unit)
    clock.advance(dt.timedelta(minutes=1))
    premort = await premortgage(as_service, unit)
    clock.advance(dt.timedelta(days=200))
    first = await first_register(as_service, building)
    developer_entry = next(e for e in first.entries if e.unit_number == unit)
    before_transfer = clock.now()
    clock.advance(dt.timedelta(days=30))
    transfer = await commit(
        as_service,
        unit,
        pb.DISPOSAL_TRANSFER,
        list(BUYERS),
        [
            pb.NewEntry(kind=pb.ENTRY_KIND_OWNERSHIP, holders=list(BUYERS), share_basis_points=[5000, 5000]),
            pb.NewEntry(
                kind=pb.ENTRY_KIND_MORTGAGE, holders=[BANK], amount_fen=80_000_000, related_entry=premort.name
            ),
        ],
        ended=[developer_entry.name, prereg.name, premort.name],
    )
    ownership, mortgage = transfer.entries
    assert (ownership.kind, list(ownership.holders)) == (pb.ENTRY_KIND_OWNERSHIP, list(BUYERS))
    # The mortgage ranks from the pre-mortgage's date, not the transfer's (CQ 66, 担保制度解释 52).
    assert mortgage.priority_time == premort.priority_time
    assert mortgage.priority_time.ToDatetime(tzinfo=dt.UTC) < transfer.register_time.ToDatetime(tzinfo=dt.UTC)

    history = (await as_clerk.ListEntries(pb.ListEntriesRequest(unit_number=unit))).entries
    assert [(e.kind, e.state) for e in history] == [
        (pb.ENTRY_KIND_PREREGISTRATION, pb.ENTRY_STATE_HISTORIC),
        (pb.ENTRY_KIND_PREMORTGAGE, pb.ENTRY_STATE_HISTORIC),
        (pb.ENTRY_KIND_OWNERSHIP, pb.ENTRY_STATE_HISTORIC),
        (pb.ENTRY_KIND_OWNERSHIP, pb.ENTRY_STATE_CURRENT),
        (pb.ENTRY_KIND_MORTGAGE, pb.ENTRY_STATE_CURRENT),
    ]
    assert [e.sequence for e in history] == [1, 2, 3, 4, 5]
    assert history[2].holders == [DEVELOPER]
    assert history[2].ended_by_case == history[3].created_by_case
    assert history[3].entered_by == "deedflow://service/transfer"
    assert len({e.leaf_index for e in history}) == 5

    # As of before the transfer, the developer owned it and the buyers held the pre-registration.
    then = (
        await as_service.GetUnit(pb.GetUnitRequest(unit_number=unit, as_of_time=ts(before_transfer)))
    ).unit
    owners = [e.holders for e in then.entries if e.kind == pb.ENTRY_KIND_OWNERSHIP]
    assert owners == [[DEVELOPER]]
    assert {e.kind for e in then.entries} == {
        pb.ENTRY_KIND_OWNERSHIP,
        pb.ENTRY_KIND_PREREGISTRATION,
        pb.ENTRY_KIND_PREMORTGAGE,
    }
    now = (await as_service.GetUnit(pb.GetUnitRequest(unit_number=unit))).unit
    assert [e.holders for e in now.entries if e.kind == pb.ENTRY_KIND_OWNERSHIP] == [list(BUYERS)]


async def test_transfer_before_first_registration_is_refused(as_service, as_clerk):
    """CQ 29, 条例 14: first registration is entered before any transfer."""
    _, (unit, _) = await new_building(as_clerk)
    await preregister(as_service, unit)
    code, reason = await refused(
        commit(
            as_service,
            unit,
            pb.DISPOSAL_TRANSFER,
            list(BUYERS),
            [
                pb.NewEntry(
                    kind=pb.ENTRY_KIND_OWNERSHIP, holders=list(BUYERS), share_basis_points=[5000, 5000]
                )
            ],
        )
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "FIRST_REGISTRATION_MISSING")


async def test_seized_unit_refuses_pre_registration_transfer_and_mortgage(as_service, as_clerk, clock):
    """查封规定: a seizure blocks every disposal of the unit; a cancellation still passes."""
    building, (unit, _) = await new_building(as_clerk)
    await first_register(as_service, building)
    await as_clerk.SeizeUnit(
        pb.SeizeUnitRequest(
            request_id=rid(),
            unit_number=unit,
            ruling=parties_pb2.CourtRuling(
                authority="重庆市渝北区人民法院", ruling_number="(2026)渝0112执1号"
            ),
            end_time=ts(clock.now() + YEAR),
        )
    )
    for disposal in (
        pb.DISPOSAL_PREREGISTRATION,
        pb.DISPOSAL_TRANSFER,
        pb.DISPOSAL_MORTGAGE,
        pb.DISPOSAL_CONTRACT,
    ):
        check = await as_service.CheckDisposal(
            pb.CheckDisposalRequest(unit_number=unit, disposal=disposal, beneficiaries=list(BUYERS))
        )
        assert not check.allowed
        assert [r.reason for r in check.restrictions] == ["UNIT_SEIZED"]
    code, reason = await refused(
        commit(
            as_service,
            unit,
            pb.DISPOSAL_PREREGISTRATION,
            list(BUYERS),
            [
                pb.NewEntry(
                    kind=pb.ENTRY_KIND_PREREGISTRATION, holders=list(BUYERS), share_basis_points=[5000, 5000]
                )
            ],
        )
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "UNIT_SEIZED")
    check = await as_service.CheckDisposal(
        pb.CheckDisposalRequest(
            unit_number=unit, disposal=pb.DISPOSAL_CANCELLATION, beneficiaries=list(BUYERS)
        )
    )
    assert check.allowed


async def test_lifting_the_first_of_two_queued_seizures_leaves_the_second_in_effect(
    as_service, as_clerk, clock
):
    """轮候查封: queued seizures take effect in order when the one before is lifted."""
    _, (unit, _) = await new_building(as_clerk)
    rulings = [
        parties_pb2.CourtRuling(authority="重庆市渝北区人民法院", ruling_number=f"(2026)渝0112执{n}号")
        for n in (11, 12)
    ]
    first = (
        await as_clerk.SeizeUnit(
            pb.SeizeUnitRequest(
                request_id=rid(), unit_number=unit, ruling=rulings[0], end_time=ts(clock.now() + YEAR)
            )
        )
    ).entry
    second = (
        await as_clerk.SeizeUnit(
            pb.SeizeUnitRequest(
                request_id=rid(), unit_number=unit, ruling=rulings[1], end_time=ts(clock.now() + YEAR)
            )
        )
    ).entry
    assert first.state == pb.ENTRY_STATE_CURRENT
    assert (second.state, second.queue_position) == (pb.ENTRY_STATE_PENDING, 1)

    released = await as_clerk.ReleaseSeizure(
        pb.ReleaseSeizureRequest(request_id=rid(), entry=first.name, ruling=rulings[0])
    )
    assert released.released.state == pb.ENTRY_STATE_HISTORIC
    assert released.promoted.name == second.name
    assert released.promoted.state == pb.ENTRY_STATE_CURRENT
    check = await as_service.CheckDisposal(
        pb.CheckDisposalRequest(
            unit_number=unit, disposal=pb.DISPOSAL_PREREGISTRATION, beneficiaries=list(BUYERS)
        )
    )
    assert [r.reason for r in check.restrictions] == ["UNIT_SEIZED"]
    assert check.restrictions[0].entry == second.name


async def test_queued_seizure_takes_effect_when_the_first_term_ends(as_service, as_clerk, clock):
    """轮候查封 with an end date: when the first seizure's term ends, the queued one is in effect."""
    _, (unit, _) = await new_building(as_clerk)
    end = clock.now() + dt.timedelta(days=10)
    ruling = parties_pb2.CourtRuling(authority="重庆市第一中级人民法院", ruling_number="(2026)渝01执5号")
    await as_clerk.SeizeUnit(
        pb.SeizeUnitRequest(request_id=rid(), unit_number=unit, ruling=ruling, end_time=ts(end))
    )
    queued = (
        await as_clerk.SeizeUnit(
            pb.SeizeUnitRequest(request_id=rid(), unit_number=unit, ruling=ruling, end_time=ts(end + YEAR))
        )
    ).entry
    clock.advance(dt.timedelta(days=11))
    unit_now = (await as_service.GetUnit(pb.GetUnitRequest(unit_number=unit))).unit
    seizures = [e for e in unit_now.entries if e.kind == pb.ENTRY_KIND_SEIZURE]
    assert [(e.name, e.state) for e in seizures] == [(queued.name, pb.ENTRY_STATE_CURRENT)]


async def test_pre_registration_lapses_90_days_after_first_registration(as_service, clock, as_clerk):
    """民法典 221: 91 days after first registration the buyers' pre-registration no longer blocks
    the developer, and the buyers' own transfer is refused as lapsed."""
    building, (unit, _) = await new_building(as_clerk)
    await preregister(as_service, unit)
    await first_register(as_service, building)
    check = await as_service.CheckDisposal(
        pb.CheckDisposalRequest(unit_number=unit, disposal=pb.DISPOSAL_CONTRACT, beneficiaries=[OTHER_BUYER])
    )
    assert [r.reason for r in check.restrictions] == ["PRE_REGISTRATION_HELD_BY_OTHER"]
    clock.advance(dt.timedelta(days=89))
    check = await as_service.CheckDisposal(
        pb.CheckDisposalRequest(unit_number=unit, disposal=pb.DISPOSAL_CONTRACT, beneficiaries=[OTHER_BUYER])
    )
    assert not check.allowed
    clock.advance(dt.timedelta(days=2))
    check = await as_service.CheckDisposal(
        pb.CheckDisposalRequest(unit_number=unit, disposal=pb.DISPOSAL_CONTRACT, beneficiaries=[OTHER_BUYER])
    )
    assert check.allowed
    transfer = await as_service.CheckDisposal(
        pb.CheckDisposalRequest(unit_number=unit, disposal=pb.DISPOSAL_TRANSFER, beneficiaries=list(BUYERS))
    )
    assert [r.reason for r in transfer.restrictions] == ["PRE_REGISTRATION_LAPSED"]
    entries = (await as_clerk.ListEntries(pb.ListEntriesRequest(unit_number=unit))).entries
    lapsed = next(e for e in entries if e.kind == pb.ENTRY_KIND_PREREGISTRATION)
    assert lapsed.state == pb.ENTRY_STATE_HISTORIC
    assert "民法典 221" in lapsed.ended_by_case


async def test_objection_lapses_after_15_days_unless_a_lawsuit_is_brought(as_service, as_clerk, clock):
    """民法典 220: an objection blocks disposal and lapses after 15 days without a lawsuit."""
    _, (lapsing, kept) = await new_building(as_clerk)
    for unit in (lapsing, kept):
        await as_clerk.AddObjection(
            pb.AddObjectionRequest(
                request_id=rid(), unit_number=unit, objector=OTHER_BUYER, grounds="权属争议"
            )
        )
    kept_entry = (await as_service.GetUnit(pb.GetUnitRequest(unit_number=kept))).unit.entries[0]
    await as_clerk.LiftObjection(
        pb.LiftObjectionRequest(
            request_id=rid(),
            entry=kept_entry.name,
            lawsuit=parties_pb2.CourtRuling(
                authority="重庆市渝北区人民法院", ruling_number="(2026)渝0112民初7号"
            ),
        )
    )

    async def reasons(unit):
        check = await as_service.CheckDisposal(
            pb.CheckDisposalRequest(
                unit_number=unit, disposal=pb.DISPOSAL_PREREGISTRATION, beneficiaries=list(BUYERS)
            )
        )
        return [r.reason for r in check.restrictions]

    clock.advance(dt.timedelta(days=14))
    assert await reasons(lapsing) == ["OBJECTION_PENDING"]
    clock.advance(dt.timedelta(days=2))
    assert await reasons(lapsing) == []
    assert await reasons(kept) == ["OBJECTION_PENDING"]


async def test_a_lapsed_objection_is_not_lodged_again_by_the_same_objector(as_service, as_clerk, clock):
    """CQ 69 ¶3: after an objection lapsed without a lawsuit, the same applicant's objection on
    the same matter is not accepted; another applicant, or another matter, still may object."""
    building, (unit, _) = await new_building(as_clerk)
    owner = next(e for e in (await first_register(as_service, building)).entries if e.unit_number == unit)

    def objection(objector: str, related: str = "") -> pb.AddObjectionRequest:
        return pb.AddObjectionRequest(
            request_id=rid(), unit_number=unit, objector=objector, related_entry=related, grounds="权属争议"
        )

    await as_clerk.AddObjection(objection(OTHER_BUYER, owner.name))
    clock.advance(dt.timedelta(days=16))
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await as_clerk.AddObjection(objection(OTHER_BUYER, owner.name))
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error_info(rpc_status.from_call(caught.value)).reason == "OBJECTION_REPEATED"
    entries = (await as_clerk.ListEntries(pb.ListEntriesRequest(unit_number=unit))).entries
    assert sum(e.kind == pb.ENTRY_KIND_OBJECTION for e in entries) == 1
    someone_else = await as_clerk.AddObjection(objection(BUYERS[0], owner.name))
    assert someone_else.entry.state == pb.ENTRY_STATE_CURRENT
    another_matter = await as_clerk.AddObjection(objection(OTHER_BUYER))
    assert another_matter.entry.state == pb.ENTRY_STATE_CURRENT


async def test_pending_correction_blocks_transfer_until_resolved(as_service, as_clerk):
    """更正登记: while a correction is pending the unit may not be transferred; resolving it
    appends the corrected entry and ends the wrong one, never editing it."""
    building, (unit, _) = await new_building(as_clerk)
    first = await first_register(as_service, building)
    owner = next(e for e in first.entries if e.unit_number == unit)
    correction = (
        await as_clerk.RequestCorrection(
            pb.RequestCorrectionRequest(request_id=rid(), entry=owner.name, grounds="开发企业名称有误")
        )
    ).entry
    check = await as_service.CheckDisposal(
        pb.CheckDisposalRequest(unit_number=unit, disposal=pb.DISPOSAL_TRANSFER, beneficiaries=list(BUYERS))
    )
    assert "CORRECTION_PENDING" in [r.reason for r in check.restrictions]
    resolved = await as_clerk.ResolveCorrection(
        pb.ResolveCorrectionRequest(
            request_id=rid(),
            correction=correction.name,
            corrected=pb.NewEntry(
                kind=pb.ENTRY_KIND_OWNERSHIP, holders=[DEVELOPER], share_basis_points=[10000]
            ),
        )
    )
    states = {e.name: e.state for e in resolved.entries}
    assert states[correction.name] == pb.ENTRY_STATE_HISTORIC
    assert states[owner.name] == pb.ENTRY_STATE_HISTORIC
    corrected = next(e for e in resolved.entries if e.name not in (correction.name, owner.name))
    assert corrected.related_entry == owner.name
    assert corrected.state == pb.ENTRY_STATE_CURRENT
    code, reason = await refused(
        as_clerk.ResolveCorrection(pb.ResolveCorrectionRequest(request_id=rid(), correction=correction.name))
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "CORRECTION_NOT_PENDING")


async def test_no_transfer_agreement_blocks_transfer_but_not_mortgage(as_service, as_clerk):
    """民法典 406: a mortgage does not block transfer unless a no-transfer agreement is recorded."""
    building, (unit, _) = await new_building(as_clerk)
    await first_register(as_service, building)
    await as_clerk.RecordAgreement(
        pb.RecordAgreementRequest(
            request_id=rid(), unit_number=unit, restricts_transfer=True, terms="抵押期间不得转让"
        )
    )
    transfer = await as_service.CheckDisposal(
        pb.CheckDisposalRequest(unit_number=unit, disposal=pb.DISPOSAL_TRANSFER, beneficiaries=list(BUYERS))
    )
    assert [r.reason for r in transfer.restrictions] == ["TRANSFER_RESTRICTED_BY_AGREEMENT"]
    mortgage = await as_service.CheckDisposal(
        pb.CheckDisposalRequest(
            unit_number=unit, disposal=pb.DISPOSAL_MORTGAGE, beneficiaries=[DEVELOPER, BANK]
        )
    )
    assert mortgage.allowed


async def test_ending_an_entry_twice_is_refused(as_service, as_clerk):
    """条例 8-13: only a current entry can be ended; the first ending stands."""
    _, (unit, _) = await new_building(as_clerk)
    prereg = await preregister(as_service, unit)
    await commit(as_service, unit, pb.DISPOSAL_CANCELLATION, list(BUYERS), ended=[prereg.name])
    code, reason = await refused(
        commit(as_service, unit, pb.DISPOSAL_CANCELLATION, list(BUYERS), ended=[prereg.name])
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "ENTRY_NOT_CURRENT")


async def test_commit_replay_returns_the_same_entries_and_appends_nothing(as_service, as_clerk):
    _, (unit, _) = await new_building(as_clerk)
    request_id = rid()
    new = [
        pb.NewEntry(kind=pb.ENTRY_KIND_PREREGISTRATION, holders=list(BUYERS), share_basis_points=[5000, 5000])
    ]
    request = pb.CommitCaseRequest(
        request_id=request_id,
        unit_number=unit,
        registry_case="cases/R1",
        disposal=pb.DISPOSAL_PREREGISTRATION,
        beneficiaries=list(BUYERS),
        new_entries=new,
    )
    first = await as_service.CommitCase(request)
    again = await as_service.CommitCase(request)
    assert again == first
    history = (await as_clerk.ListEntries(pb.ListEntriesRequest(unit_number=unit))).entries
    assert len(history) == 1
    request.registry_case = "cases/R2"
    code, reason = await refused(as_service.CommitCase(request))
    assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "REQUEST_ID_REUSED")


async def test_concurrent_pre_registrations_of_one_unit_admit_exactly_one(as_service, as_clerk):
    """民法典 221: once one buyer's pre-registration is entered, nobody else's may be; the unit's
    row lock makes the check and the append one step even under a race."""
    _, (unit, _) = await new_building(as_clerk)
    buyers = [f"buyers/race{n}" for n in range(20)]

    async def attempt(buyer):
        try:
            await preregister(as_service, unit, holders=(buyer,))
            return "ok"
        except grpc.aio.AioRpcError as exc:
            return reason_of(exc)

    outcomes = await asyncio.gather(*(attempt(b) for b in buyers))
    assert outcomes.count("ok") == 1
    assert set(outcomes) == {"ok", "PRE_REGISTRATION_HELD_BY_OTHER"}


async def test_clerk_actions_need_the_clerk_role_and_commits_a_service(as_developer, as_clerk):
    ruling = parties_pb2.CourtRuling(authority="court", ruling_number="(2026)1")
    unit = "500112001002GB00001F00010001"
    code, reason = await refused(
        as_developer.SeizeUnit(pb.SeizeUnitRequest(request_id=rid(), unit_number=unit, ruling=ruling))
    )
    assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "ROLE_NOT_ALLOWED")
    code, reason = await refused(commit(as_clerk, unit, pb.DISPOSAL_TRANSFER, list(BUYERS)))
    assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "ROLE_NOT_ALLOWED")


@pytest.fixture(scope="module")
def checkbook(tmp_path_factory) -> Path:
    """tests/interop/checkbook.go built with Debian's Go and golang.org/x/mod."""
    return build_go(CHECKBOOK, tmp_path_factory.mktemp("go"), tmp_path_factory.getbasetemp() / "go-cache")


def _checked_by_go(checkbook: Path, payload: dict) -> str:
    encoded = {
        key: (
            base64.b64encode(value).decode()
            if isinstance(value, bytes)
            else [base64.b64encode(h).decode() for h in value]
            if isinstance(value, list)
            else value
        )
        for key, value in payload.items()
    }
    ran = subprocess.run(
        [str(checkbook)], input=json.dumps(encoded), capture_output=True, text=True, timeout=60
    )
    return ran.stdout.strip()


async def test_go_s_transparency_log_code_checks_the_book(as_service, as_clerk, checkbook):
    """Proof by code we did not write: Go's sumdb/note opens the book's checkpoint note with the
    book's published verifier key, and sumdb/tlog checks an entry's inclusion proof and a
    consistency proof between two checkpoints; our own reader of the note agrees, and each
    tampering is refused by Go at the step it breaks."""
    _, (unit, _) = await new_building(as_clerk)
    authority = unit[:6]
    entry = await preregister(as_service, unit)
    old = await as_clerk.GetCheckpoint(pb.GetCheckpointRequest(authority=authority))
    await preregister(as_service, (await new_building(as_clerk))[1][0])
    latest = await as_clerk.GetCheckpoint(pb.GetCheckpointRequest(authority=authority))
    size = latest.checkpoint.tree_size
    assert size > old.checkpoint.tree_size
    proof = await as_clerk.GetInclusionProof(pb.GetInclusionProofRequest(entry=entry.name, tree_size=size))
    consistency = await as_clerk.GetConsistencyProof(
        pb.GetConsistencyProofRequest(
            authority=authority, first_tree_size=old.checkpoint.tree_size, second_tree_size=size
        )
    )
    payload = {
        "verifier_key": latest.verifier_key,
        "note": latest.note,
        "old_note": old.note,
        "leaf": proof.leaf,
        "leaf_index": proof.leaf_index,
        "audit_path": list(proof.audit_path),
        "consistency": list(consistency.proof),
    }
    assert _checked_by_go(checkbook, payload) == "ok"

    text, _ = open_note(latest.note.encode(), [parse_verifier_key(latest.verifier_key)])
    assert parse_checkpoint(text) == Checkpoint(
        f"deedflow.example/register/{authority}", size, latest.checkpoint.root_hash
    )
    books = (await as_clerk.ListBooks(pb.ListBooksRequest())).books
    assert latest.verifier_key == next(b.verifier_key for b in books if b.authority == authority)
    grown = latest.note.replace(f"\n{size}\n", f"\n{size + 1}\n")
    assert _checked_by_go(checkbook, payload | {"note": grown}).startswith("checkpoint:")
    edited = proof.leaf.replace(b"PREREGISTRATION", b"OWNERSHIP")
    assert _checked_by_go(checkbook, payload | {"leaf": edited}).startswith("inclusion:")
    wrong = [bytes(32), *consistency.proof[1:]]
    assert _checked_by_go(checkbook, payload | {"consistency": wrong}).startswith("consistency:")


async def test_unknown_unit_is_not_found(as_service):
    code, _ = await refused(as_service.GetUnit(pb.GetUnitRequest(unit_number="500112001002GB99999F00990099")))
    assert code == grpc.StatusCode.NOT_FOUND


async def test_the_book_refuses_update_and_delete(as_service, database_url, as_clerk):
    """条例 8-13: the book is changed only by appending; PostgreSQL itself refuses edits."""
    _, (unit, _) = await new_building(as_clerk)
    await preregister(as_service, unit)
    connection = await asyncpg.connect(plain_url(database_url), server_settings={"search_path": "registry"})
    try:
        for statement in (
            "UPDATE entry SET holders = '{buyers/someone-else}' WHERE unit_number = $1",
            "DELETE FROM entry_event WHERE unit_number = $1",
        ):
            with pytest.raises(asyncpg.RaiseError, match="append-only"):
                await connection.execute(statement, unit)
    finally:
        await connection.close()


async def test_unit_facts_cannot_be_silently_replaced(as_service, as_clerk):
    building, (unit, _) = await new_building(as_clerk)
    code, reason = await refused(
        as_clerk.CreateBuilding(
            pb.CreateBuildingRequest(
                request_id=rid(),
                building_number=building,
                units=[pb.UnitFacts(unit_number=unit, address="另一个地址", gross_area_dm2=1, use="住宅")],
            )
        )
    )
    assert (code, reason) == (grpc.StatusCode.ALREADY_EXISTS, "UNIT_FACTS_DIFFER")


async def test_the_book_is_a_verifiable_log(as_service, pki, as_clerk):
    """Every entry is a leaf of an RFC 9162 tree: its inclusion proof verifies offline against a
    checkpoint signed with the registry's key, and a later checkpoint is consistent with it."""
    from shared import merkle
    from shared.checkpoint import verify_checkpoint

    _, (unit, _) = await new_building(as_clerk)
    entry = await preregister(as_service, unit)
    first = await as_clerk.GetCheckpoint(pb.GetCheckpointRequest(authority=unit[:6]))
    public_key = first.public_key
    checkpoint = first.checkpoint
    assert checkpoint.authority == unit[:6]
    when = checkpoint.checkpoint_time.ToDatetime(tzinfo=dt.UTC)
    assert verify_checkpoint(
        public_key, unit[:6], checkpoint.tree_size, checkpoint.root_hash, when, checkpoint.signature
    )
    assert not verify_checkpoint(
        public_key, unit[:6], checkpoint.tree_size + 1, checkpoint.root_hash, when, checkpoint.signature
    )

    proof = await as_clerk.GetInclusionProof(pb.GetInclusionProofRequest(entry=entry.name))
    assert proof.leaf_index == entry.leaf_index
    assert merkle.verify_inclusion(
        proof.leaf, proof.leaf_index, proof.tree_size, proof.audit_path, checkpoint.root_hash
    )
    assert b'"kind":"PREREGISTRATION"' in proof.leaf
    edited = proof.leaf.replace(b"PREREGISTRATION", b"OWNERSHIP")
    assert not merkle.verify_inclusion(
        edited, proof.leaf_index, proof.tree_size, proof.audit_path, checkpoint.root_hash
    )

    await preregister(as_service, (await new_building(as_clerk))[1][0])
    later = (await as_clerk.GetCheckpoint(pb.GetCheckpointRequest(authority=unit[:6]))).checkpoint
    assert later.tree_size > checkpoint.tree_size
    consistency = await as_clerk.GetConsistencyProof(
        pb.GetConsistencyProofRequest(
            authority=unit[:6], first_tree_size=checkpoint.tree_size, second_tree_size=later.tree_size
        )
    )
    assert merkle.verify_consistency(
        checkpoint.tree_size, later.tree_size, checkpoint.root_hash, later.root_hash, consistency.proof
    )


COURT = parties_pb2.CourtRuling(authority="重庆市渝北区人民法院", ruling_number="(2026)渝0112执77号")


async def _reasons(stub, unit, disposal, beneficiaries=BUYERS) -> list[str]:
    check = await stub.CheckDisposal(
        pb.CheckDisposalRequest(unit_number=unit, disposal=disposal, beneficiaries=list(beneficiaries))
    )
    return [r.reason for r in check.restrictions]


async def test_a_seizure_has_a_term_of_at_most_three_years(as_clerk, clock):
    """民诉法解释 485: a seizure of real property is for at most three years; one without an end
    is refused at the door, and so is one of three years and a day; nothing is entered."""
    _, (unit, _) = await new_building(as_clerk)
    now = clock.now()
    for end, why in ((None, "term"), (now + dt.timedelta(days=3 * 366), "three years"), (now, "after")):
        request = pb.SeizeUnitRequest(request_id=rid(), unit_number=unit, ruling=COURT)
        if end is not None:
            request.end_time.CopyFrom(ts(end))
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await as_clerk.SeizeUnit(request)
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        violations = bad_request(rpc_status.from_call(caught.value)).field_violations
        assert [v.field for v in violations] == ["end_time"]
        assert why in violations[0].description
    assert (await as_clerk.ListEntries(pb.ListEntriesRequest(unit_number=unit))).entries == []
    longest = now.replace(year=now.year + 3)
    seized = await as_clerk.SeizeUnit(
        pb.SeizeUnitRequest(request_id=rid(), unit_number=unit, ruling=COURT, end_time=ts(longest))
    )
    assert seized.entry.expire_time.ToDatetime(tzinfo=dt.UTC) == longest


async def test_a_seizure_renewed_before_its_end_runs_on_and_one_not_renewed_ends(as_service, as_clerk, clock):
    """查封规定 27: a seizure not renewed before its term ends has no effect after it; renewed
    (续封) in time, it runs to its new end, at most three years on (民诉法解释 485)."""
    _, (renewed_unit, lapsing_unit) = await new_building(as_clerk)
    start = clock.now()
    seizures = {}
    for unit in (renewed_unit, lapsing_unit):
        seizures[unit] = (
            await as_clerk.SeizeUnit(
                pb.SeizeUnitRequest(
                    request_id=rid(),
                    unit_number=unit,
                    ruling=COURT,
                    end_time=ts(start + dt.timedelta(days=30)),
                )
            )
        ).entry
    clock.advance(dt.timedelta(days=20))
    renewal = pb.RenewSeizureRequest(
        request_id=rid(), entry=seizures[renewed_unit].name, ruling=COURT, end_time=ts(clock.now() + YEAR)
    )
    renewed = (await as_clerk.RenewSeizure(renewal)).entry
    assert renewed.expire_time == renewal.end_time
    too_long = pb.RenewSeizureRequest(
        request_id=rid(),
        entry=seizures[renewed_unit].name,
        ruling=COURT,
        end_time=ts(clock.now() + dt.timedelta(days=3 * 366)),
    )
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await as_clerk.RenewSeizure(too_long)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT

    clock.advance(dt.timedelta(days=20))
    assert await _reasons(as_service, renewed_unit, pb.DISPOSAL_PREREGISTRATION) == ["UNIT_SEIZED"]
    assert await _reasons(as_service, lapsing_unit, pb.DISPOSAL_PREREGISTRATION) == []
    late = pb.RenewSeizureRequest(
        request_id=rid(), entry=seizures[lapsing_unit].name, ruling=COURT, end_time=ts(clock.now() + YEAR)
    )
    assert await refused(as_clerk.RenewSeizure(late)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "ENTRY_NOT_CURRENT",
    )


async def test_a_pre_seizure_of_a_debtor_buyer_spares_their_transfer_then_holds_the_flat(
    as_service, as_clerk, clock
):
    """CQ 72-73: a court pre-seizes (预查封) what a debtor-buyer is to acquire under their 预告; the
    buyers' own transfer goes through, and once the flat is registered to the debtor the
    pre-seizure is a seizure: nothing more can be done with the flat."""
    building, (unit, other) = await new_building(as_clerk)
    await first_register(as_service, building)
    for target in (unit, other):
        await preregister(as_service, target)
    end = ts(clock.now() + YEAR)
    await as_clerk.SeizeUnit(
        pb.SeizeUnitRequest(
            request_id=rid(), unit_number=unit, ruling=COURT, pre_seizure=True, debtor=BUYERS[0], end_time=end
        )
    )
    await as_clerk.SeizeUnit(
        pb.SeizeUnitRequest(request_id=rid(), unit_number=other, ruling=COURT, pre_seizure=True, end_time=end)
    )
    assert await _reasons(as_service, unit, pb.DISPOSAL_TRANSFER) == []
    assert await _reasons(as_service, other, pb.DISPOSAL_TRANSFER) == ["UNIT_SEIZED"]
    assert sorted(await _reasons(as_service, unit, pb.DISPOSAL_CONTRACT, [OTHER_BUYER])) == [
        "PRE_REGISTRATION_HELD_BY_OTHER",
        "UNIT_SEIZED",
    ]
    entries = (await as_clerk.GetUnit(pb.GetUnitRequest(unit_number=unit))).unit.entries
    owner = next(e for e in entries if e.kind == pb.ENTRY_KIND_OWNERSHIP)
    prereg = next(e for e in entries if e.kind == pb.ENTRY_KIND_PREREGISTRATION)
    await commit(
        as_service,
        unit,
        pb.DISPOSAL_TRANSFER,
        list(BUYERS),
        [pb.NewEntry(kind=pb.ENTRY_KIND_OWNERSHIP, holders=list(BUYERS), share_basis_points=[5000, 5000])],
        [owner.name, prereg.name],
    )
    assert await _reasons(as_service, unit, pb.DISPOSAL_MORTGAGE) == ["UNIT_SEIZED"]
    assert await _reasons(as_service, unit, pb.DISPOSAL_TRANSFER, [OTHER_BUYER]) == ["UNIT_SEIZED"]


async def test_a_seizure_of_the_building_and_its_land_stops_first_registration(as_service, as_clerk, clock):
    """查封规定 24 and DOMAIN "What blocks what": a seizure blocks first registration only when it
    is on the land or the building. A court's seizure of the building under construction with
    its land is entered on every unit and refuses the first registration; a seizure of one
    presale unit does not."""
    seized_building, seized_units = await new_building(as_clerk, units=3)
    seized = (
        await as_clerk.SeizeUnit(
            pb.SeizeUnitRequest(
                request_id=rid(),
                unit_number=seized_units[0],
                ruling=COURT,
                whole_building=True,
                end_time=ts(clock.now() + YEAR),
            )
        )
    ).entry
    assert seized.covers_building
    for unit in seized_units:
        entries = (await as_clerk.GetUnit(pb.GetUnitRequest(unit_number=unit))).unit.entries
        assert [(e.kind, e.covers_building) for e in entries] == [(pb.ENTRY_KIND_SEIZURE, True)]
    assert await refused(first_register(as_service, seized_building)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "UNIT_SEIZED",
    )

    free_building, (one_unit, _) = await new_building(as_clerk)
    await as_clerk.SeizeUnit(
        pb.SeizeUnitRequest(
            request_id=rid(), unit_number=one_unit, ruling=COURT, end_time=ts(clock.now() + YEAR)
        )
    )
    registered = await first_register(as_service, free_building)
    assert len(registered.entries) == 2


def _prereg_case(unit: str, holders=BUYERS) -> pb.CommitCaseRequest:
    return pb.CommitCaseRequest(
        request_id=rid(),
        unit_number=unit,
        registry_case=f"cases/YG{uuid.uuid4().hex[:8]}",
        disposal=pb.DISPOSAL_PREREGISTRATION,
        beneficiaries=list(holders),
        new_entries=[
            pb.NewEntry(
                kind=pb.ENTRY_KIND_PREREGISTRATION,
                holders=list(holders),
                share_basis_points=[10000 // len(holders)] * len(holders),
            )
        ],
    )


def _premortgage_case(unit: str) -> pb.CommitCaseRequest:
    return pb.CommitCaseRequest(
        request_id=rid(),
        unit_number=unit,
        registry_case=f"cases/YD{uuid.uuid4().hex[:8]}",
        disposal=pb.DISPOSAL_PREMORTGAGE,
        beneficiaries=[*BUYERS, BANK],
        new_entries=[pb.NewEntry(kind=pb.ENTRY_KIND_PREMORTGAGE, holders=[BANK], amount_fen=80_000_000)],
    )


async def _history(stub, unit: str) -> list[pb.Entry]:
    return list((await stub.ListEntries(pb.ListEntriesRequest(unit_number=unit))).entries)


async def test_cases_entered_together_are_answered_each_as_alone(as_service, as_clerk):
    """CommitCases: each case judged and answered as CommitCase alone would, in one register
    transaction; a refused case writes nothing and, holding no answer, may be sent again once its
    cause is gone; a second case of one unit is judged with the first in the book."""
    _, (u1, u2, u3) = await new_building(as_clerk, units=3)
    held = await preregister(as_service, u2, holders=(OTHER_BUYER,))
    missing = f"{u3[:-4]}0099"
    requests = [
        _prereg_case(u1),
        _prereg_case(u2),
        _prereg_case(u3),
        _premortgage_case(u1),
        _prereg_case(missing),
    ]
    batch = pb.CommitCasesRequest(requests=requests)
    first = [outcome_of(o) for o in (await as_service.CommitCases(batch)).outcomes]

    assert [e.kind for e in first[0].entries] == [pb.ENTRY_KIND_PREREGISTRATION]
    assert first[1] == (grpc.StatusCode.FAILED_PRECONDITION, "PRE_REGISTRATION_HELD_BY_OTHER")
    assert first[2].entries[0].unit_number == u3
    assert (first[3].entries[0].kind, first[3].entries[0].sequence) == (pb.ENTRY_KIND_PREMORTGAGE, 2)
    assert first[4] == (grpc.StatusCode.NOT_FOUND, None)
    assert [e.name for e in await _history(as_clerk, u2)] == [held.name]

    # Sent again, as a batch or alone: the same answers, and nothing entered twice.
    again = [outcome_of(o) for o in (await as_service.CommitCases(batch)).outcomes]
    assert again == first
    assert await as_service.CommitCase(requests[0]) == first[0]
    assert len(await _history(as_clerk, u1)) == 2
    reused = pb.CommitCaseRequest()
    reused.CopyFrom(requests[2])
    reused.registry_case = "cases/OTHER"
    (answer,) = (await as_service.CommitCases(pb.CommitCasesRequest(requests=[reused]))).outcomes
    assert outcome_of(answer) == (grpc.StatusCode.INVALID_ARGUMENT, "REQUEST_ID_REUSED")

    # The refusal left no answer: once the other buyer's pre-registration is cancelled, the same
    # request is entered.
    await commit(as_service, u2, pb.DISPOSAL_CANCELLATION, [OTHER_BUYER], ended=[held.name])
    entered = [outcome_of(o) for o in (await as_service.CommitCases(batch)).outcomes]
    assert entered[1].entries[0].holders == list(BUYERS)
    assert entered[:1] + entered[2:] == first[:1] + first[2:]


async def test_the_same_cases_sent_twice_at_once_are_entered_once(as_service, as_clerk):
    _, units = await new_building(as_clerk, units=4)
    batch = pb.CommitCasesRequest(requests=[_prereg_case(u) for u in units])
    one, other = await asyncio.gather(as_service.CommitCases(batch), as_service.CommitCases(batch))
    assert one == other
    assert all(o.HasField("response") for o in one.outcomes)
    for unit in units:
        assert len(await _history(as_clerk, unit)) == 1


async def test_a_batch_naming_a_request_id_twice_is_refused_whole(as_service, as_clerk):
    _, (u1, u2) = await new_building(as_clerk)
    twice = _prereg_case(u2)
    twice.request_id = (first := _prereg_case(u1)).request_id
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await as_service.CommitCases(pb.CommitCasesRequest(requests=[first, twice]))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    fields = [v.field for v in bad_request(rpc_status.from_call(caught.value)).field_violations]
    assert fields == ["requests[1].request_id"]
    assert await _history(as_clerk, u1) == []


async def test_units_read_together_are_each_as_read_alone(as_service, as_clerk):
    _, (u1, u2) = await new_building(as_clerk)
    await preregister(as_service, u1)
    missing = f"{u2[:-4]}0099"
    requests = [
        pb.GetUnitRequest(unit_number=u1, with_history=True),
        pb.GetUnitRequest(unit_number=missing),
        pb.GetUnitRequest(unit_number=u2),
    ]
    reply = await as_service.GetUnits(pb.GetUnitsRequest(requests=requests))
    assert reply.outcomes[0].response == await as_service.GetUnit(requests[0])
    assert reply.outcomes[1].error.code == grpc.StatusCode.NOT_FOUND.value[0]
    assert reply.outcomes[2].response == await as_service.GetUnit(requests[2])
    assert [e.kind for e in reply.outcomes[0].response.unit.entries] == [pb.ENTRY_KIND_PREREGISTRATION]


async def test_a_seizure_cannot_start_later_than_its_entry(as_clerk, clock):
    """A seizure binds from its entry in the book; a term starting later would run past three
    years from when it binds (民诉法解释 485). A start in the past counts from then."""
    _, (unit, _) = await new_building(as_clerk)
    ruling = parties_pb2.CourtRuling(authority="重庆市渝北区人民法院", ruling_number="(2026)渝0112执31号")
    later = pb.SeizeUnitRequest(
        request_id=rid(),
        unit_number=unit,
        ruling=ruling,
        start_time=ts(clock.now() + YEAR),
        end_time=ts(clock.now() + 3 * YEAR),
    )
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await as_clerk.SeizeUnit(later)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    violations = bad_request(rpc_status.from_call(refused.value)).field_violations
    assert [v.field for v in violations] == ["start_time"]
    entries = (await as_clerk.GetUnit(pb.GetUnitRequest(unit_number=unit))).unit.entries
    assert [e for e in entries if e.kind == pb.ENTRY_KIND_SEIZURE] == []
    earlier = pb.SeizeUnitRequest(
        request_id=rid(),
        unit_number=unit,
        ruling=ruling,
        start_time=ts(clock.now() - YEAR),
        end_time=ts(clock.now() + YEAR),
    )
    entry = (await as_clerk.SeizeUnit(earlier)).entry
    assert entry.kind == pb.ENTRY_KIND_SEIZURE
