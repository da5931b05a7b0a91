"""Attack 12: certificates a party must not be able to use, at the TLS door and in signatures, a
service that answers in another's name, high-S ECDSA, and keys readable by others."""

from __future__ import annotations

import datetime as dt
import stat

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from deedflow.contract.v1 import contract_service_pb2 as contract_pb
from deedflow.contract.v1 import contract_service_pb2_grpc
from shared import statements
from shared.grpc.channels import secure_channel
from shared.pki import CertPair, issue_identity
from shared.signing import P256_ORDER
from tests.flows import file_contract, presale, refused, rid
from tests.parties import _ca, buyer

URI = "deedflow://developer/91500112MA5U0DF01L"


def _pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _certificate(issuer_cert, issuer_key, key, uri: str, ca: bool = False, path_length=None):
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "hostile")]))
        .issuer_name(issuer_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.UniformResourceIdentifier(uri)]), critical=False)
        .sign(issuer_key, hashes.SHA256())
    )


def _hostile_identities(pki) -> dict[str, CertPair]:
    ca_cert, ca_key = _ca(pki)
    pem = serialization.Encoding.PEM
    intermediate_key = ec.generate_private_key(ec.SECP256R1())
    intermediate = _certificate(ca_cert, ca_key, intermediate_key, "deedflow://clerk/SUB-CA", ca=True)
    under_intermediate_key = ec.generate_private_key(ec.SECP256R1())
    under_intermediate = _certificate(intermediate, intermediate_key, under_intermediate_key, URI)
    ca_leaf_key = ec.generate_private_key(ec.SECP256R1())
    ca_leaf = _certificate(ca_cert, ca_key, ca_leaf_key, URI, ca=True, path_length=0)
    weak_key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    weak = _certificate(ca_cert, ca_key, weak_key, URI)
    return {
        "leaf under an intermediate": CertPair(
            under_intermediate.public_bytes(pem) + intermediate.public_bytes(pem),
            _pem(under_intermediate_key),
        ),
        "leaf that is a CA": CertPair(ca_leaf.public_bytes(pem), _pem(ca_leaf_key)),
        "RSA-1024 key": CertPair(weak.public_bytes(pem), _pem(weak_key)),
    }


@pytest.mark.parametrize("kind", ["leaf under an intermediate", "leaf that is a CA", "RSA-1024 key"])
async def test_a_certificate_a_party_must_not_hold_is_refused_at_the_door(services, pki, kind):
    identity = _hostile_identities(pki)[kind]
    target = f"127.0.0.1:{services['contract'].server.port}"
    async with secure_channel(target, pki.ca_pem, identity, default_timeout=5) as channel:
        stub = contract_service_pb2_grpc.ContractServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.GetUnit(contract_pb.GetUnitRequest(unit_number="500112001002GB00015F00030502"))
    # Refused in the handshake (UNAVAILABLE) or by the door's own check (UNAUTHENTICATED).
    assert caught.value.code() in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.UNAVAILABLE)


async def test_a_ca_certificate_does_not_sign_for_a_party(offices, pki):
    _, units = await presale(offices)
    sale = await file_contract(offices, pki, units[0])
    ca_cert, ca_key = _ca(pki)
    key = ec.generate_private_key(ec.SECP256R1())
    resident = sale.buyers[0].party.removeprefix("buyers/")
    as_ca = _certificate(ca_cert, ca_key, key, f"deedflow://buyer/{resident}", ca=True, path_length=0)
    signer = buyer(pki, resident)
    signature = signer.signature(statements.cancel_contract(sale.unit, sale.contract.digest))
    signature.certificate_pem = as_ca.public_bytes(serialization.Encoding.PEM).decode()
    signature.signature = key.sign(
        statements.cancel_contract(sale.unit, sale.contract.digest), ec.ECDSA(hashes.SHA256())
    )
    joint = offices.contract_clerk.CancelContract(
        contract_pb.CancelContractRequest(
            request_id=rid(), name=sale.contract.name, joint={"signatures": [signature]}
        )
    )
    assert await refused(joint) == (grpc.StatusCode.INVALID_ARGUMENT, "CERTIFICATE_UNTRUSTED")


async def test_a_high_s_signature_is_refused(offices, pki):
    """(r, n - s) verifies as well as (r, s); only the low form counts, so a signature has one
    encoding."""
    _, units = await presale(offices)
    sale = await file_contract(offices, pki, units[0])
    text = statements.cancel_contract(sale.unit, sale.contract.digest)
    low = sale.buyers[0].signature(text)
    r, s = decode_dss_signature(low.signature)
    assert s <= P256_ORDER // 2
    high = type(low)()
    high.CopyFrom(low)
    high.signature = encode_dss_signature(r, P256_ORDER - s)
    joint = offices.contracts.CancelContract(
        contract_pb.CancelContractRequest(
            request_id=rid(), name=sale.contract.name, joint={"signatures": [high]}
        )
    )
    assert await refused(joint) == (grpc.StatusCode.INVALID_ARGUMENT, "SIGNATURE_NOT_CANONICAL")


async def test_a_service_is_dialled_by_name_and_another_cannot_answer_for_it(services, pki):
    """A channel to 'contract' that reaches the registry's port fails the handshake: the
    certificate there names another service."""
    target = f"127.0.0.1:{services['registry'].server.port}"
    request = contract_pb.GetUnitRequest(unit_number="500112001002GB00015F00030502")
    async with secure_channel(target, pki.ca_pem, pki.service("orchestrator"), service="contract") as channel:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await contract_service_pb2_grpc.ContractServiceStub(channel).GetUnit(request, timeout=5)
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
    right = f"127.0.0.1:{services['contract'].server.port}"
    async with secure_channel(right, pki.ca_pem, pki.service("orchestrator"), service="contract") as channel:
        stub = contract_service_pb2_grpc.ContractServiceStub(channel)
        assert (await refused(stub.GetUnit(request)))[0] == grpc.StatusCode.NOT_FOUND


async def test_an_issued_identity_works_and_its_key_is_private(services, pki, tmp_path):
    stem = tmp_path / "developer-c"
    pair = issue_identity(pki.root, "developer", "91500112MA5U0DF01L", stem)
    assert stat.S_IMODE(stem.with_suffix(".key").stat().st_mode) == 0o600
    target = f"127.0.0.1:{services['contract'].server.port}"
    async with secure_channel(target, pki.ca_pem, pair) as channel:
        stub = contract_service_pb2_grpc.ContractServiceStub(channel)
        reply = stub.GetUnit(contract_pb.GetUnitRequest(unit_number="500112001002GB00015F00030502"))
        assert (await refused(reply))[0] == grpc.StatusCode.NOT_FOUND
