"""Money as people read it: fen (分) as yuan with thousands separated and two decimals, then 元
("1,004,500.00 元"). Every certificate, proof, page and command line writes it so."""

from __future__ import annotations


def yuan(fen: int | str) -> str:
    return f"{int(fen) / 100:,.2f} 元"
