"""The registry inspects a completed building on site (实地查看) before its first registration
(CQ 21): the file-once path enters it only when the latest inspection found the building as
described, and a clerk approves it only then."""

from __future__ import annotations

import grpc

from deedflow.casework.v1 import casework_service_pb2 as case_pb
from deedflow.registry.v1 import registry_service_pb2 as registry_pb
from deedflow.transfer.v1 import transfer_service_pb2 as transfer_pb
from tests.flows import first_registration, inspect_site, presale, refused, rid
from tests.support import new_building_number

NOT_AS_DESCRIBED = transfer_pb.SITE_INSPECTION_OUTCOME_NOT_AS_DESCRIBED


async def _first_registered(o, unit: str) -> bool:
    return (
        await o.registry_clerk.GetUnit(registry_pb.GetUnitRequest(unit_number=unit))
    ).unit.first_registered


async def test_first_registration_waits_for_a_site_inspection_that_finds_the_building_as_described(offices):
    """CQ 21: 房屋所有权初始登记 needs the registry's site inspection. Uninspected, or found not as
    described, the file-once lodging is refused and nothing is lodged; once an inspection finds
    the building as described, it is entered and the registration names that inspection."""
    o = offices
    building, units = await presale(o, inspected=False)
    assert await refused(
        o.transfer_as_service.LodgeFirstRegistration(
            first_registration(building, [(u, u) for u in units], True)
        )
    ) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "SITE_NOT_INSPECTED",
    )
    await inspect_site(o, building, NOT_AS_DESCRIBED, "三层外墙与实测成果不符")
    assert await refused(
        o.transfer_as_service.LodgeFirstRegistration(
            first_registration(building, [(u, u) for u in units], True)
        )
    ) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "SITE_INSPECTION_FAILED",
    )
    assert await refused(
        o.transfer.GetFirstRegistration(transfer_pb.GetFirstRegistrationRequest(building_number=building))
    ) == (grpc.StatusCode.NOT_FOUND, None)
    assert not await _first_registered(o, units[0])

    passed = await inspect_site(o, building, findings="整改完毕，现场与实测成果一致")
    assert passed.name == f"buildings/{building}/site-inspections/2"
    assert passed.inspector.startswith("deedflow://clerk/")
    lodged = await o.transfer_as_service.LodgeFirstRegistration(
        first_registration(building, [(u, u) for u in units], True)
    )
    assert lodged.first_registration.state == transfer_pb.REGISTRATION_STATE_REGISTERED
    assert lodged.first_registration.site_inspection == passed
    assert await _first_registered(o, units[0])


async def test_a_clerk_approves_a_first_registration_only_after_the_site_inspection(offices):
    """CQ 21 in the clerk's order (受理 → 实地查看 → 审核): a case lodged before the inspection waits;
    its approval is refused until the inspection is on record."""
    o = offices
    building, units = await presale(o, inspected=False)
    lodged = await o.transfer.LodgeFirstRegistration(
        first_registration(building, [(u, u) for u in units], False)
    )
    assert lodged.case_record.state == case_pb.CASE_STATE_LODGED
    approve = case_pb.ApproveCaseRequest(request_id=rid(), name=lodged.case_record.name)
    assert await refused(o.transfer_cases.ApproveCase(approve)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "SITE_NOT_INSPECTED",
    )
    await inspect_site(o, building)
    approved = await o.transfer_cases.ApproveCase(
        case_pb.ApproveCaseRequest(request_id=rid(), name=lodged.case_record.name)
    )
    assert approved.case_record.state == case_pb.CASE_STATE_APPROVED


async def test_only_a_clerk_inspects_a_building_of_the_book_and_says_what_is_wrong(offices):
    """CQ 21 is the registry's own act: a developer may not record it; a building no permit
    covers is not found; an inspection that finds the building not as described says why."""
    o = offices
    building, _ = await presale(o, inspected=False)
    as_developer = o.transfer.RecordSiteInspection(
        transfer_pb.RecordSiteInspectionRequest(
            request_id=rid(),
            building_number=building,
            outcome=transfer_pb.SITE_INSPECTION_OUTCOME_AS_DESCRIBED,
        )
    )
    assert (await refused(as_developer))[0] == grpc.StatusCode.PERMISSION_DENIED
    assert (await refused(inspect_site(o, new_building_number())))[0] == grpc.StatusCode.NOT_FOUND
    assert (await refused(inspect_site(o, building, NOT_AS_DESCRIBED)))[0] == grpc.StatusCode.INVALID_ARGUMENT
    unspecified = o.transfer_clerk.RecordSiteInspection(
        transfer_pb.RecordSiteInspectionRequest(request_id=rid(), building_number=building)
    )
    assert (await refused(unspecified))[0] == grpc.StatusCode.INVALID_ARGUMENT
    assert await refused(
        o.transfer_as_service.LodgeFirstRegistration(first_registration(building, [], True))
    ) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "SITE_NOT_INSPECTED",
    )
