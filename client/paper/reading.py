"""A signed document from any of the forms a party holds it in: the JSON file, the PDF that
embeds it (client/paper/pdf.py), or the text of its QR code (client/paper/payload.py), read by the
one specification the verification page follows too (docs/verification.md, "One reading")."""

from __future__ import annotations

from dataclasses import dataclass

from google.protobuf.json_format import ParseError

from client.paper import payload
from client.paper.pdf_reader import PdfReading, PdfRefused, read_pdf
from deedflow.registry.v1 import document_pb2
from shared.documents import from_file
from shared.strict_json import JsonRefused, loads

# Where a text file's content may begin and end: JSON's own whitespace.
_JSON_SPACE = " \t\r\n"


@dataclass(frozen=True)
class Read:
    """The document the bytes hold, the form they held it in ("pdf", "json" or "payload"), and
    for a PDF what else the file holds (its printed page, active content)."""

    document: document_pb2.SignedDocument
    form: str
    pdf: PdfReading | None = None


def _from_json(data: bytes, what: str) -> document_pb2.SignedDocument:
    try:
        loads(data)
        return from_file(data.decode("utf-8"))
    except JsonRefused as exc:
        raise ValueError(f"{what} is not JSON this reader takes: {exc}") from None
    except ParseError as exc:
        raise ValueError(f"not a signed document: {exc}") from None


def read(data: bytes) -> Read:
    """The document the bytes hold; ValueError saying why when they hold none, or hold it in a
    way that could be read two ways."""
    if data.startswith(b"%PDF-"):
        try:
            pdf = read_pdf(data)
        except PdfRefused as exc:
            raise ValueError(f"the PDF cannot be read: {exc}") from None
        return Read(_from_json(pdf.attachment, "the embedded file"), "pdf", pdf)
    if data.startswith(b"\xef\xbb\xbf"):
        raise ValueError("the file starts with a byte-order mark")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("the file is not UTF-8 text") from None
    if text.strip(_JSON_SPACE).startswith(payload.PREFIX):
        return Read(payload.decode(text.strip(_JSON_SPACE)), "payload")
    return Read(_from_json(data, "the file"), "json")


def read_document(data: bytes) -> document_pb2.SignedDocument:
    """The document alone (ValueError as `read`)."""
    return read(data).document
