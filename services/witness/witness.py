"""The witness's one judgement (c2sp.org/tlog-witness, add-checkpoint): a checkpoint of a log it
knows, signed by that log's key, consistent with the latest it cosigned, is cosigned
(c2sp.org/tlog-cosignature); anything else is refused with the status the spec names. A fork (a
second root for a size already cosigned) or a rollback (a smaller size) is refused and logged as
evidence against the log."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ed25519

from services.witness.store import Latest, Recorded, Store
from shared import merkle
from shared.cosignature import AddCheckpoint, Cosigner, MalformedRequest, cosign, parse_add_checkpoint
from shared.signed_note import (
    Checkpoint,
    MalformedNote,
    UnverifiedNote,
    Verifier,
    open_note,
    parse_checkpoint,
    split,
)

log = logging.getLogger("deedflow.witness")

SIZE_TYPE = "text/x.tlog.size"
TEXT_TYPE = "text/plain; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: bytes
    content_type: str = TEXT_TYPE


def _said(status: int, text: str) -> Reply:
    return Reply(status, f"{text}\n".encode())


def _size(latest: Latest) -> Reply:
    return Reply(409, f"{latest.size}\n".encode(), SIZE_TYPE)


class Witness:
    def __init__(
        self,
        name: str,
        key: ed25519.Ed25519PrivateKey,
        logs: dict[str, list[Verifier]],
        store: Store,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.name = name
        self.key = key
        self.logs = logs
        self.store = store
        self.clock = clock

    @property
    def cosigner(self) -> Cosigner:
        return Cosigner(self.name, self.key.public_key().public_bytes_raw())

    def add_checkpoint(self, body: bytes) -> Reply:
        try:
            request = parse_add_checkpoint(body)
            text, _ = split(request.note)
            checkpoint = parse_checkpoint(text)
        except (MalformedRequest, MalformedNote) as exc:
            return _said(400, str(exc))
        trusted = self.logs.get(checkpoint.origin)
        if trusted is None:
            return _said(404, f"unknown log {checkpoint.origin}")
        try:
            open_note(request.note, trusted)
        except UnverifiedNote as exc:
            return _said(403, str(exc))
        if request.old_size > checkpoint.size:
            _refused("rollback refused", checkpoint, old=request.old_size)
            return _said(400, "the old size is larger than the checkpoint's")
        submitted = _Submitted(request, text, checkpoint)
        return self.store.update(checkpoint.origin, lambda latest: self._judge(submitted, latest))

    def _judge(self, submitted: _Submitted, latest: Latest) -> tuple[Reply, Recorded | None]:
        """The verdict against the latest checkpoint cosigned, inside the store's transaction."""
        request, checkpoint = submitted.request, submitted.checkpoint
        if request.old_size != latest.size:
            if checkpoint.size < latest.size:
                _refused("rollback refused", checkpoint, cosigned=latest.size)
            return _size(latest), None
        if request.old_size == checkpoint.size:
            if request.proof:
                return _said(422, "no proof lies between a size and itself"), None
            if latest.root is not None and latest.root != checkpoint.root:
                _refused("fork refused", checkpoint)
                return _size(latest), None
        elif request.old_size == 0:
            if request.proof:
                return _said(422, "the proof from size 0 is empty"), None
        elif latest.root is None or not merkle.verify_consistency(
            latest.size, checkpoint.size, latest.root, checkpoint.root, request.proof
        ):
            _refused("inconsistent checkpoint refused", checkpoint, old=latest.size)
            return _said(422, "the consistency proof does not verify"), None
        line = cosign(submitted.text, self.name, self.key, int(self.clock()))
        return Reply(200, line.encode()), (checkpoint.size, checkpoint.root, request.note)


@dataclass(frozen=True, slots=True)
class _Submitted:
    """An add-checkpoint request as parsed and its signature checked."""

    request: AddCheckpoint
    text: str
    checkpoint: Checkpoint


def _refused(what: str, checkpoint: Checkpoint, **sizes: int) -> None:
    """A refusal that may be evidence against the log (the spec lets a witness keep it)."""
    log.warning(what, extra={"fields": {"origin": checkpoint.origin, "size": checkpoint.size, **sizes}})
