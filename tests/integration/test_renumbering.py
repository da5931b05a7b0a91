"""A presale unit numbered anew by the as-built survey (担保制度解释 52): the register keeps the
mapping, carries the buyers' 预告 and the bank's 预抵押 to the as-built unit with their rank, and
the transfer of that unit converts the 预抵押 into a mortgage dated from the pre-mortgage."""

from __future__ import annotations

import grpc
import pytest
from grpc_status import rpc_status

from deedflow.preregistration.v1 import preregistration_service_pb2 as prereg_pb
from deedflow.registry.v1 import registry_service_pb2 as registry_pb
from deedflow.transfer.v1 import transfer_service_pb2 as transfer_pb
from shared.grpc.status import error_info
from tests.flows import (
    application,
    file_contract,
    first_registration,
    pay_tax,
    premortgage,
    preregister,
    presale,
    refused,
    rid,
    seize,
)


async def _entries(o, unit: str) -> dict[int, registry_pb.Entry]:
    listed = await o.registry_clerk.ListEntries(registry_pb.ListEntriesRequest(unit_number=unit))
    return {e.kind: e for e in listed.entries}


async def test_a_renumbered_unit_keeps_its_pre_registrations_and_the_mortgage_its_rank(offices, pki):
    """担保制度解释 52: the mortgage ranks from the 预抵押's date only if the property is the same.
    The survey renumbers presale unit 0001 as 0091: the book enters 0091 from 0001, ends 0001's
    预告 and 预抵押 naming their successors, and carries them with their priority; the buyers'
    transfer of 0091 converts the 预抵押 into a mortgage dated from the pre-mortgage (CQ 66), and
    the certificate names the as-built unit."""
    o = offices
    building, (unit, other) = await presale(o)
    as_built = f"{building}0091"
    sale = await file_contract(o, pki, unit)
    await preregister(o, sale)
    await premortgage(o, sale)
    await pay_tax(o, sale)
    before = await _entries(o, unit)

    await o.transfer_as_service.LodgeFirstRegistration(
        first_registration(building, [(unit, as_built), (other, other)])
    )

    presale_unit = (await o.registry_clerk.GetUnit(registry_pb.GetUnitRequest(unit_number=unit))).unit
    assert presale_unit.facts.renumbered_to == as_built
    ended = await _entries(o, unit)
    carried = await _entries(o, as_built)
    for kind in (registry_pb.ENTRY_KIND_PREREGISTRATION, registry_pb.ENTRY_KIND_PREMORTGAGE):
        assert ended[kind].state == registry_pb.ENTRY_STATE_HISTORIC
        assert ended[kind].carried_to == carried[kind].name
        assert carried[kind].carried_from == before[kind].name
        assert carried[kind].state == registry_pb.ENTRY_STATE_CURRENT
        assert carried[kind].priority_time == before[kind].priority_time
        assert list(carried[kind].holders) == list(before[kind].holders)
    assert (
        carried[registry_pb.ENTRY_KIND_PREMORTGAGE].amount_fen
        == before[registry_pb.ENTRY_KIND_PREMORTGAGE].amount_fen
    )
    facts = (await o.registry_clerk.GetUnit(registry_pb.GetUnitRequest(unit_number=as_built))).unit.facts
    assert (facts.presale_unit_number, facts.surveyed_area_dm2) == (unit, 9_050)

    # The pre-registration office shows the 预告 where the book now holds it.
    shown = (
        await o.prereg.GetPreregistration(prereg_pb.GetPreregistrationRequest(name=sale.prereg.name))
    ).preregistration
    assert (shown.unit_number, shown.entry) == (
        as_built,
        carried[registry_pb.ENTRY_KIND_PREREGISTRATION].name,
    )
    assert shown.state == prereg_pb.PREREGISTRATION_STATE_IN_FORCE

    transfer_request = application(sale)
    transfer_request.unit_number = as_built
    lodged = await o.transfer_as_service.LodgeTransfer(
        transfer_pb.LodgeTransferRequest(request_id=rid(), application=transfer_request, auto_register=True)
    )
    transfer = lodged.transfer
    assert transfer.state == transfer_pb.REGISTRATION_STATE_REGISTERED
    assert transfer.mortgage_priority_time == sale.premortgage.register_time
    assert transfer.mortgage_priority_time == before[registry_pb.ENTRY_KIND_PREMORTGAGE].priority_time
    certificate = (
        await o.transfer.GetCertificate(transfer_pb.GetCertificateRequest(name=transfer.certificates[0]))
    ).certificate
    assert certificate.unit_number == as_built
    assert certificate.gross_area_dm2 == 9_050


async def test_the_presale_number_takes_nothing_more_once_renumbered(offices, pki):
    """担保制度解释 52: after the survey the presale number names no property of its own; the
    register refuses to enter anything on it, and says which unit it became."""
    o = offices
    building, (unit,) = await presale(o, units=1)
    as_built = f"{building}0092"
    await o.transfer_as_service.LodgeFirstRegistration(first_registration(building, [(unit, as_built)]))
    check = await o.registry.CheckDisposal(
        registry_pb.CheckDisposalRequest(unit_number=unit, disposal=registry_pb.DISPOSAL_CONTRACT)
    )
    assert [r.reason for r in check.restrictions] == ["UNIT_RENUMBERED"]
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await seize(o, unit, 9201)
    info = error_info(rpc_status.from_call(caught.value))
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert (info.reason, info.metadata["unit_number"]) == ("UNIT_RENUMBERED", as_built)
    # The as-built unit is where the book goes on: the developer's title, and a seizure, land there.
    await seize(o, as_built, 9202)
    kinds = [
        e.kind
        for e in (
            await o.registry_clerk.ListEntries(registry_pb.ListEntriesRequest(unit_number=as_built))
        ).entries
    ]
    assert kinds == [registry_pb.ENTRY_KIND_OWNERSHIP, registry_pb.ENTRY_KIND_SEIZURE]


async def test_a_survey_that_maps_units_twice_or_onto_a_unit_of_the_book_is_refused(offices, pki):
    """担保制度解释 52 needs one property before and after: the survey maps presale units one to
    one onto new as-built numbers of the same building; anything else is refused at the door, or
    by the register, and nothing is registered."""
    o = offices
    building, (first, second) = await presale(o)
    twice = await refused(
        o.transfer_as_service.LodgeFirstRegistration(
            first_registration(building, [(first, f"{building}0093"), (second, f"{building}0093")])
        )
    )
    assert twice == (grpc.StatusCode.INVALID_ARGUMENT, None)
    onto_the_book = await refused(
        o.transfer_as_service.LodgeFirstRegistration(first_registration(building, [(first, second)]))
    )
    assert onto_the_book == (grpc.StatusCode.INVALID_ARGUMENT, None)
    unit = (await o.registry_clerk.GetUnit(registry_pb.GetUnitRequest(unit_number=first))).unit
    assert (unit.facts.renumbered_to, unit.first_registered) == ("", False)
