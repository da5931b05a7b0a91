"""The QR code's verification payload: the whole signed document, packed (DF1: Base45 of zlib of
the protobuf bytes), read back byte for byte, and anything else refused with a reason."""

from __future__ import annotations

import zlib

import base45
import pytest

from client.paper import payload
from deedflow.registry.v1 import document_pb2


def _document() -> document_pb2.SignedDocument:
    document = document_pb2.SignedDocument(
        content='{"kind":"certificate","number":"渝(2026)渝北区不动产权第0000001号"}'.encode(),
        leaf=b'{"type":"entry"}',
        leaf_index=41,
        audit_path=[bytes(range(32)), bytes(32)],
        seal=bytes(64),
    )
    document.checkpoint.tree_size = 42
    document.checkpoint.root_hash = bytes(range(32))
    document.checkpoint.checkpoint_time.FromSeconds(1_796_000_000)
    return document


def test_a_document_survives_the_round_trip_in_the_qr_alphabet():
    text = payload.encode(_document())
    assert text.startswith("DF1:")
    assert set(text[4:]) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
    assert payload.decode(f"  {text}\n") == _document()


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("HC1:6BFOXN", "starts with 'DF1:'"),
        ("DF1:" + "A" * 5000, "at most 4296"),
        ("DF1:not base45!", "not Base45"),
        ("DF1:" + base45.b45encode(b"plain bytes").decode(), "not Base45 of zlib"),
        ("DF1:" + base45.b45encode(zlib.compress(b"\xff" * 300)[:-3]).decode(), "truncated"),
        ("DF1:" + base45.b45encode(zlib.compress(b"\x0a\xff\x01")).decode(), "no signed document"),
    ],
)
def test_what_is_not_a_payload_is_refused_with_its_reason(text, why):
    with pytest.raises(ValueError, match=why.replace("(", r"\(")):
        payload.decode(text)


def test_a_payload_that_inflates_past_a_document_is_refused_not_expanded():
    bomb = zlib.compress(bytes(2 * 1024 * 1024), 9)
    assert len(bomb) < 3_000
    with pytest.raises(ValueError, match="size of a document"):
        payload.decode("DF1:" + base45.b45encode(bomb).decode())
