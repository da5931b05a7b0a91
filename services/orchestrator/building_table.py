"""The housing authority's building table (楼盘表) as the filing door has read it: for each unit
on presale, the permit holder, the area and the planned use. None of these change once a permit
covers the unit, so the door keeps them and answers a filing without asking the contract office
again; what does change (a live contract, a seizure) is the contract office's to refuse, at the
saga's first step."""

from __future__ import annotations

import asyncio

import grpc

from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from services.orchestrator.clients import Clients
from shared.ids import building_of

# Bounds on what one process keeps: past either, the table is read afresh, building by building.
MAX_UNITS = 200_000
MAX_BUILDINGS = 20_000
_PAGE = 500


def _settled(unit: contract_pb.Unit) -> contract_pb.Unit:
    """Only what a permit fixes; the sale state and the contract are the office's, and move."""
    return contract_pb.Unit(
        name=unit.name,
        unit_number=unit.unit_number,
        project=unit.project,
        room_label=unit.room_label,
        gross_area_dm2=unit.gross_area_dm2,
        residential=unit.residential,
        developer_uscc=unit.developer_uscc,
    )


class BuildingTable:
    def __init__(self, clients: Clients) -> None:
        # The saga's stubs (services/orchestrator/clients.py), whose channels open lazily.
        self.clients = clients
        self._units: dict[str, contract_pb.Unit] = {}
        # Each building is read once, whoever asks first; the others wait for that read.
        self._loads: dict[str, asyncio.Task[None]] = {}

    async def unit(self, unit_number: str) -> contract_pb.Unit | None:
        """The unit as the table shows it, or None when no presale permit covers it. A building
        not read yet is read whole (one call for a launch day's first filing, none after); a
        unit it did not hold is asked for alone, since a permit may have come since."""
        known = self._units.get(unit_number)
        if known is not None:
            return known
        await self._building(building_of(unit_number))
        known = self._units.get(unit_number)
        if known is not None:
            return known
        try:
            reply = await self.clients.contract.GetUnit(contract_pb.GetUnitRequest(unit_number=unit_number))
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                return None
            raise
        return self._keep(reply.unit)

    def _keep(self, unit: contract_pb.Unit) -> contract_pb.Unit:
        if len(self._units) >= MAX_UNITS:
            self._units.clear()
            self._loads.clear()
        kept = self._units[unit.unit_number] = _settled(unit)
        return kept

    async def _building(self, building_number: str) -> None:
        load = self._loads.get(building_number)
        if load is None or (load.done() and (load.cancelled() or load.exception() is not None)):
            if len(self._loads) >= MAX_BUILDINGS:
                self._units.clear()
                self._loads.clear()
            load = self._loads[building_number] = asyncio.ensure_future(self._read(building_number))
        await asyncio.shield(load)

    async def _read(self, building_number: str) -> None:
        token = ""
        while True:
            page = await self.clients.contract.ListUnits(
                contract_pb.ListUnitsRequest(
                    building_number=building_number, page_size=_PAGE, page_token=token
                )
            )
            for unit in page.units:
                self._keep(unit)
            token = page.next_page_token
            if not token:
                return
