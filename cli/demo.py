"""`make demo`: two purchases filed once and carried to handover through every office.

The demo plays the developer's sales system, the buyers, the bank and a clerk. The simulated
parties' signing keys live in $DEEDFLOW_HOME/demo-parties, which only this client reads: no
service ever holds a party's private key.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import grpc
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from grpc_status import rpc_status
from rich.console import Console
from rich.table import Table

import seeds
from cli.seed import load as load_seeds
from cli.tables import show_table
from client import verifier, witnesses
from client.paper.pdf import render
from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from deedflow.contract.v1 import contract_service_pb2_grpc
from deedflow.mortgage.v1 import mortgage_service_pb2 as mortgage_pb
from deedflow.mortgage.v1 import mortgage_service_pb2_grpc
from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from deedflow.registry.v1 import registry_service_pb2 as registry_pb
from deedflow.registry.v1 import registry_service_pb2_grpc
from deedflow.tax.v1 import tax_service_pb2 as tax_pb
from deedflow.tax.v1 import tax_service_pb2_grpc
from deedflow.transfer.v1 import transfer_service_pb2 as transfer_pb
from deedflow.transfer.v1 import transfer_service_pb2_grpc
from deedflow.type.v1 import parties_pb2
from shared.config import Settings
from shared.cosignature import parse_cosigner_key, verify_cosignatures
from shared.documents import to_file
from shared.grpc.channels import secure_channel
from shared.grpc.status import error_info
from shared.ids import display_unit_number
from shared.logging import mask_personal_ids
from shared.money import yuan
from shared.pki import CertPair, Pki, issue_leaf
from shared.purchase_terms import canonical_bytes
from shared.runstate import address_of
from shared.runtime import load_pki
from shared.signed_note import split
from shared.signing import Algorithm, sign
from shared.timestamps import CHINA, china_time

# Wide enough for the register table when the output is a pipe (make demo), not a terminal.
console = Console(width=140)


class Parties:
    """Buyers' keys and certificates, kept apart from the platform in demo-parties/."""

    def __init__(self, folder: Path, pki: Pki) -> None:
        self.folder = folder
        self.pki = pki

    def buyer(self, resident_id: str) -> CertPair:
        cert_path, key_path = self.folder / f"{resident_id}.pem", self.folder / f"{resident_id}.key"
        if not cert_path.exists():
            ca_cert = x509.load_pem_x509_certificate(self.pki.ca_pem)
            ca_key = serialization.load_pem_private_key(
                (self.pki.root / "ca.key").read_bytes(), password=None
            )
            pair = issue_leaf(
                ca_cert,
                ca_key,
                f"buyer {resident_id[-4:]}",
                [x509.UniformResourceIdentifier(f"deedflow://buyer/{resident_id}")],
            )
            self.folder.mkdir(parents=True, exist_ok=True)
            key_path.write_bytes(pair.key_pem)
            key_path.chmod(0o600)
            cert_path.write_bytes(pair.cert_pem)
        return CertPair(cert_path.read_bytes(), key_path.read_bytes())


def party_signature(signer: str, pair: CertPair, data: bytes) -> parties_pb2.Signature:
    """A party's ECDSA signature over `data`, made with the key only this client holds."""
    return parties_pb2.Signature(
        signer=signer,
        algorithm=parties_pb2.SIGNATURE_ALGORITHM_ECDSA_P256_SHA256,
        signature=sign(Algorithm.ECDSA_P256_SHA256, pair.key_pem, data),
        certificate_pem=pair.cert_pem.decode(),
    )


def filing_for(
    unit: contract_pb.Unit, people: list[seeds.SeedBuyer], parties: Parties, pki: Pki, bank: seeds.Bank | None
):
    share = 10_000 // len(people)
    filing = pb.PurchaseFiling(
        unit_number=unit.unit_number,
        project=unit.project,
        developer=parties_pb2.Organization(name=seeds.DEVELOPER_NAME, uscc=seeds.DEVELOPER_USCC),
        buyers=[
            parties_pb2.Buyer(
                name=p.name,
                resident_id=p.resident_id,
                home_count=parties_pb2.HOME_COUNT_ONLY,
                share_basis_points=share + (10_000 - share * len(people) if i == 0 else 0),
            )
            for i, p in enumerate(people)
        ],
        price_ex_vat_fen=unit.gross_area_dm2 * 10_000,  # ¥10,000 per m² = 10,000 fen per dm²
        vat_fen=unit.gross_area_dm2 * 900,  # 9 % VAT
        gross_area_dm2=unit.gross_area_dm2,
        developer_reference=f"DEMO-{unit.room_label}",
    )
    if bank is not None:
        filing.loan.CopyFrom(
            parties_pb2.Loan(
                bank=parties_pb2.Organization(name=bank.name, uscc=bank.uscc),
                amount_fen=filing.price_ex_vat_fen * 7 // 10,
                term_months=360,
                mortgage_contract_number=f"DEMO-DK-{unit.room_label}",
            )
        )
    data = canonical_bytes(filing)
    filing.signatures.append(
        party_signature(f"organizations/{seeds.DEVELOPER_USCC}", pki.caller("developer"), data)
    )
    for person in people:
        filing.signatures.append(
            party_signature(f"buyers/{person.resident_id}", parties.buyer(person.resident_id), data)
        )
    if bank is not None:
        filing.loan.bank_signature.CopyFrom(
            party_signature(f"organizations/{bank.uscc}", pki.caller(bank.stem), data)
        )
    return filing


async def follow(stub, name: str, *states: int) -> pb.Purchase:
    async with asyncio.timeout(120):
        async for change in stub.WatchPurchase(pb.WatchPurchaseRequest(name=name)):
            if change.purchase.state in states:
                return change.purchase
    raise RuntimeError(f"{name} ended before reaching {states}")


def _time(stamp) -> str:
    """A step's time of day in Beijing time, to the millisecond: the timeline shows how fast."""
    if not stamp.seconds and not stamp.nanos:
        return "-"
    return stamp.ToDatetime(tzinfo=dt.UTC).astimezone(CHINA).strftime("%H:%M:%S.%f")[:-3]


def _moment(stamp) -> str:
    if not stamp.seconds and not stamp.nanos:
        return "-"
    return china_time(stamp.ToDatetime(tzinfo=dt.UTC))


def timeline(purchase: pb.Purchase) -> Table:
    table = Table(title=f"Timeline of {purchase.name} ({display_unit_number(purchase.filing.unit_number)})")
    for column in ("step", "state", "started (+08:00)", "ended (+08:00)", "attempts"):
        table.add_column(column)
    for step in purchase.steps:
        table.add_row(
            pb.StepKind.Name(step.kind).removeprefix("STEP_KIND_"),
            pb.StepState.Name(step.state).removeprefix("STEP_STATE_"),
            _time(step.start_time),
            _time(step.end_time),
            str(step.attempts),
        )
    return table


def key_values(title: str, rows: list[tuple[str, str]]) -> Table:
    table = Table(title=title, show_header=False)
    for key, value in rows:
        table.add_row(key, value)
    return table


@dataclass(frozen=True)
class Offices:
    """The demo's stubs, each over the channel of the party that calls it."""

    desk: orchestrator_service_pb2_grpc.PurchaseServiceStub
    contracts: contract_service_pb2_grpc.ContractServiceStub
    # The lending bank collects a financed purchase's deed tax, the tax bureau a cash one's.
    tax: tax_service_pb2_grpc.TaxServiceStub
    bureau: tax_service_pb2_grpc.TaxServiceStub
    transfer: transfer_service_pb2_grpc.TransferServiceStub
    mortgages: mortgage_service_pb2_grpc.MortgageServiceStub
    registry: registry_service_pb2_grpc.RegistryServiceStub
    inspector: transfer_service_pb2_grpc.TransferServiceStub


async def run() -> int:
    settings = Settings()
    pki = load_pki(settings)
    parties = Parties(settings.home / "demo-parties", pki)
    project = await load_seeds(settings, pki)
    console.print(f"[bold]Seed project[/bold] {project.display_name}, permit {project.presale_permit_number}")

    def channel(service: str, identity: CertPair):
        return secure_channel(address_of(settings, service), pki.ca_pem, identity, default_timeout=30)

    developer_id, bank = pki.caller("developer"), seeds.BANKS[0]
    async with (
        channel("orchestrator", developer_id) as desk_channel,
        channel("contract", developer_id) as contract_channel,
        channel("tax", pki.caller(bank.stem)) as tax_channel,
        channel("tax", pki.caller("tax")) as bureau_channel,
        channel("transfer", developer_id) as transfer_channel,
        channel("mortgage", pki.caller(bank.stem)) as mortgage_channel,
        channel("registry", pki.caller("clerk")) as registry_channel,
        channel("transfer", pki.caller("clerk")) as inspector_channel,
    ):
        offices = Offices(
            desk=orchestrator_service_pb2_grpc.PurchaseServiceStub(desk_channel),
            contracts=contract_service_pb2_grpc.ContractServiceStub(contract_channel),
            tax=tax_service_pb2_grpc.TaxServiceStub(tax_channel),
            bureau=tax_service_pb2_grpc.TaxServiceStub(bureau_channel),
            transfer=transfer_service_pb2_grpc.TransferServiceStub(transfer_channel),
            mortgages=mortgage_service_pb2_grpc.MortgageServiceStub(mortgage_channel),
            registry=registry_service_pb2_grpc.RegistryServiceStub(registry_channel),
            inspector=transfer_service_pb2_grpc.TransferServiceStub(inspector_channel),
        )
        return await _purchase_to_handover(offices, settings, project, parties, pki, bank)


async def _purchase_to_handover(
    offices: Offices, settings: Settings, project, parties: Parties, pki: Pki, bank: seeds.Bank
) -> int:
    """Files two purchases, refuses a second buyer, pays, completes the building, hands over,
    and shows and writes the documents."""
    building = seeds.BUILDINGS[0]
    on_sale = (
        await offices.contracts.ListUnits(
            contract_pb.ListUnitsRequest(
                project=project.name,
                building_number=building,
                sale_state=contract_pb.UNIT_SALE_STATE_ON_SALE,
                page_size=2,
            )
        )
    ).units
    if len(on_sale) < 2:
        console.print(
            "[red]building 1 has no two flats left on sale; remove .deedflow/ to start afresh[/red]"
        )
        return 1
    people = seeds.buyers()
    # Different seed buyers for different flats, so a second run buys with other people.
    offset = (int(on_sale[0].unit_number[-4:-2]) * 4 + int(on_sale[0].unit_number[-2:])) * 4 % 196
    plans = [
        (on_sale[0], people[offset : offset + 2], bank),  # two co-buyers with a mortgage loan
        (on_sale[1], people[offset + 2 : offset + 3], None),  # one buyer paying in full
    ]
    filed = [await _file(offices.desk, unit, buyers, parties, pki, lender) for unit, buyers, lender in plans]
    waiting = [await follow(offices.desk, p.name, pb.PURCHASE_STATE_AWAITING_COMPLETION) for p in filed]
    console.print("contract filed, deed tax assessed, 预告 (and 预抵押) entered; waiting for completion")
    late = filing_for(on_sale[0], people[offset + 3 : offset + 4], parties, pki, None)
    if not await _second_buyer_refused(offices.desk, late):
        return 1
    await _pay(offices, waiting)
    await _complete(offices, building)
    ready = [await follow(offices.desk, p.name, pb.PURCHASE_STATE_CERTIFICATE_READY) for p in filed]
    # The developer fetches the certificate to hand over with the keys: once the handover is
    # confirmed it is the owners', and the seller reads it no more.
    issued = await offices.transfer.GetCertificate(
        transfer_pb.GetCertificateRequest(
            name=f"certificates/{ready[0].documents.certificate_numbers[0]}", with_document=True
        )
    )
    handed = [
        (
            await offices.desk.ConfirmHandover(
                pb.ConfirmHandoverRequest(request_id=str(uuid.uuid4()), name=p.name)
            )
        ).purchase
        for p in ready
    ]
    console.print(f"handed over with the certificate: {', '.join(p.name for p in handed)}")
    await _show_handed_over(offices, settings, handed[0], issued)
    return 0


async def _show_handed_over(
    offices: Offices, settings: Settings, shown: pb.Purchase, issued: transfer_pb.GetCertificateResponse
) -> None:
    """The purchase's timeline, its certificate and its witnesses, the bank's proof and the unit's
    history; the documents written for offline checks."""
    show_table(timeline(shown), console)
    show_table(_certificate_table(issued.certificate), console)
    _show_witnessed(issued.document, settings)
    proof = await _show_proof(offices.mortgages, shown.filing.unit_number)
    await _show_history(offices.registry, shown.filing.unit_number)
    _write_documents(settings, issued.document, proof.proof_document)


async def _file(desk, unit, buyers, parties: Parties, pki: Pki, lender) -> pb.Purchase:
    filing = filing_for(unit, buyers, parties, pki, lender)
    reply = await desk.FilePurchase(pb.FilePurchaseRequest(request_id=str(uuid.uuid4()), filing=filing))
    console.print(
        f"filed {reply.purchase.name}: {unit.room_label} for {', '.join(b.name for b in buyers)}"
        f" {'with a loan from ' + lender.name if lender else 'paid in full'}"
    )
    return reply.purchase


async def _second_buyer_refused(desk, late: pb.PurchaseFiling) -> bool:
    """A second buyer for the first flat is refused, with the reason."""
    try:
        await desk.FilePurchase(pb.FilePurchaseRequest(request_id=str(uuid.uuid4()), filing=late))
    except grpc.aio.AioRpcError as exc:
        info = error_info(rpc_status.from_call(exc))
        console.print(
            f"refused as it should be: {exc.code().name} {info.reason if info else ''}: {exc.details()}"
        )
        return True
    console.print("[red]a second buyer was accepted for a sold flat[/red]")
    return False


async def _pay(offices: Offices, waiting: list[pb.Purchase]) -> None:
    for purchase in waiting:
        await (offices.tax if purchase.filing.HasField("loan") else offices.bureau).RecordPayment(
            tax_pb.RecordPaymentRequest(
                request_id=str(uuid.uuid4()),
                assessment=purchase.documents.tax_assessment,
                payment=tax_pb.Payment(
                    payment_reference=f"DEMO-{uuid.uuid4().hex[:12]}",
                    amount_fen=purchase.documents.tax_fen,
                ),
            )
        )
    console.print("deed tax paid")


async def _complete(offices: Offices, building: str) -> None:
    """The registry's site inspection, then the developer's completion of the building."""
    inspection = (
        await offices.inspector.RecordSiteInspection(
            transfer_pb.RecordSiteInspectionRequest(
                request_id=str(uuid.uuid4()),
                building_number=building,
                outcome=transfer_pb.SITE_INSPECTION_OUTCOME_AS_DESCRIBED,
                findings="现场与竣工验收及实测成果一致",
            )
        )
    ).site_inspection
    console.print(f"the registry inspected the site (实地查看, CQ 21): {inspection.name}")
    completion = (
        await offices.desk.CompleteBuilding(
            pb.CompleteBuildingRequest(
                request_id=str(uuid.uuid4()),
                building_number=building,
                completion_record_number="渝建竣备(2026)测试001号",
                common_parts=["物业管理用房", "消防控制室"],
            )
        )
    ).completion
    console.print(f"building completed and first-registered: {completion.first_registration_case}")


def _certificate_table(certificate: transfer_pb.Certificate) -> Table:
    return key_values(
        "不动产权证书 (certificate)",
        [
            ("number", certificate.certificate_number),
            ("unit", display_unit_number(certificate.unit_number)),
            ("owners", "; ".join(f"{o.name} {o.share_basis_points / 100:.0f}%" for o in certificate.owners)),
            ("address", certificate.address),
            ("area", f"{certificate.gross_area_dm2 / 100:.2f} m²"),
            ("right", f"{certificate.right_type} ({certificate.right_source})"),
            ("encumbrances", "; ".join(certificate.encumbrances) or "-"),
            ("entered (登簿)", _moment(certificate.register_time)),
        ],
    )


async def _show_proof(mortgages, unit_number: str) -> mortgage_pb.GetMortgageResponse:
    """The bank's mortgage proof of the unit, shown; returned with its sealed document."""
    listed = (
        await mortgages.ListMortgages(mortgage_pb.ListMortgagesRequest(unit_number=unit_number))
    ).mortgages[0]
    proof = await mortgages.GetMortgage(mortgage_pb.GetMortgageRequest(name=listed.name, with_document=True))
    mortgage = proof.mortgage
    rows = [
        ("number", mortgage.proof_number),
        ("mortgagee", mortgage.loan.bank.name),
        ("amount", yuan(mortgage.loan.amount_fen)),
        ("ranks from (pre-mortgage date)", _moment(mortgage.priority_time)),
        ("entered", _moment(mortgage.register_time)),
    ]
    show_table(key_values("不动产登记证明 (the bank's mortgage proof)", rows), console)
    return proof


async def _show_history(registry, unit_number: str) -> None:
    history = (await registry.ListEntries(registry_pb.ListEntriesRequest(unit_number=unit_number))).entries
    table = Table(title=f"Register history of {display_unit_number(unit_number)}")
    for column in ("#", "entry", "state", "holders", "entered", "case"):
        table.add_column(column)
    for entry in history:
        table.add_row(
            str(entry.sequence),
            registry_pb.EntryKind.Name(entry.kind).removeprefix("ENTRY_KIND_"),
            registry_pb.EntryState.Name(entry.state).removeprefix("ENTRY_STATE_"),
            mask_personal_ids(", ".join(entry.holders)),
            _moment(entry.entry_time),
            entry.created_by_case,
        )
    show_table(table, console)


def _show_witnessed(document, settings: Settings) -> None:
    """The witnesses' cosignatures of the checkpoint the certificate rests on, as a relying party
    who trusts them (witnesses.json) verifies them."""
    kept = witnesses.load(settings.pki_path)
    text, lines = split(document.checkpoint_note.encode())
    cosigned = verify_cosignatures(text, lines, [parse_cosigner_key(k) for k in kept.keys])
    rows = [
        (c.cosigner.name, f"cosigned {china_time(dt.datetime.fromtimestamp(c.timestamp, dt.UTC))}")
        for c in cosigned
    ]
    rows.append(("quorum", f"{len(cosigned)} of {len(kept.keys)} cosigned; {kept.quorum} required"))
    title = f"见证 (witnesses of the checkpoint, tree size {document.checkpoint.tree_size})"
    show_table(key_values(title, rows), console)


def _write_documents(settings: Settings, certificate, proof) -> None:
    """The buyer's certificate and the bank's proof as the registry sealed them: files each party
    keeps and anyone verifies offline with the registry's public key alone."""
    folder = settings.home / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "certificate.json").write_text(to_file(certificate))
    (folder / "mortgage-proof.json").write_text(to_file(proof))
    (folder / "certificate.pdf").write_bytes(render(certificate))
    (folder / "mortgage-proof.pdf").write_bytes(render(proof))
    trust = verifier.Trust.of_folder(
        settings.pki_path, settings.pki_path.joinpath("registry-log.pub").read_bytes()
    )
    page = verifier.write(folder / "verifier", trust)
    console.print(
        f"signed documents written to {folder}: certificate.json and .pdf, mortgage-proof.json and .pdf"
    )
    console.print(
        f"to check them in a browser, open {page} and drop a PDF or JSON on it"
        " (or run `deedflow verifier` and open the address it prints)"
    )


def main() -> None:
    sys.exit(asyncio.run(run()))


if __name__ == "__main__":
    main()
