"""The contract service (商品房买卖合同网签备案) with the registry, over mTLS on real PostgreSQL:
presale projects, drafting, every party's verified signature, filing, cancellation, and one
live contract per unit held by a database constraint."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import uuid

import asyncpg
import grpc
import pytest
from grpc_status import rpc_status

from deedflow.contract.v1 import contract_service_pb2 as pb
from deedflow.contract.v1 import contract_service_pb2_grpc
from deedflow.registry.v1 import registry_service_pb2 as registry_pb
from deedflow.registry.v1 import registry_service_pb2_grpc
from deedflow.type.v1 import parties_pb2
from shared import statements
from shared.db import plain_url
from shared.grpc.channels import secure_channel
from shared.grpc.status import bad_request, error_info
from shared.ids import resident_id_check_char
from shared.signing import Algorithm
from tests.flows import cancelling_ruling, seizure_end
from tests.parties import Party, buyer, developer
from tests.support import client_channel, new_building_number

DEVELOPER = parties_pb2.Organization(name="重庆示例置业有限公司", uscc="91500112MA5U0DF01L")
OTHER_DEVELOPER = parties_pb2.Organization(name="另一开发公司", uscc="91500000MA60BNK00D")


def rid() -> str:
    return str(uuid.uuid4())


def resident_id(n: int) -> str:
    first17 = f"50011219850101{n:03d}"
    return first17 + resident_id_check_char(first17)


@pytest.fixture(scope="module")
async def housing(services, pki):
    async with client_channel(services["contract"].server.port, pki, "housing") as channel:
        yield contract_service_pb2_grpc.ContractServiceStub(channel)


@pytest.fixture(scope="module")
async def dev(services, pki):
    async with client_channel(services["contract"].server.port, pki, "developer") as channel:
        yield contract_service_pb2_grpc.ContractServiceStub(channel)


@pytest.fixture(scope="module")
async def clerk(services, pki):
    async with client_channel(services["contract"].server.port, pki, "clerk") as channel:
        yield contract_service_pb2_grpc.ContractServiceStub(channel)


@pytest.fixture(scope="module")
async def registry_as_clerk(services, pki):
    async with client_channel(services["registry"].server.port, pki, "clerk") as channel:
        yield registry_service_pb2_grpc.RegistryServiceStub(channel)


@pytest.fixture(scope="module")
async def registry_as_service(services, pki):
    target = f"127.0.0.1:{services['registry'].server.port}"
    async with secure_channel(target, pki.ca_pem, pki.service("preregistration")) as channel:
        yield registry_service_pb2_grpc.RegistryServiceStub(channel)


async def new_project(housing, units: int = 3) -> list[str]:
    building = new_building_number()
    numbers = [f"{building}{n:04d}" for n in range(1, units + 1)]
    await housing.CreateProject(
        pb.CreateProjectRequest(
            request_id=rid(),
            display_name="示例花园",
            presale_permit_number=f"渝住建预售({building[-9:]})",
            developer=DEVELOPER,
            units=[
                pb.ProjectUnit(unit_number=n, room_label=f"{i}-01", gross_area_dm2=9000, residential=True)
                for i, n in enumerate(numbers, start=1)
            ],
        )
    )
    return numbers


def terms_for(unit: str, buyers, shares=None) -> pb.ContractTerms:
    shares = shares or [10000 // len(buyers)] * len(buyers)
    return pb.ContractTerms(
        unit_number=unit,
        developer=DEVELOPER,
        buyers=[
            parties_pb2.Buyer(
                name=f"买受人{i}", resident_id=b.party.removeprefix("buyers/"), share_basis_points=s
            )
            for i, (b, s) in enumerate(zip(buyers, shares, strict=True))
        ],
        price_ex_vat_fen=120_000_000,
        vat_fen=10_800_000,
        gross_area_dm2=9000,
        with_loan=True,
    )


async def create(dev, terms, request_id=None) -> pb.Contract:
    return (
        await dev.CreateContract(pb.CreateContractRequest(request_id=request_id or rid(), terms=terms))
    ).contract


async def sign(dev, contract, party, data=None) -> pb.Contract:
    signature = party.signature(data if data is not None else contract.canonical_bytes)
    reply = await dev.SignContract(
        pb.SignContractRequest(request_id=rid(), name=contract.name, signature=signature)
    )
    return reply.contract


async def refused(call):
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    status = rpc_status.from_call(caught.value)
    info = error_info(status)
    return caught.value.code(), info.reason if info else None, status


async def signed_and_filed(dev, pki, unit, n=2):
    buyers = [buyer(pki, resident_id(100 + i)) for i in range(n)]
    contract = await create(dev, terms_for(unit, buyers))
    for party in (developer(pki), *buyers):
        contract = await sign(dev, contract, party)
    filed = (await dev.FileContract(pb.FileContractRequest(request_id=rid(), name=contract.name))).contract
    return filed, buyers


async def test_contract_signed_by_every_party_is_filed(housing, dev, pki):
    """电子签名法 13-14, 城市房地产管理法 45: every party signs the canonical bytes; then it is filed."""
    (unit, *_) = await new_project(housing)
    buyers = [buyer(pki, resident_id(1)), buyer(pki, resident_id(2), Algorithm.ED25519)]
    contract = await create(dev, terms_for(unit, buyers, [6000, 4000]))
    assert contract.state == pb.CONTRACT_STATE_DRAFTED
    assert len(contract.digest) == 32
    assert contract.digest == hashlib.sha256(contract.terms.SerializeToString(deterministic=True)).digest()
    assert contract.canonical_bytes == statements.contract_terms(contract.terms)
    assert contract.canonical_bytes.startswith(b"deedflow-signature/v1\npurpose: contract-terms\n")
    assert list(contract.pending_signers) == [f"organizations/{DEVELOPER.uscc}", *(b.party for b in buyers)]
    assert (
        await dev.GetUnit(pb.GetUnitRequest(unit_number=unit))
    ).unit.sale_state == pb.UNIT_SALE_STATE_CONTRACTING

    code, reason, _ = await refused(
        dev.FileContract(pb.FileContractRequest(request_id=rid(), name=contract.name))
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "SIGNATURES_MISSING")

    for party in (developer(pki), *buyers):
        contract = await sign(dev, contract, party)
    assert contract.state == pb.CONTRACT_STATE_SIGNED
    assert len(contract.signatures) == 3
    signed = hashlib.sha256(contract.canonical_bytes).digest()
    assert all(len(s.certificate_sha256) == 32 and s.digest == signed for s in contract.signatures)

    filed = (await dev.FileContract(pb.FileContractRequest(request_id=rid(), name=contract.name))).contract
    assert filed.state == pb.CONTRACT_STATE_FILED
    assert filed.filing_number.startswith("渝房网签备(")
    unit_state = (await dev.GetUnit(pb.GetUnitRequest(unit_number=unit))).unit
    assert unit_state.sale_state == pb.UNIT_SALE_STATE_CONTRACTED
    assert unit_state.contract == filed.name


async def test_a_contract_created_with_every_signature_is_signed_at_once(housing, dev, pki):
    """The platform's filing carries every party's signature: the contract is created signed,
    each signature checked and recorded as SignContract would."""
    (unit, *_) = await new_project(housing)
    buyers = [buyer(pki, resident_id(3)), buyer(pki, resident_id(4), Algorithm.ED25519)]
    terms = terms_for(unit, buyers, [5000, 5000])
    canonical = statements.contract_terms(terms)
    signatures = [party.signature(canonical) for party in (developer(pki), *buyers)]
    contract = (
        await dev.CreateContract(
            pb.CreateContractRequest(request_id=rid(), terms=terms, signatures=signatures)
        )
    ).contract
    assert contract.state == pb.CONTRACT_STATE_SIGNED
    assert sorted(s.signature.signer for s in contract.signatures) == sorted(s.signer for s in signatures)
    assert not contract.pending_signers
    filed = (await dev.FileContract(pb.FileContractRequest(request_id=rid(), name=contract.name))).contract
    assert filed.state == pb.CONTRACT_STATE_FILED


@pytest.mark.parametrize("problem", ["changed_bytes", "twice", "not_a_party"])
async def test_one_bad_signature_and_no_contract_is_created(housing, dev, pki, problem):
    (unit, *_) = await new_project(housing)
    first, second = buyer(pki, resident_id(5)), buyer(pki, resident_id(6))
    terms = terms_for(unit, [first, second], [5000, 5000])
    canonical = statements.contract_terms(terms)
    good = [developer(pki).signature(canonical), first.signature(canonical)]
    bad = {
        "changed_bytes": second.signature(canonical + b"x"),
        "twice": first.signature(canonical),
        "not_a_party": buyer(pki, resident_id(7)).signature(canonical),
    }[problem]
    code, reason, _ = await refused(
        dev.CreateContract(pb.CreateContractRequest(request_id=rid(), terms=terms, signatures=[*good, bad]))
    )
    assert (code, reason) == {
        "changed_bytes": (grpc.StatusCode.INVALID_ARGUMENT, "SIGNATURE_MISMATCH"),
        "twice": (grpc.StatusCode.FAILED_PRECONDITION, "ALREADY_SIGNED"),
        "not_a_party": (grpc.StatusCode.PERMISSION_DENIED, "SIGNER_NOT_A_PARTY"),
    }[problem]
    # Nothing was created: the unit is still on sale, and a contract for it can be made.
    assert (
        await dev.GetUnit(pb.GetUnitRequest(unit_number=unit))
    ).unit.sale_state == pb.UNIT_SALE_STATE_ON_SALE
    assert (await create(dev, terms)).state == pb.CONTRACT_STATE_DRAFTED


async def test_shares_must_sum_to_whole(housing, dev, pki):
    (unit, *_) = await new_project(housing)
    buyers = [buyer(pki, resident_id(3)), buyer(pki, resident_id(4))]
    code, _, status = await refused(create(dev, terms_for(unit, buyers, [5000, 4000])))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in bad_request(status).field_violations] == ["terms.buyers"]


async def test_unit_outside_any_permit_is_not_on_presale(housing, dev, pki):
    """城市房地产管理法 45: only units a presale permit covers can be sold before completion."""
    code, reason, _ = await refused(
        create(dev, terms_for("500112001002GB99998F99990001", [buyer(pki, resident_id(5))]))
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "UNIT_NOT_ON_PRESALE")


async def test_fifty_concurrent_contracts_for_one_unit_give_exactly_one(housing, dev, pki):
    """One flat, one buyer: 50 racing attempts give one contract; the rest UNIT_ALREADY_CONTRACTED."""
    (unit, *_) = await new_project(housing)
    attempts = [terms_for(unit, [buyer(pki, resident_id(200 + n))]) for n in range(50)]

    async def attempt(terms):
        try:
            return (await create(dev, terms)).name
        except grpc.aio.AioRpcError as exc:
            return error_info(rpc_status.from_call(exc)).reason

    outcomes = await asyncio.gather(*(attempt(t) for t in attempts))
    created = [o for o in outcomes if o.startswith("contracts/")]
    assert len(created) == 1
    assert outcomes.count("UNIT_ALREADY_CONTRACTED") == 49
    listed = await dev.ListContracts(pb.ListContractsRequest(unit_number=unit))
    assert [c.name for c in listed.contracts] == created


async def test_one_live_contract_is_a_database_constraint(housing, dev, pki, database_url):
    """The rule holds in PostgreSQL itself, not only in the service's code."""
    (unit, *_) = await new_project(housing)
    contract = await create(dev, terms_for(unit, [buyer(pki, resident_id(6))]))
    connection = await asyncpg.connect(plain_url(database_url), server_settings={"search_path": "contract"})
    try:
        with pytest.raises(asyncpg.UniqueViolationError, match="one_live_contract_per_unit"):
            await connection.execute(
                "INSERT INTO contract (id, unit_number, developer_uscc, state, canonical_bytes, digest,"
                " create_time, update_time) SELECT gen_random_uuid(), unit_number, developer_uscc, 'DRAFTED',"
                " canonical_bytes, sha256(digest), now(), now() FROM contract WHERE id = $1",
                uuid.UUID(contract.name.removeprefix("contracts/")),
            )
    finally:
        await connection.close()


async def test_seized_unit_cannot_be_contracted(housing, dev, pki, registry_as_clerk):
    """查封规定: a seized unit is off sale."""
    (unit, *_) = await new_project(housing)
    await registry_as_clerk.SeizeUnit(
        registry_pb.SeizeUnitRequest(
            request_id=rid(),
            unit_number=unit,
            ruling=parties_pb2.CourtRuling(
                authority="重庆市渝北区人民法院", ruling_number="(2026)渝0112执9号"
            ),
            end_time=seizure_end(),
        )
    )
    code, reason, _ = await refused(create(dev, terms_for(unit, [buyer(pki, resident_id(7))])))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "UNIT_SEIZED")
    unit_state = await dev.GetUnit(pb.GetUnitRequest(unit_number=unit))
    assert unit_state.unit.sale_state == pb.UNIT_SALE_STATE_RESTRICTED
    assert list(unit_state.blocking_reasons) == ["UNIT_SEIZED"]


async def test_developer_cannot_contract_in_another_developers_name(housing, dev, pki):
    (unit, *_) = await new_project(housing)
    terms = terms_for(unit, [buyer(pki, resident_id(8))])
    terms.developer.CopyFrom(OTHER_DEVELOPER)
    code, reason, _ = await refused(create(dev, terms))
    assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "DEVELOPER_MISMATCH")


@pytest.mark.parametrize(
    "problem", ["changed_bytes", "wrong_key", "not_a_party", "twice", "expired", "other_ca", "other_name"]
)
async def test_signature_refusals(housing, dev, pki, problem, tmp_path):
    """电子签名法 13: a signature counts only if it verifies against the signer's certificate
    from a trusted CA, over the exact canonical bytes, within the certificate's validity."""
    (unit, *_) = await new_project(housing)
    party = buyer(pki, resident_id(9))
    contract = await create(dev, terms_for(unit, [party]))
    expected = {
        "changed_bytes": (grpc.StatusCode.INVALID_ARGUMENT, "SIGNATURE_MISMATCH"),
        "wrong_key": (grpc.StatusCode.INVALID_ARGUMENT, "SIGNATURE_MISMATCH"),
        "not_a_party": (grpc.StatusCode.PERMISSION_DENIED, "SIGNER_NOT_A_PARTY"),
        "twice": (grpc.StatusCode.FAILED_PRECONDITION, "ALREADY_SIGNED"),
        "expired": (grpc.StatusCode.INVALID_ARGUMENT, "CERTIFICATE_EXPIRED"),
        "other_ca": (grpc.StatusCode.INVALID_ARGUMENT, "CERTIFICATE_UNTRUSTED"),
        "other_name": (grpc.StatusCode.PERMISSION_DENIED, "CERTIFICATE_OF_ANOTHER_PARTY"),
    }[problem]
    if problem == "changed_bytes":
        altered = pb.ContractTerms()
        altered.CopyFrom(contract.terms)
        altered.price_ex_vat_fen -= 1
        signature = party.signature(statements.contract_terms(altered))
    elif problem == "wrong_key":
        impostor = buyer(pki, resident_id(9))
        signature = impostor.signature(contract.canonical_bytes)
        signature.certificate_pem = party.pair.cert_pem.decode()
    elif problem == "not_a_party":
        signature = buyer(pki, resident_id(10)).signature(contract.canonical_bytes)
    elif problem == "twice":
        await sign(dev, contract, party)
        signature = party.signature(contract.canonical_bytes)
    elif problem == "expired":
        old = buyer(
            pki,
            resident_id(9),
            not_before=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
            validity=dt.timedelta(days=30),
        )
        signature = old.signature(contract.canonical_bytes)
    elif problem == "other_ca":
        import tempfile
        from pathlib import Path

        from shared.pki import ensure_dev_pki
        from tests.parties import Party

        stranger_pki = ensure_dev_pki(Path(tempfile.mkdtemp()))
        stranger = buyer(stranger_pki, resident_id(9))
        signature = Party(party.party, stranger.pair).signature(contract.canonical_bytes)
    else:
        someone = buyer(pki, resident_id(11))
        signature = someone.signature(contract.canonical_bytes)
        signature.signer = party.party
    code, reason, _ = await refused(
        dev.SignContract(pb.SignContractRequest(request_id=rid(), name=contract.name, signature=signature))
    )
    assert (code, reason) == expected
    after = (await dev.GetContract(pb.GetContractRequest(name=contract.name))).contract
    assert len(after.signatures) == (1 if problem == "twice" else 0)


async def test_joint_cancellation_puts_the_unit_back_on_sale(housing, dev, pki):
    """民法典 562: the parties may cancel jointly; every party signs the cancellation."""
    (unit, *_) = await new_project(housing)
    filed, buyers = await signed_and_filed(dev, pki, unit)
    text = statements.cancel_contract(unit, filed.digest)
    partial = parties_pb2.JointConsent(signatures=[developer(pki).signature(text)])
    code, reason, _ = await refused(
        dev.CancelContract(pb.CancelContractRequest(request_id=rid(), name=filed.name, joint=partial))
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "CANCELLATION_CONSENT_MISSING")
    joint = parties_pb2.JointConsent(signatures=[p.signature(text) for p in (developer(pki), *buyers)])
    cancelled = (
        await dev.CancelContract(pb.CancelContractRequest(request_id=rid(), name=filed.name, joint=joint))
    ).contract
    assert cancelled.state == pb.CONTRACT_STATE_CANCELLED
    assert (
        await dev.GetUnit(pb.GetUnitRequest(unit_number=unit))
    ).unit.sale_state == pb.UNIT_SALE_STATE_ON_SALE
    again = await create(dev, terms_for(unit, [buyer(pki, resident_id(12))]))
    assert again.state == pb.CONTRACT_STATE_DRAFTED


async def test_court_ruling_cancels_but_not_while_a_pre_registration_stands(
    housing, dev, pki, registry_as_service, clerk
):
    """物权编解释(一) 5, 民法典 221: the unit must not reopen while the buyers' pre-registration
    is in force."""
    (unit, *_) = await new_project(housing)
    filed, buyers = await signed_and_filed(dev, pki, unit)
    holders = [b.party for b in buyers]
    prereg = await registry_as_service.CommitCase(
        registry_pb.CommitCaseRequest(
            request_id=rid(),
            unit_number=unit,
            registry_case="cases/P1",
            disposal=registry_pb.DISPOSAL_PREREGISTRATION,
            beneficiaries=holders,
            new_entries=[
                registry_pb.NewEntry(
                    kind=registry_pb.ENTRY_KIND_PREREGISTRATION,
                    holders=holders,
                    share_basis_points=[5000, 5000],
                )
            ],
        )
    )
    ruling = cancelling_ruling("(2026)渝0112民初8号")
    code, reason, _ = await refused(
        clerk.CancelContract(pb.CancelContractRequest(request_id=rid(), name=filed.name, court_ruling=ruling))
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "PRE_REGISTRATION_IN_FORCE")
    await registry_as_service.CommitCase(
        registry_pb.CommitCaseRequest(
            request_id=rid(),
            unit_number=unit,
            registry_case="cases/P2",
            disposal=registry_pb.DISPOSAL_CANCELLATION,
            beneficiaries=holders,
            ended_entries=[prereg.entries[0].name],
        )
    )
    cancelled = (
        await clerk.CancelContract(
            pb.CancelContractRequest(request_id=rid(), name=filed.name, court_ruling=ruling)
        )
    ).contract
    assert cancelled.state == pb.CONTRACT_STATE_CANCELLED
    assert "(2026)渝0112民初8号" in cancelled.cancellation_basis


async def test_transferred_contract_cannot_be_cancelled(housing, dev, clerk, pki, services):
    """民法典 214: after the transfer is registered nothing is undone."""
    (unit, *_) = await new_project(housing)
    filed, _ = await signed_and_filed(dev, pki, unit)
    target = f"127.0.0.1:{services['contract'].server.port}"
    async with secure_channel(target, pki.ca_pem, pki.service("transfer")) as channel:
        as_transfer = contract_service_pb2_grpc.ContractServiceStub(channel)
        await as_transfer.MarkContractTransferred(
            pb.MarkContractTransferredRequest(
                request_id=rid(), name=filed.name, certificate_number="渝(2026)渝北区不动产权第0000001号"
            )
        )
    ruling = cancelling_ruling("(2026)1")
    code, reason, _ = await refused(
        clerk.CancelContract(pb.CancelContractRequest(request_id=rid(), name=filed.name, court_ruling=ruling))
    )
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "CONTRACT_TRANSFERRED")


async def test_create_contract_replays_and_refuses_a_reused_request_id(housing, dev, pki):
    (unit, *_) = await new_project(housing)
    terms = terms_for(unit, [buyer(pki, resident_id(13))])
    request_id = rid()
    first = await create(dev, terms, request_id)
    assert await create(dev, terms, request_id) == first
    terms.price_ex_vat_fen += 100
    code, reason, _ = await refused(create(dev, terms, request_id))
    assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "REQUEST_ID_REUSED")


async def test_only_the_housing_authority_creates_projects(dev):
    code, reason, _ = await refused(
        dev.CreateProject(
            pb.CreateProjectRequest(
                request_id=rid(), display_name="x", presale_permit_number="x", developer=DEVELOPER
            )
        )
    )
    assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "ROLE_NOT_ALLOWED")


async def test_units_of_a_project_list_their_sale_state(housing, dev, pki):
    numbers = await new_project(housing, units=3)
    await signed_and_filed(dev, pki, numbers[1])
    project = f"projects/渝住建预售({numbers[0][15:24]})"
    listed = await dev.ListUnits(pb.ListUnitsRequest(project=project, page_size=2))
    assert [u.unit_number for u in listed.units] == numbers[:2]
    rest = await dev.ListUnits(
        pb.ListUnitsRequest(project=project, page_size=2, page_token=listed.next_page_token)
    )
    assert [u.unit_number for u in rest.units] == numbers[2:]
    states = {u.unit_number: u.sale_state for u in (*listed.units, *rest.units)}
    assert states[numbers[1]] == pb.UNIT_SALE_STATE_CONTRACTED
    assert states[numbers[0]] == pb.UNIT_SALE_STATE_ON_SALE


async def test_units_filter_by_sale_state_across_pages(housing, dev, pki):
    numbers = await new_project(housing, units=3)
    await signed_and_filed(dev, pki, numbers[1])
    project = f"projects/渝住建预售({numbers[0][15:24]})"
    first = await dev.ListUnits(
        pb.ListUnitsRequest(project=project, sale_state=pb.UNIT_SALE_STATE_ON_SALE, page_size=1)
    )
    rest = await dev.ListUnits(
        pb.ListUnitsRequest(
            project=project,
            sale_state=pb.UNIT_SALE_STATE_ON_SALE,
            page_size=1,
            page_token=first.next_page_token,
        )
    )
    assert [u.unit_number for u in (*first.units, *rest.units)] == [numbers[0], numbers[2]]
    assert rest.next_page_token == ""


def _born(birth: str, sequence: str) -> str:
    first17 = f"500112{birth}{sequence}"
    return first17 + resident_id_check_char(first17)


async def test_a_minor_buys_through_a_guardian_who_signs_in_their_place(housing, dev, pki):
    """民法典 27, 34-35 and CQ 15: a buyer of 14 has the contract made by a guardian, who signs
    for them over a statement that the purchase serves the minor; the minor's own signature, or
    the guardian's without that statement, does not count."""
    (unit, *_) = await new_project(housing)
    child, parent = _born("20120520", "731"), _born("19840310", "732")
    terms = terms_for(unit, [buyer(pki, child)])
    code, _, status = await refused(
        dev.CreateContract(pb.CreateContractRequest(request_id=rid(), terms=terms))
    )
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in bad_request(status).field_violations] == ["terms.buyers[0].guardian"]

    terms.buyers[0].guardian.CopyFrom(
        parties_pb2.Guardian(name="监护人", resident_id=parent, relationship="父母")
    )
    contract = await create(dev, terms)
    as_guardian = Party(f"buyers/{child}", buyer(pki, parent).pair)
    declaration = statements.contract_terms_by_guardian(terms, child)
    code, reason, _ = await refused(sign(dev, contract, buyer(pki, child), declaration))
    assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "CERTIFICATE_OF_ANOTHER_PARTY")
    code, reason, _ = await refused(sign(dev, contract, as_guardian))
    assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "SIGNATURE_WRONG_PURPOSE")
    contract = await sign(dev, contract, as_guardian, declaration)
    contract = await sign(dev, contract, developer(pki))
    assert contract.state == pb.CONTRACT_STATE_SIGNED
    filed = (await dev.FileContract(pb.FileContractRequest(request_id=rid(), name=contract.name))).contract
    assert filed.terms.buyers[0].guardian.resident_id == parent
