"""The verification page's files: nothing fetched from elsewhere, the key beside it must be the
registry's kind of key, and the local server serves the page's files and nothing else."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from client import verifier


def _pem(key) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def test_the_page_fetches_nothing_from_elsewhere():
    for name in verifier.PAGE_FILES:
        text = (verifier.HERE / name).read_text()
        assert not re.search(r"https?://", text), name


def test_the_key_beside_the_page_is_the_registrys_ed25519_key(tmp_path):
    key = _pem(ed25519.Ed25519PrivateKey.generate())
    index = verifier.write(tmp_path, verifier.Trust(key))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*verifier.PAGE_FILES, verifier.KEY_SCRIPT])
    assert index.name == "index.html"
    assert json.dumps(key.decode()) in (tmp_path / verifier.KEY_SCRIPT).read_text()
    with pytest.raises(ValueError, match="Ed25519"):
        verifier.key_script(verifier.Trust(_pem(ec.generate_private_key(ec.SECP256R1()))))


def test_the_server_serves_the_pages_files_and_nothing_else():
    with verifier.PageServer(verifier.Trust(_pem(ed25519.Ed25519PrivateKey.generate()))) as server:
        with urllib.request.urlopen(server.url) as reply:
            assert reply.headers["Content-Type"] == "text/html; charset=utf-8"
            assert b"verifier.js" in reply.read()
        with urllib.request.urlopen(server.url + "registry-key.js") as reply:
            assert reply.read().startswith(b"window.DEEDFLOW_REGISTRY_KEY = ")
        for path in ("../pyproject.toml", "__init__.py", "%2e%2e/%2e%2e/etc/passwd", "verifier.js/x"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(server.url + path)
            assert refused.value.code == 404, path
