"""The CJK font the PDFs embed (a subset of WenQuanYi Micro Hei, which holds both Chinese and
Latin glyphs), found where Debian's fonts-wqy-microhei installs it (`make` installs it when
missing) or at DEEDFLOW_CJK_FONT."""

from __future__ import annotations

import functools
import os
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

NAME = "DeedflowCJK"
# Debian's fonts-wqy-microhei; the first face of the collection is the proportional one.
CANDIDATES = (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),)


class FontMissing(RuntimeError):
    """No CJK font to embed: the PDF would show empty boxes instead of the certificate."""


def font_path() -> Path:
    configured = os.environ.get("DEEDFLOW_CJK_FONT")
    for path in ([Path(configured)] if configured else []) + list(CANDIDATES):
        if path.is_file():
            return path
    raise FontMissing(
        "no CJK font for the PDF: install Debian's fonts-wqy-microhei (`make demo` and `make test` do,"
        " as root) or point DEEDFLOW_CJK_FONT at a TrueType font with Chinese and Latin glyphs"
    )


@functools.cache
def registered() -> str:
    """The font's name for reportlab, registered once per process."""
    path = font_path()
    pdfmetrics.registerFont(TTFont(NAME, str(path), subfontIndex=0))
    return NAME
