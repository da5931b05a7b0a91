"""`deedflow pki --role --id` issues a development identity a test system can call with."""

from __future__ import annotations

import stat

from cryptography import x509
from typer.testing import CliRunner

from cli.stack import app


def test_issues_a_development_identity_with_a_private_key(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEDFLOW_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DEEDFLOW_PKI_DIR", raising=False)
    stem = tmp_path / "bank-d"
    result = CliRunner().invoke(
        app, ["pki", "--role", "bank", "--id", "91500000MA60BNK00D", "--out", str(stem)]
    )
    assert result.exit_code == 0, result.output
    cert = x509.load_pem_x509_certificate(stem.with_suffix(".pem").read_bytes())
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.UniformResourceIdentifier) == ["deedflow://bank/91500000MA60BNK00D"]
    assert stat.S_IMODE(stem.with_suffix(".key").stat().st_mode) == 0o600


def test_refuses_an_identity_that_is_not_one(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEDFLOW_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DEEDFLOW_PKI_DIR", raising=False)
    for args in (["--role", "service", "--id", "x"], ["--role", "buyer", "--id", "110105194912310021"]):
        result = CliRunner().invoke(app, ["pki", *args, "--out", str(tmp_path / "x")])
        assert result.exit_code == 2, result.output
        assert not (tmp_path / "x.key").exists()
