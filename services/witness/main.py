"""`deedflow witness`: one witness process, trusting the logs named by their verifier keys, with
its own key and state; it prints its URL and its verifier key, then serves until stopped."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from services.witness.app import serve, server_tls
from services.witness.store import Store
from services.witness.witness import Witness
from shared.pki import load_signing_key
from shared.signals import stop_requested
from shared.signed_note import Verifier, parse_verifier_key


def cosigning_key(path: Path) -> ed25519.Ed25519PrivateKey:
    """The witness's key; a throw-away one made (0600) where none is yet, for development."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = ed25519.Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        path.touch(mode=0o600)
        path.write_bytes(pem)
    return load_signing_key(path)


def trusted_logs(verifier_keys: list[str]) -> dict[str, list[Verifier]]:
    """Each log's keys by origin: a book's verifier key is named by its origin."""
    logs: dict[str, list[Verifier]] = defaultdict(list)
    for text in verifier_keys:
        verifier = parse_verifier_key(text)
        logs[verifier.name].append(verifier)
    return dict(logs)


async def _serve_until_stopped(
    witness: Witness, host: str, port: int, tls_files: tuple[str, str] | None
) -> None:
    running = await serve(witness, host, port, server_tls(*tls_files) if tls_files else None)
    print(f"witness {witness.name} at {running.url}", flush=True)
    print(f"verifier key: {witness.cosigner.verifier_key()}", flush=True)
    try:
        await stop_requested()
    finally:
        await running.stop()


def run(
    name: str,
    key_path: Path,
    state: Path,
    verifier_keys: list[str],
    host: str,
    port: int,
    tls_files: tuple[str, str] | None,
) -> None:
    store = Store(state)
    witness = Witness(name, cosigning_key(key_path), trusted_logs(verifier_keys), store)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_serve_until_stopped(witness, host, port, tls_files))
    finally:
        store.close()
