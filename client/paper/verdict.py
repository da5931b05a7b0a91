"""One verdict on a file a party holds (docs/verification.md): the sealed document's checks
(shared/documents.py) and, for a PDF, whether its page prints what was sealed and whether it
carries anything that acts or cannot be read. deedctl verify and the verification page give it
alike."""

from __future__ import annotations

from dataclasses import dataclass, field

from client.paper.fields import document_fields
from client.paper.printed import Printed, compare
from client.paper.reading import Read
from shared.cosignature import Cosigner
from shared.documents import Verification, verify_document

VALID = "VALID"
# A check of the sealed document failed.
INVALID = "INVALID"
# The sealed document holds, but the PDF around it is not as the registry made it: its page
# prints something else, or it carries active content, pictures or text that cannot be read.
ALTERED = "ALTERED"


@dataclass
class Verdict:
    verdict: str
    result: Verification
    printed: list[Printed] = field(default_factory=list)
    page: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.verdict == VALID


def _pages(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers)


def judge(read: Read, public_key: bytes, witnesses: list[Cosigner] | None = None, quorum: int = 0) -> Verdict:
    """ValueError as verify_document raises it (a checkpoint time that is no time)."""
    result = verify_document(read.document, public_key, witnesses, quorum)
    verdict = Verdict(INVALID if result.failures else VALID, result)
    pdf = read.pdf
    if pdf is None:
        return verdict
    if result.content.get("kind") in ("certificate", "proof"):
        verdict.printed = compare(pdf.runs, document_fields(result.content))
        verdict.page += [p.finding() for p in verdict.printed if not p.same]
    if pdf.active:
        verdict.page.append("active content: " + ", ".join(f"/{name}" for name in pdf.active))
    if pdf.pictures:
        verdict.page.append(
            f"a picture is drawn on page {_pages(pdf.pictures)}: what it shows is not checked"
        )
    if pdf.unreadable:
        verdict.page.append(
            f"text on page {_pages(pdf.unreadable)} is drawn in a font whose characters cannot be read"
        )
    if verdict.page and verdict.verdict == VALID:
        verdict.verdict = ALTERED
    return verdict
