"""The development PKI: identities in URI SANs, certificates chained to the CA, safe to race."""

from __future__ import annotations

import multiprocessing

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from shared.auth import Role, caller_from_auth_context, parse_identity_uri
from shared.catalog import SERVICE_NAMES
from shared.errors import Unauthenticated
from shared.pki import DEV_CALLERS, Pki, ensure_dev_pki


def _uris(pem: bytes) -> list[str]:
    cert = x509.load_pem_x509_certificate(pem)
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return sans.get_values_for_type(x509.UniformResourceIdentifier)


def _verify_signed_by_ca(pki: Pki, pem: bytes) -> None:
    ca = x509.load_pem_x509_certificate(pki.ca_pem)
    cert = x509.load_pem_x509_certificate(pem)
    cert.verify_directly_issued_by(ca)
    assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)


def test_each_service_certificate_names_the_service(pki):
    for name in SERVICE_NAMES:
        pair = pki.service(name)
        assert _uris(pair.cert_pem) == [f"deedflow://service/{name}"]
        _verify_signed_by_ca(pki, pair.cert_pem)


def test_sample_callers_carry_their_roles(pki):
    roles = {stem: parse_identity_uri(_uris(pki.caller(stem).cert_pem)[0]).role for stem in DEV_CALLERS}
    assert roles["developer"] is Role.DEVELOPER
    assert roles["bank-a"] is Role.BANK
    assert roles["bank-b"] is Role.BANK
    assert roles["clerk"] is Role.CLERK
    assert _uris(pki.caller("bank-a").cert_pem) != _uris(pki.caller("bank-b").cert_pem)


def test_private_keys_are_readable_by_owner_only(pki):
    assert (pki.root / "ca.key").stat().st_mode & 0o077 == 0
    assert (pki.root / "callers" / "clerk.key").stat().st_mode & 0o077 == 0


def test_second_run_keeps_existing_material(tmp_path):
    first = ensure_dev_pki(tmp_path)
    ca_before = first.ca_pem
    clerk_before = first.caller("clerk").cert_pem
    second = ensure_dev_pki(tmp_path)
    assert second.ca_pem == ca_before
    assert second.caller("clerk").cert_pem == clerk_before


def test_concurrent_first_runs_agree_on_one_ca(tmp_path):
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        pool.map(ensure_dev_pki, [tmp_path] * 4)
    pki = Pki(tmp_path)
    for name in SERVICE_NAMES:
        _verify_signed_by_ca(pki, pki.service(name).cert_pem)


def test_auth_context_needs_exactly_one_deedflow_uri():
    who = caller_from_auth_context({"peer_uri": [b"deedflow://bank/915000007094231152"]})
    assert (who.role, who.id) == (Role.BANK, "915000007094231152")
    with pytest.raises(Unauthenticated):
        caller_from_auth_context({"peer_uri": [b"https://example.com"]})
    with pytest.raises(Unauthenticated):
        caller_from_auth_context({"peer_uri": [b"deedflow://bank/1", b"deedflow://clerk/2"]})
    with pytest.raises(Unauthenticated):
        caller_from_auth_context({"peer_uri": [b"deedflow://mayor/1"]})
