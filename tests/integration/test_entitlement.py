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
from deedflow.registry.v1 import registry_service_pb2 as registry_pb
from deedflow.transfer.v1 import transfer_service_pb2 as transfer_pb
from deedflow.transfer.v1 import transfer_service_pb2_grpc
from deedflow.type.v1 import parties_pb2
from shared.pki import DEV_CALLERS
from tests.flows import application, file_contract, preregister, presale, refused, rid
from tests.parties import buyer
from tests.support import client_channel

DEVELOPER_B = parties_pb2.Organization(
    name="乙置业有限公司", uscc=DEV_CALLERS["developer-b"].rsplit("/", 1)[1]
)
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
