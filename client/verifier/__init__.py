"""The verification page (the HTML, CSS and JavaScript in this folder) with the registry's public
key beside it: written to a folder a person opens from disk, or served on loopback
(`deedflow verifier`). The page needs nothing else: no CDN, no server call."""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from client import witnesses
from shared import book_keys
from shared.cosignature import parse_cosigner_key
from shared.documents import BookKey, load_public_key

HERE = Path(__file__).parent
PAGE_FILES = ("index.html", "verifier.css", "verifier.js")
KEY_SCRIPT = "registry-key.js"
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
}


@dataclass(frozen=True)
class Trust:
    """What the page trusts: the registry's key, and the witnesses of which `quorum` must have
    cosigned a document's checkpoint (their verifier keys, c2sp.org/tlog-cosignature)."""

    key_pem: bytes
    witnesses: tuple[str, ...] = ()
    quorum: int = 0
    # Books whose key was rotated: each key with the sizes it signs (shared/book_keys.py).
    book_keys: dict[str, list[BookKey]] = field(default_factory=dict)

    @classmethod
    def of_folder(cls, pki_root: Path, key_pem: bytes) -> Trust:
        """The registry's key, and the witnesses and book key histories kept in the PKI folder."""
        kept = witnesses.load(pki_root)
        histories = {}
        for path in sorted(pki_root.glob("registry-log-*.keys.json")):
            authority = path.name.removeprefix("registry-log-").removesuffix(".keys.json")
            histories[authority] = book_keys.load(pki_root, authority) or []
        return cls(key_pem, kept.keys, kept.quorum, histories)


def key_script(trust: Trust) -> bytes:
    """registry-key.js: the key the page trusts until the person pastes another, and the witnesses.
    Refuses a file that is not an Ed25519 public key, a witness key it cannot read, or a quorum
    beyond the witnesses, rather than write a page that can never say VALID."""
    load_public_key(trust.key_pem)
    for text in trust.witnesses:
        parse_cosigner_key(text)
    if not 0 <= trust.quorum <= len(trust.witnesses):
        raise ValueError(f"a quorum of {trust.quorum} needs as many witnesses; {len(trust.witnesses)} given")
    trusted = {"keys": list(trust.witnesses), "quorum": trust.quorum}
    histories = {
        authority: [
            {"key": base64.b64encode(k.public_key).decode(), "first": k.first, "last": k.last} for k in keys
        ]
        for authority, keys in trust.book_keys.items()
    }
    return (
        f"window.DEEDFLOW_REGISTRY_KEY = {json.dumps(trust.key_pem.decode('ascii'))};\n"
        f"window.DEEDFLOW_WITNESSES = {json.dumps(trusted)};\n"
        f"window.DEEDFLOW_BOOK_KEYS = {json.dumps(histories)};\n"
    ).encode()


def files(trust: Trust) -> dict[str, bytes]:
    page = {name: (HERE / name).read_bytes() for name in PAGE_FILES}
    return page | {KEY_SCRIPT: key_script(trust)}


def write(folder: Path, trust: Trust) -> Path:
    """The page and what it trusts in `folder`; the page's path, to open in a browser."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files(trust).items():
        (folder / name).write_bytes(data)
    return folder / "index.html"


def _handler(content: dict[str, bytes]) -> type[BaseHTTPRequestHandler]:
    class Page(BaseHTTPRequestHandler):
        """Serves the page's files and nothing else; logs nothing (a person's visit is theirs)."""

        def _answer(self, body: bool) -> None:
            name = self.path.split("?", 1)[0].lstrip("/") or "index.html"
            data = content.get(name)
            if data is None:
                self.send_error(HTTPStatus.NOT_FOUND)
                return
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", _TYPES[Path(name).suffix])
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")
            self.end_headers()
            if body:
                self.wfile.write(data)

        def do_GET(self) -> None:
            self._answer(body=True)

        def do_HEAD(self) -> None:
            self._answer(body=False)

        def log_message(self, format: str, *args) -> None:
            return

    return Page


class PageServer:
    """The page over HTTP on `host` (loopback by default), in a background thread."""

    def __init__(self, trust: Trust, host: str = "127.0.0.1", port: int = 0) -> None:
        self.server = ThreadingHTTPServer((host, port), _handler(files(trust)))
        self.thread = threading.Thread(target=self.server.serve_forever, name="verifier-page", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    def __enter__(self) -> PageServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
