"""Rendering never fails on what a document holds: one too large for any QR code still becomes a
PDF that says so and carries the document embedded; one whose content is not JSON prints its
template empty rather than crash."""

from __future__ import annotations

import hashlib
import json

from client.paper.pdf import render
from client.paper.reading import read_document
from deedflow.registry.v1 import document_pb2
from tests.pdfs import pdf_text


def test_a_document_too_large_for_a_qr_code_is_still_a_pdf_that_carries_it():
    owners = [{"name": f"买受人{i}", "resident_id": f"{i:018d}"} for i in range(300)]
    content = {
        "kind": "certificate",
        "number": "渝(2026)渝北区不动产权第0000009号",
        "body": {"owners": owners},
    }
    document = document_pb2.SignedDocument(
        content=json.dumps(content, ensure_ascii=False).encode(),
        # Hashes do not compress: 120 of them are past what a QR code holds.
        audit_path=[hashlib.sha256(bytes([i])).digest() for i in range(120)],
    )
    pdf = render(document)
    assert "ToolargeforaQRcode" in pdf_text(pdf)
    assert read_document(pdf) == document


def test_content_that_is_not_json_renders_an_empty_template():
    document = document_pb2.SignedDocument(content=b"\xff not json", leaf_index=3)
    text = pdf_text(render(document))
    assert "权利人" in text
    assert read_document(render(document)) == document
