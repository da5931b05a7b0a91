"""Printed against sealed (docs/verification.md, "What the page prints"): each field of the
national template as the PDF's page prints it, beside the value the registry sealed. A forger
can draw anything on a page without touching the embedded document; this is what tells a person
that the paper in their hand says something the registry did not."""

from __future__ import annotations

import re
from dataclasses import dataclass

from client.paper.fields import Field
from client.paper.pdf_reader import Run

# A run this far right of the labels is in the value column (the label column is 36 mm wide).
VALUE_OFFSET = 90.0
# A value's first line is level with its label's first line; this much either way is the same row.
ROW_TOLERANCE = 6.0
# The heading under which the verification data follows: the template's fields end above it.
END_OF_FIELDS = "验证信息Verificationdata"


def flat(text: str) -> str:
    """Text without whitespace: a page breaks lines and drops spaces wherever its layout wrapped."""
    return re.sub(r"\s+", "", text)


@dataclass(frozen=True)
class Printed:
    """One field: what the page prints (None: its label is not on the page) and what was sealed."""

    zh: str
    en: str
    printed: str | None
    sealed: str

    @property
    def same(self) -> bool:
        return self.printed is not None and flat(self.printed) == flat(self.sealed)

    def finding(self) -> str:
        if self.printed is None:
            return f"{self.zh} ({self.en}): not printed, sealed “{self.sealed}”"
        return f"{self.zh} ({self.en}): printed “{self.printed}”, sealed “{self.sealed}”"


def _before(a: Run, b: Run) -> bool:
    """Whether `a` is above `b` in reading order (earlier page, or higher on the page)."""
    return (a.page, -a.y) < (b.page, -b.y)


def compare(runs: list[Run], fields: list[Field]) -> list[Printed]:
    """Each field as printed: its label's row's runs in the value column, read top to bottom and
    left to right. A run belongs to the lowest label at or above it (ROW_TOLERANCE below counts as
    level; a row may go on over a page); runs above the first label or from the verification
    heading on belong to no field."""
    labels = {flat(f.zh): f for f in fields}
    anchors: dict[str, Run] = {}
    end: Run | None = None
    for run in runs:
        text = flat(run.text)
        if text in labels and text not in anchors:
            anchors[text] = run
        elif text == END_OF_FIELDS and end is None:
            end = run
    rows = sorted(anchors.items(), key=lambda item: (item[1].page, -item[1].y))
    found: dict[str, list[Run]] = {key: [] for key in anchors}
    if rows:
        column = min(run.x for _, run in rows) + VALUE_OFFSET
        for run in runs:
            if run.x < column or (end is not None and not _before(run, end)):
                continue
            level = Run(run.page, run.x, run.y - ROW_TOLERANCE, run.text)
            owner = None
            for key, anchor in rows:
                if _before(level, anchor):
                    break
                owner = key
            if owner is not None:
                found[owner].append(run)
    result = []
    for key, field in labels.items():
        if key not in found:
            result.append(Printed(field.zh, field.en, None, field.value))
            continue
        ordered = sorted(found[key], key=lambda r: (r.page, -r.y, r.x))
        result.append(Printed(field.zh, field.en, " ".join(r.text for r in ordered), field.value))
    return result
