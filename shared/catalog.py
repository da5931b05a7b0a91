"""The seven services: name, Chinese legal term, default port and what each owns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceInfo:
    name: str
    chinese_term: str
    default_port: int
    owns: str
    # Fully qualified gRPC service names this server serves (besides health and reflection).
    grpc_services: tuple[str, ...]


SERVICES: tuple[ServiceInfo, ...] = (
    ServiceInfo(
        "orchestrator",
        "一件事 (one filing)",
        50050,
        "purchases: the saga from filing to handover; building completion fan-out",
        ("deedflow.orchestrator.v1.PurchaseService", "deedflow.events.v1.EventService"),
    ),
    ServiceInfo(
        "contract",
        "商品房买卖合同网签备案",
        50051,
        "projects on presale (楼盘表 sale state), contracts, signatures, filing numbers",
        ("deedflow.contract.v1.ContractService",),
    ),
    ServiceInfo(
        "tax",
        "契税",
        50052,
        "assessments, payments, clearances (完税凭证), refunds",
        ("deedflow.tax.v1.TaxService",),
    ),
    ServiceInfo(
        "preregistration",
        "预告登记 / 预购商品房抵押预告登记",
        50053,
        "pre-registration and pre-mortgage cases and proofs",
        ("deedflow.preregistration.v1.PreregistrationService", "deedflow.casework.v1.CaseworkService"),
    ),
    ServiceInfo(
        "transfer",
        "首次登记 / 转移登记",
        50054,
        "first registration of a building, transfer cases, certificates (不动产权证书)",
        ("deedflow.transfer.v1.TransferService", "deedflow.casework.v1.CaseworkService"),
    ),
    ServiceInfo(
        "mortgage",
        "抵押登记 / 注销",
        50055,
        "mortgage cases, registration proofs (不动产登记证明), discharges",
        (
            "deedflow.mortgage.v1.MortgageService",
            "deedflow.casework.v1.CaseworkService",
            "deedflow.events.v1.EventService",
        ),
    ),
    ServiceInfo(
        "registry",
        "不动产登记簿",
        50056,
        "the register: units, rights and restrictions as an append-only, verifiable log",
        ("deedflow.registry.v1.RegistryService",),
    ),
)

SERVICE_NAMES: tuple[str, ...] = tuple(s.name for s in SERVICES)


def service_info(name: str) -> ServiceInfo:
    for info in SERVICES:
        if info.name == name:
            return info
    raise KeyError(f"unknown service {name!r}; known: {', '.join(SERVICE_NAMES)}")
