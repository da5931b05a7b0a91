"""The filing door's building table: a building is read once, whoever asks first; a unit it did
not hold is asked for alone; a unit no permit covers is None; only what a permit fixes is kept."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from services.orchestrator import building_table
from services.orchestrator.building_table import BuildingTable

BUILDING = "500112001002GB00001F0001"
DEVELOPER = "91500000MA5U000001"


class _NotFound(grpc.aio.AioRpcError):
    def __init__(self) -> None:
        super().__init__(grpc.StatusCode.NOT_FOUND, grpc.aio.Metadata(), grpc.aio.Metadata(), "no unit")


class FakeContractOffice:
    """The contract office's ListUnits (pages of two) and GetUnit, counting the calls."""

    def __init__(self, units: list[str], late: list[str] = ()) -> None:
        self.units = [self._unit(u) for u in units]
        self.late = {u: self._unit(u) for u in late}
        self.listed: list[str] = []
        self.got: list[str] = []
        self.gate = asyncio.Event()
        self.gate.set()

    @staticmethod
    def _unit(number: str) -> contract_pb.Unit:
        return contract_pb.Unit(
            unit_number=number,
            gross_area_dm2=9_000,
            residential=True,
            developer_uscc=DEVELOPER,
            sale_state=contract_pb.UNIT_SALE_STATE_ON_SALE,
            contract="contracts/moves",
        )

    async def ListUnits(self, request: contract_pb.ListUnitsRequest) -> contract_pb.ListUnitsResponse:
        await self.gate.wait()
        self.listed.append(request.page_token)
        start = int(request.page_token or "0")
        page = [u for u in self.units if u.unit_number.startswith(request.building_number)][start : start + 2]
        more = start + 2 < len(self.units)
        return contract_pb.ListUnitsResponse(units=page, next_page_token=str(start + 2) if more else "")

    async def GetUnit(self, request: contract_pb.GetUnitRequest) -> contract_pb.GetUnitResponse:
        self.got.append(request.unit_number)
        if request.unit_number not in self.late:
            raise _NotFound()
        return contract_pb.GetUnitResponse(unit=self.late[request.unit_number])


class Clients:
    def __init__(self, contract: FakeContractOffice) -> None:
        self.contract = contract


async def test_a_building_is_read_whole_once_by_its_first_filings_together():
    office = FakeContractOffice([f"{BUILDING}{n:04d}" for n in range(1, 6)])
    office.gate.clear()
    table = BuildingTable(Clients(office))
    asking = [asyncio.ensure_future(table.unit(f"{BUILDING}{n:04d}")) for n in range(1, 6)]
    await asyncio.sleep(0)
    office.gate.set()
    units = await asyncio.gather(*asking)
    assert [u.unit_number for u in units] == [f"{BUILDING}{n:04d}" for n in range(1, 6)]
    # Three pages of one read, not one read per filing.
    assert office.listed == ["", "2", "4"]
    assert await table.unit(f"{BUILDING}0003") is units[2]
    assert office.listed == ["", "2", "4"]
    assert office.got == []


async def test_only_what_a_permit_fixes_is_kept():
    office = FakeContractOffice([f"{BUILDING}0001"])
    unit = await BuildingTable(Clients(office)).unit(f"{BUILDING}0001")
    assert (unit.developer_uscc, unit.gross_area_dm2, unit.residential) == (DEVELOPER, 9_000, True)
    assert unit.sale_state == contract_pb.UNIT_SALE_STATE_UNSPECIFIED
    assert unit.contract == ""


async def test_a_unit_the_read_did_not_hold_is_asked_for_alone_and_an_unknown_one_is_none():
    office = FakeContractOffice([f"{BUILDING}0001"], late=[f"{BUILDING}0002"])
    table = BuildingTable(Clients(office))
    late = await table.unit(f"{BUILDING}0002")
    assert late is not None
    assert late.unit_number == f"{BUILDING}0002"
    assert await table.unit(f"{BUILDING}0003") is None
    assert office.got == [f"{BUILDING}0002", f"{BUILDING}0003"]
    assert office.listed == [""]


async def test_a_failed_read_is_tried_again_by_the_next_filing():
    office = FakeContractOffice([f"{BUILDING}0001"])
    calls = 0
    listing = office.ListUnits

    async def failing_once(request):
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("the contract office is restarting")
        return await listing(request)

    office.ListUnits = failing_once
    table = BuildingTable(Clients(office))
    with pytest.raises(RuntimeError):
        await table.unit(f"{BUILDING}0001")
    assert (await table.unit(f"{BUILDING}0001")).unit_number == f"{BUILDING}0001"


async def test_past_its_bound_the_table_starts_again(monkeypatch):
    monkeypatch.setattr(building_table, "MAX_UNITS", 3)
    office = FakeContractOffice([f"{BUILDING}{n:04d}" for n in range(1, 5)])
    table = BuildingTable(Clients(office))
    await table.unit(f"{BUILDING}0001")
    assert len(table._units) <= 3
    assert (await table.unit(f"{BUILDING}0004")).unit_number == f"{BUILDING}0004"
