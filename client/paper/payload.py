"""The verification payload a certificate's QR code carries: the whole signed document, so that it
verifies offline. "DF1:" then Base45 (RFC 9285) of the zlib-compressed protobuf bytes, the packing
the EU digital COVID certificate uses for a signed document in a QR code: Base45 keeps to the QR
alphanumeric alphabet, which a code holds a third more densely than bytes."""

from __future__ import annotations

import zlib

import base45
from google.protobuf.message import DecodeError

from deedflow.registry.v1 import document_pb2

PREFIX = "DF1:"
# A QR code holds at most 4,296 alphanumeric characters; a longer paste is not ours.
MAX_CHARS = 4_296
# A document is a few kilobytes: a payload inflating past this is refused, not expanded.
MAX_DOCUMENT_BYTES = 64 * 1024


def encode(document: document_pb2.SignedDocument) -> str:
    packed = zlib.compress(document.SerializeToString(deterministic=True), 9)
    return PREFIX + base45.b45encode(packed).decode("ascii")


def decode(text: str) -> document_pb2.SignedDocument:
    """The document a payload carries; ValueError saying why when it carries none. Only ASCII
    whitespace around it is taken off (the verification page does the same)."""
    text = text.strip(" \t\r\n")
    if not text.startswith(PREFIX):
        raise ValueError(f"a verification payload starts with {PREFIX!r}")
    if len(text) > MAX_CHARS:
        raise ValueError(f"a verification payload is at most {MAX_CHARS} characters")
    try:
        packed = base45.b45decode(text[len(PREFIX) :])
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, MAX_DOCUMENT_BYTES)
    except (ValueError, zlib.error) as exc:
        raise ValueError(f"the payload is not Base45 of zlib data: {exc}") from None
    if inflater.unconsumed_tail or not inflater.eof:
        raise ValueError("the payload is truncated or inflates past the size of a document")
    try:
        return document_pb2.SignedDocument.FromString(raw)
    except DecodeError as exc:
        raise ValueError(f"the payload holds no signed document: {exc}") from None
