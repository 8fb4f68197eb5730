"""Lay a form out on A4 with reportlab: header and QR code, sections, custody table, footer."""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from forms.content import Part
from forms.script import BOLD, REGULAR, reads_right_to_left, register_fonts, visual, wrap

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 48.0
QR_SIZE = 92.0
LABEL_WIDTH = 168.0
GREY = Color(0.35, 0.35, 0.35)
BOTTOM = MARGIN + 24
LINE = 13.0  # the height of a line of values
MIN_LINES = 3  # a value's lines are not split to leave fewer than this on a page


@dataclass(frozen=True)
class Sheet:
    title: list[str]  # one line per language
    notes: list[str]  # under the title: variant, recipient, case reference, issuer, date
    parts: list[Part]
    closing: list[str]  # the signature lines at the end
    footer: str
    url: str  # what the QR code holds
    code: str


def render(sheet: Sheet, document_title: str) -> bytes:
    """Draw the sheet as PDF bytes; every string is drawn as text, never read as markup."""
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=False)
    canvas.setTitle(document_title)
    canvas.setCreator("Homeward")
    Pen(canvas, sheet).write()
    canvas.save()
    return buffer.getvalue()


class Pen:
    """Writes down the page, starting a new one when the next block does not fit."""

    def __init__(self, canvas: Canvas, sheet: Sheet) -> None:
        self.canvas, self.sheet = canvas, sheet
        self.y = PAGE_HEIGHT - MARGIN
        self.page = 1

    def write(self) -> None:
        self.header()
        for part in self.sheet.parts:
            self.section(part)
        self.space(18)
        for line in self.sheet.closing:
            self.need(26)
            self.text(MARGIN, line, REGULAR, 9.5)
            self.y -= 26
        self.footer()

    def header(self) -> None:
        self.qr_code()
        room = PAGE_WIDTH - 2 * MARGIN - QR_SIZE - 12
        for title in self.sheet.title:
            for line in wrap(title, BOLD, 13, room):
                self.text(MARGIN, line, BOLD, 13)
                self.y -= 16
        self.y -= 4
        for note in self.sheet.notes:
            for line in wrap(note, REGULAR, 8.5, room):
                self.text(MARGIN, line, REGULAR, 8.5)
                self.y -= 11
        self.y = min(self.y, PAGE_HEIGHT - MARGIN - QR_SIZE - 20)

    def qr_code(self) -> None:
        widget = QrCodeWidget(self.sheet.url, barLevel="M")
        left, bottom, right, top = widget.getBounds()
        scale = QR_SIZE / max(right - left, top - bottom)
        drawing = Drawing(QR_SIZE, QR_SIZE, transform=[scale, 0, 0, scale, 0, 0])
        drawing.add(widget)
        x, y = PAGE_WIDTH - MARGIN - QR_SIZE, PAGE_HEIGHT - MARGIN - QR_SIZE
        renderPDF.draw(drawing, self.canvas, x, y)
        self.canvas.setFont(REGULAR, 7)
        self.canvas.drawCentredString(x + QR_SIZE / 2, y - 8, self.sheet.code)

    def section(self, part: Part) -> None:
        heading = wrap(" / ".join(part.heading), BOLD, 10.5, PAGE_WIDTH - 2 * MARGIN)
        self.need(28 + 13 * len(heading) + MIN_LINES * LINE)  # never a heading alone at the foot
        self.space(10)
        for line in heading:
            self.text(MARGIN, line, BOLD, 10.5)
            self.y -= 13
        self.y += 13  # the rule goes under the last heading line, not a line below it
        self.canvas.setStrokeColor(GREY)
        self.canvas.line(MARGIN, self.y - 4, PAGE_WIDTH - MARGIN, self.y - 4)
        self.y -= 18
        for row in part.rows:
            self.row(row.label, row.lines)
        if part.custody:
            self.table(part.custody)

    def row(self, label: list[str], values: list[str]) -> None:
        """A label and its value lines; a long value continues on the next page."""
        value_x = MARGIN + LABEL_WIDTH
        room = PAGE_WIDTH - MARGIN - value_x
        remaining = [line for value in values for line in wrap(value, REGULAR, 10, room)]
        labels = [line for text in label for line in wrap(text, REGULAR, 7.5, LABEL_WIDTH - 8)]
        while remaining:
            fitting = int((self.y - BOTTOM - 5) // LINE)
            if fitting < min(len(remaining), MIN_LINES):
                self.new_page()
                continue
            chunk, remaining = remaining[:fitting], remaining[fitting:]
            for offset, line in enumerate(labels):
                self.text(MARGIN, line, REGULAR, 7.5, GREY, dy=offset * 9.5)
            for offset, line in enumerate(chunk):
                self.text(value_x, line, REGULAR, 10, dy=offset * LINE, right_edge=room)
            self.y -= max(len(chunk) * LINE, len(labels) * 9.5) + 5
            labels = []

    def table(self, cells: list[list[str]]) -> None:
        signed = (PAGE_WIDTH - 2 * MARGIN - 70 - 65 - 75) / 2  # room for a name and a signature
        widths = [70.0, 65.0, signed, signed, 75.0]
        for index, row in enumerate(cells):
            height = 26.0 if index else 22.0
            self.need(height)
            x = MARGIN
            for width, cell in zip(widths, row, strict=True):
                self.canvas.rect(x, self.y - height + 8, width, height, stroke=1, fill=0)
                for offset, line in enumerate(wrap(cell, REGULAR, 7, width - 6)[:2]):
                    self.text(x + 3, line, REGULAR, 7, dy=offset * 8)
                x += width
            self.y -= height

    def text(
        self,
        x: float,
        line: str,
        font: str,
        size: float,
        color: Color | None = None,
        dy: float = 0,
        right_edge: float | None = None,
    ) -> None:
        """Draw one logical line; a right-to-left one hugs the right edge of its column."""
        self.canvas.setFont(font, size)
        self.canvas.setFillColor(color or Color(0, 0, 0))
        if right_edge is not None and reads_right_to_left(line):
            self.canvas.drawRightString(x + right_edge, self.y - dy, visual(line))
        else:
            self.canvas.drawString(x, self.y - dy, visual(line))

    def need(self, height: float) -> None:
        if self.y - height < BOTTOM:
            self.new_page()

    def new_page(self) -> None:
        self.footer()
        self.canvas.showPage()
        self.page += 1
        self.y = PAGE_HEIGHT - MARGIN

    def space(self, height: float) -> None:
        self.y -= height

    def footer(self) -> None:
        self.canvas.setFont(REGULAR, 7)
        self.canvas.setFillColor(GREY)
        for offset, line in enumerate(wrap(self.sheet.footer, REGULAR, 7, PAGE_WIDTH - 140)):
            self.canvas.drawString(MARGIN, MARGIN - offset * 9, visual(line))
        self.canvas.drawRightString(PAGE_WIDTH - MARGIN, MARGIN, str(self.page))
