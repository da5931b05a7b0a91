"""The witnesses a relying party trusts and the quorum of their cosignatures it requires, kept
beside the registry's public key in the PKI folder (`witnesses.json`), so that `deedctl verify`
and the verification page require them without being told each time."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from shared.cosignature import parse_cosigner_key

FILE = "witnesses.json"


@dataclass(frozen=True)
class WitnessTrust:
    keys: tuple[str, ...] = ()
    quorum: int = 0


def load(pki_root: Path) -> WitnessTrust:
    """The trust kept in the folder; none (no witness required) where there is no file. ValueError
    for a file that names a key it cannot read or a quorum beyond its witnesses."""
    path = pki_root / FILE
    if not path.exists():
        return WitnessTrust()
    data = json.loads(path.read_text())
    trust = WitnessTrust(tuple(data["witnesses"]), int(data["quorum"]))
    for key in trust.keys:
        parse_cosigner_key(key)
    if not 0 <= trust.quorum <= len(trust.keys):
        raise ValueError(f"{path}: a quorum of {trust.quorum} of {len(trust.keys)} witnesses")
    return trust


def save(pki_root: Path, trust: WitnessTrust) -> Path:
    path = pki_root / FILE
    path.write_text(json.dumps({"witnesses": list(trust.keys), "quorum": trust.quorum}, indent=2) + "\n")
    return path
