"""One set of bytes, one verdict (issue 31): generated ambiguous and tampered files (two embedded
files, a renamed one, duplicate keys at every depth, a byte-order mark, trailing bytes, an
incremental update, text drawn over the page, a picture, JavaScript), each given to `deedctl
verify --json` and to the verification page in Chromium. Both give the same verdict, the same
failures and the same findings about the page; and the verdicts are the ones the specification
(docs/verification.md) gives, so the agreement is not agreement on nonsense."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject
from reportlab.lib.colors import white
from reportlab.pdfgen import canvas
from typer.testing import CliRunner

from cli.deedctl.main import app as deedctl
from client.paper import font
from client.paper.pdf import ATTACHMENT, page, render
from client.paper.pdf_reader import read_pdf
from shared.documents import to_file
from tests.browser import VerifierPage
from tests.e2e.test_certificate_paper import browser, issued, key_pem, served  # noqa: F401 (fixtures)
from tests.e2e.test_parties_and_documents import desks  # noqa: F401 (a fixture)

UNREADABLE, VALID, INVALID, ALTERED = "UNREADABLE", "VALID", "INVALID", "ALTERED"


def _with_attachments(document, *attachments: tuple[str, bytes]) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(page(document))))
    for name, data in attachments:
        writer.add_attachment(name, data)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _rewritten(pdf: bytes, change) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _run_of(pdf: bytes, label: str):
    """Where the page prints the value of the field labelled `label` (its first line)."""
    runs = read_pdf(pdf).runs
    anchor = next(r for r in runs if r.text == label)
    return next(r for r in runs if r.page == anchor.page and abs(r.y - anchor.y) < 2 and r.x > anchor.x + 50)


def _drawn_over(pdf: bytes, changes: dict[str, str]) -> bytes:
    """A forger's page: a white box over each field's printed value and other text in its place."""
    overlay = io.BytesIO()
    sheet = canvas.Canvas(overlay, pagesize=(595.2756, 841.8898))
    name = font.registered()
    for label, text in changes.items():
        run = _run_of(pdf, label)
        sheet.setFillColor(white)
        sheet.rect(run.x - 1, run.y - 3, 330, 12, stroke=0, fill=1)
        sheet.setFillColorRGB(0, 0, 0)
        sheet.setFont(name, 9)
        sheet.drawString(run.x, run.y, text)
    sheet.save()
    stamp = PdfReader(io.BytesIO(overlay.getvalue())).pages[0]

    def change(writer: PdfWriter) -> None:
        writer.pages[0].merge_page(stamp)

    return _rewritten(pdf, change)


def _picture(pdf: bytes) -> bytes:
    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (40, 12), "white").save(picture, format="PNG")
    overlay = io.BytesIO()
    sheet = canvas.Canvas(overlay)
    from reportlab.lib.utils import ImageReader

    sheet.drawImage(ImageReader(io.BytesIO(picture.getvalue())), 160, 720, 200, 12)
    sheet.save()
    stamp = PdfReader(io.BytesIO(overlay.getvalue())).pages[0]
    return _rewritten(pdf, lambda writer: writer.pages[0].merge_page(stamp))


def _javascript(pdf: bytes) -> bytes:
    def change(writer: PdfWriter) -> None:
        action = DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("app.alert('有效 VALID');"),
            }
        )
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)

    return _rewritten(pdf, change)


def _incremental(pdf: bytes) -> bytes:
    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    writer.add_metadata({"/Title": "changed"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _json_members(document) -> list[tuple[str, object]]:
    return list(json.loads(to_file(document)).items())


def _json_text(members: list[tuple[str, object]]) -> bytes:
    return ("{" + ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in members) + "}").encode()


def _files(document, other) -> dict[str, tuple[bytes, str]]:
    """Each file with the verdict the specification gives it."""
    text = to_file(document).encode()
    members = _json_members(document)
    as_issued = render(document)
    # The other document's content first, this one's last: JSON.parse alone would keep the last.
    twice_top = _json_text([("content", dict(_json_members(other))["content"]), *members])
    twice_deep = text.replace(b'"tree_size": ', b'"tree_size": "1", "tree_size": ', 1)
    assert twice_deep != text
    return {
        "json as issued": (text, VALID),
        "json: a member named twice at the top": (twice_top, UNREADABLE),
        "json: a member named twice in the checkpoint": (twice_deep, UNREADABLE),
        "json: a byte-order mark": (b"\xef\xbb\xbf" + text, UNREADABLE),
        "json: trailing bytes": (text + b"\n{}", UNREADABLE),
        "json: trailing whitespace": (text + b"\n\r\n ", VALID),
        "json: NaN": (text.replace(b'"leaf_index": "', b'"leaf_index": NaN, "leaf_index": "', 1), UNREADABLE),
        "json: 50,000 deep": (b"[" * 50_000 + b"]" * 50_000, UNREADABLE),
        "json: 33 deep": (b'{"content": ' + b"[" * 33 + b"]" * 33 + b"}", UNREADABLE),
        "pdf as issued": (as_issued, VALID),
        "pdf: a line after %%EOF": (as_issued + b"\n", VALID),
        "pdf: trailing bytes": (as_issued + b"%junk\n", UNREADABLE),
        "pdf: an incremental update": (_incremental(as_issued), UNREADABLE),
        "pdf: two embedded files": (
            _with_attachments(
                document, (ATTACHMENT, text), ("deedflow-document-2.json", to_file(other).encode())
            ),
            UNREADABLE,
        ),
        "pdf: the same name twice": (
            _with_attachments(document, (ATTACHMENT, text), (ATTACHMENT, to_file(other).encode())),
            UNREADABLE,
        ),
        "pdf: a renamed embedded file": (_with_attachments(document, ("certificate.json", text)), UNREADABLE),
        "pdf: no embedded file": (_with_attachments(document), UNREADABLE),
        "pdf: the embedded file names a member twice": (
            _with_attachments(document, (ATTACHMENT, twice_top)),
            UNREADABLE,
        ),
        "pdf: the embedded file has a byte-order mark": (
            _with_attachments(document, (ATTACHMENT, b"\xef\xbb\xbf" + text)),
            UNREADABLE,
        ),
        "pdf: the embedded file is the other document": (
            _with_attachments(document, (ATTACHMENT, to_file(other).encode())),
            ALTERED,
        ),
        "pdf: JavaScript on opening": (_javascript(as_issued), ALTERED),
        "pdf: a picture drawn on the page": (_picture(as_issued), ALTERED),
    }


def _deedctl(path: Path, key_path: Path) -> dict:
    # The session's PKI folder, not the developer's .deedflow: no witnesses.json of a demo there.
    result = CliRunner().invoke(
        deedctl,
        ["--json", "verify", str(path), "--registry-key", str(key_path)],
        env={"DEEDFLOW_PKI_DIR": str(key_path.parent)},
    )
    if result.exit_code == 4:
        return {"verdict": UNREADABLE}
    assert result.exit_code in (0, 8), result.output
    data = json.loads(result.stdout)
    return {"verdict": data["verdict"], "failures": data["failures"], "page": data["page"]}


def _comparable(failures: list[str]) -> list[str]:
    """A JSON parser's own words after 'is not JSON:' differ between Python and the browser."""
    return [f.split(" is not JSON:")[0] + (" is not JSON" if " is not JSON:" in f else "") for f in failures]


@pytest.fixture
def verifier_page(browser, served) -> VerifierPage:  # noqa: F811
    page = VerifierPage(browser, served.url)
    assert page.key_state() == "true"
    return page


def test_deedctl_and_the_page_give_one_verdict_on_ambiguous_and_tampered_files(
    issued,  # noqa: F811
    verifier_page,
    pki,
    tmp_path,
):
    seen = {}
    for kind, other in (("certificate", issued.proof), ("proof", issued.certificate)):
        document = getattr(issued, kind)
        files = _files(document, other)
        as_issued = files["pdf as issued"][0]
        owners = {"certificate": ("权利人", "面积"), "proof": ("义务人", "坐落")}[kind]
        files["pdf: the owner and area drawn over"] = (
            _drawn_over(
                as_issued, {owners[0]: "伪造人（身份证 110105194912310000）", owners[1]: "199.99 m²"}
            ),
            ALTERED,
        )
        for name, (data, expected) in files.items():
            path = tmp_path / f"{kind}-{len(seen)}"
            path.write_bytes(data)
            said = _deedctl(path, pki.registry_public_key_path)
            assert said["verdict"] == expected, (kind, name, said)
            shown = verifier_page.check_file(path)
            assert shown.verdict == expected, (kind, name, shown.failures, shown.page)
            if expected != UNREADABLE:
                assert _comparable(shown.failures) == _comparable(said["failures"]), (kind, name)
                assert shown.page == said["page"], (kind, name)
            seen[(kind, name)] = said
        drawn = seen[(kind, "pdf: the owner and area drawn over")]["page"]
        assert [line.split(":")[0] for line in drawn] == [
            f"{owners[0]} ({'Right holder' if kind == 'certificate' else 'Obligor'})",
            f"{owners[1]} ({'Area' if kind == 'certificate' else 'Location'})",
        ]
        assert "伪造人" in drawn[0]
        assert "199.99" in drawn[1]
    javascript = seen[("certificate", "pdf: JavaScript on opening")]["page"]
    assert javascript == ["active content: /JS, /JavaScript, /OpenAction"]
    assert seen[("certificate", "pdf: a picture drawn on the page")]["page"] == [
        "a picture is drawn on page 1: what it shows is not checked"
    ]


def test_the_page_shows_printed_against_sealed_field_by_field(issued, verifier_page, tmp_path):  # noqa: F811
    forged = _drawn_over(render(issued.certificate), {"权利人": "伪造人"})
    (tmp_path / "forged.pdf").write_bytes(forged)
    shown = verifier_page.check_file(tmp_path / "forged.pdf")
    assert shown.verdict == ALTERED
    assert shown.printed["权利人"] is False
    assert all(same for field, same in shown.printed.items() if field != "权利人")
    genuine = tmp_path / "genuine.pdf"
    genuine.write_bytes(render(issued.certificate))
    shown = verifier_page.check_file(genuine)
    assert (shown.verdict, shown.page) == (VALID, [])
    assert all(shown.printed.values())


def _mutated(data: bytes, rng: random.Random) -> bytes:
    """The PDF with a few bytes changed, inserted, cut or the file cut short."""
    out = bytearray(data)
    how = rng.randrange(4)
    at = rng.randrange(len(out))
    if how == 0:
        for _ in range(rng.randint(1, 4)):
            out[rng.randrange(len(out))] = rng.randrange(256)
    elif how == 1:
        out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    elif how == 2:
        del out[at : at + rng.randint(1, 40)]
    else:
        del out[at:]
    return bytes(out)


def test_deedctl_and_the_page_agree_on_damaged_pdfs(issued, verifier_page, pki, tmp_path):  # noqa: F811
    """Two readers of one format held to each other on bytes nobody chose: every damaged copy
    of the certificate gets the same verdict, failures and page findings from both."""
    rng = random.Random(20261207)
    pdf = render(issued.certificate)
    verdicts = []
    for n in range(40):
        path = tmp_path / f"damaged-{n}.pdf"
        path.write_bytes(_mutated(pdf, rng))
        said = _deedctl(path, pki.registry_public_key_path)
        shown = verifier_page.check_file(path)
        assert shown.verdict == said["verdict"], (n, said, shown.failures, shown.page)
        if said["verdict"] != UNREADABLE:
            assert _comparable(shown.failures) == _comparable(said["failures"]), n
            assert shown.page == said["page"], n
        verdicts.append(said["verdict"])
    assert UNREADABLE in verdicts
