"""A developer's sales system on deedflow, in one file: draft the filing of a flat on sale, signed
by us and the buyer, for the bank to sign its slot of the loan; then file it, once, and follow it.

Against a running stack (`deedflow up --detach`, `deedflow seed`), with the development PKI's
developer and a buyer whose key the development CA certifies (in life, the buyer signs on their
own device and sends us the signature):

    .venv/bin/python examples/developer.py draft filing.json
    .venv/bin/python examples/bank.py sign filing.json signature.json
    .venv/bin/python examples/developer.py file filing.json signature.json

`draft` picks the first flat of the seed project still on sale and writes the filing (protobuf
JSON) with every signature but the bank's. `file` puts the bank's signature in, files the
purchase under a request id derived from our own reference (filing again is answered, not
repeated) and follows it until it waits for the building's completion.
Protos: protos/deedflow/{contract,orchestrator}/v1; what each party signs: docs/signing.md.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from pathlib import Path

from google.protobuf import json_format

import seeds
from cli.demo import Parties, party_signature
from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from deedflow.contract.v1 import contract_service_pb2_grpc
from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from deedflow.type.v1 import parties_pb2
from shared.config import Settings
from shared.grpc.channels import secure_channel
from shared.pki import Pki
from shared.purchase_terms import canonical_bytes
from shared.runstate import address_of

# Request ids derived from our own reference for the sale: a filing sent again is the same request.
FILINGS = uuid.UUID("2b9c6f41-0d7e-4c55-8a3b-1f6e9d2c7a10")
DONE = (
    pb.PURCHASE_STATE_AWAITING_COMPLETION,
    pb.PURCHASE_STATE_REJECTED,
    pb.PURCHASE_STATE_PARKED,
)


def _channel(settings: Settings, pki: Pki, service: str):
    return secure_channel(
        address_of(settings, service), pki.ca_pem, pki.caller("developer"), default_timeout=30
    )


async def draft() -> pb.PurchaseFiling | None:
    """The filing of the first flat on sale, signed by us and its buyer; None when none is."""
    settings = Settings()
    pki = Pki(settings.pki_path)
    async with _channel(settings, pki, "contract") as channel:
        on_sale = await contract_service_pb2_grpc.ContractServiceStub(channel).ListUnits(
            contract_pb.ListUnitsRequest(
                project=f"projects/{seeds.PRESALE_PERMIT}", sale_state=contract_pb.UNIT_SALE_STATE_ON_SALE
            )
        )
    if not on_sale.units:
        return None
    unit = on_sale.units[0]
    # A buyer of the seed list, chosen by the flat so that two drafts name two buyers.
    person = seeds.buyers()[(int(unit.unit_number[-4:-2]) * 4 + int(unit.unit_number[-2:])) % seeds.BUYERS]
    bank = seeds.BANKS[0]
    filing = pb.PurchaseFiling(
        unit_number=unit.unit_number,
        project=unit.project,
        developer=parties_pb2.Organization(name=seeds.DEVELOPER_NAME, uscc=seeds.DEVELOPER_USCC),
        buyers=[
            parties_pb2.Buyer(
                name=person.name,
                resident_id=person.resident_id,
                home_count=parties_pb2.HOME_COUNT_ONLY,
                share_basis_points=10_000,
            )
        ],
        price_ex_vat_fen=unit.gross_area_dm2 * 10_000,
        vat_fen=unit.gross_area_dm2 * 900,
        gross_area_dm2=unit.gross_area_dm2,
        developer_reference=f"EXAMPLE-{unit.room_label}",
        loan=parties_pb2.Loan(
            bank=parties_pb2.Organization(name=bank.name, uscc=bank.uscc),
            amount_fen=unit.gross_area_dm2 * 7_000,
            term_months=360,
            mortgage_contract_number=f"EXAMPLE-DK-{unit.room_label}",
        ),
    )
    terms = canonical_bytes(filing)
    parties = Parties(settings.home / "demo-parties", pki)
    filing.signatures.extend(
        [
            party_signature(f"organizations/{seeds.DEVELOPER_USCC}", pki.caller("developer"), terms),
            party_signature(f"buyers/{person.resident_id}", parties.buyer(person.resident_id), terms),
        ]
    )
    return filing


async def file(filing: pb.PurchaseFiling) -> int:
    """Files the purchase and follows it until it waits for its building (0) or stops (1)."""
    settings = Settings()
    pki = Pki(settings.pki_path)
    request = pb.FilePurchaseRequest(
        request_id=str(uuid.uuid5(FILINGS, filing.developer_reference)), filing=filing
    )
    async with _channel(settings, pki, "orchestrator") as channel:
        desk = orchestrator_service_pb2_grpc.PurchaseServiceStub(channel)
        purchase = (await desk.FilePurchase(request)).purchase
        print(f"filed {purchase.name} for {purchase.filing.unit_number}")
        async for change in desk.WatchPurchase(pb.WatchPurchaseRequest(name=purchase.name)):
            state = pb.PurchaseState.Name(change.purchase.state).removeprefix("PURCHASE_STATE_")
            print(f"  version {change.purchase.version}: {state}")
            if change.purchase.state in DONE:
                return 0 if change.purchase.state == pb.PURCHASE_STATE_AWAITING_COMPLETION else 1
    return 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    drafting = commands.add_parser("draft", help="draft a filing for a flat on sale")
    drafting.add_argument("filing", type=Path, help="where to write the filing, as JSON")
    filing = commands.add_parser("file", help="file a drafted filing with the bank's signature")
    filing.add_argument("filing", type=Path, help="the drafted filing (JSON)")
    filing.add_argument("signature", type=Path, help="the bank's signature (JSON)")
    args = parser.parse_args()
    if args.command == "draft":
        drafted = asyncio.run(draft())
        if drafted is None:
            print("no flat of the seed project is on sale (run `deedflow seed`)", file=sys.stderr)
            return 1
        args.filing.write_text(json_format.MessageToJson(drafted))
        print(f"drafted the filing of {drafted.unit_number} for {drafted.buyers[0].name}: {args.filing}")
        return 0
    drafted = json_format.Parse(args.filing.read_text(), pb.PurchaseFiling())
    json_format.Parse(args.signature.read_text(), drafted.loan.bank_signature)
    return asyncio.run(file(drafted))


if __name__ == "__main__":
    sys.exit(main())
