"""A signed document from any of the forms a party holds it in: the JSON file, the PDF that
embeds it (shared/paper/pdf.py), or the text of its QR code (shared/paper/payload.py)."""

from __future__ import annotations

import io

from google.protobuf.json_format import ParseError
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from deedflow.registry.v1 import document_pb2
from shared.documents import from_file
from shared.paper import payload
from shared.paper.pdf import ATTACHMENT


def _embedded(data: bytes) -> bytes:
    try:
        attachments = PdfReader(io.BytesIO(data)).attachments
        found = attachments.get(ATTACHMENT)
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"the PDF cannot be read: {exc}") from None
    if not found:
        raise ValueError(f"this PDF carries no deedflow document (no embedded {ATTACHMENT})")
    return found[0]


def read_document(data: bytes) -> document_pb2.SignedDocument:
    """The document the bytes hold; ValueError saying why when they hold none."""
    if data.startswith(b"%PDF-"):
        data = _embedded(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("the file is not UTF-8 text") from None
    if text.strip().startswith(payload.PREFIX):
        return payload.decode(text)
    try:
        return from_file(text)
    except ParseError as exc:
        raise ValueError(f"not a signed document: {exc}") from None
