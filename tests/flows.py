"""Helpers that walk a purchase through the offices as their real callers would, for tests."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import uuid
from collections.abc import AsyncIterator

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from grpc_status import rpc_status

from deedflow.casework.v1 import casework_service_pb2 as case_pb
from deedflow.casework.v1 import casework_service_pb2_grpc
from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from deedflow.contract.v1 import contract_service_pb2_grpc
from deedflow.mortgage.v1 import mortgage_service_pb2 as mortgage_pb
from deedflow.mortgage.v1 import mortgage_service_pb2_grpc
from deedflow.preregistration.v1 import preregistration_service_pb2 as prereg_pb
from deedflow.preregistration.v1 import preregistration_service_pb2_grpc
from deedflow.registry.v1 import registry_service_pb2 as registry_pb
from deedflow.registry.v1 import registry_service_pb2_grpc
from deedflow.tax.v1 import tax_service_pb2 as tax_pb
from deedflow.tax.v1 import tax_service_pb2_grpc
from deedflow.transfer.v1 import transfer_service_pb2 as transfer_pb
from deedflow.transfer.v1 import transfer_service_pb2_grpc
from deedflow.type.v1 import parties_pb2
from shared import statements
from shared.grpc.channels import secure_channel
from shared.grpc.status import error_info
from shared.ids import resident_id_check_char
from tests.parties import buyer, developer
from tests.support import client_channel, new_building_number

DEVELOPER = parties_pb2.Organization(name="重庆示例置业有限公司", uscc="91500112MA5U0DF01L")
BANK = parties_pb2.Organization(name="示例银行重庆分行", uscc="915000007094231152")
# Fictional people born on the days of 1990, many to a day: enough for any benchmark or soak.
_people = (
    f"{dt.date(1990, 1, 1) + dt.timedelta(days=day):%Y%m%d}{sequence:03d}"
    for day in range(365)
    for sequence in range(300, 999)
)


def cancelling_ruling(number: str, authority: str = "重庆市渝北区人民法院") -> parties_pb2.CourtRuling:
    """A ruling as a clerk enters it to cancel or release: court, number, date and the digest of
    the ruling document the clerk holds."""
    ruling = parties_pb2.CourtRuling(
        authority=authority,
        ruling_number=number,
        document_sha256=hashlib.sha256(f"{authority} {number}".encode()).digest(),
    )
    ruling.ruling_time.FromDatetime(dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    return ruling


def rid() -> str:
    return str(uuid.uuid4())


def next_resident_id() -> str:
    first17 = f"500112{next(_people)}"
    return first17 + resident_id_check_char(first17)


@dataclasses.dataclass
class Offices:
    """Stubs as each real caller would hold them."""

    housing: contract_service_pb2_grpc.ContractServiceStub
    contracts: contract_service_pb2_grpc.ContractServiceStub
    contract_clerk: contract_service_pb2_grpc.ContractServiceStub
    tax: tax_service_pb2_grpc.TaxServiceStub
    # As the lending bank (bank-a), and as the tax bureau (cash purchases' tax is paid to it).
    tax_as_bank: tax_service_pb2_grpc.TaxServiceStub
    tax_bureau: tax_service_pb2_grpc.TaxServiceStub
    prereg: preregistration_service_pb2_grpc.PreregistrationServiceStub
    prereg_as_bank: preregistration_service_pb2_grpc.PreregistrationServiceStub
    # As the orchestrator: the one caller whose lodgings are entered without a clerk's review.
    prereg_as_service: preregistration_service_pb2_grpc.PreregistrationServiceStub
    transfer_as_service: transfer_service_pb2_grpc.TransferServiceStub
    transfer: transfer_service_pb2_grpc.TransferServiceStub
    transfer_clerk: transfer_service_pb2_grpc.TransferServiceStub
    mortgage_as_bank: mortgage_service_pb2_grpc.MortgageServiceStub
    mortgage_as_other_bank: mortgage_service_pb2_grpc.MortgageServiceStub
    registry: registry_service_pb2_grpc.RegistryServiceStub
    registry_clerk: registry_service_pb2_grpc.RegistryServiceStub
    prereg_cases: casework_service_pb2_grpc.CaseworkServiceStub
    transfer_cases: casework_service_pb2_grpc.CaseworkServiceStub
    mortgage_cases: casework_service_pb2_grpc.CaseworkServiceStub


async def refused(call):
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    info = error_info(rpc_status.from_call(caught.value))
    return caught.value.code(), info.reason if info else None


async def inspect_site(
    o: Offices,
    building: str,
    outcome: int = transfer_pb.SITE_INSPECTION_OUTCOME_AS_DESCRIBED,
    findings: str = "",
) -> transfer_pb.SiteInspection:
    """The registry's inspector records what it found at the building (实地查看, CQ 21)."""
    reply = await o.transfer_clerk.RecordSiteInspection(
        transfer_pb.RecordSiteInspectionRequest(
            request_id=rid(), building_number=building, outcome=outcome, findings=findings
        )
    )
    return reply.site_inspection


async def presale(
    o: Offices,
    units: int = 2,
    county: str = "500112",
    residential: bool = True,
    area_dm2: int = 9_000,
    inspected: bool = True,
    developer: parties_pb2.Organization = DEVELOPER,
) -> tuple[str, list[str]]:
    """A building of `units` flats on presale. With `inspected` the registry's site inspection
    (CQ 21) is on record already, as if done at the joint completion acceptance, so that the
    building can be first-registered whenever a test completes it."""
    building = new_building_number(county)
    numbers = [f"{building}{n:04d}" for n in range(1, units + 1)]
    await o.housing.CreateProject(
        contract_pb.CreateProjectRequest(
            request_id=rid(),
            display_name="示例花园",
            presale_permit_number=f"渝住建预售({building[-9:]})",
            developer=developer,
            units=[
                contract_pb.ProjectUnit(
                    unit_number=n, room_label=f"{i}-01", gross_area_dm2=area_dm2, residential=residential
                )
                for i, n in enumerate(numbers, start=1)
            ],
        )
    )
    if inspected:
        await inspect_site(o, building)
    return building, numbers


async def unit_of_another_developer(o: Offices) -> str:
    """A unit on sale under another developer's permit: a filing of ours for it is refused."""
    building = new_building_number()
    unit = f"{building}0001"
    await o.housing.CreateProject(
        contract_pb.CreateProjectRequest(
            request_id=rid(),
            display_name="他人项目",
            presale_permit_number=f"渝住建预售({building[-9:]})",
            developer=parties_pb2.Organization(name="另一开发公司", uscc="91500000MA60BNK00D"),
            units=[
                contract_pb.ProjectUnit(
                    unit_number=unit, room_label="1-01", gross_area_dm2=9_000, residential=True
                )
            ],
        )
    )
    return unit


async def seized_unit(o: Offices, number: int) -> str:
    """A unit of ours on presale that a court has seized: the filing door, which reads only the
    building table, lets a filing for it in, and the contract office refuses it at the first step."""
    _, (unit,) = await presale(o, units=1)
    await seize(o, unit, number)
    return unit


@dataclasses.dataclass
class Sale:
    unit: str
    contract: contract_pb.Contract
    buyers: list
    prereg: prereg_pb.Preregistration | None = None
    premortgage: prereg_pb.Premortgage | None = None
    assessment: tax_pb.Assessment | None = None


async def file_contract(
    o: Offices,
    pki,
    unit: str,
    price_fen: int = 120_000_000,
    home_count: int = parties_pb2.HOME_COUNT_ONLY,
    area_dm2: int = 9_000,
) -> Sale:
    """A contract for `unit`, signed by the developer and two buyers (each declaring the home
    count in the terms they sign), and filed."""
    people = [buyer(pki, next_resident_id()), buyer(pki, next_resident_id())]
    terms = contract_pb.ContractTerms(
        unit_number=unit,
        developer=DEVELOPER,
        buyers=[
            parties_pb2.Buyer(
                name=f"买受人{i}",
                resident_id=p.party.removeprefix("buyers/"),
                share_basis_points=5000,
                home_count=home_count,
            )
            for i, p in enumerate(people)
        ],
        price_ex_vat_fen=price_fen,
        gross_area_dm2=area_dm2,
        with_loan=True,
        loan=parties_pb2.Loan(
            bank=BANK,
            amount_fen=price_fen * 2 // 3,
            term_months=360,
            mortgage_contract_number=f"DK-{unit[-6:]}",
        ),
    )
    contract = (
        await o.contracts.CreateContract(contract_pb.CreateContractRequest(request_id=rid(), terms=terms))
    ).contract
    for party in (developer(pki), *people):
        contract = (
            await o.contracts.SignContract(
                contract_pb.SignContractRequest(
                    request_id=rid(), name=contract.name, signature=party.signature(contract.canonical_bytes)
                )
            )
        ).contract
    contract = (
        await o.contracts.FileContract(contract_pb.FileContractRequest(request_id=rid(), name=contract.name))
    ).contract
    return Sale(unit, contract, people)


async def cancel_jointly(o: Offices, pki, sale: Sale) -> contract_pb.Contract:
    """The developer and every buyer cancel the contract (before any 预告): it has failed."""
    text = statements.cancel_contract(sale.unit, sale.contract.digest)
    joint = parties_pb2.JointConsent(signatures=[p.signature(text) for p in (developer(pki), *sale.buyers)])
    return (
        await o.contracts.CancelContract(
            contract_pb.CancelContractRequest(request_id=rid(), name=sale.contract.name, joint=joint)
        )
    ).contract


def premortgage_request(
    sale: Sale,
    amount_fen: int = 80_000_000,
    bank: parties_pb2.Organization = BANK,
    auto_register: bool = False,
) -> prereg_pb.LodgePremortgageRequest:
    """The bank's pre-mortgage of the sale, with every holder's signature over its terms."""
    loan = parties_pb2.Loan(
        bank=bank, amount_fen=amount_fen, term_months=360, mortgage_contract_number="DK-001"
    )
    text = statements.mortgage(sale.unit, loan, sale.contract.terms.buyers)
    return prereg_pb.LodgePremortgageRequest(
        request_id=rid(),
        preregistration=sale.prereg.name,
        loan=loan,
        auto_register=auto_register,
        mortgagor_signatures=[p.signature(text) for p in sale.buyers],
    )


def signed_mortgage(sale: Sale, loan: parties_pb2.Loan, unit: str | None = None):
    """A mortgage of the sale's unit by its buyers, each signing the terms (民法典 400); a
    bank's lodging waits for a clerk (`entered`)."""
    unit = unit or sale.unit
    owners = list(sale.contract.terms.buyers)
    text = statements.mortgage(unit, loan, owners)
    return mortgage_pb.LodgeMortgageRequest(
        request_id=rid(),
        unit_number=unit,
        loan=loan,
        mortgagors=owners,
        mortgagor_signatures=[p.signature(text) for p in sale.buyers],
    )


async def entered(cases: casework_service_pb2_grpc.CaseworkServiceStub, case: str) -> case_pb.Case:
    """A clerk approves the case and enters it in the book (条例 18-21)."""
    await cases.ApproveCase(case_pb.ApproveCaseRequest(request_id=rid(), name=case))
    return (await cases.RegisterCase(case_pb.RegisterCaseRequest(request_id=rid(), name=case))).case_record


async def mortgage_entered(o: Offices, request: mortgage_pb.LodgeMortgageRequest) -> mortgage_pb.Mortgage:
    """The bank lodges the mortgage; a clerk reviews and enters it; the bank reads it back."""
    lodged = await o.mortgage_as_bank.LodgeMortgage(request)
    await entered(o.mortgage_cases, lodged.case_record.name)
    return (
        await o.mortgage_as_bank.GetMortgage(mortgage_pb.GetMortgageRequest(name=lodged.mortgage.name))
    ).mortgage


async def discharge_entered(o: Offices, name: str, settlement: str) -> mortgage_pb.Mortgage:
    """The bank lodges the discharge of its repaid loan; a clerk reviews and enters it."""
    lodged = await o.mortgage_as_bank.DischargeMortgage(
        mortgage_pb.DischargeMortgageRequest(request_id=rid(), name=name, settlement_reference=settlement)
    )
    await entered(o.mortgage_cases, lodged.case_record.name)
    return (await o.mortgage_as_bank.GetMortgage(mortgage_pb.GetMortgageRequest(name=name))).mortgage


async def preregister(
    o: Offices, sale: Sale, auto: bool = True
) -> tuple[prereg_pb.Preregistration, case_pb.Case]:
    # Entered at once only when the platform files it (the orchestrator's identity); else the
    # developer lodges it for a clerk.
    stub = o.prereg_as_service if auto else o.prereg
    reply = await stub.LodgePreregistration(
        prereg_pb.LodgePreregistrationRequest(
            request_id=rid(),
            unit_number=sale.unit,
            contract=sale.contract.name,
            holders=sale.contract.terms.buyers,
            developer=DEVELOPER,
            auto_register=auto,
        )
    )
    sale.prereg = reply.preregistration
    return reply.preregistration, reply.case_record


async def premortgage(o: Offices, sale: Sale) -> prereg_pb.Premortgage:
    reply = await o.prereg_as_service.LodgePremortgage(premortgage_request(sale, auto_register=True))
    sale.premortgage = reply.premortgage
    return reply.premortgage


async def assess(o: Offices, sale: Sale) -> tax_pb.Assessment:
    """The sale's deed tax assessed on the terms its buyers signed, not paid."""
    terms = sale.contract.terms
    return (
        await o.tax.AssessDeedTax(
            tax_pb.AssessDeedTaxRequest(
                request_id=rid(),
                contract=sale.contract.name,
                unit_number=sale.unit,
                buyers=terms.buyers,
                price_ex_vat_fen=terms.price_ex_vat_fen,
                gross_area_dm2=terms.gross_area_dm2,
                home_count=terms.buyers[0].home_count,
                residential=True,
            )
        )
    ).assessment


async def pay_tax(o: Offices, sale: Sale) -> tax_pb.Assessment:
    assessment = await assess(o, sale)
    # The lending bank collects it (契税 paid through the bank that lends on the purchase).
    sale.assessment = (
        await o.tax_as_bank.RecordPayment(
            tax_pb.RecordPaymentRequest(
                request_id=rid(),
                assessment=assessment.name,
                payment=tax_pb.Payment(
                    payment_reference=f"PAY-{uuid.uuid4().hex[:12]}", amount_fen=assessment.tax_fen
                ),
            )
        )
    ).assessment
    return sale.assessment


def first_registration(
    building: str, survey: list[tuple[str, str]], auto_register: bool = True, area_dm2: int = 9_050
) -> transfer_pb.LodgeFirstRegistrationRequest:
    """The developer's first registration of `building`, its survey mapping each presale unit to
    its as-built number (the same unless renumbered), each of `area_dm2`."""
    return transfer_pb.LodgeFirstRegistrationRequest(
        request_id=rid(),
        building_number=building,
        developer=DEVELOPER,
        completion=transfer_pb.CompletionAcceptance(record_number=f"渝建竣备{building[-6:]}"),
        units=[
            transfer_pb.AsBuiltUnit(
                presale_unit_number=presale, unit_number=as_built, gross_area_dm2=area_dm2
            )
            for presale, as_built in survey
        ],
        common_parts=["物业管理用房"],
        auto_register=auto_register,
    )


async def first_register(o: Offices, building: str, units: list[str]):
    return await o.transfer_as_service.LodgeFirstRegistration(
        first_registration(building, [(u, u) for u in units])
    )


async def transfer_entered(o: Offices, sale: Sale) -> transfer_pb.Transfer:
    """The platform lodges the sale's transfer and has it entered at once (the file-once path)."""
    return (
        await o.transfer_as_service.LodgeTransfer(
            transfer_pb.LodgeTransferRequest(
                request_id=rid(), application=application(sale), auto_register=True
            )
        )
    ).transfer


def application(sale: Sale) -> transfer_pb.TransferApplication:
    return transfer_pb.TransferApplication(
        unit_number=sale.unit,
        contract=sale.contract.name,
        preregistration=sale.prereg.name,
        premortgage=sale.premortgage.name if sale.premortgage else "",
        buyers=sale.contract.terms.buyers,
        developer=DEVELOPER,
    )


def preregistration_commit(unit: str, case: str, holder: str = "buyers/360426199101010071"):
    """A pre-registration's CommitCase as its office sends it, with its proof asked for."""
    return registry_pb.CommitCaseRequest(
        request_id=rid(),
        unit_number=unit,
        registry_case=case,
        disposal=registry_pb.DISPOSAL_PREREGISTRATION,
        beneficiaries=[holder],
        new_entries=[
            registry_pb.NewEntry(
                kind=registry_pb.ENTRY_KIND_PREREGISTRATION, holders=[holder], share_basis_points=[10000]
            )
        ],
        issue_proofs=1,
    )


def seizure_end(years: int = 1) -> Timestamp:
    """The end of a seizure term `years` from now (a term is at most three years)."""
    end = Timestamp()
    end.FromDatetime(dt.datetime.now(dt.UTC) + dt.timedelta(days=365 * years))
    return end


async def seize(o: Offices, unit: str, number: int) -> None:
    await o.registry_clerk.SeizeUnit(
        registry_pb.SeizeUnitRequest(
            request_id=rid(),
            unit_number=unit,
            ruling=parties_pb2.CourtRuling(
                authority="重庆市渝北区人民法院", ruling_number=f"(2026)渝0112执{number}号"
            ),
            end_time=seizure_end(),
        )
    )


@contextlib.asynccontextmanager
async def open_offices(ports: dict[str, int], pki) -> AsyncIterator[Offices]:
    """Stubs for every office at these ports, as each real caller holds them."""
    channels = []

    def open_channel(service: str, caller: str):
        channel = client_channel(ports[service], pki, caller)
        channels.append(channel)
        return channel

    orchestrator = secure_channel(f"127.0.0.1:{ports['tax']}", pki.ca_pem, pki.service("orchestrator"))
    # The transfer service makes the register's commits in real life; tests commit as it does.
    registry_as_service = secure_channel(
        f"127.0.0.1:{ports['registry']}", pki.ca_pem, pki.service("transfer")
    )
    prereg_as_orchestrator = secure_channel(
        f"127.0.0.1:{ports['preregistration']}", pki.ca_pem, pki.service("orchestrator")
    )
    transfer_as_orchestrator = secure_channel(
        f"127.0.0.1:{ports['transfer']}", pki.ca_pem, pki.service("orchestrator")
    )
    channels += [orchestrator, registry_as_service, prereg_as_orchestrator, transfer_as_orchestrator]
    try:
        yield Offices(
            housing=contract_service_pb2_grpc.ContractServiceStub(open_channel("contract", "housing")),
            contracts=contract_service_pb2_grpc.ContractServiceStub(open_channel("contract", "developer")),
            contract_clerk=contract_service_pb2_grpc.ContractServiceStub(open_channel("contract", "clerk")),
            tax=tax_service_pb2_grpc.TaxServiceStub(orchestrator),
            tax_as_bank=tax_service_pb2_grpc.TaxServiceStub(open_channel("tax", "bank-a")),
            tax_bureau=tax_service_pb2_grpc.TaxServiceStub(open_channel("tax", "tax")),
            prereg=preregistration_service_pb2_grpc.PreregistrationServiceStub(
                open_channel("preregistration", "developer")
            ),
            prereg_as_bank=preregistration_service_pb2_grpc.PreregistrationServiceStub(
                open_channel("preregistration", "bank-a")
            ),
            prereg_as_service=preregistration_service_pb2_grpc.PreregistrationServiceStub(
                prereg_as_orchestrator
            ),
            transfer_as_service=transfer_service_pb2_grpc.TransferServiceStub(transfer_as_orchestrator),
            transfer=transfer_service_pb2_grpc.TransferServiceStub(open_channel("transfer", "developer")),
            transfer_clerk=transfer_service_pb2_grpc.TransferServiceStub(open_channel("transfer", "clerk")),
            mortgage_as_bank=mortgage_service_pb2_grpc.MortgageServiceStub(
                open_channel("mortgage", "bank-a")
            ),
            mortgage_as_other_bank=mortgage_service_pb2_grpc.MortgageServiceStub(
                open_channel("mortgage", "bank-b")
            ),
            registry=registry_service_pb2_grpc.RegistryServiceStub(registry_as_service),
            registry_clerk=registry_service_pb2_grpc.RegistryServiceStub(open_channel("registry", "clerk")),
            prereg_cases=casework_service_pb2_grpc.CaseworkServiceStub(
                open_channel("preregistration", "clerk")
            ),
            transfer_cases=casework_service_pb2_grpc.CaseworkServiceStub(open_channel("transfer", "clerk")),
            mortgage_cases=casework_service_pb2_grpc.CaseworkServiceStub(open_channel("mortgage", "clerk")),
        )
    finally:
        for channel in channels:
            await channel.close()
