"""Object-level trust on a real purchase: another developer or bank neither sees nor touches it
(NOT_FOUND, so existence does not leak), personal IDs in the register are masked for non-officials,
and the certificate and the bank's proof come as signed documents that verify offline."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import grpc
import pytest

from deedflow.casework.v1 import casework_service_pb2 as case_pb
from deedflow.casework.v1 import casework_service_pb2_grpc
from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from deedflow.contract.v1 import contract_service_pb2_grpc
from deedflow.mortgage.v1 import mortgage_service_pb2 as mortgage_pb
from deedflow.mortgage.v1 import mortgage_service_pb2_grpc
from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from deedflow.preregistration.v1 import preregistration_service_pb2 as prereg_pb
from deedflow.preregistration.v1 import preregistration_service_pb2_grpc
from deedflow.registry.v1 import registry_service_pb2 as registry_pb
from deedflow.registry.v1 import registry_service_pb2_grpc
from deedflow.transfer.v1 import transfer_service_pb2 as transfer_pb
from deedflow.transfer.v1 import transfer_service_pb2_grpc
from shared.documents import from_file, load_public_key, to_file, verify_document
from tests.flows import cancelling_ruling, presale, refused, rid
from tests.purchases import signed_filing, to_certificate
from tests.support import client_channel

STUBS = {
    "orchestrator": orchestrator_service_pb2_grpc.PurchaseServiceStub,
    "contract": contract_service_pb2_grpc.ContractServiceStub,
    "preregistration": preregistration_service_pb2_grpc.PreregistrationServiceStub,
    "transfer": transfer_service_pb2_grpc.TransferServiceStub,
    "mortgage": mortgage_service_pb2_grpc.MortgageServiceStub,
    "registry": registry_service_pb2_grpc.RegistryServiceStub,
}


@dataclass(frozen=True)
class Sold:
    purchase: pb.Purchase
    mortgage: str


@pytest.fixture(scope="module")
async def desks(services, pki):
    """stub(caller, service): each service's stub as each development caller."""
    async with contextlib.AsyncExitStack() as stack:
        cache = {}

        async def stub(caller: str, service: str):
            if (caller, service) not in cache:
                channel = await stack.enter_async_context(
                    client_channel(services[service].server.port, pki, caller)
                )
                cache[caller, service] = STUBS[service](channel)
            return cache[caller, service]

        yield stub


@pytest.fixture(scope="module")
async def sold(offices, pki, desks) -> Sold:
    """One purchase with bank A's loan, carried to the certificate, by developer A."""
    ready, unit = await to_certificate(offices, pki, await desks("developer", "orchestrator"))
    bank = await desks("bank-a", "mortgage")
    mortgages = (await bank.ListMortgages(mortgage_pb.ListMortgagesRequest(unit_number=unit))).mortgages
    return Sold(ready, mortgages[0].name)


def _certificate_name(sold: Sold) -> str:
    return f"certificates/{sold.purchase.documents.certificate_numbers[0]}"


async def test_another_developer_neither_reads_nor_cancels_the_purchase(sold, desks):
    other = await desks("developer-b", "orchestrator")
    name = sold.purchase.name
    assert (await refused(other.GetPurchase(pb.GetPurchaseRequest(name=name))))[
        0
    ] == grpc.StatusCode.NOT_FOUND
    # Attack 2: a ruling is two strings a party types; only a clerk enters one.
    ruling = cancelling_ruling("(2026)渝0112民初1号")
    for desk in (other, await desks("developer", "orchestrator")):
        refusal = await refused(
            desk.CancelPurchase(pb.CancelPurchaseRequest(request_id=rid(), name=name, court_ruling=ruling))
        )
        assert refusal == (grpc.StatusCode.PERMISSION_DENIED, "RULING_NEEDS_CLERK")
    listed = (await other.ListPurchases(pb.ListPurchasesRequest())).purchases
    assert name not in [p.name for p in listed]
    # The seller still sees it, unchanged.
    seller = await desks("developer", "orchestrator")
    still = (await seller.GetPurchase(pb.GetPurchaseRequest(name=name))).purchase
    assert still.state == pb.PURCHASE_STATE_CERTIFICATE_READY


async def test_another_developer_sees_none_of_the_records_behind_it(sold, desks):
    documents = sold.purchase.documents
    contracts = await desks("developer-b", "contract")
    prereg = await desks("developer-b", "preregistration")
    transfer = await desks("developer-b", "transfer")
    for call in (
        contracts.GetContract(contract_pb.GetContractRequest(name=documents.contract)),
        contracts.CancelContract(
            contract_pb.CancelContractRequest(request_id=rid(), name=documents.contract)
        ),
        prereg.GetPreregistration(prereg_pb.GetPreregistrationRequest(name=documents.preregistration)),
        transfer.GetTransfer(transfer_pb.GetTransferRequest(name=documents.transfer)),
        transfer.GetCertificate(transfer_pb.GetCertificateRequest(name=_certificate_name(sold))),
    ):
        assert (await refused(call))[0] == grpc.StatusCode.NOT_FOUND
    seller = await desks("developer", "contract")
    contract = (await seller.GetContract(contract_pb.GetContractRequest(name=documents.contract))).contract
    assert contract.name == documents.contract


async def test_another_bank_neither_reads_nor_discharges_the_mortgage(sold, desks):
    other = await desks("bank-b", "mortgage")
    for call in (
        other.GetMortgage(mortgage_pb.GetMortgageRequest(name=sold.mortgage)),
        other.DischargeMortgage(
            mortgage_pb.DischargeMortgageRequest(
                request_id=rid(), name=sold.mortgage, settlement_reference="X"
            )
        ),
    ):
        assert (await refused(call))[0] == grpc.StatusCode.NOT_FOUND
    unit = sold.purchase.filing.unit_number
    assert not (await other.ListMortgages(mortgage_pb.ListMortgagesRequest(unit_number=unit))).mortgages
    other_prereg = await desks("bank-b", "preregistration")
    code, _ = await refused(
        other_prereg.GetPremortgage(prereg_pb.GetPremortgageRequest(name=sold.purchase.documents.premortgage))
    )
    assert code == grpc.StatusCode.NOT_FOUND
    mortgagee = await desks("bank-a", "mortgage")
    mortgage = (await mortgagee.GetMortgage(mortgage_pb.GetMortgageRequest(name=sold.mortgage))).mortgage
    assert mortgage.state == mortgage_pb.MORTGAGE_STATE_REGISTERED


async def test_a_party_acts_only_in_its_own_name(offices, pki, desks):
    _, (unit, _) = await presale(offices)
    filing, _ = signed_filing(pki, unit, with_loan=True)
    code, reason = await refused(
        (await desks("developer-b", "orchestrator")).FilePurchase(
            pb.FilePurchaseRequest(request_id=rid(), filing=filing)
        )
    )
    assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "DEVELOPER_MISMATCH")
    bank_b = await desks("bank-b", "mortgage")
    code, reason = await refused(
        bank_b.LodgeMortgage(
            mortgage_pb.LodgeMortgageRequest(
                request_id=rid(), unit_number=unit, loan=filing.loan, mortgagors=filing.buyers
            )
        )
    )
    assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "BANK_MISMATCH")


async def test_buyers_ids_in_the_register_are_masked_except_for_officials(sold, desks):
    unit = sold.purchase.filing.unit_number
    request = registry_pb.GetUnitRequest(unit_number=unit)
    developer_view = (await (await desks("developer", "registry")).GetUnit(request)).unit
    clerk_view = (await (await desks("clerk", "registry")).GetUnit(request)).unit
    buyers = {f"buyers/{b.resident_id}" for b in sold.purchase.filing.buyers}
    clerk_holders = {h for e in clerk_view.entries for h in e.holders}
    developer_holders = {h for e in developer_view.entries for h in e.holders}
    assert buyers <= clerk_holders
    assert not buyers & developer_holders
    assert any(h.startswith("buyers/") and "*" in h for h in developer_holders)


async def test_the_certificate_verifies_offline_and_any_changed_byte_fails(sold, desks, pki):
    transfer = await desks("developer", "transfer")
    issued = await transfer.GetCertificate(
        transfer_pb.GetCertificateRequest(name=_certificate_name(sold), with_document=True)
    )
    public_key = load_public_key(pki.registry_public_key_path.read_bytes())
    document = from_file(to_file(issued.document))  # as a party keeps it: a file
    result = verify_document(document, public_key)
    assert result.ok, result.failures
    assert result.content["number"] == issued.certificate.certificate_number
    assert result.content["holders"] == [f"buyers/{b.resident_id}" for b in sold.purchase.filing.buyers]

    def changed(field: str, at: int) -> bool:
        copy = type(document)()
        copy.CopyFrom(document)
        if field == "audit_path":
            path = bytearray(copy.audit_path[0])
            path[at] ^= 1
            copy.audit_path[0] = bytes(path)
        elif field == "root_hash":
            root = bytearray(copy.checkpoint.root_hash)
            root[at] ^= 1
            copy.checkpoint.root_hash = bytes(root)
        else:
            data = bytearray(getattr(copy, field))
            data[at] ^= 1
            setattr(copy, field, bytes(data))
        return not verify_document(copy, public_key).ok

    for field in ("content", "leaf", "seal"):
        for at in (0, len(getattr(document, field)) // 2, len(getattr(document, field)) - 1):
            assert changed(field, at), (field, at)
    assert changed("audit_path", 0)
    assert changed("root_hash", 5)
    other_key = bytes(32 * [1])
    assert not verify_document(document, other_key).ok


async def test_the_bank_receives_its_mortgage_proof_as_a_signed_document(sold, desks, pki):
    bank = await desks("bank-a", "mortgage")
    reply = await bank.GetMortgage(mortgage_pb.GetMortgageRequest(name=sold.mortgage, with_document=True))
    result = verify_document(reply.proof_document, load_public_key(pki.registry_public_key_path.read_bytes()))
    assert result.ok, result.failures
    assert result.content["kind"] == "proof"
    assert result.content["number"] == reply.mortgage.proof_number
    assert result.content["holders"] == [f"organizations/{reply.mortgage.loan.bank.uscc}"]
    assert result.content["entry"] == reply.mortgage.entry


async def test_cases_are_shown_to_officials_and_their_applicants_only(sold, services, pki):
    unit = sold.purchase.filing.unit_number
    port = services["preregistration"].server.port
    listing = case_pb.ListCasesRequest(unit_number=unit, states=[case_pb.CASE_STATE_ISSUED])
    async with (
        client_channel(port, pki, "clerk") as clerk_channel,
        client_channel(port, pki, "developer") as seller_channel,
        client_channel(port, pki, "developer-b") as other_channel,
    ):
        clerk = casework_service_pb2_grpc.CaseworkServiceStub(clerk_channel)
        seller = casework_service_pb2_grpc.CaseworkServiceStub(seller_channel)
        other = casework_service_pb2_grpc.CaseworkServiceStub(other_channel)
        cases = (await clerk.ListCases(listing)).cases
        preregistration = next(c for c in cases if c.kind == case_pb.CASE_KIND_PREREGISTRATION)
        assert any(a.startswith("buyers/") for a in preregistration.applicants)
        assert preregistration.name in [c.name for c in (await seller.ListCases(listing)).cases]
        assert (await seller.GetCase(case_pb.GetCaseRequest(name=preregistration.name))).case_record.name
        assert not (await other.ListCases(listing)).cases
        for call in (
            other.GetCase(case_pb.GetCaseRequest(name=preregistration.name)),
            other.WithdrawCase(case_pb.WithdrawCaseRequest(request_id=rid(), name=preregistration.name)),
        ):
            assert (await refused(call))[0] == grpc.StatusCode.NOT_FOUND
