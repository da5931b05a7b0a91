"""A bank's mortgage system on deedflow, in one file: sign a loan's terms, follow the event feed,
keep the mortgage proof, discharge a repaid loan.

Against a running stack (`deedflow up`, `deedflow seed`), with the development PKI's bank A, and
the filing examples/developer.py drafts (examples/README.md walks through both):

    .venv/bin/python examples/bank.py sign filing.json signature.json
    .venv/bin/python examples/bank.py follow --state bank-state --once
    .venv/bin/python examples/bank.py follow --state bank-state --repaid 500112... --exit-when-discharged

`sign` reads the purchase filing the developer sent (protobuf JSON), checks that the loan is
ours and on our terms, and writes our signature for the developer to put in `loan.bank_signature`.
`follow` follows the feed from where it last stopped (with --once, until it has read every event
so far), writes each mortgage proof it is sent to the state folder, and lodges the discharge of
the loans named by --repaid: at once for a mortgage already recorded, else once it is.
Protos: protos/deedflow/{events,mortgage,orchestrator}/v1; errors: docs/errors.md.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from pathlib import Path

import grpc
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from google.protobuf import json_format

from deedflow.events.v1 import events_service_pb2 as events_pb
from deedflow.events.v1 import events_service_pb2_grpc
from deedflow.mortgage.v1 import mortgage_service_pb2 as mortgage_pb
from deedflow.mortgage.v1 import mortgage_service_pb2_grpc
from deedflow.orchestrator.v1 import orchestrator_service_pb2 as purchase_pb
from deedflow.type.v1 import parties_pb2
from shared.config import Settings
from shared.purchase_terms import canonical_bytes
from shared.runstate import address_of

# The largest loan we grant, as a share of the price (a bank's own policy; an example figure).
MAX_LOAN_TO_PRICE = 0.8
# The order of the P-256 group: a signature's s is given in its low half, the only form the
# platform accepts (a signature and its "high-s" twin would otherwise both verify).
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
# Request ids derived from what the bank already holds, so a discharge sent again after a crash
# is the same request, answered once (every mutating RPC looks its request id up first).
DISCHARGES = uuid.UUID("6f1d0c52-5b0e-4bb9-9b8e-6a3f4d2c1e01")


class Bank:
    """Our identity: the certificate the platform's CA issued us, and our own private key. The
    certificate's deedflow:// URI names us (deedflow://bank/{USCC}); the platform trusts nothing
    a request says about who we are."""

    def __init__(self, cert_pem: bytes, key_pem: bytes, ca_pem: bytes) -> None:
        self.cert_pem, self.key_pem, self.ca_pem = cert_pem, key_pem, ca_pem
        certificate = x509.load_pem_x509_certificate(cert_pem)
        uris = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        uri = next(u for u in uris.get_values_for_type(x509.UniformResourceIdentifier))
        self.uscc = uri.rsplit("/", 1)[-1]

    @classmethod
    def load(cls, args: argparse.Namespace) -> Bank:
        """From --cert/--key/--ca (the key beside the certificate by default), or bank A of the
        development PKI `deedflow up` created."""
        pki = Settings().pki_path
        cert = Path(args.cert) if args.cert else pki / "callers" / "bank-a.pem"
        key = Path(args.key) if args.key else cert.with_suffix(".key")
        ca = Path(args.ca) if args.ca else pki / "ca.pem"
        try:
            return cls(cert.read_bytes(), key.read_bytes(), ca.read_bytes())
        except OSError as exc:
            raise SystemExit(
                f"cannot read {exc.filename}: {exc.strerror} (run `deedflow up` for the development PKI)"
            ) from None

    def channel(self, target: str) -> grpc.aio.Channel:
        credentials = grpc.ssl_channel_credentials(self.ca_pem, self.key_pem, self.cert_pem)
        return grpc.aio.secure_channel(target, credentials)

    def sign(self, data: bytes) -> parties_pb2.Signature:
        key = serialization.load_pem_private_key(self.key_pem, password=None)
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        return parties_pb2.Signature(
            signer=f"organizations/{self.uscc}",
            algorithm=parties_pb2.SIGNATURE_ALGORITHM_ECDSA_P256_SHA256,
            signature=encode_dss_signature(r, min(s, P256_ORDER - s)),
            certificate_pem=self.cert_pem.decode(),
        )


def sign_loan_terms(bank: Bank, filing: purchase_pb.PurchaseFiling) -> parties_pb2.Signature:
    """Our signature over the contract's terms, which include the loan: the same bytes the
    developer and every buyer sign (the canonical ContractTerms the proto comment describes), so
    the platform can hold each party to the one set of terms."""
    if filing.loan.bank.uscc != bank.uscc:
        raise SystemExit(f"the loan names bank {filing.loan.bank.uscc!r}, not us ({bank.uscc})")
    price = filing.price_ex_vat_fen + filing.vat_fen
    if filing.loan.amount_fen > price * MAX_LOAN_TO_PRICE:
        raise SystemExit(f"the loan is above {MAX_LOAN_TO_PRICE:.0%} of the price; we do not sign it")
    return bank.sign(canonical_bytes(filing))


class State:
    """What we keep between runs: the cursor of the last event handled, and the proofs. The cursor
    is saved after the event's work is done, so a crash repeats an event rather than losing one;
    the work is safe to repeat (same file, same request id)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._cursor = folder / "cursor"

    @property
    def cursor(self) -> str:
        return self._cursor.read_text().strip() if self._cursor.exists() else ""

    def handled(self, event: events_pb.Event) -> None:
        # Written aside and renamed: a crash leaves the old cursor or the new one, never half.
        partial = self._cursor.with_suffix(".partial")
        partial.write_text(event.cursor)
        partial.replace(self._cursor)

    def keep_proof(self, mortgage: mortgage_pb.Mortgage, document) -> Path:
        path = self.folder / f"mortgage-proof-{mortgage.name.removeprefix('mortgages/')}.json"
        path.write_text(json_format.MessageToJson(document, preserving_proto_field_name=True, sort_keys=True))
        return path


async def handle(
    event: events_pb.Event, mortgages, state: State, repaid: set[str], outstanding: set[str]
) -> None:
    kind = events_pb.EventType.Name(event.type).removeprefix("EVENT_TYPE_")
    print(f"{kind} {event.subject} {event.unit_number}", flush=True)
    if kind == "PREMORTGAGED":
        print(f"  pre-mortgage proof {event.purchase.documents.premortgage_proof_number}")
    elif kind == "PURCHASE_PARKED":
        print(f"  waiting for a registry clerk: {event.purchase.problem.message}")
    elif kind == "MORTGAGE_RECORDED":
        await on_mortgage_recorded(mortgages, state, event.unit_number, repaid)
    elif kind == "MORTGAGE_DISCHARGED":
        outstanding.discard(event.unit_number)
    state.handled(event)


async def catch_up(mortgages, state: State, repaid: set[str], outstanding: set[str]) -> None:
    """The repaid loans as they stand now: a mortgage recorded before our saved cursor has no
    event still to come, so its discharge is lodged here; one discharged already is done."""
    for unit in sorted(repaid):
        listed = await mortgages.ListMortgages(mortgage_pb.ListMortgagesRequest(unit_number=unit), timeout=30)
        states = {m.state for m in listed.mortgages}
        if mortgage_pb.MORTGAGE_STATE_REGISTERED in states:
            await on_mortgage_recorded(mortgages, state, unit, repaid)
        elif states and states <= {mortgage_pb.MORTGAGE_STATE_DISCHARGED}:
            print(f"the mortgage of {unit} is discharged", flush=True)
            outstanding.discard(unit)
        else:
            print(f"waiting for the mortgage of {unit} to be recorded", flush=True)


async def follow(
    bank: Bank, state: State, repaid: set[str], exit_when_discharged: bool, once: bool = False
) -> None:
    # Where the services are: `deedflow up` publishes each one's address under DEEDFLOW_HOME.
    settings = Settings()
    async with (
        bank.channel(address_of(settings, "orchestrator")) as feed_channel,
        bank.channel(address_of(settings, "mortgage")) as mortgage_channel,
    ):
        feed = events_service_pb2_grpc.EventServiceStub(feed_channel)
        mortgages = mortgage_service_pb2_grpc.MortgageServiceStub(mortgage_channel)
        outstanding = set(repaid)
        await catch_up(mortgages, state, repaid, outstanding)
        if exit_when_discharged and not outstanding:
            return
        if once:
            while True:
                page = await feed.ListEvents(
                    events_pb.ListEventsRequest(after_cursor=state.cursor), timeout=30
                )
                if not page.events:
                    print(f"read every event so far; cursor {state.cursor or '(start)'}", flush=True)
                    return
                for event in page.events:
                    await handle(event, mortgages, state, repaid, outstanding)
        while True:
            try:
                stream = feed.WatchEvents(events_pb.WatchEventsRequest(after_cursor=state.cursor))
                async for response in stream:
                    await handle(response.event, mortgages, state, repaid, outstanding)
                    if exit_when_discharged and not outstanding:
                        return
            except grpc.aio.AioRpcError as exc:
                # The stream ends with the server (a restart, a deploy): start again from the
                # cursor saved. Anything but an outage is ours to look at.
                if exc.code() not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED):
                    raise
                print(f"feed interrupted ({exc.code().name}); resuming", flush=True)
                await asyncio.sleep(1)


async def on_mortgage_recorded(mortgages, state: State, unit: str, repaid: set[str]) -> None:
    """Keep the registry's signed proof (不动产登记证明); lodge the discharge if the loan is repaid."""
    listed = await mortgages.ListMortgages(mortgage_pb.ListMortgagesRequest(unit_number=unit), timeout=30)
    for mortgage in listed.mortgages:
        if mortgage.state != mortgage_pb.MORTGAGE_STATE_REGISTERED:
            continue
        got = await mortgages.GetMortgage(
            mortgage_pb.GetMortgageRequest(name=mortgage.name, with_document=True), timeout=30
        )
        print(f"  proof {mortgage.proof_number} kept in {state.keep_proof(mortgage, got.proof_document)}")
        if unit in repaid:
            lodged = await mortgages.DischargeMortgage(
                mortgage_pb.DischargeMortgageRequest(
                    request_id=str(uuid.uuid5(DISCHARGES, mortgage.name)),
                    name=mortgage.name,
                    settlement_reference=f"SETTLED-{mortgage.name[-12:]}",
                ),
                timeout=30,
            )
            print(f"  discharge lodged as case {lodged.case_record.name}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for flag in ("--cert", "--key", "--ca"):
        parser.add_argument(flag, help="our certificate, key and the platform's CA (PEM files)")
    commands = parser.add_subparsers(dest="command", required=True)
    sign = commands.add_parser("sign", help="sign a loan's terms")
    sign.add_argument("filing", type=Path, help="the PurchaseFiling the developer sent, as JSON")
    sign.add_argument("signature", type=Path, help="where to write our Signature, as JSON")
    watch = commands.add_parser("follow", help="follow the feed")
    watch.add_argument("--state", type=Path, default=Path("bank-state"), help="cursor and proofs")
    watch.add_argument("--repaid", nargs="*", default=[], help="units whose loans are repaid")
    watch.add_argument("--exit-when-discharged", action="store_true", help="stop once they are")
    watch.add_argument("--once", action="store_true", help="stop when every event so far is read")
    args = parser.parse_args()
    bank = Bank.load(args)
    if args.command == "sign":
        filing = json_format.Parse(args.filing.read_text(), purchase_pb.PurchaseFiling())
        args.signature.write_text(json_format.MessageToJson(sign_loan_terms(bank, filing)))
        return 0
    asyncio.run(follow(bank, State(args.state), set(args.repaid), args.exit_when_discharged, args.once))
    return 0


if __name__ == "__main__":
    sys.exit(main())
