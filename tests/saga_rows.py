"""A bare purchase row for tests of the saga's own writes: leased to a test worker (so that the
session's saga workers leave it alone), with no step behind it."""

from __future__ import annotations

import datetime as dt
import uuid

from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from services.orchestrator import repository
from shared.clock import SystemClock


async def leased_purchase(
    database, building: str, worker: str, contract: str = "", state: str = "AWAITING_COMPLETION"
):
    """The purchase's row as a worker holding it sees it."""
    at = SystemClock().now()
    purchase_id = uuid.uuid4()
    async with database.transaction() as connection:
        await repository.insert_purchase(
            connection,
            {
                "id": purchase_id,
                "developer_uscc": "91500000MA5UWAIT01",
                "bank_uscc": "",
                "building_number": building,
                "unit_number": f"{building}0101",
                "filing": pb.PurchaseFiling(unit_number=f"{building}0101").SerializeToString(),
                "terms_sha256": uuid.uuid4().bytes * 2,
                "state": state,
                "version": 1,
                "due_at": None,
                "leased_by": worker,
                "lease_until": at + dt.timedelta(minutes=1),
                "documents": pb.PurchaseDocuments(contract=contract).SerializeToString(),
                "contract": contract or None,
                "create_time": at,
                "update_time": at,
            },
            b"",
            at,
        )
        return await repository.purchase(connection, purchase_id)
