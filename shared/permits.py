"""Who holds the presale permit (预售许可证) of a building: the developer entitled to act on it,
as the contract office (which keeps the permits) knows it."""

from __future__ import annotations

from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from deedflow.contract.v1 import contract_service_pb2_grpc
from deedflow.type.v1.reasons import Reason
from shared.auth import Caller, Role
from shared.errors import NotFound, PermissionDenied


async def building_developer(contracts: contract_service_pb2_grpc.ContractServiceStub, building: str) -> str:
    """The USCC of the developer whose permit covers the building; NOT_FOUND if none does."""
    reply = await contracts.ListUnits(contract_pb.ListUnitsRequest(building_number=building, page_size=1))
    if not reply.units:
        raise NotFound(f"building {building} is not covered by any presale permit")
    developer: str = reply.units[0].developer_uscc
    return developer


def require_permit_holder(who: Caller, holder: str, named: str, field: str, what: str) -> None:
    """Only the permit holder acts on its building: another developer is told the object does not
    exist (NOT_FOUND, as for every record not its own); a request naming another developer than
    the holder (our own services pass the developer on) is PERMISSION_DENIED."""
    if who.role is Role.DEVELOPER and who.id != holder:
        raise NotFound(f"no {what!r}")
    if named != holder:
        raise PermissionDenied(
            Reason.DEVELOPER_MISMATCH, f"{what} is under another developer's presale permit", {"field": field}
        )
