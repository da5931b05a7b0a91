"""Attack 9, call by call: each input that once drew INTERNAL or UNKNOWN is now refused at the
door with INVALID_ARGUMENT naming the field (the generated-input test looks for more)."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf.message import Message
from grpc_status import rpc_status

from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.registry.v1 import registry_service_pb2 as registry_pb
from deedflow.type.v1 import parties_pb2
from shared.auth import Role
from shared.grpc.status import bad_request
from tests.flows import DEVELOPER
from tests.support import channel_as

UNIT = "500112001002GB00015F00030502"


def _with_time(seconds: int) -> registry_pb.GetUnitRequest:
    request = registry_pb.GetUnitRequest(unit_number=UNIT)
    request.as_of_time.seconds = seconds
    return request


def _signature_algorithm(value: int) -> contract_pb.SignContractRequest:
    return contract_pb.SignContractRequest(
        request_id="3f1c2a9e-8b7d-4c1e-9a2f-5d6e7f8a9b0c",
        name="contracts/3f1c2a9e-8b7d-4c1e-9a2f-5d6e7f8a9b0c",
        signature=parties_pb2.Signature(
            signer="buyers/11010519491231002X", algorithm=value, signature=b"x", certificate_pem="x"
        ),
    )


# (office, method, role, request, the field the refusal names)
CASES: list[tuple[str, str, Role, Message, str]] = [
    ("contract", "GetProject", Role.CLERK, contract_pb.GetProjectRequest(name="projects/a\0b"), "name"),
    ("registry", "GetUnit", Role.CLERK, _with_time(253_402_300_800), "as_of_time"),
    ("orchestrator", "ListPurchases", Role.CLERK, pb.ListPurchasesRequest(state=999), "state"),
    (
        "registry",
        "CheckDisposal",
        Role.CLERK,
        registry_pb.CheckDisposalRequest(unit_number=UNIT, disposal=99),
        "disposal",
    ),
    ("contract", "SignContract", Role.DEVELOPER, _signature_algorithm(999), "signature.algorithm"),
    ("orchestrator", "ListPurchases", Role.CLERK, pb.ListPurchasesRequest(page_size=-1), "page_size"),
    ("orchestrator", "ListPurchases", Role.CLERK, pb.ListPurchasesRequest(page_token="9" * 30), "page_token"),
    ("contract", "GetProject", Role.CLERK, contract_pb.GetProjectRequest(name="x" * 1_000_000), "name"),
    (
        "registry",
        "SeizeUnit",
        Role.CLERK,
        registry_pb.SeizeUnitRequest(
            request_id="3f1c2a9e-8b7d-4c1e-9a2f-5d6e7f8a9b0c",
            unit_number=UNIT,
            ruling=parties_pb2.CourtRuling(authority="法" * 1_000_000, ruling_number="(2026)1"),
        ),
        "ruling.authority",
    ),
    # JSON nested 50,000 deep once ended as INTERNAL (RecursionError); a member named twice would
    # be read two ways.
    *(
        (
            "registry",
            "SealDocument",
            Role.SERVICE,
            registry_pb.SealDocumentRequest(
                entry=f"units/{UNIT}/entries/1",
                kind="certificate",
                number="渝(2026)渝北区不动产权第0000001号",
                body=body,
            ),
            "body",
        )
        for body in (b"[" * 50_000 + b"]" * 50_000, b'{"a": ' * 40 + b"1" + b"}" * 40, b'{"a": 1, "a": 2}')
    ),
]


@pytest.mark.parametrize(
    ("office", "method", "role", "request_message", "field"), CASES, ids=lambda v: str(v)[:30]
)
async def test_the_input_is_refused_at_the_door(services, pki, office, method, role, request_message, field):
    service = {
        "contract": "deedflow.contract.v1.ContractService",
        "registry": "deedflow.registry.v1.RegistryService",
        "orchestrator": "deedflow.orchestrator.v1.PurchaseService",
    }[office]
    refusal = await _refused(services[office].server.port, pki, role, f"/{service}/{method}", request_message)
    assert refusal.code() == grpc.StatusCode.INVALID_ARGUMENT
    violations = bad_request(rpc_status.from_call(refusal)).field_violations
    assert [v.field for v in violations] == [field]
    # The refusal's text never echoes a large field back.
    assert len(refusal.details()) < 500


async def _refused(port: int, pki, role: Role, path: str, request: Message) -> grpc.aio.AioRpcError:
    """The error a raw call of `path` as `role` is answered with (it must fail)."""
    async with channel_as(role, port, pki, path) as channel:
        call = channel.unary_unary(
            path, request_serializer=lambda m: m.SerializeToString(), response_deserializer=lambda b: b
        )
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await call(request)
    return caught.value


async def test_a_request_with_thousands_of_violations_is_answered_with_the_first_ones(services, pki):
    """A status travels in the trailers, which a client takes only up to 16 KiB: a project of
    2,000 misnumbered units once came back RESOURCE_EXHAUSTED from the client's own gRPC, not
    the INVALID_ARGUMENT the office answered. The first violations are listed, the rest counted."""
    path = "/deedflow.contract.v1.ContractService/CreateProject"
    request = contract_pb.CreateProjectRequest(
        request_id="3f1c2a9e-8b7d-4c1e-9a2f-5d6e7f8a9b0d",
        display_name="示例花园",
        presale_permit_number="渝住建预售(TOOMANY)",
        developer=DEVELOPER,
        units=[
            contract_pb.ProjectUnit(
                unit_number=f"500112001002GB00015F0001{n:05d}", room_label="一单元", gross_area_dm2=9000
            )
            for n in range(2_000)
        ],
    )
    refusal = await _refused(services["contract"].server.port, pki, Role.HOUSING, path, request)
    assert refusal.code() == grpc.StatusCode.INVALID_ARGUMENT
    violations = bad_request(rpc_status.from_call(refusal)).field_violations
    assert [v.field for v in violations] == [f"units[{n}].unit_number" for n in range(20)]
    assert refusal.details().endswith("; and 1980 more violations not listed")
