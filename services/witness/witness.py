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
from shared.cosignature import Cosigner, MalformedRequest, cosign, parse_add_checkpoint
from shared.signed_note import MalformedNote, UnverifiedNote, Verifier, open_note, parse_checkpoint, split

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
            log.warning(
                "rollback refused",
                extra={
                    "fields": {"origin": checkpoint.origin, "old": request.old_size, "size": checkpoint.size}
                },
            )
            return _said(400, "the old size is larger than the checkpoint's")

        def judge(latest: Latest) -> tuple[Reply, Recorded | None]:
            if request.old_size != latest.size:
                if checkpoint.size < latest.size:
                    log.warning(
                        "rollback refused",
                        extra={
                            "fields": {
                                "origin": checkpoint.origin,
                                "cosigned": latest.size,
                                "size": checkpoint.size,
                            }
                        },
                    )
                return _size(latest), None
            if request.old_size == checkpoint.size:
                if request.proof:
                    return _said(422, "no proof lies between a size and itself"), None
                if latest.root is not None and latest.root != checkpoint.root:
                    log.warning(
                        "fork refused",
                        extra={"fields": {"origin": checkpoint.origin, "size": checkpoint.size}},
                    )
                    return _size(latest), None
            elif request.old_size == 0:
                if request.proof:
                    return _said(422, "the proof from size 0 is empty"), None
            elif latest.root is None or not merkle.verify_consistency(
                latest.size, checkpoint.size, latest.root, checkpoint.root, request.proof
            ):
                log.warning(
                    "inconsistent checkpoint refused",
                    extra={
                        "fields": {"origin": checkpoint.origin, "old": latest.size, "size": checkpoint.size}
                    },
                )
                return _said(422, "the consistency proof does not verify"), None
            line = cosign(text, self.name, self.key, int(self.clock()))
            return Reply(200, line.encode()), (checkpoint.size, checkpoint.root, request.note)

        return self.store.update(checkpoint.origin, judge)
