"""Only the entitled party acts on a property: the attacks a hostile developer and a hostile bank
made (issue 11), each refused, each leaving the records as they were."""

from __future__ import annotations

import contextlib

import grpc

from deedflow.casework.v1 import casework_service_pb2 as case_pb
from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from deedflow.contract.v1 import contract_service_pb2_grpc
from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from deedflow.preregistration.v1 import preregistration_service_pb2 as prereg_pb
from deedflow.preregistration.v1 import preregistration_service_pb2_grpc
from deedflow.registry.v1 import registry_service_pb2 as registry_pb
from deedflow.registry.v1 import registry_service_pb2_grpc
from deedflow.tax.v1 import tax_service_pb2 as tax_pb
from deedflow.tax.v1 import tax_service_pb2_grpc
from deedflow.transfer.v1 import transfer_service_pb2 as transfer_pb
from deedflow.transfer.v1 import transfer_service_pb2_grpc
from deedflow.type.v1 import parties_pb2
from shared import statements
from shared.pki import DEV_CALLERS
from shared.purchase_terms import canonical_bytes
from tests.flows import (
    application,
    cancelling_ruling,
    file_contract,
    pay_tax,
    premortgage,
    premortgage_request,
    preregister,
    presale,
    refused,
    rid,
)
from tests.parties import buyer, developer
from tests.purchases import signed_filing
from tests.support import client_channel

DEVELOPER_B = parties_pb2.Organization(
    name="乙置业有限公司", uscc=DEV_CALLERS["developer-b"].rsplit("/", 1)[1]
)
BANK_C = parties_pb2.Organization(name="丙银行", uscc=DEV_CALLERS["bank-c"].rsplit("/", 1)[1])
NOT_FOUND = grpc.StatusCode.NOT_FOUND


@contextlib.asynccontextmanager
async def as_caller(services, pki, service: str, caller: str, stub_type):
    async with client_channel(services[service].server.port, pki, caller) as channel:
        yield stub_type(channel)


async def _ownerships(offices, unit: str) -> list:
    view = (await offices.registry_clerk.GetUnit(registry_pb.GetUnitRequest(unit_number=unit))).unit
    return [e for e in view.entries if e.kind == registry_pb.ENTRY_KIND_OWNERSHIP]


async def test_another_developer_cannot_first_register_or_complete_a_building(offices, services, pki):
    """Attack 1: developer B lodged the first registration of A's building, and completed it."""
    building, units = await presale(offices)
    lodge = transfer_pb.LodgeFirstRegistrationRequest(
        request_id=rid(),
        building_number=building,
        developer=DEVELOPER_B,
        completion=transfer_pb.CompletionAcceptance(record_number="渝建竣备B1"),
        units=[
            transfer_pb.AsBuiltUnit(presale_unit_number=u, unit_number=u, gross_area_dm2=9_000) for u in units
        ],
        auto_register=True,
    )
    async with as_caller(
        services, pki, "transfer", "developer-b", transfer_service_pb2_grpc.TransferServiceStub
    ) as b:
        assert (await refused(b.LodgeFirstRegistration(lodge)))[0] == NOT_FOUND
    complete = pb.CompleteBuildingRequest(
        request_id=rid(), building_number=building, completion_record_number="渝建竣备B2"
    )
    async with as_caller(
        services, pki, "orchestrator", "developer-b", orchestrator_service_pb2_grpc.PurchaseServiceStub
    ) as b:
        assert (await refused(b.CompleteBuilding(complete)))[0] == NOT_FOUND
    assert await _ownerships(offices, units[0]) == []
    missing = offices.transfer.GetFirstRegistration(
        transfer_pb.GetFirstRegistrationRequest(building_number=building)
    )
    assert (await refused(missing))[0] == NOT_FOUND


async def test_the_permit_holder_cannot_first_register_in_another_developers_name(offices, services, pki):
    """The transfer office is told the developer: it must be the one holding the permit."""
    building, units = await presale(offices)
    lodge = transfer_pb.LodgeFirstRegistrationRequest(
        request_id=rid(),
        building_number=building,
        developer=DEVELOPER_B,
        completion=transfer_pb.CompletionAcceptance(record_number="渝建竣备B3"),
        units=[transfer_pb.AsBuiltUnit(presale_unit_number=units[0], unit_number=units[0], gross_area_dm2=1)],
        auto_register=True,
    )
    async with client_channel(services["transfer"].server.port, pki, "developer") as channel:
        stub = transfer_service_pb2_grpc.TransferServiceStub(channel)
        assert await refused(stub.LodgeFirstRegistration(lodge)) == (
            grpc.StatusCode.PERMISSION_DENIED,
            "DEVELOPER_MISMATCH",
        )
    assert await _ownerships(offices, units[0]) == []


async def test_another_developer_cannot_contract_a_flat_in_its_holders_name(offices, services, pki):
    """Attack 6a: developer B's CreateContract naming developer A on A's flat."""
    _, units = await presale(offices)
    people = [buyer(pki, "11010519491231002X")]
    terms = contract_pb.ContractTerms(
        unit_number=units[0],
        developer=parties_pb2.Organization(name="重庆示例置业有限公司", uscc="91500112MA5U0DF01L"),
        buyers=[
            parties_pb2.Buyer(
                name="买受人",
                resident_id=people[0].party.removeprefix("buyers/"),
                share_basis_points=10_000,
                home_count=parties_pb2.HOME_COUNT_ONLY,
            )
        ],
        price_ex_vat_fen=100_000_000,
        gross_area_dm2=9_000,
    )
    async with as_caller(
        services, pki, "contract", "developer-b", contract_service_pb2_grpc.ContractServiceStub
    ) as b:
        created = b.CreateContract(contract_pb.CreateContractRequest(request_id=rid(), terms=terms))
        assert await refused(created) == (grpc.StatusCode.PERMISSION_DENIED, "DEVELOPER_MISMATCH")
    unit = (await offices.contracts.GetUnit(contract_pb.GetUnitRequest(unit_number=units[0]))).unit
    assert (unit.sale_state, unit.contract) == (contract_pb.UNIT_SALE_STATE_ON_SALE, "")


async def test_another_developer_cannot_lodge_the_transfer_of_a_sold_flat(offices, services, pki):
    """Attack 6b: developer B's LodgeTransfer naming itself the seller of A's sold flat; and the
    seller itself naming buyers other than the pre-registration's holders."""
    _, units = await presale(offices)
    sale = await file_contract(offices, pki, units[0])
    await preregister(offices, sale)
    hijack = application(sale)
    hijack.developer.CopyFrom(DEVELOPER_B)
    async with as_caller(
        services, pki, "transfer", "developer-b", transfer_service_pb2_grpc.TransferServiceStub
    ) as b:
        lodged = b.LodgeTransfer(transfer_pb.LodgeTransferRequest(request_id=rid(), application=hijack))
        assert (await refused(lodged))[0] == NOT_FOUND
    strangers = application(sale)
    del strangers.buyers[1:]
    lodged = offices.transfer.LodgeTransfer(
        transfer_pb.LodgeTransferRequest(request_id=rid(), application=strangers)
    )
    assert await refused(lodged) == (grpc.StatusCode.FAILED_PRECONDITION, "TRANSFEREES_NOT_HOLDERS")
    cases = await offices.transfer_cases.ListCases(
        case_pb.ListCasesRequest(unit_number=sale.unit, states=list(range(1, len(case_pb.CaseState.keys()))))
    )
    assert [c for c in cases.cases if c.kind == case_pb.CASE_KIND_TRANSFER] == []


async def test_a_party_cannot_invoke_a_court_ruling_at_any_office(offices, pki):
    """Attack 2: a ruling is two strings a party types; only a clerk enters one."""
    _, units = await presale(offices)
    sale = await file_contract(offices, pki, units[0])
    await preregister(offices, sale)
    held = await premortgage(offices, sale)
    ruling = cancelling_ruling("(2026)FAKE-0001", authority="不存在的法院")
    attempts = [
        offices.prereg.CancelPreregistration(
            prereg_pb.CancelPreregistrationRequest(
                request_id=rid(), name=sale.prereg.name, court_ruling=ruling
            )
        ),
        offices.prereg_as_bank.ReleasePremortgage(
            prereg_pb.ReleasePremortgageRequest(request_id=rid(), name=held.name, court_ruling=ruling)
        ),
        offices.contracts.CancelContract(
            contract_pb.CancelContractRequest(request_id=rid(), name=sale.contract.name, court_ruling=ruling)
        ),
    ]
    for attempt in attempts:
        assert await refused(attempt) == (grpc.StatusCode.PERMISSION_DENIED, "RULING_NEEDS_CLERK")
    prereg = (
        await offices.prereg.GetPreregistration(prereg_pb.GetPreregistrationRequest(name=sale.prereg.name))
    ).preregistration
    assert prereg.state == prereg_pb.PREREGISTRATION_STATE_IN_FORCE
    contract = (
        await offices.contracts.GetContract(contract_pb.GetContractRequest(name=sale.contract.name))
    ).contract
    assert contract.state == contract_pb.CONTRACT_STATE_FILED
    # A clerk's ruling must name its date and the ruling document's digest.
    bare = parties_pb2.CourtRuling(authority="重庆市渝北区人民法院", ruling_number="(2026)渝0112民初5号")
    code, _ = await refused(
        offices.contract_clerk.CancelContract(
            contract_pb.CancelContractRequest(request_id=rid(), name=sale.contract.name, court_ruling=bare)
        )
    )
    assert code == grpc.StatusCode.INVALID_ARGUMENT


async def test_a_bank_cannot_premortgage_without_the_holders_signatures(offices, services, pki):
    """Attack 3: bank C lodged a pre-mortgage on an all-cash buyer's 预告 with no mortgagor
    signature; and a bank signing in the buyers' names."""
    _, units = await presale(offices)
    sale = await file_contract(offices, pki, units[0])
    await preregister(offices, sale)
    unsigned = premortgage_request(sale, amount_fen=999_999_900, bank=BANK_C)
    del unsigned.mortgagor_signatures[:]
    forged = premortgage_request(sale, amount_fen=999_999_900, bank=BANK_C)
    bank_c = buyer(pki, "11010519491231002X")
    text = statements.mortgage(sale.unit, forged.loan, sale.contract.terms.buyers)
    for i, signature in enumerate(forged.mortgagor_signatures):
        signature.CopyFrom(bank_c.signature(text))
        signature.signer = sale.buyers[i].party
    async with as_caller(
        services,
        pki,
        "preregistration",
        "bank-c",
        preregistration_service_pb2_grpc.PreregistrationServiceStub,
    ) as c:
        assert await refused(c.LodgePremortgage(unsigned)) == (
            grpc.StatusCode.FAILED_PRECONDITION,
            "MORTGAGOR_CONSENT_MISSING",
        )
        assert await refused(c.LodgePremortgage(forged)) == (
            grpc.StatusCode.PERMISSION_DENIED,
            "CERTIFICATE_OF_ANOTHER_PARTY",
        )
    cases = await offices.prereg_cases.ListCases(
        case_pb.ListCasesRequest(unit_number=sale.unit, states=list(range(1, len(case_pb.CaseState.keys()))))
    )
    assert [c for c in cases.cases if c.kind == case_pb.CASE_KIND_PREMORTGAGE] == []


async def test_only_the_loans_bank_signs_for_it_and_buyers_sign_its_terms(offices, services, pki):
    """Attack 4: a developer signed the bank's slot of a loan naming bank B; the terms buyers
    sign name the bank, amount and term, so changing the loan breaks their signatures."""
    _, units = await presale(offices)
    async with as_caller(
        services, pki, "orchestrator", "developer", orchestrator_service_pb2_grpc.PurchaseServiceStub
    ) as desk:
        filing, people = signed_filing(pki, units[0], with_loan=True)
        filing.loan.bank.uscc = DEV_CALLERS["bank-b"].rsplit("/", 1)[1]
        filing.loan.amount_fen = 123_456_700
        data = canonical_bytes(filing)
        signer = developer(pki)
        del filing.signatures[:]
        filing.signatures.extend([signer.signature(data), *(p.signature(data) for p in people)])
        filing.loan.bank_signature.CopyFrom(signer.signature(data))
        filing.loan.bank_signature.signer = f"organizations/{filing.loan.bank.uscc}"
        request = pb.FilePurchaseRequest(request_id=rid(), filing=filing)
        assert await refused(desk.FilePurchase(request)) == (
            grpc.StatusCode.PERMISSION_DENIED,
            "CERTIFICATE_OF_ANOTHER_PARTY",
        )
        changed, _ = signed_filing(pki, units[0], with_loan=True)
        changed.loan.amount_fen = 123_456_700
        request = pb.FilePurchaseRequest(request_id=rid(), filing=changed)
        assert await refused(desk.FilePurchase(request)) == (
            grpc.StatusCode.INVALID_ARGUMENT,
            "SIGNATURE_MISMATCH",
        )
        listed = await desk.ListPurchases(pb.ListPurchasesRequest(building_number=units[0][:24]))
        assert list(listed.purchases) == []


async def test_the_register_is_no_oracle_for_a_party(offices, services, pki):
    """Attack 5: CheckDisposal answered whether a list of guessed IDs held the 预告."""
    _, units = await presale(offices)
    request = registry_pb.CheckDisposalRequest(
        unit_number=units[0],
        disposal=registry_pb.DISPOSAL_TRANSFER,
        beneficiaries=["buyers/11010519491231002X"],
    )
    for caller in ("bank-a", "developer"):
        async with as_caller(
            services, pki, "registry", caller, registry_service_pb2_grpc.RegistryServiceStub
        ) as s:
            assert await refused(s.CheckDisposal(request)) == (
                grpc.StatusCode.PERMISSION_DENIED,
                "ROLE_NOT_ALLOWED",
            )
    request.beneficiaries.extend(f"buyers/{n}" for n in range(21))
    assert (await refused(offices.registry.CheckDisposal(request)))[0] == grpc.StatusCode.INVALID_ARGUMENT


async def test_nothing_leaks_to_non_parties(offices, services, pki):
    """Attack 8: completions, clearances, page tokens, contract names and resident IDs."""
    building, units = await presale(offices, units=3)
    sales = [await file_contract(offices, pki, u) for u in units[:2]]
    assessment = await pay_tax(offices, sales[0])
    async with as_caller(
        services, pki, "orchestrator", "developer-b", orchestrator_service_pb2_grpc.PurchaseServiceStub
    ) as b:
        completion = b.GetBuildingCompletion(pb.GetBuildingCompletionRequest(building_number=building))
        assert (await refused(completion))[0] == NOT_FOUND
    async with as_caller(services, pki, "tax", "developer", tax_service_pb2_grpc.TaxServiceStub) as dev:
        clearance = dev.GetClearance(tax_pb.GetClearanceRequest(contract=sales[0].contract.name))
        assert (await refused(clearance))[0] == grpc.StatusCode.PERMISSION_DENIED
    seen = (
        await offices.tax_as_bank.GetAssessment(tax_pb.GetAssessmentRequest(name=assessment.name))
    ).assessment
    assert [b.resident_id[6:17] for b in seen.buyers] == ["*" * 11] * 2
    first = await offices.contracts.ListContracts(
        contract_pb.ListContractsRequest(project=f"projects/渝住建预售({building[-9:]})", page_size=1)
    )
    assert first.next_page_token
    assert sales[0].contract.name.removeprefix("contracts/") not in first.next_page_token
    async with as_caller(
        services, pki, "contract", "developer-b", contract_service_pb2_grpc.ContractServiceStub
    ) as b:
        replayed = b.ListContracts(
            contract_pb.ListContractsRequest(page_size=1, page_token=first.next_page_token)
        )
        assert (await refused(replayed))[0] == grpc.StatusCode.INVALID_ARGUMENT
        unit = (await b.GetUnit(contract_pb.GetUnitRequest(unit_number=units[0]))).unit
        assert (unit.sale_state, unit.contract) == (contract_pb.UNIT_SALE_STATE_CONTRACTED, "")
    mine = (await offices.contracts.GetUnit(contract_pb.GetUnitRequest(unit_number=units[0]))).unit
    assert mine.contract == sales[0].contract.name


async def test_only_the_platform_has_a_case_entered_without_a_clerks_review(offices, pki):
    """`auto_register` skips the clerk's review: only for the orchestrator's own filings, whose
    every signature it has checked. A developer's or a bank's lodging waits for a clerk."""
    _, units = await presale(offices)
    sale = await file_contract(offices, pki, units[0])
    request = prereg_pb.LodgePreregistrationRequest(
        request_id=rid(),
        unit_number=sale.unit,
        contract=sale.contract.name,
        developer=sale.contract.terms.developer,
        auto_register=True,
    )
    assert await refused(offices.prereg.LodgePreregistration(request)) == (
        grpc.StatusCode.PERMISSION_DENIED,
        "AUTO_REGISTER_NEEDS_SERVICE",
    )
    request.auto_register = False
    request.request_id = rid()
    lodged = await offices.prereg.LodgePreregistration(request)
    assert lodged.case_record.state == case_pb.CASE_STATE_LODGED
    assert lodged.preregistration.state != prereg_pb.PREREGISTRATION_STATE_IN_FORCE
