"""Lay out an issued document as an A4 PDF with ReportLab. Pure module, no Django.

The layout follows the form of administrative documents (Decree 30/2020/NĐ-CP): the issuing body top left,
the national title and motto top right, place and date under the motto, the document's name centred, the
body, then the signature blocks. Every page ends with the verification footer: a QR code carrying the
verification address, the address itself and the document's id.

Why ReportLab and Source Serif Pro: docs/decisions/0002-pdf.md. Source Serif Pro covers every Vietnamese
letter in regular and bold but its italic lacks the Vietnamese block, so lines the forms set in italic are
drawn slanted from the regular face (`ObliqueLine`). Rendering is deterministic: the same content gives
the same bytes (`invariant` fixes the creation date and file id that PDFs otherwise stamp).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import as_file, files
from typing import Any, Literal
from xml.sax.saxutils import escape

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

from mekong.dossiers.documents.text import nfc

REGULAR = "SourceSerif"
BOLD = "SourceSerif-Bold"
FONT_PACKAGE = "font_source_serif_pro"
FONT_FILES = {REGULAR: "SourceSerifPro-Regular.ttf", BOLD: "SourceSerifPro-Bold.ttf"}

PAGE_WIDTH, PAGE_HEIGHT = A4
# Margins from Decree 30/2020: top and bottom 20-25 mm, left 30-35 mm, right 15-20 mm.
LEFT, RIGHT, TOP, BOTTOM = 30 * mm, 20 * mm, 20 * mm, 15 * mm
QR_SIZE = 22 * mm
FOOTER_HEIGHT = QR_SIZE + 6 * mm
TEXT_WIDTH = PAGE_WIDTH - LEFT - RIGHT
BODY_SIZE = 13
Alignment = Literal["left", "center", "justify"]
# reportlab.lib.enums TA_LEFT, TA_CENTER, TA_JUSTIFY (paragraph styles take the numbers).
_ALIGNMENT: dict[Alignment, Literal[0, 1, 4]] = {"left": 0, "center": 1, "justify": 4}
SLANT_DEGREES = 12


# --- what a document says --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    """The issuing body, top left: the body it belongs to (regular) above its own name (bold)."""

    issuer: str
    parent: str = ""


@dataclass(frozen=True)
class Text:
    """A paragraph of body text; `lead` is set in bold before it."""

    text: str
    lead: str = ""
    align: Alignment = "justify"
    indent: bool = False
    bold: bool = False


@dataclass(frozen=True)
class Line:
    """“Label: value” on one line of the form, the value in bold when `strong`."""

    label: str
    value: str
    strong: bool = False


@dataclass(frozen=True)
class Items:
    """A numbered (or bulleted) list, each item a paragraph of its own."""

    items: tuple[str, ...]
    numbered: bool = True


@dataclass(frozen=True)
class Table2:
    """Two columns of label and value (the e-result's form data)."""

    rows: tuple[tuple[str, str], ...]


Block = Text | Line | Items | Table2


@dataclass(frozen=True)
class Signature:
    title: str
    name: str = ""
    hint: str = "(Ký và ghi rõ họ tên)"


@dataclass(frozen=True)
class Verification:
    url: str
    document_id: str


@dataclass(frozen=True)
class DocumentContent:
    heading: Heading
    place_date: str
    title: str
    verification: Verification
    reference: str = ""
    subtitle: str = ""
    body: tuple[Block, ...] = ()
    signatures: tuple[Signature | None, Signature | None] = (None, None)
    metadata: dict[str, str] = field(default_factory=dict)


# --- fonts and styles ---------------------------------------------------------------------------------------


@cache
def register_fonts() -> None:
    """Load the two faces once per process; ReportLab embeds only the glyphs a document uses."""
    package = files(FONT_PACKAGE)
    for name, filename in FONT_FILES.items():
        with as_file(package / "files" / filename) as path:
            pdfmetrics.registerFont(TTFont(name, str(path)))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)


def _style(
    name: str,
    *,
    size: float = BODY_SIZE,
    bold: bool = False,
    align: Alignment = "justify",
    indent: float = 0,
    space_after: float = 2,
    left_indent: float = 0,
) -> ParagraphStyle:
    return ParagraphStyle(
        name,
        leftIndent=left_indent,
        bulletFontName=REGULAR,
        bulletFontSize=size,
        fontName=BOLD if bold else REGULAR,
        fontSize=size,
        leading=size * 1.3,
        alignment=_ALIGNMENT[align],
        firstLineIndent=indent,
        spaceAfter=space_after,
    )


@cache
def _styles() -> dict[str, ParagraphStyle]:
    return {
        "heading": _style("heading", size=12, align="center", space_after=0),
        "heading_bold": _style("heading_bold", size=12, bold=True, align="center", space_after=0),
        "motto": _style("motto", size=13, bold=True, align="center", space_after=0),
        "reference": _style("reference", size=12, align="center", space_after=0),
        "title": _style("title", size=14, bold=True, align="center", space_after=2),
        "subtitle": _style("subtitle", size=BODY_SIZE, align="center", space_after=10),
        "body": _style("body"),
        "body_indent": _style("body_indent", indent=10 * mm),
        "center": _style("center", align="center"),
        "left": _style("left", align="left"),
        "item": _style("item", left_indent=8 * mm),
        "cell": _style("cell", size=12, align="left", space_after=0),
        "signature": _style("signature", size=BODY_SIZE, bold=True, align="center", space_after=0),
        "footer": _style("footer", size=8.5, align="left", space_after=0),
    }


# Cells hold Paragraphs, but a table still sets its cell font (Helvetica by default) on the page.
_TABLE_FONT = [("FONTNAME", (0, 0), (-1, -1), REGULAR)]


def _markup(text: str) -> str:
    """Plain text for a Paragraph: XML-escaped, line breaks kept."""
    return escape(nfc(text)).replace("\n", "<br/>")


# --- flowables ------------------------------------------------------------------------------------------------


class ObliqueLine(Flowable):
    """One centred line slanted from the regular face: the forms' italics (see the module docstring)."""

    def __init__(self, text: str, size: float = BODY_SIZE) -> None:
        super().__init__()
        self.text = nfc(text)
        self.size = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        self.height = self.size * 1.35
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setFont(REGULAR, self.size)
        canvas.translate(self.width / 2, self.size * 0.3)
        canvas.skew(0, SLANT_DEGREES)
        canvas.drawCentredString(0, 0, self.text)
        canvas.restoreState()


def _rule(text: str, font: str, size: float, share: float = 1.0) -> HRFlowable:
    """The short line under the motto and the issuer: as wide as (a share of) the text above it."""
    width = pdfmetrics.stringWidth(nfc(text), font, size) * share
    return HRFlowable(width=width, thickness=0.6, color="black", spaceBefore=4, spaceAfter=2, hAlign="CENTER")


def _heading(content: DocumentContent) -> list[Flowable]:
    styles = _styles()
    left: list[Flowable] = []
    if content.heading.parent:
        left.append(Paragraph(_markup(content.heading.parent.upper()), styles["heading"]))
    issuer = content.heading.issuer.upper()
    left.append(Paragraph(_markup(issuer), styles["heading_bold"]))
    left.append(_rule(issuer, BOLD, 12, share=0.4))
    right: list[Flowable] = [
        Paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", styles["heading_bold"]),
        Paragraph("Độc lập - Tự do - Hạnh phúc", styles["motto"]),
        _rule("Độc lập - Tự do - Hạnh phúc", BOLD, 13),
    ]
    reference: Flowable = (
        Paragraph(_markup(content.reference), styles["reference"]) if content.reference else Spacer(1, 1)
    )
    table = Table(
        [[left, right], [reference, ObliqueLine(content.place_date, size=BODY_SIZE)]],
        colWidths=[68 * mm, TEXT_WIDTH - 68 * mm],
        style=TableStyle(
            [
                *_TABLE_FONT,
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 1), (-1, 1), 4),
            ]
        ),
    )
    return [table, Spacer(1, 8 * mm)]


def _block(block: Block) -> list[Flowable]:
    styles = _styles()
    if isinstance(block, Text):
        style = {"center": styles["center"], "left": styles["left"]}.get(
            block.align, styles["body_indent"] if block.indent else styles["body"]
        )
        text = _markup(block.text)
        if block.bold:
            text = f"<b>{text}</b>"
        if block.lead:
            text = f"<b>{_markup(block.lead)}</b> {text}"
        return [Paragraph(text, style)]
    if isinstance(block, Line):
        value = _markup(block.value)
        return [
            Paragraph(
                f"{_markup(block.label)}: {f'<b>{value}</b>' if block.strong else value}", styles["left"]
            )
        ]
    if isinstance(block, Items):
        return [
            Paragraph(
                _markup(item),
                styles["item"],
                bulletText=f"{number}." if block.numbered else "-",
            )
            for number, item in enumerate(block.items, start=1)
        ]
    rows = [
        [Paragraph(_markup(label), styles["cell"]), Paragraph(_markup(value), styles["cell"])]
        for label, value in block.rows
    ]
    if not rows:
        return []
    return [
        Table(
            rows,
            colWidths=[55 * mm, TEXT_WIDTH - 55 * mm],
            repeatRows=0,
            style=TableStyle(
                [
                    *_TABLE_FONT,
                    ("GRID", (0, 0), (-1, -1), 0.4, "black"),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            ),
        ),
        Spacer(1, 3 * mm),
    ]


def _signature_cell(signature: Signature | None) -> list[Flowable]:
    if signature is None:
        return [Spacer(1, 1)]
    styles = _styles()
    cell: list[Flowable] = [Paragraph(_markup(signature.title.upper()), styles["signature"])]
    if signature.hint:
        cell.append(ObliqueLine(signature.hint, size=11))
    cell.append(Spacer(1, 15 * mm))
    if signature.name:
        cell.append(Paragraph(_markup(signature.name), styles["signature"]))
    return cell


def _signatures(content: DocumentContent) -> list[Flowable]:
    left, right = content.signatures
    if left is None and right is None:
        return []
    table = Table(
        [[_signature_cell(left), _signature_cell(right)]],
        colWidths=[TEXT_WIDTH / 2, TEXT_WIDTH / 2],
        style=TableStyle(
            [*_TABLE_FONT, ("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (0, 0), (-1, -1), "CENTER")]
        ),
    )
    return [Spacer(1, 4 * mm), KeepTogether([table])]


# --- the QR code and the footer ------------------------------------------------------------------------------


def qr_matrix(url: str) -> tuple[tuple[bool, ...], ...]:
    """The QR symbol for `url` without its quiet zone: rows of dark (True) and light modules."""
    # A fixed mask: every mask is valid QR, and scoring all eight was a third of a document's render time.
    symbol = segno.make(url, error="m", micro=False, mask=2)
    return tuple(tuple(bool(bit) for bit in row) for row in symbol.matrix)


def _draw_qr(canvas: Canvas, matrix: Sequence[Sequence[bool]], x: float, y: float, size: float) -> None:
    """Dark modules as filled rectangles, one per horizontal run, in module units under one scaling: a
    vector code prints sharp at any size, and writing the few hundred `re` operators directly is several
    times faster than ReportLab's path objects, which format every coordinate as a float."""
    count = len(matrix)
    runs = []
    for row_index, row in enumerate(matrix):
        bottom = count - 1 - row_index
        column = 0
        while column < count:
            if not row[column]:
                column += 1
                continue
            start = column
            while column < count and row[column]:
                column += 1
            runs.append(f"{start} {bottom} {column - start} 1 re")
    canvas.saveState()
    canvas.transform(size / count, 0, 0, size / count, x, y)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.addLiteral("\n".join([*runs, "f"]))
    canvas.restoreState()


def _footer(content: DocumentContent, matrix: Sequence[Sequence[bool]]) -> Any:
    styles = _styles()
    verification = content.verification
    lines = Paragraph(
        "<br/>".join(
            [
                f"Mã văn bản: {_markup(verification.document_id)}",
                f'Xác thực tại: <link href="{escape(verification.url)}">{_markup(verification.url)}</link>',
                "Quét mã QR hoặc mở địa chỉ trên, tải tệp văn bản lên để đối chiếu mã SHA-256.",
            ]
        ),
        styles["footer"],
    )

    def draw(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.saveState()
        top = BOTTOM + QR_SIZE + 3 * mm
        canvas.setLineWidth(0.4)
        canvas.line(LEFT, top, PAGE_WIDTH - RIGHT, top)
        _draw_qr(canvas, matrix, LEFT, BOTTOM, QR_SIZE)
        text_x = LEFT + QR_SIZE + 5 * mm
        width = PAGE_WIDTH - RIGHT - text_x
        _w, height = lines.wrap(width, QR_SIZE)
        lines.drawOn(canvas, text_x, BOTTOM + (QR_SIZE - height) / 2)
        canvas.setFont(REGULAR, 8.5)
        canvas.drawRightString(PAGE_WIDTH - RIGHT, BOTTOM - 6 * mm, f"Trang {document.page}")
        canvas.restoreState()

    return draw


# --- the whole document ---------------------------------------------------------------------------------------


def render_pdf(content: DocumentContent) -> bytes:
    """The document as PDF bytes; the same content always gives the same bytes."""
    register_fonts()
    styles = _styles()
    buffer = io.BytesIO()
    metadata = {key: nfc(value) for key, value in content.metadata.items()}
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=LEFT,
        rightMargin=RIGHT,
        topMargin=TOP,
        bottomMargin=BOTTOM + FOOTER_HEIGHT,
        title=metadata.get("title", nfc(content.title)),
        author=metadata.get("author", nfc(content.heading.issuer)),
        subject=metadata.get("subject", ""),
        keywords=metadata.get("keywords", "").split(),
        creator="Mekong",
        producer="Mekong",
        lang="vi",
        invariant=1,
        initialFontName=REGULAR,  # otherwise every page names Helvetica, which has no Vietnamese letters
        initialFontSize=BODY_SIZE,
    )
    story: list[Flowable] = _heading(content)
    story.append(Paragraph(_markup(content.title.upper()), styles["title"]))
    if content.subtitle:
        story.append(Paragraph(_markup(content.subtitle), styles["subtitle"]))
    else:
        story.append(Spacer(1, 4 * mm))
    for block in content.body:
        story.extend(_block(block))
    story.extend(_signatures(content))
    footer = _footer(content, qr_matrix(content.verification.url))
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
