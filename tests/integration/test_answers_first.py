"""Idempotency first, on every mutating RPC of every service (the casework verbs once for each
office that serves them): a real request that succeeds, sent again with the same request id and
body, gets the first answer byte for byte; the same id with another body is REQUEST_ID_REUSED.
The table is checked against the service descriptors, so a new mutating RPC cannot be left out.
Request ids are scoped by the calling party: two banks using one id never collide."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import uuid
from collections.abc import Awaitable, Callable

import asyncpg
import grpc
import pytest
from google.protobuf import descriptor_pool
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from grpc_status import rpc_status

from deedflow.casework.v1 import casework_service_pb2 as case_pb
from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from deedflow.mortgage.v1 import mortgage_service_pb2 as mortgage_pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from deedflow.preregistration.v1 import preregistration_service_pb2 as prereg_pb
from deedflow.registry.v1 import registry_service_pb2 as registry_pb
from deedflow.tax.v1 import tax_service_pb2 as tax_pb
from deedflow.transfer.v1 import transfer_service_pb2 as transfer_pb
from deedflow.type.v1 import parties_pb2
from shared.auth import Role, parse_identity_uri
from shared.catalog import SERVICES
from shared.db import plain_url
from shared.grpc.channels import secure_channel
from shared.grpc.status import error_info
from shared.pki import DEV_CALLERS
from shared.policy import POLICY
from tests.flows import (
    BANK,
    DEVELOPER,
    Sale,
    application,
    cancel_jointly,
    cancelling_ruling,
    file_contract,
    first_register,
    mortgage_entered,
    next_resident_id,
    pay_tax,
    premortgage,
    premortgage_request,
    preregister,
    preregistration_commit,
    presale,
    rid,
    seize,
    seizure_end,
    signed_mortgage,
)
from tests.parties import buyer, developer
from tests.purchases import complete, file_purchase, paid_and_idle, signed_filing, until, until_waiting
from tests.support import load_all_protos, new_building_number, row_digests

RULING = cancelling_ruling("(2026)渝0112民初1号")
OTHER_RULING = cancelling_ruling("(2026)渝0112民初2号")
# Copies of one request sent at once.
TWINS = 6
LOAN = parties_pb2.Loan(bank=BANK, amount_fen=500_000, term_months=12, mortgage_contract_number="DK-A")


@dataclasses.dataclass
class Call:
    office: str
    caller: str  # a development caller ("clerk") or one of our services ("service:transfer")
    request: Message
    other: Message  # the same request id with another body


class World:
    """The offices' stubs, and raw calls as any caller at any office."""

    def __init__(self, offices, pki, services) -> None:
        self.o = offices
        self.pki = pki
        self.services = services
        self.channels: dict[tuple[str, str], grpc.aio.Channel] = {}

    def channel(self, office: str, caller: str) -> grpc.aio.Channel:
        key = (office, caller)
        if key not in self.channels:
            identity = (
                self.pki.service(caller.removeprefix("service:"))
                if caller.startswith("service:")
                else self.pki.caller(caller)
            )
            address = f"127.0.0.1:{self.services[office].server.port}"
            self.channels[key] = secure_channel(address, self.pki.ca_pem, identity, default_timeout=30)
        return self.channels[key]

    def raw(self, office: str, caller: str, method: str):
        """The method as `caller` at `office`, answering raw bytes (to compare byte for byte)."""
        return self.channel(office, caller).unary_unary(
            method, request_serializer=lambda m: m.SerializeToString(), response_deserializer=None
        )

    async def close(self) -> None:
        for channel in self.channels.values():
            await channel.close()

    async def sale(self) -> Sale:
        """A filed contract for a fresh unit."""
        _, (unit, _) = await presale(self.o)
        return await file_contract(self.o, self.pki, unit)

    async def ready(self, with_premortgage: bool = False) -> Sale:
        """A sale ready for transfer: pre-registered, tax paid, the building first-registered."""
        building, (unit, _) = await presale(self.o)
        sale = await file_contract(self.o, self.pki, unit)
        await preregister(self.o, sale)
        if with_premortgage:
            await premortgage(self.o, sale)
        await pay_tax(self.o, sale)
        await first_register(self.o, building, [unit])
        return sale

    async def transferred(self, with_premortgage: bool = False) -> tuple[Sale, transfer_pb.Transfer]:
        sale = await self.ready(with_premortgage)
        reply = await self.o.transfer_as_service.LodgeTransfer(
            transfer_pb.LodgeTransferRequest(
                request_id=rid(), application=application(sale), auto_register=True
            )
        )
        return sale, reply.transfer


def _other(request: Message, **changes) -> Message:
    other = type(request)()
    other.CopyFrom(request)
    for field, value in changes.items():
        if isinstance(value, Message):
            getattr(other, field).CopyFrom(value)
        else:
            setattr(other, field, value)
    return other


def _call(office: str, caller: str, request: Message, **changes) -> Call:
    return Call(office, caller, request, _other(request, **changes))


Scenario = Callable[[World], Awaitable[Call]]
SCENARIOS: dict[str, Scenario] = {}


def scenario(office: str, method: str):
    def register(build: Scenario) -> Scenario:
        SCENARIOS[f"{office}:{method}"] = build
        return build

    return register


# contract


# contract


@scenario("contract", "/deedflow.contract.v1.ContractService/CreateProject")
async def _(w: World) -> Call:
    building = new_building_number()
    request = contract_pb.CreateProjectRequest(
        request_id=rid(),
        display_name="幂等花园",
        presale_permit_number=f"渝住建预售(I{building[-9:]})",
        developer=DEVELOPER,
        units=[
            contract_pb.ProjectUnit(unit_number=f"{building}0101", room_label="1-01", gross_area_dm2=9000)
        ],
    )
    return _call("contract", "housing", request, display_name="另一个花园")


def _terms(unit: str, resident_id: str = "360426199101010071", price: int = 100_000_000):
    return contract_pb.ContractTerms(
        unit_number=unit,
        developer=DEVELOPER,
        price_ex_vat_fen=price,
        gross_area_dm2=9_000,
        buyers=[parties_pb2.Buyer(name="甲", resident_id=resident_id, share_basis_points=10000)],
    )


async def _drafted(w: World):
    """A drafted contract for a fresh unit, and its buyer (who can sign)."""
    _, (unit, _) = await presale(w.o)
    person = buyer(w.pki, next_resident_id())
    terms = _terms(unit, person.party.removeprefix("buyers/"))
    reply = await w.o.contracts.CreateContract(
        contract_pb.CreateContractRequest(request_id=rid(), terms=terms)
    )
    return reply.contract, person


async def _signed(w: World) -> contract_pb.Contract:
    contract, person = await _drafted(w)
    for party in (developer(w.pki), person):
        contract = (
            await w.o.contracts.SignContract(
                contract_pb.SignContractRequest(
                    request_id=rid(), name=contract.name, signature=party.signature(contract.canonical_bytes)
                )
            )
        ).contract
    return contract


@scenario("contract", "/deedflow.contract.v1.ContractService/CreateContract")
async def _(w: World) -> Call:
    _, (unit, _) = await presale(w.o)
    request = contract_pb.CreateContractRequest(request_id=rid(), terms=_terms(unit))
    return _call("contract", "developer", request, terms=_terms(unit, price=99_000_000))


@scenario("contract", "/deedflow.contract.v1.ContractService/SignContract")
async def _(w: World) -> Call:
    contract, _ = await _drafted(w)
    request = contract_pb.SignContractRequest(
        request_id=rid(), name=contract.name, signature=developer(w.pki).signature(contract.canonical_bytes)
    )
    return _call("contract", "developer", request, name=f"contracts/{uuid.uuid4()}")


@scenario("contract", "/deedflow.contract.v1.ContractService/FileContract")
async def _(w: World) -> Call:
    contract = await _signed(w)
    request = contract_pb.FileContractRequest(request_id=rid(), name=contract.name)
    return _call("contract", "developer", request, name=f"contracts/{uuid.uuid4()}")


@scenario("contract", "/deedflow.contract.v1.ContractService/CancelContract")
async def _(w: World) -> Call:
    contract, _ = await _drafted(w)
    request = contract_pb.CancelContractRequest(request_id=rid(), name=contract.name, court_ruling=RULING)
    return _call("contract", "clerk", request, court_ruling=OTHER_RULING)


@scenario("contract", "/deedflow.contract.v1.ContractService/MarkContractTransferred")
async def _(w: World) -> Call:
    sale = await w.sale()
    request = contract_pb.MarkContractTransferredRequest(
        request_id=rid(), name=sale.contract.name, certificate_number="渝(2026)渝北区不动产权第9000001号"
    )
    return _call(
        "contract", "service:transfer", request, certificate_number="渝(2026)渝北区不动产权第9000002号"
    )


# tax


def _assess(sale: Sale, price: int = 120_000_000) -> tax_pb.AssessDeedTaxRequest:
    return tax_pb.AssessDeedTaxRequest(
        request_id=rid(),
        contract=sale.contract.name,
        unit_number=sale.unit,
        buyers=sale.contract.terms.buyers,
        price_ex_vat_fen=price,
        gross_area_dm2=9_000,
        home_count=parties_pb2.HOME_COUNT_ONLY,
        residential=True,
    )


@scenario("tax", "/deedflow.tax.v1.TaxService/AssessDeedTax")
async def _(w: World) -> Call:
    request = _assess(await w.sale())
    return _call("tax", "service:orchestrator", request, price_ex_vat_fen=110_000_000)


@scenario("tax", "/deedflow.tax.v1.TaxService/RecordPayment")
async def _(w: World) -> Call:
    assessment = (await w.o.tax.AssessDeedTax(_assess(await w.sale()))).assessment
    payment = tax_pb.Payment(payment_reference=f"PAY-{uuid.uuid4().hex[:10]}", amount_fen=assessment.tax_fen)
    request = tax_pb.RecordPaymentRequest(request_id=rid(), assessment=assessment.name, payment=payment)
    other = tax_pb.Payment(payment_reference=payment.payment_reference, amount_fen=assessment.tax_fen + 1)
    return _call("tax", "bank-a", request, payment=other)


@scenario("tax", "/deedflow.tax.v1.TaxService/RefundDeedTax")
async def _(w: World) -> Call:
    sale = await w.sale()
    assessment = (await w.o.tax.AssessDeedTax(_assess(sale))).assessment
    await cancel_jointly(w.o, w.pki, sale)
    request = tax_pb.RefundDeedTaxRequest(request_id=rid(), assessment=assessment.name, reason="合同解除")
    return _call("tax", "service:orchestrator", request, reason="另一理由")


@scenario("tax", "/deedflow.tax.v1.TaxService/ReassessDeedTax")
async def _(w: World) -> Call:
    paid = await pay_tax(w.o, await w.sale())
    request = tax_pb.ReassessDeedTaxRequest(
        request_id=rid(),
        assessment=paid.name,
        gross_area_dm2=9_100,
        price_ex_vat_fen=121_000_000,
        reason="实测",
    )
    return _call("tax", "service:orchestrator", request, gross_area_dm2=9_200)


@scenario("tax", "/deedflow.tax.v1.TaxService/ConsumeClearance")
async def _(w: World) -> Call:
    paid = await pay_tax(w.o, await w.sale())
    request = tax_pb.ConsumeClearanceRequest(
        request_id=rid(), clearance_number=paid.clearance_number, transfer_case="cases/ZYIDEMPOTENT1"
    )
    return _call("tax", "service:transfer", request, transfer_case="cases/ZYIDEMPOTENT2")


@scenario("tax", "/deedflow.tax.v1.TaxService/ReleaseClearance")
async def _(w: World) -> Call:
    paid = await pay_tax(w.o, await w.sale())
    held = {"clearance_number": paid.clearance_number, "transfer_case": "cases/ZYRELEASE1"}
    await w.channel("tax", "service:transfer").unary_unary(
        "/deedflow.tax.v1.TaxService/ConsumeClearance",
        request_serializer=lambda m: m.SerializeToString(),
        response_deserializer=tax_pb.ConsumeClearanceResponse.FromString,
    )(tax_pb.ConsumeClearanceRequest(request_id=rid(), **held))
    request = tax_pb.ReleaseClearanceRequest(request_id=rid(), **held)
    return _call("tax", "service:transfer", request, transfer_case="cases/ZYRELEASE2")


# registry


async def _building(w: World, county: str = "500112") -> tuple[str, str]:
    building = new_building_number(county)
    unit = f"{building}0101"
    await w.o.registry_clerk.CreateBuilding(
        registry_pb.CreateBuildingRequest(
            request_id=rid(),
            building_number=building,
            units=[
                registry_pb.UnitFacts(unit_number=unit, address="幂等路1号", gross_area_dm2=9000, use="住宅")
            ],
        )
    )
    return building, unit


@scenario("registry", "/deedflow.registry.v1.RegistryService/CreateBuilding")
async def _(w: World) -> Call:
    building = new_building_number()
    facts = registry_pb.UnitFacts(unit_number=f"{building}0101", address="幂等路2号", gross_area_dm2=9000)
    request = registry_pb.CreateBuildingRequest(request_id=rid(), building_number=building, units=[facts])
    return _call("registry", "clerk", request, building_number=new_building_number())


@scenario("registry", "/deedflow.registry.v1.RegistryService/CommitCase")
async def _(w: World) -> Call:
    _, unit = await _building(w)
    return _call(
        "registry",
        "service:transfer",
        preregistration_commit(unit, "cases/YGIDEMPOTENT1"),
        registry_case="cases/YGIDEMPOTENT2",
    )


@scenario("registry", "/deedflow.registry.v1.RegistryService/RecordFirstRegistration")
async def _(w: World) -> Call:
    building, _ = await _building(w)
    request = registry_pb.RecordFirstRegistrationRequest(
        request_id=rid(),
        building_number=building,
        registry_case="cases/ZYFIRST1",
        owner=f"organizations/{DEVELOPER.uscc}",
    )
    return _call("registry", "service:transfer", request, registry_case="cases/ZYFIRST2")


def _seize(unit: str, ruling=RULING) -> registry_pb.SeizeUnitRequest:
    return registry_pb.SeizeUnitRequest(
        request_id=rid(), unit_number=unit, ruling=ruling, end_time=seizure_end()
    )


@scenario("registry", "/deedflow.registry.v1.RegistryService/SeizeUnit")
async def _(w: World) -> Call:
    _, unit = await _building(w)
    return _call("registry", "clerk", _seize(unit), ruling=OTHER_RULING)


@scenario("registry", "/deedflow.registry.v1.RegistryService/ReleaseSeizure")
async def _(w: World) -> Call:
    _, unit = await _building(w)
    seized = (await w.o.registry_clerk.SeizeUnit(_seize(unit))).entry
    request = registry_pb.ReleaseSeizureRequest(request_id=rid(), entry=seized.name, ruling=RULING)
    return _call("registry", "clerk", request, ruling=OTHER_RULING)


@scenario("registry", "/deedflow.registry.v1.RegistryService/RenewSeizure")
async def _(w: World) -> Call:
    _, unit = await _building(w)
    seized = (await w.o.registry_clerk.SeizeUnit(_seize(unit))).entry
    request = registry_pb.RenewSeizureRequest(
        request_id=rid(), entry=seized.name, ruling=RULING, end_time=seizure_end(years=2)
    )
    return _call("registry", "clerk", request, ruling=OTHER_RULING)


def _objection(unit: str) -> registry_pb.AddObjectionRequest:
    return registry_pb.AddObjectionRequest(
        request_id=rid(), unit_number=unit, objector="buyers/360426199101010071", grounds="面积有误"
    )


@scenario("registry", "/deedflow.registry.v1.RegistryService/AddObjection")
async def _(w: World) -> Call:
    _, unit = await _building(w)
    return _call("registry", "clerk", _objection(unit), grounds="另有理由")


@scenario("registry", "/deedflow.registry.v1.RegistryService/LiftObjection")
async def _(w: World) -> Call:
    _, unit = await _building(w)
    objection = (await w.o.registry_clerk.AddObjection(_objection(unit))).entry
    request = registry_pb.LiftObjectionRequest(request_id=rid(), entry=objection.name)
    return _call("registry", "clerk", request, lawsuit=RULING)


async def _current_entry(w: World) -> str:
    _, unit = await _building(w)
    committed = await w.o.registry.CommitCase(preregistration_commit(unit, f"cases/YG{uuid.uuid4().hex[:8]}"))
    return committed.entries[0].name


# A book no other test writes in: its key is rotated in the session's PKI folder.
ROTATED_BOOK = "500243"


@scenario("registry", "/deedflow.registry.v1.RegistryService/RotateBookKey")
async def _(w: World) -> Call:
    _, unit = await _building(w, ROTATED_BOOK)
    await w.o.registry_clerk.AddObjection(_objection(unit))
    books = (await w.o.registry_clerk.ListBooks(registry_pb.ListBooksRequest())).books
    current = next(b.public_key for b in books if b.authority == ROTATED_BOOK)
    request = registry_pb.RotateBookKeyRequest(
        request_id=rid(), authority=ROTATED_BOOK, retiring_key_id=hashlib.sha256(current).digest()
    )
    return _call("registry", "clerk", request, retiring_key_id=bytes(32))


@scenario("registry", "/deedflow.registry.v1.RegistryService/EraseHolder")
async def _(w: World) -> Call:
    _, unit = await _building(w)
    holder = f"buyers/{next_resident_id()}"
    lapsed = registry_pb.AddObjectionRequest(
        request_id=rid(), unit_number=unit, objector=holder, grounds="异议"
    )
    objection = (await w.o.registry_clerk.AddObjection(lapsed)).entry
    await w.o.registry_clerk.LiftObjection(
        registry_pb.LiftObjectionRequest(request_id=rid(), entry=objection.name)
    )
    request = registry_pb.EraseHolderRequest(request_id=rid(), holder=holder, legal_basis="个人信息保护法 47")
    return _call("registry", "clerk", request, legal_basis="个人信息保护法 47: 另一理由")


@scenario("registry", "/deedflow.registry.v1.RegistryService/RequestCorrection")
async def _(w: World) -> Call:
    entry = await _current_entry(w)
    request = registry_pb.RequestCorrectionRequest(request_id=rid(), entry=entry, grounds="姓名有误")
    return _call("registry", "clerk", request, grounds="证件号有误")


@scenario("registry", "/deedflow.registry.v1.RegistryService/ResolveCorrection")
async def _(w: World) -> Call:
    entry = await _current_entry(w)
    correction = (
        await w.o.registry_clerk.RequestCorrection(
            registry_pb.RequestCorrectionRequest(request_id=rid(), entry=entry, grounds="姓名有误")
        )
    ).entry
    request = registry_pb.ResolveCorrectionRequest(request_id=rid(), correction=correction.name)
    corrected = registry_pb.NewEntry(
        kind=registry_pb.ENTRY_KIND_PREREGISTRATION,
        holders=["buyers/11010519491231002X"],
        share_basis_points=[10000],
    )
    return _call("registry", "clerk", request, corrected=corrected)


@scenario("registry", "/deedflow.registry.v1.RegistryService/RecordAgreement")
async def _(w: World) -> Call:
    _, unit = await _building(w)
    request = registry_pb.RecordAgreementRequest(request_id=rid(), unit_number=unit, terms="禁止转让约定")
    return _call("registry", "clerk", request, restricts_transfer=True)


# preregistration


def _lodge_prereg(sale: Sale, auto: bool = False) -> prereg_pb.LodgePreregistrationRequest:
    return prereg_pb.LodgePreregistrationRequest(
        request_id=rid(),
        unit_number=sale.unit,
        contract=sale.contract.name,
        developer=DEVELOPER,
        auto_register=auto,
    )


@scenario("preregistration", "/deedflow.preregistration.v1.PreregistrationService/LodgePreregistration")
async def _(w: World) -> Call:
    return _call("preregistration", "developer", _lodge_prereg(await w.sale()), auto_register=True)


@scenario("preregistration", "/deedflow.preregistration.v1.PreregistrationService/LodgePremortgage")
async def _(w: World) -> Call:
    sale = await w.sale()
    await preregister(w.o, sale)
    request = premortgage_request(sale)
    other_loan = parties_pb2.Loan()
    other_loan.CopyFrom(request.loan)
    other_loan.amount_fen += 1
    return _call("preregistration", "bank-a", request, loan=other_loan)


@scenario("preregistration", "/deedflow.preregistration.v1.PreregistrationService/CancelPreregistration")
async def _(w: World) -> Call:
    sale = await w.sale()
    await preregister(w.o, sale)
    request = prereg_pb.CancelPreregistrationRequest(
        request_id=rid(), name=sale.prereg.name, court_ruling=RULING
    )
    return _call("preregistration", "clerk", request, court_ruling=OTHER_RULING)


@scenario("preregistration", "/deedflow.preregistration.v1.PreregistrationService/ReleasePremortgage")
async def _(w: World) -> Call:
    sale = await w.sale()
    await preregister(w.o, sale)
    held = await premortgage(w.o, sale)
    request = prereg_pb.ReleasePremortgageRequest(request_id=rid(), name=held.name, court_ruling=RULING)
    return _call("preregistration", "clerk", request, court_ruling=OTHER_RULING)


@scenario("preregistration", "/deedflow.preregistration.v1.PreregistrationService/MarkConverted")
async def _(w: World) -> Call:
    sale = await w.sale()
    await preregister(w.o, sale)
    request = prereg_pb.MarkConvertedRequest(
        request_id=rid(), preregistration=sale.prereg.name, transfer_case="cases/ZYIDEMPOTENT3"
    )
    return _call("preregistration", "service:transfer", request, transfer_case="cases/ZYIDEMPOTENT4")


# transfer


@scenario("transfer", "/deedflow.transfer.v1.TransferService/LodgeFirstRegistration")
async def _(w: World) -> Call:
    building, (unit, _) = await presale(w.o)
    request = transfer_pb.LodgeFirstRegistrationRequest(
        request_id=rid(),
        building_number=building,
        developer=DEVELOPER,
        completion=transfer_pb.CompletionAcceptance(record_number=f"渝建竣备{building[-6:]}"),
        units=[transfer_pb.AsBuiltUnit(presale_unit_number=unit, unit_number=unit, gross_area_dm2=9_050)],
    )
    return _call("transfer", "developer", request, auto_register=True)


@scenario("transfer", "/deedflow.transfer.v1.TransferService/RecordSiteInspection")
async def _(w: World) -> Call:
    building, _ = await presale(w.o, inspected=False)
    request = transfer_pb.RecordSiteInspectionRequest(
        request_id=rid(), building_number=building, outcome=transfer_pb.SITE_INSPECTION_OUTCOME_AS_DESCRIBED
    )
    return _call("transfer", "clerk", request, findings="另一次查看")


@scenario("transfer", "/deedflow.transfer.v1.TransferService/LodgeTransfer")
async def _(w: World) -> Call:
    sale = await w.ready()
    request = transfer_pb.LodgeTransferRequest(request_id=rid(), application=application(sale))
    return _call("transfer", "developer", request, auto_register=True)


@scenario("transfer", "/deedflow.transfer.v1.TransferService/BatchLodgeTransfers")
async def _(w: World) -> Call:
    sale = await w.ready()
    request = transfer_pb.BatchLodgeTransfersRequest(
        request_id=rid(), building_number=sale.unit[:24], applications=[application(sale)]
    )
    return _call("transfer", "developer", request, auto_register=True)


@scenario("transfer", "/deedflow.transfer.v1.TransferService/ReleaseCertificates")
async def _(w: World) -> Call:
    _, transfer = await w.transferred()
    handover = Timestamp(seconds=1_800_000_000)
    request = transfer_pb.ReleaseCertificatesRequest(
        request_id=rid(), transfer=transfer.name, release_time=handover
    )
    return _call("transfer", "service:orchestrator", request, release_time=Timestamp(seconds=1_800_000_001))


# mortgage


@scenario("mortgage", "/deedflow.mortgage.v1.MortgageService/LodgeMortgage")
async def _(w: World) -> Call:
    sale, _ = await w.transferred()
    request = signed_mortgage(sale, LOAN)
    return _call("mortgage", "bank-a", request, auto_register=True)


@scenario("mortgage", "/deedflow.mortgage.v1.MortgageService/RecordConvertedMortgage")
async def _(w: World) -> Call:
    sale, transfer = await w.transferred(with_premortgage=True)
    request = mortgage_pb.RecordConvertedMortgageRequest(
        request_id=rid(),
        unit_number=sale.unit,
        premortgage=sale.premortgage.name,
        entry=transfer.mortgage_entry,
        loan=sale.premortgage.loan,
        mortgagors=sale.contract.terms.buyers,
        priority_time=transfer.mortgage_priority_time,
        proof_number=transfer.mortgage_proof_number,
    )
    return _call("mortgage", "service:transfer", request, proof_number="渝(2026)渝北区不动产证明第9999999号")


@scenario("mortgage", "/deedflow.mortgage.v1.MortgageService/DischargeMortgage")
async def _(w: World) -> Call:
    sale, _ = await w.transferred()
    mortgage = await mortgage_entered(w.o, signed_mortgage(sale, LOAN))
    request = mortgage_pb.DischargeMortgageRequest(
        request_id=rid(), name=mortgage.name, settlement_reference="结清-1"
    )
    return _call("mortgage", "bank-a", request, settlement_reference="结清-2")


# orchestrator


def _desk(w: World) -> orchestrator_service_pb2_grpc.PurchaseServiceStub:
    return orchestrator_service_pb2_grpc.PurchaseServiceStub(w.channel("orchestrator", "developer"))


@scenario("orchestrator", "/deedflow.orchestrator.v1.PurchaseService/FilePurchase")
async def _(w: World) -> Call:
    _, (unit, other) = await presale(w.o)
    request = pb.FilePurchaseRequest(request_id=rid(), filing=signed_filing(w.pki, unit, with_loan=False)[0])
    return _call("orchestrator", "developer", request, filing=signed_filing(w.pki, other, with_loan=False)[0])


@scenario("orchestrator", "/deedflow.orchestrator.v1.PurchaseService/CompleteBuilding")
async def _(w: World) -> Call:
    building, _ = await presale(w.o)
    request = pb.CompleteBuildingRequest(
        request_id=rid(), building_number=building, completion_record_number="渝建竣备1"
    )
    return _call("orchestrator", "developer", request, completion_record_number="渝建竣备2")


async def _waiting(w: World) -> tuple[str, pb.Purchase]:
    """A purchase paid and waiting for its building, no step of it running (so not busy)."""
    building, (unit, _) = await presale(w.o)
    desk = _desk(w)
    purchase = await file_purchase(desk, signed_filing(w.pki, unit, with_loan=False)[0])
    return building, await paid_and_idle(w.o, desk, await until_waiting(desk, purchase.name))


@scenario("orchestrator", "/deedflow.orchestrator.v1.PurchaseService/ConfirmHandover")
async def _(w: World) -> Call:
    building, waiting = await _waiting(w)
    await complete(_desk(w), building)
    await until(_desk(w), waiting.name, pb.PURCHASE_STATE_CERTIFICATE_READY)
    request = pb.ConfirmHandoverRequest(request_id=rid(), name=waiting.name)
    return _call("orchestrator", "developer", request, name=f"purchases/{uuid.uuid4()}")


@scenario("orchestrator", "/deedflow.orchestrator.v1.PurchaseService/CancelPurchase")
async def _(w: World) -> Call:
    _, waiting = await _waiting(w)
    request = pb.CancelPurchaseRequest(request_id=rid(), name=waiting.name, court_ruling=RULING)
    return _call("orchestrator", "clerk", request, court_ruling=OTHER_RULING)


@scenario("orchestrator", "/deedflow.orchestrator.v1.PurchaseService/ResumePurchase")
async def _(w: World) -> Call:
    building, waiting = await _waiting(w)
    await seize(w.o, waiting.filing.unit_number, 91)
    await complete(_desk(w), building)
    await until(_desk(w), waiting.name, pb.PURCHASE_STATE_PARKED)
    request = pb.ResumePurchaseRequest(request_id=rid(), name=waiting.name, note="已核实")
    return _call("orchestrator", "clerk", request, note="另行核实")


# casework, at each office that serves it: a case lodged there in the clerks' queue


async def _lodged_case(w: World, office: str) -> case_pb.Case:
    if office == "preregistration":
        _, case = await preregister(w.o, await w.sale(), auto=False)
        return case
    if office == "transfer":
        sale = await w.ready()
        reply = await w.o.transfer.LodgeTransfer(
            transfer_pb.LodgeTransferRequest(request_id=rid(), application=application(sale))
        )
        return reply.case_record
    sale, _ = await w.transferred()
    return (await w.o.mortgage_as_bank.LodgeMortgage(signed_mortgage(sale, LOAN))).case_record


async def _clerk(w: World, office: str, verb: str, request: Message) -> Message:
    method = f"/deedflow.casework.v1.CaseworkService/{verb}"
    answer = await w.raw(office, "clerk", method)(request)
    return type(getattr(case_pb, f"{verb}Response")()).FromString(answer).case_record


for _office in ("preregistration", "transfer", "mortgage"):

    def _verbs(office: str) -> None:
        prefix = "/deedflow.casework.v1.CaseworkService/"
        corrections = [case_pb.Correction(subject="completion_record", description="请补交竣工验收备案表")]

        @scenario(office, prefix + "RequisitionCase")
        async def _(w: World) -> Call:
            case = await _lodged_case(w, office)
            request = case_pb.RequisitionCaseRequest(
                request_id=rid(), name=case.name, corrections=corrections
            )
            other = case_pb.RequisitionCaseRequest(
                request_id=request.request_id,
                name=case.name,
                corrections=[case_pb.Correction(subject="buyers", description="另需补正")],
            )
            return Call(office, "clerk", request, other)

        @scenario(office, prefix + "ResubmitCase")
        async def _(w: World) -> Call:
            case = await _lodged_case(w, office)
            await _clerk(
                w,
                office,
                "RequisitionCase",
                case_pb.RequisitionCaseRequest(request_id=rid(), name=case.name, corrections=corrections),
            )
            request = case_pb.ResubmitCaseRequest(request_id=rid(), name=case.name, answers=["已补交"])
            return Call(
                office,
                "clerk",
                request,
                case_pb.ResubmitCaseRequest(
                    request_id=request.request_id, name=case.name, answers=["另行补交"]
                ),
            )

        @scenario(office, prefix + "ApproveCase")
        async def _(w: World) -> Call:
            case = await _lodged_case(w, office)
            request = case_pb.ApproveCaseRequest(request_id=rid(), name=case.name)
            return _call(office, "clerk", request, name="cases/" + uuid.uuid4().hex)

        @scenario(office, prefix + "RegisterCase")
        async def _(w: World) -> Call:
            case = await _lodged_case(w, office)
            await _clerk(
                w, office, "ApproveCase", case_pb.ApproveCaseRequest(request_id=rid(), name=case.name)
            )
            request = case_pb.RegisterCaseRequest(request_id=rid(), name=case.name)
            return _call(office, "clerk", request, name="cases/" + uuid.uuid4().hex)

        @scenario(office, prefix + "RefuseCase")
        async def _(w: World) -> Call:
            case = await _lodged_case(w, office)
            request = case_pb.RefuseCaseRequest(request_id=rid(), name=case.name, reasons=["材料不齐"])
            return Call(
                office,
                "clerk",
                request,
                case_pb.RefuseCaseRequest(
                    request_id=request.request_id, name=case.name, reasons=["另有理由"]
                ),
            )

        @scenario(office, prefix + "WithdrawCase")
        async def _(w: World) -> Call:
            case = await _lodged_case(w, office)
            request = case_pb.WithdrawCaseRequest(request_id=rid(), name=case.name)
            return _call(office, "clerk", request, name="cases/" + uuid.uuid4().hex)

    _verbs(_office)


def _mutating() -> set[str]:
    """office:/service/method for every RPC of every service whose request carries a request_id."""
    load_all_protos()
    pool = descriptor_pool.Default()
    found = set()
    for info in SERVICES:
        for service_name in info.grpc_services:
            for method in pool.FindServiceByName(service_name).methods:
                if "request_id" in method.input_type.fields_by_name:
                    found.add(f"{info.name}:/{service_name}/{method.name}")
    return found


def test_the_table_covers_every_mutating_rpc_of_every_service():
    assert set(SCENARIOS) == _mutating()


@pytest.fixture(scope="module")
async def world(offices, pki, services):
    built = World(offices, pki, services)
    try:
        yield built
    finally:
        await built.close()


async def _code_and_reason(call):
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    info = error_info(rpc_status.from_call(caught.value))
    return caught.value.code(), info.reason if info else None


@pytest.mark.parametrize("rpc", sorted(SCENARIOS))
async def test_the_first_answer_is_given_again_and_another_body_is_refused(world, rpc):
    call = await SCENARIOS[rpc](world)
    method = rpc.split(":", 1)[1]
    send = world.raw(call.office, call.caller, method)
    # Twins racing (a client's retry while the first is still on its way, a saga step run again
    # after its lease passed): every one gets the one answer, never a refusal its twin caused.
    twins = await asyncio.gather(*(send(call.request) for _ in range(TWINS)), return_exceptions=True)
    first = twins[0]
    assert not isinstance(first, BaseException), first
    assert twins == [first] * TWINS
    assert await send(call.request) == first
    assert await _code_and_reason(send(call.other)) == (grpc.StatusCode.INVALID_ARGUMENT, "REQUEST_ID_REUSED")
    assert await send(call.request) == first


async def test_request_ids_are_scoped_by_the_calling_party(world):
    """The lending bank and the tax bureau recording payments under one request id: each gets its
    own answer."""
    request_id = rid()
    answers = []
    for bank in ("bank-a", "tax"):
        assessment = (await world.o.tax.AssessDeedTax(_assess(await world.sale()))).assessment
        request = tax_pb.RecordPaymentRequest(
            request_id=request_id,
            assessment=assessment.name,
            payment=tax_pb.Payment(
                payment_reference=f"PAY-{uuid.uuid4().hex[:10]}", amount_fen=assessment.tax_fen
            ),
        )
        reply = tax_pb.RecordPaymentResponse.FromString(
            await world.raw("tax", bank, "/deedflow.tax.v1.TaxService/RecordPayment")(request)
        )
        answers.append(reply.assessment.name)
        assert reply.assessment.name == assessment.name
    assert len(set(answers)) == 2


# Outside identities that may be tried on another's object. Clerks, the housing and the tax
# authority are entitled by their role wherever the policy admits them (条例 27-28).
PARTIES = ("developer", "developer-b", "bank-a", "bank-b", "clerk", "housing", "tax")
OFFICIAL_ROLES = {Role.CLERK, Role.HOUSING, Role.TAX}
# Parties entitled to the object besides the scenario's caller: a case's applicants may answer a
# requisition or withdraw it. A deed-tax payment is recorded by the lending bank (the scenario's
# caller) or the tax bureau; another bank is a stranger to it.
ALSO_ENTITLED = {
    "mortgage:/deedflow.casework.v1.CaseworkService/ResubmitCase": {"bank-a"},
    "mortgage:/deedflow.casework.v1.CaseworkService/WithdrawCase": {"bank-a"},
    "preregistration:/deedflow.casework.v1.CaseworkService/ResubmitCase": {"developer"},
    "preregistration:/deedflow.casework.v1.CaseworkService/WithdrawCase": {"developer"},
    "transfer:/deedflow.casework.v1.CaseworkService/ResubmitCase": {"developer"},
    "transfer:/deedflow.casework.v1.CaseworkService/WithdrawCase": {"developer"},
}


def _role(caller: str) -> Role:
    return Role.SERVICE if caller.startswith("service:") else parse_identity_uri(DEV_CALLERS[caller]).role


async def _office_state(world: World, office: str, subject: str) -> dict[str, str]:
    """A digest of the office's records that name the object (stored answers aside: a refusal
    may be kept; other tests' purchases move on in the background, and the register signs
    checkpoints by itself)."""
    connection = await asyncpg.connect(plain_url(world.services[office].deps.database.url))
    try:
        return await row_digests(connection, [office], {"idempotency_record", "checkpoint"}, naming=subject)
    finally:
        await connection.close()


# Where a request names the object it acts on, first match wins.
OBJECT_FIELDS = (
    "name",
    "preregistration",
    "transfer",
    "assessment",
    "clearance_number",
    "entry",
    "correction",
    "terms.unit_number",
    "filing.unit_number",
    "application.unit_number",
    "unit_number",
    "building_number",
    "presale_permit_number",
    "holder",
    "authority",
)


def _object_of(request: Message) -> str:
    for path in OBJECT_FIELDS:
        value = request
        for part in path.split("."):
            value = getattr(value, part, None)
        if isinstance(value, str) and value:
            if "/entries/" in value:
                return value.split("/")[1]  # an entry is named by its unit: its number alone is "1"
            return value.rpartition("/")[2]
    raise AssertionError(f"no object named in {type(request).__name__}")


@pytest.mark.parametrize("rpc", sorted(SCENARIOS))
async def test_no_one_but_the_entitled_acts_on_the_object(world, rpc):
    """The entitlement matrix: every mutating RPC, on a real object, by every party that is not
    entitled to it: NOT_FOUND or PERMISSION_DENIED, and the office's records unchanged; then the
    entitled caller's own call still succeeds (docs/authorization.md)."""
    call = await SCENARIOS[rpc](world)
    method = rpc.split(":", 1)[1]
    admitted = POLICY[method]
    strangers = [
        p
        for p in PARTIES
        if p != call.caller
        and p not in ALSO_ENTITLED.get(rpc, set())
        and not (_role(p) in OFFICIAL_ROLES and _role(p) in admitted)
        and not (_role(call.caller) in OFFICIAL_ROLES and _role(p) is _role(call.caller))
    ]
    subject = _object_of(call.request)
    before = await _office_state(world, call.office, subject)
    for stranger in strangers:
        try:
            await world.raw(call.office, stranger, method)(call.request)
        except grpc.aio.AioRpcError as error:
            code = error.code()
        else:
            code = grpc.StatusCode.OK
        assert code in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.PERMISSION_DENIED), (stranger, code)
    assert await _office_state(world, call.office, subject) == before
    await world.raw(call.office, call.caller, method)(call.request)
