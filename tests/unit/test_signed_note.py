"""C2SP signed notes and checkpoints as shared/signed_note.py writes and reads them: what it
signs opens under the published verifier key, a tampered note or a failing trusted signature is
refused, unknown signatures (a witness's) are ignored, and malformed notes are refused unread.
That Go's sumdb/note and sumdb/tlog read the same bytes is shown against a running registry
(tests/integration/test_registry.py)."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from shared.signed_note import (
    Checkpoint,
    MalformedNote,
    UnverifiedNote,
    open_note,
    parse_checkpoint,
    parse_verifier_key,
    sign,
    verifier_key,
)

NAME = "deedflow.example/register/500112"
# Throw-away test keys, generated at run time.
KEY = ed25519.Ed25519PrivateKey.generate()
OTHER = ed25519.Ed25519PrivateKey.generate()
CHECKPOINT = Checkpoint(NAME, 42, bytes(range(32)))


def _trusted(key=KEY, name=NAME):
    return [parse_verifier_key(verifier_key(name, key.public_key().public_bytes_raw()))]


def test_a_signed_checkpoint_opens_under_its_verifier_key_and_reads_back():
    note = sign(CHECKPOINT.text(), NAME, KEY)
    text, verified = open_note(note.encode(), _trusted())
    assert [v.name for v in verified] == [NAME]
    assert parse_checkpoint(text) == CHECKPOINT
    assert text == f"{NAME}\n42\n{base64.b64encode(bytes(range(32))).decode()}\n"


def test_a_witness_signature_is_ignored_and_a_tampered_note_refused():
    note = sign(CHECKPOINT.text(), NAME, KEY)
    cosigned = note + sign(CHECKPOINT.text(), "witness.example/w1", OTHER).split("\n\n", 1)[1]
    assert open_note(cosigned.encode(), _trusted())[0] == CHECKPOINT.text()
    with pytest.raises(UnverifiedNote):
        open_note(note.replace("\n42\n", "\n43\n").encode(), _trusted())
    with pytest.raises(UnverifiedNote):
        open_note(note.encode(), _trusted(OTHER))


def test_a_trusted_key_whose_signature_fails_refuses_the_note_even_beside_a_good_one():
    good = sign(CHECKPOINT.text(), NAME, KEY)
    forged = sign("another\n1\n" + base64.b64encode(bytes(32)).decode() + "\n", NAME, KEY)
    lines = good + forged.split("\n\n", 1)[1]
    with pytest.raises(UnverifiedNote):
        open_note(lines.encode(), _trusted())


@pytest.mark.parametrize(
    "note",
    [
        b"no blank line\n\xe2\x80\x94 a AAAA\n",
        b"text\n\nnot a signature line\n",
        b"text\x07\n\n\xe2\x80\x94 a AAAAAAA=\n",
        b"text\n\n\xe2\x80\x94 a !!!!\n",
        b"\xff\xfe\n\n",
        b"x" * 20_000,
    ],
)
def test_malformed_notes_are_refused_unread(note):
    with pytest.raises(MalformedNote):
        open_note(note, _trusted())


@pytest.mark.parametrize(
    "text",
    [
        f"{NAME}\n042\n{base64.b64encode(bytes(32)).decode()}\n",
        f"{NAME}\n-1\n{base64.b64encode(bytes(32)).decode()}\n",
        f"{NAME}\n1\n{base64.b64encode(bytes(31)).decode()}\n",
        f"{NAME}\n1\n{base64.b64encode(bytes(32)).decode()}\nextension\n",
        f"has space\n1\n{base64.b64encode(bytes(32)).decode()}\n",
    ],
)
def test_a_checkpoint_is_exactly_origin_size_and_root(text):
    with pytest.raises(MalformedNote):
        parse_checkpoint(text)


def test_a_verifier_key_names_its_own_key():
    published = verifier_key(NAME, KEY.public_key().public_bytes_raw())
    name, hex_id, encoded = published.split("+", 2)
    assert (name, len(hex_id), base64.b64decode(encoded)[0]) == (NAME, 8, 1)
    with pytest.raises(MalformedNote):
        parse_verifier_key(f"{name}+00000000+{encoded}")
    with pytest.raises(MalformedNote):
        verifier_key("has space", KEY.public_key().public_bytes_raw())
