"""`deedflow witness` speaks c2sp.org/tlog-witness exactly: every status code the spec names, each
for the reason it names, cosignatures in c2sp.org/tlog-cosignature form, a fork and a rollback
refused, and the check and the record made atomically. A real witness over TLS (aiohttp, port 0)
with its SQLite state, fed checkpoints of a book signed with a register book's key."""

from __future__ import annotations

import asyncio
import hashlib
import ssl
import sys
from pathlib import Path

import aiohttp
import pytest

from services.witness.app import serve, server_tls
from services.witness.store import Store
from services.witness.witness import Witness
from shared import merkle, signed_note
from shared.checkpoint import book_origin, checkpoint_note
from shared.cosignature import AddCheckpoint, parse_cosigner_key, parse_size_reply, verify_cosignatures
from shared.pki import issue_witness

BOOK = "500112"
ORIGIN = book_origin(BOOK)


def _leaves(count: int, fork: int | None = None) -> list[bytes]:
    """Leaf hashes of a synthetic book; from `fork` on, another history."""
    return [
        merkle.leaf_hash(f"leaf {i}{' forked' if fork is not None and i >= fork else ''}".encode())
        for i in range(count)
    ]


class Book:
    """A log as the registry keeps one: its leaves and its key, writing checkpoints and proofs."""

    def __init__(self, key, leaves: list[bytes]) -> None:
        self.key, self.leaves = key, leaves

    def note(self, size: int) -> bytes:
        return checkpoint_note(self.key, BOOK, size, merkle.root(self.leaves[:size])).encode()

    def request(self, old: int, size: int) -> bytes:
        proof = merkle.consistency_proof(old, self.leaves[:size]) if 0 < old < size else []
        return AddCheckpoint(old, proof, self.note(size)).body()


@pytest.fixture
async def witness(pki, tmp_path):
    """A witness trusting the book's key, serving over TLS; (its URL, the Witness, a client)."""
    folder = issue_witness(pki.root, "w1")
    log_key = pki.book_key(BOOK)
    trusted = {ORIGIN: [signed_note.Verifier(ORIGIN, log_key.public_key().public_bytes_raw())]}
    judge = Witness("witness.example/w1", pki.witness_key("w1"), trusted, Store(tmp_path / "w1.sqlite"))
    running = await serve(judge, "127.0.0.1", 0, server_tls(str(folder / "w1.pem"), str(folder / "w1.key")))
    client_tls = ssl.create_default_context(cadata=pki.ca_pem.decode())
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=client_tls)) as session:
        yield running.url, judge, session
    await running.stop()
    judge.store.close()


async def _post(session: aiohttp.ClientSession, url: str, body: bytes) -> tuple[int, bytes, str]:
    async with session.post(f"{url}/add-checkpoint", data=body) as reply:
        return reply.status, await reply.read(), reply.headers.get("Content-Type", "")


async def test_a_first_checkpoint_is_cosigned_in_cosignature_v1_form(witness, pki):
    url, judge, session = witness
    book = Book(pki.book_key(BOOK), _leaves(5))
    status, body, _ = await _post(session, url, book.request(0, 5))
    assert status == 200, body
    assert body.startswith("\u2014 witness.example/w1 ".encode())
    assert body.endswith(b"\n")
    text, lines = signed_note.split(book.note(5) + body)
    (cosigned,) = verify_cosignatures(text, lines, [judge.cosigner])
    assert cosigned.cosigner == judge.cosigner
    # The key id is SHA-256(name ‖ 0x0A ‖ 0x04 ‖ key)[:4], as the spec fixes it.
    public = judge.cosigner.public_key
    assert lines[-1].id == hashlib.sha256(b"witness.example/w1\n\x04" + public).digest()[:4]
    # A cosignature of another checkpoint's text does not verify.
    other, _ = signed_note.split(book.note(4))
    assert verify_cosignatures(other, lines, [judge.cosigner]) == []


async def test_a_growing_book_is_cosigned_step_by_step_and_the_state_survives_a_restart(
    witness, pki, tmp_path
):
    url, judge, session = witness
    book = Book(pki.book_key(BOOK), _leaves(40))
    previous = 0
    for size in (1, 2, 3, 8, 13, 40):
        status, body, _ = await _post(session, url, book.request(previous, size))
        assert status == 200, (size, body)
        previous = size
    # Re-sending the latest with old = its size is cosigned again (same root).
    assert (await _post(session, url, book.request(40, 40)))[0] == 200
    judge.store.close()
    reopened = Store(tmp_path / "w1.sqlite")
    assert reopened.latest(ORIGIN).size == 40
    assert reopened.latest(ORIGIN).root == merkle.root(book.leaves)
    reopened.close()
    judge.store = Store(tmp_path / "w1.sqlite")


async def test_a_stale_old_size_gets_409_with_the_witness_s_size(witness, pki):
    url, _, session = witness
    book = Book(pki.book_key(BOOK), _leaves(20))
    assert (await _post(session, url, book.request(0, 10)))[0] == 200
    for old in (0, 5, 12):
        status, body, content_type = await _post(session, url, book.request(old, 20))
        assert (status, content_type) == (409, "text/x.tlog.size")
        assert body == b"10\n"
        assert parse_size_reply(body) == 10
    # The client learns the size and proves consistency from it.
    assert (await _post(session, url, book.request(10, 20)))[0] == 200


async def test_a_proof_that_does_not_verify_gets_422(witness, pki):
    url, judge, session = witness
    book = Book(pki.book_key(BOOK), _leaves(20))
    assert (await _post(session, url, book.request(0, 7)))[0] == 200
    good = merkle.consistency_proof(7, book.leaves[:20])
    for proof in ([bytes(32)] * len(good), good[:-1], [*good, good[0]], []):
        status, _, _ = await _post(session, url, AddCheckpoint(7, proof, book.note(20)).body())
        assert status == 422
    # No proof lies between a size and itself.
    assert (await _post(session, url, AddCheckpoint(7, [good[0]], book.note(7)).body()))[0] == 422
    assert judge.store.latest(ORIGIN).size == 7


async def test_an_unknown_key_gets_403_and_an_unknown_origin_404(witness, pki):
    url, _, session = witness
    stranger = Book(pki.witness_key("w1"), _leaves(4))  # a key the witness does not trust for the book
    assert (await _post(session, url, stranger.request(0, 4)))[0] == 403
    other_origin = signed_note.sign(
        signed_note.Checkpoint("deedflow.example/register/999999", 4, merkle.root(_leaves(4))).text(),
        "deedflow.example/register/999999",
        pki.book_key(BOOK),
    ).encode()
    assert (await _post(session, url, AddCheckpoint(0, [], other_origin).body()))[0] == 404


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"old 0\n",
        b"old 01\n\n",
        b"old -1\n\n",
        b"new 0\n\nx\n",
        b"old 0\nnot base64!\n\n",
        b"old 0\nAAAA\n\n",
        b"old 0\n" + b"".join([b"A" * 43 + b"=\n"] * 64) + b"\n",
        b"old 0\n\nnot a note",
    ],
)
async def test_a_malformed_request_gets_400(witness, body):
    url, _, session = witness
    assert (await _post(session, url, body))[0] == 400


async def test_an_old_size_beyond_the_checkpoint_gets_400(witness, pki):
    url, _, session = witness
    book = Book(pki.book_key(BOOK), _leaves(10))
    assert (await _post(session, url, book.request(0, 10)))[0] == 200
    assert (await _post(session, url, AddCheckpoint(10, [], book.note(6)).body()))[0] == 400


async def test_a_fork_and_a_rollback_are_refused_and_change_nothing(witness, pki, caplog):
    url, judge, session = witness
    key = pki.book_key(BOOK)
    honest = Book(key, _leaves(12))
    assert (await _post(session, url, honest.request(0, 12)))[0] == 200
    # Another history of the same size: shown to someone else, it is refused.
    forked = Book(key, _leaves(12, fork=9))
    status, body, _ = await _post(session, url, forked.request(12, 12))
    assert (status, body) == (409, b"12\n")
    # Grown on from the fork, it has no consistency proof from what was cosigned.
    grown = Book(key, _leaves(16, fork=9))
    assert (await _post(session, url, grown.request(12, 16)))[0] == 422
    # Restored from an old backup, the book is smaller than what was cosigned.
    assert (await _post(session, url, honest.request(12, 8)))[0] == 400
    assert (await _post(session, url, honest.request(8, 8)))[0] == 409
    assert judge.store.latest(ORIGIN).size == 12
    assert judge.store.latest(ORIGIN).root == merkle.root(honest.leaves)
    warned = {r.getMessage() for r in caplog.records}
    assert {"fork refused", "rollback refused", "inconsistent checkpoint refused"} <= warned


async def test_racing_requests_cosign_one_growth_and_never_roll_back(witness, pki):
    """The spec's race: requests from one old size to several new sizes, all at once. One is
    cosigned; the others learn the new size (409); the record never goes back."""
    url, judge, session = witness
    book = Book(pki.book_key(BOOK), _leaves(64))
    assert (await _post(session, url, book.request(0, 8)))[0] == 200
    sizes = list(range(9, 64, 3))
    replies = await asyncio.gather(*(_post(session, url, book.request(8, size)) for size in sizes))
    statuses = [status for status, _, _ in replies]
    assert statuses.count(200) == 1
    winner = sizes[statuses.index(200)]
    assert all(body == f"{winner}\n".encode() for status, body, _ in replies if status == 409)
    assert statuses.count(409) == len(sizes) - 1
    assert judge.store.latest(ORIGIN).size == winner


async def test_deedflow_witness_runs_as_its_own_process_and_says_where_and_who_it_is(pki, tmp_path):
    """The command an operator runs: its URL and verifier key on stdout, then it cosigns."""
    folder = issue_witness(pki.root, "w2")
    book_key = pki.book_key(BOOK).public_key().public_bytes_raw()
    command = [
        str(Path(sys.executable).parent / "deedflow"),
        "witness",
        "--name",
        "witness.example/w2",
        "--key",
        str(tmp_path / "cosign.key"),
        "--state",
        str(tmp_path / "state.sqlite"),
        "--log",
        signed_note.verifier_key(ORIGIN, book_key),
        "--port",
        "0",
        "--tls-cert",
        str(folder / "w2.pem"),
        "--tls-key",
        str(folder / "w2.key"),
    ]
    process = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE)
    try:
        async with asyncio.timeout(30):
            url = (await process.stdout.readline()).decode().split(" at ")[1].strip()
            vkey = (await process.stdout.readline()).decode().removeprefix("verifier key: ").strip()
        cosigner = parse_cosigner_key(vkey)
        book = Book(pki.book_key(BOOK), _leaves(3))
        client_tls = ssl.create_default_context(cadata=pki.ca_pem.decode())
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=client_tls)) as session:
            status, body, _ = await _post(session, url, book.request(0, 3))
        assert status == 200, body
        text, lines = signed_note.split(book.note(3) + body)
        assert [c.cosigner for c in verify_cosignatures(text, lines, [cosigner])] == [cosigner]
        assert oct((tmp_path / "cosign.key").stat().st_mode & 0o777) == "0o600"
    finally:
        process.terminate()
        assert await process.wait() == 0
