"""A sealed document as a PDF a person can hold: the national template's fields, the register's
verification data, a QR code carrying the whole document (client/paper/payload.py), and the signed
document itself as an embedded file, so the PDF alone is enough to verify it offline."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

import segno
from pypdf import PdfReader, PdfWriter
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from client.paper import font, payload
from client.paper.fields import TITLES, Field, document_fields, verification_fields
from deedflow.registry.v1 import document_pb2
from shared import strict_json
from shared.documents import to_file

# The name the signed document is embedded under; the verification page looks for its stream.
ATTACHMENT = "deedflow-document.json"
QR_SIZE = 58 * mm
TOO_LARGE = "本证照过大，无法放入二维码；请核验内嵌文件。 Too large for a QR code: check the embedded file."


def _styles() -> dict[str, ParagraphStyle]:
    name = font.registered()
    base = ParagraphStyle("base", fontName=name, fontSize=9, leading=12, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=20, leading=26, alignment=1),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=11, leading=15, alignment=1),
        "label": ParagraphStyle("label", parent=base, fontSize=9, leading=10.5),
        "value": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=10),
        "heading": ParagraphStyle("heading", parent=base, fontSize=12, leading=16, spaceBefore=6),
    }


def _qr(text: str, styles: dict[str, ParagraphStyle]) -> Drawing | Paragraph:
    """The payload as a vector QR code: one rectangle per run of dark modules in a row. A document
    too large for the largest code (4,296 characters) says so; its embedded file still carries it."""
    try:
        code = segno.make(text, error="L", boost_error=False, mode="alphanumeric")
    except segno.DataOverflowError:
        return Paragraph(escape(TOO_LARGE), styles["small"])
    rows = code.matrix
    count = len(rows) + 8  # the quiet zone: four modules each side
    module = QR_SIZE / count
    drawing = Drawing(QR_SIZE, QR_SIZE)
    for y, row in enumerate(rows):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            start = x
            while x < len(row) and row[x]:
                x += 1
            drawing.add(
                Rect(
                    (start + 4) * module,
                    QR_SIZE - (y + 5) * module,
                    (x - start) * module,
                    module,
                    fillColor=colors.black,
                    strokeColor=None,
                )
            )
    return drawing


def _wrapped(value: str, width: int) -> str:
    """A long unbroken value (a hash) cut into lines of `width` characters."""
    return "<br/>".join(escape(value[i : i + width]) for i in range(0, len(value), width)) or ""


def _table(
    fields: list[Field], styles: dict[str, ParagraphStyle], widths: tuple[float, float], hex_width: int = 0
) -> Table:
    rows = [
        [
            Paragraph(f"{escape(f.zh)}<br/><font size=6.5>{escape(f.en)}</font>", styles["label"]),
            Paragraph(_wrapped(f.value, hex_width) if hex_width else escape(f.value), styles["value"]),
        ]
        for f in fields
    ]
    # A row may run over a page (a document with very many owners) rather than fail to lay out.
    table = Table(rows, colWidths=list(widths), splitInRow=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#8a6d3b")),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f7f1e3")),
                # A value's first line level with its label's: how a verifier finds a field's
                # printed value (client/paper/printed.py).
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _layout(document: document_pb2.SignedDocument, content: dict) -> bytes:
    styles = _styles()
    zh, en = TITLES.get(content.get("kind", ""), ("登记文件", "Register document"))
    qr_text = payload.encode(document)
    check = (
        "核验方法：打开 deedflow 验证页，拖入本 PDF、其内嵌的 JSON，或粘贴二维码内容；"
        "页面在浏览器内以登记机构公钥核验，不发送任何信息。"
        " To verify: open the deedflow verification page and drop this PDF, its embedded JSON,"
        " or paste the QR code's text; the page checks it in the browser against the registry's"
        " public key and sends nothing anywhere. Or run: deedctl verify FILE."
    )
    verification = Table(
        [
            [
                _table(verification_fields(document), styles, (30 * mm, 80 * mm), hex_width=32),
                [
                    _qr(qr_text, styles),
                    Paragraph(
                        "二维码内容即整份签名文件 / the QR code holds the whole signed document",
                        styles["small"],
                    ),
                ],
            ]
        ],
        colWidths=[112 * mm, 62 * mm],
    )
    verification.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=14 * mm,
        title=f"{zh} {content.get('number', '')}",
        author="deedflow",
        subject=en,
    ).build(
        [
            Paragraph(escape(zh), styles["title"]),
            Paragraph(escape(en), styles["subtitle"]),
            Spacer(1, 3 * mm),
            _table(document_fields(content), styles, (36 * mm, 138 * mm)),
            Paragraph("验证信息 Verification data", styles["heading"]),
            verification,
            Spacer(1, 2 * mm),
            Paragraph(escape(check), styles["small"]),
        ]
    )
    return buffer.getvalue()


def page(document: document_pb2.SignedDocument) -> bytes:
    """The PDF's pages alone, before the document is embedded. The fields come from the sealed
    content; a document that does not verify still renders (what it says is the verifier's to
    judge, not the printer's)."""
    try:
        content = strict_json.loads(document.content)
    except strict_json.JsonRefused:
        content = None
    return _layout(document, content if isinstance(content, dict) else {})


def render(document: document_pb2.SignedDocument) -> bytes:
    """The PDF of a sealed document, with the document's JSON file embedded."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(page(document))))
    writer.add_attachment(ATTACHMENT, to_file(document).encode())
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
