"""The register's 登簿 as the registration offices ask for it: concurrent CommitCase calls of an
office travel together as CommitCases, entered in one register transaction each."""

from __future__ import annotations

from collections.abc import Callable

from deedflow.registry.v1 import registry_service_pb2 as registry_pb
from deedflow.registry.v1 import registry_service_pb2_grpc
from shared.batches import MAX_TOGETHER
from shared.grpc.coalescing import Coalescer, coalesced


def book_commits(
    registry: Callable[[], registry_service_pb2_grpc.RegistryServiceStub],
) -> Coalescer[registry_pb.CommitCaseRequest, registry_pb.CommitCaseResponse]:
    """CommitCase for `registry` (the stub of the moment: the office's channel may be renewed)."""
    return coalesced(
        lambda request: registry().CommitCase(request),
        lambda batch: registry().CommitCases(batch),
        registry_pb.CommitCasesRequest,
        MAX_TOGETHER,
    )
