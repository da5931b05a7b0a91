"""Who reads a certificate (不动产权证书) and a mortgage proof (不动产登记证明), by calls (issue 31):
officials always; the seller until the certificate is released at handover (交房即交证), then
no more; each owner, with the buyer certificate of their own key, for their own certificate and
proof, for ever; nobody else (another buyer, another developer, the lending bank for the
certificate). docs/authorization.md states the same rules, generated from the same code."""

from __future__ import annotations

import contextlib

import grpc
import pytest

from deedflow.mortgage.v1 import mortgage_service_pb2 as mortgage_pb
from deedflow.mortgage.v1 import mortgage_service_pb2_grpc
from deedflow.orchestrator.v1 import orchestrator_service_pb2 as pb
from deedflow.orchestrator.v1 import orchestrator_service_pb2_grpc
from deedflow.preregistration.v1 import preregistration_service_pb2 as prereg_pb
from deedflow.preregistration.v1 import preregistration_service_pb2_grpc
from deedflow.transfer.v1 import transfer_service_pb2 as transfer_pb
from deedflow.transfer.v1 import transfer_service_pb2_grpc
from shared.grpc.channels import secure_channel
from tests.flows import next_resident_id, presale, refused, rid
from tests.parties import buyer
from tests.purchases import complete, file_purchase, pay, signed_filing, until
from tests.support import client_channel

NOT_FOUND = grpc.StatusCode.NOT_FOUND


@pytest.fixture(scope="module")
async def developer_desk(services, pki):
    async with client_channel(services["orchestrator"].server.port, pki, "developer") as channel:
        yield orchestrator_service_pb2_grpc.PurchaseServiceStub(channel)


@contextlib.asynccontextmanager
async def readers(services, pki, identities: dict):
    """(transfer, mortgage) stubs per identity: a development PKI caller's stem, or a CertPair."""
    async with contextlib.AsyncExitStack() as stack:
        stubs = {}
        for who, identity in identities.items():
            pair = pki.caller(identity) if isinstance(identity, str) else identity
            opened = [
                await stack.enter_async_context(
                    secure_channel(
                        f"127.0.0.1:{services[office].server.port}", pki.ca_pem, pair, default_timeout=10
                    )
                )
                for office in ("transfer", "mortgage")
            ]
            stubs[who] = (
                transfer_service_pb2_grpc.TransferServiceStub(opened[0]),
                mortgage_service_pb2_grpc.MortgageServiceStub(opened[1]),
            )
        yield stubs


async def _found(call) -> bool:
    """Whether the read found its record with its document: False when it does not exist for
    the caller (NOT_FOUND); any other refusal fails the test."""
    try:
        reply = await call
    except grpc.aio.AioRpcError as error:
        if error.code() == NOT_FOUND:
            return False
        raise
    document = (
        reply.document if isinstance(reply, transfer_pb.GetCertificateResponse) else reply.proof_document
    )
    return document.content != b""


async def _reads(stubs, unit: str, certificate: str, mortgage: str) -> dict[str, bool]:
    """What one caller reads: the certificate by name and in the unit's list, the proof by name
    and in the unit's list."""
    transfer, mortgages = stubs
    listed = await transfer.ListCertificates(transfer_pb.ListCertificatesRequest(unit_number=unit))
    listed_mortgages = await mortgages.ListMortgages(mortgage_pb.ListMortgagesRequest(unit_number=unit))
    return {
        "certificate": await _found(
            transfer.GetCertificate(transfer_pb.GetCertificateRequest(name=certificate, with_document=True))
        ),
        "listed": certificate in {c.name for c in listed.certificates},
        "proof": await _found(
            mortgages.GetMortgage(mortgage_pb.GetMortgageRequest(name=mortgage, with_document=True))
        ),
        "proof listed": mortgage in {m.name for m in listed_mortgages.mortgages},
    }


ALL = {"certificate": True, "listed": True, "proof": True, "proof listed": True}
NOTHING = dict.fromkeys(ALL, False)
CERTIFICATE_ONLY = {"certificate": True, "listed": True, "proof": False, "proof listed": False}
PROOF_ONLY = {"certificate": False, "listed": False, "proof": True, "proof listed": True}


async def test_the_seller_until_handover_the_owner_for_ever_and_nobody_else(
    offices, services, pki, developer_desk
):
    building, (unit, _) = await presale(offices)
    owners = [buyer(pki, next_resident_id()), buyer(pki, next_resident_id())]
    filing, _ = signed_filing(pki, unit, with_loan=True, buyers=owners)
    purchase = await file_purchase(developer_desk, filing)
    await pay(offices, await until(developer_desk, purchase.name, pb.PURCHASE_STATE_AWAITING_COMPLETION))
    await complete(developer_desk, building)
    ready = await until(developer_desk, purchase.name, pb.PURCHASE_STATE_CERTIFICATE_READY)
    certificate = f"certificates/{ready.documents.certificate_numbers[0]}"
    mortgage = (
        (await offices.mortgage_as_bank.ListMortgages(mortgage_pb.ListMortgagesRequest(unit_number=unit)))
        .mortgages[0]
        .name
    )
    stranger = buyer(pki, next_resident_id())
    identities = {
        "clerk": "clerk",
        "seller": "developer",
        "owner 1": owners[0].pair,
        "owner 2": owners[1].pair,
        "another buyer": stranger.pair,
        "another developer": "developer-b",
        "lending bank": "bank-a",
        "another bank": "bank-b",
    }
    async with readers(services, pki, identities) as stubs:

        async def everyone() -> dict[str, dict[str, bool]]:
            return {who: await _reads(stubs[who], unit, certificate, mortgage) for who in identities}

        before = {
            "clerk": ALL,
            "seller": CERTIFICATE_ONLY,
            "owner 1": ALL,
            "owner 2": ALL,
            "another buyer": NOTHING,
            "another developer": NOTHING,
            "lending bank": PROOF_ONLY,
            "another bank": NOTHING,
        }
        assert await everyone() == before

        await developer_desk.ConfirmHandover(pb.ConfirmHandoverRequest(request_id=rid(), name=purchase.name))
        assert await everyone() == before | {"seller": NOTHING}
        shown = (
            await stubs["clerk"][0].GetCertificate(transfer_pb.GetCertificateRequest(name=certificate))
        ).certificate
        assert shown.HasField("release_time")


async def test_a_buyer_certificate_reads_nothing_else(offices, services, pki):
    """The buyer role is admitted to the four reads above only: anything else is refused by role."""
    someone = buyer(pki, next_resident_id())
    async with secure_channel(
        f"127.0.0.1:{services['orchestrator'].server.port}", pki.ca_pem, someone.pair, default_timeout=10
    ) as channel:
        desk = orchestrator_service_pb2_grpc.PurchaseServiceStub(channel)
        code, reason = await refused(desk.ListPurchases(pb.ListPurchasesRequest()))
        assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "ROLE_NOT_ALLOWED")


async def test_the_pre_registration_and_pre_mortgage_by_developer_and_lending_bank(
    offices, services, pki, developer_desk
):
    """预告 and 预抵押 as docs/authorization.md states them: both by the seller and the lending
    bank (each side's security rests on the other's record) and by officials; to another
    developer, another bank or a buyer they do not exist."""
    _, (unit, _) = await presale(offices)
    filing, _ = signed_filing(pki, unit, with_loan=True)
    purchase = await file_purchase(developer_desk, filing)
    waiting = await until(developer_desk, purchase.name, pb.PURCHASE_STATE_AWAITING_COMPLETION)
    preregistration, premortgage = waiting.documents.preregistration, waiting.documents.premortgage
    assert preregistration
    assert premortgage
    identities = {
        "clerk": "clerk",
        "seller": "developer",
        "lending bank": "bank-a",
        "another developer": "developer-b",
        "another bank": "bank-b",
        "a buyer": buyer(pki, next_resident_id()).pair,
    }
    seen = {}
    for who, identity in identities.items():
        pair = pki.caller(identity) if isinstance(identity, str) else identity
        port = services["preregistration"].server.port
        async with secure_channel(f"127.0.0.1:{port}", pki.ca_pem, pair, default_timeout=10) as channel:
            stub = preregistration_service_pb2_grpc.PreregistrationServiceStub(channel)
            seen[who] = (
                await _outcome(
                    stub.GetPreregistration(prereg_pb.GetPreregistrationRequest(name=preregistration))
                ),
                await _outcome(stub.GetPremortgage(prereg_pb.GetPremortgageRequest(name=premortgage))),
            )
    assert seen == {
        "clerk": ("OK", "OK"),
        "seller": ("OK", "OK"),
        "lending bank": ("OK", "OK"),
        "another developer": ("NOT_FOUND", "NOT_FOUND"),
        "another bank": ("NOT_FOUND", "NOT_FOUND"),
        "a buyer": ("PERMISSION_DENIED", "PERMISSION_DENIED"),
    }


async def _outcome(call) -> str:
    try:
        await call
    except grpc.aio.AioRpcError as error:
        return error.code().name
    return "OK"
