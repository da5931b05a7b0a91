"""Loads the synthetic seed data through the public API, as the housing authority would."""

from __future__ import annotations

import uuid

import grpc

import seeds
from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from deedflow.contract.v1 import contract_service_pb2_grpc
from deedflow.type.v1 import parties_pb2
from shared.config import Settings
from shared.grpc.channels import secure_channel
from shared.pki import Pki
from shared.runstate import address_of

_NAMESPACE = uuid.UUID("f0e1d2c3-b4a5-4968-8776-655443322110")


def project_request() -> contract_pb.CreateProjectRequest:
    return contract_pb.CreateProjectRequest(
        # Derived from the permit: loading again replays instead of duplicating.
        request_id=str(uuid.uuid5(_NAMESPACE, seeds.PRESALE_PERMIT)),
        display_name=seeds.PROJECT_NAME,
        presale_permit_number=seeds.PRESALE_PERMIT,
        developer=parties_pb2.Organization(name=seeds.DEVELOPER_NAME, uscc=seeds.DEVELOPER_USCC),
        units=[
            contract_pb.ProjectUnit(
                unit_number=u.unit_number,
                room_label=u.room_label,
                gross_area_dm2=u.gross_area_dm2,
                residential=True,
            )
            for u in seeds.units()
        ],
    )


async def load(settings: Settings, pki: Pki) -> contract_pb.Project:
    """Creates the seed project (and, through it, its units in the book) once."""
    async with secure_channel(
        address_of(settings, "contract"), pki.ca_pem, pki.caller("housing"), 60
    ) as channel:
        stub = contract_service_pb2_grpc.ContractServiceStub(channel)
        try:
            return (await stub.CreateProject(project_request())).project
        except grpc.aio.AioRpcError as exc:
            if exc.code() != grpc.StatusCode.ALREADY_EXISTS:
                raise
            reply = await stub.GetProject(
                contract_pb.GetProjectRequest(name=f"projects/{seeds.PRESALE_PERMIT}")
            )
            return reply.project
