"""A PDF's text as the tests compare it: every page's extraction with its line breaks and spaces
taken out, since a PDF's extraction breaks lines wherever the layout wrapped them."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(data: bytes) -> str:
    return flat("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))
