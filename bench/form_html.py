"""A form's `Sheet` as HTML for WeasyPrint: the same content, fonts and A4 page as the reportlab
layout, so the two renderers can be timed against each other.

Every value is escaped with `html.escape`. Arabic is left to WeasyPrint (Pango and HarfBuzz) to
shape and order: each value carries `dir` (`rtl` when its first strong letter reads right to left,
as the reportlab layout decides, else `auto`) and `unicode-bidi: plaintext`.
"""

from __future__ import annotations

import base64
from functools import cache
from html import escape
from string import Template

from reportlab.graphics import renderSVG
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing

from forms.content import Part
from forms.layout import LABEL_WIDTH, MARGIN, QR_SIZE, Sheet
from forms.script import FONTS, reads_right_to_left

CUSTODY_WIDTHS = ("70pt", "65pt", "auto", "auto", "75pt")  # as forms.layout.Pen.table
PAGE = Template("""<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8"><title>$title</title><style>
@font-face { font-family: HomewardSans; font-weight: normal; src: url("$regular"); }
@font-face { font-family: HomewardSans; font-weight: bold; src: url("$bold"); }
@page { size: A4; margin: ${margin}pt ${margin}pt 72pt;
  @bottom-left { content: element(footer); vertical-align: top; padding-top: 17pt;
    width: 455pt; }
  @bottom-right { content: counter(page); font: 7pt HomewardSans; color: #595959;
    vertical-align: top; padding-top: 17pt; } }
body { font-family: HomewardSans; font-size: 10pt; line-height: 13pt; margin: 0; }
header { display: flex; justify-content: space-between; gap: 12pt; margin-bottom: 10pt; }
h1 { font-size: 13pt; line-height: 16pt; margin: 0; }
h1 + .note { margin-top: 4pt; }
.note { font-size: 8.5pt; line-height: 11pt; }
.qr { width: ${qr}pt; text-align: center; font-size: 7pt; flex: none; white-space: nowrap; }
.qr img { width: ${qr}pt; height: ${qr}pt; display: block; }
h2 { font-size: 10.5pt; line-height: 13pt; margin: 10pt 0 5pt; padding-bottom: 4pt;
  border-bottom: 1pt solid #595959; break-after: avoid; }
table { border-collapse: collapse; width: 100%; }
.rows td { vertical-align: top; padding: 0 0 5pt; }
.rows .label { width: ${label}pt; font-size: 7.5pt; line-height: 9.5pt; color: #595959; }
.custody { table-layout: fixed; }
.custody td { border: 1pt solid black; height: 21pt; font-size: 7pt; line-height: 8pt;
  vertical-align: top; padding: 2pt 3pt; }
.custody tr:first-child td { height: 17pt; }
[dir] { unicode-bidi: plaintext; }
.closing { margin-top: 18pt; font-size: 9.5pt; line-height: 26pt; }
footer { position: running(footer); font-size: 7pt; line-height: 9pt; color: #595959; }
</style></head><body>
<footer dir="auto">$footer</footer>
<header><div>$titles$notes</div><div class="qr">$qr_image<div>$code</div></div></header>
$parts
<div class="closing">$closing</div>
</body></html>
""")


def form_html(sheet: Sheet, document_title: str) -> str:
    """The whole form as one HTML document, every string escaped."""
    regular, bold = font_faces()
    return PAGE.substitute(
        title=escape(document_title),
        regular=regular,
        bold=bold,
        margin=f"{MARGIN:g}",
        qr=f"{QR_SIZE:g}",
        label=f"{LABEL_WIDTH:g}",
        footer=escape(sheet.footer),
        titles="".join(f"<h1 {_dir(line)}>{escape(line)}</h1>" for line in sheet.title),
        notes=_lines(sheet.notes, "note"),
        qr_image=f'<img alt="" src="{qr_data_uri(sheet.url)}">',
        code=escape(sheet.code),
        parts="\n".join(_part(part) for part in sheet.parts),
        closing=_lines(sheet.closing, "line"),
    )


def qr_data_uri(url: str) -> str:
    """The QR code reportlab draws on the form, as an SVG data URI."""
    widget = QrCodeWidget(url, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    scale = QR_SIZE / max(right - left, top - bottom)
    drawing = Drawing(QR_SIZE, QR_SIZE, transform=[scale, 0, 0, scale, 0, 0])
    drawing.add(widget)
    svg = renderSVG.drawToString(drawing).encode("utf-8")
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def _part(part: Part) -> str:
    heading = escape(" / ".join(part.heading))
    rows = "".join(
        f'<tr><td class="label">{_lines(row.label, "")}</td><td>{_lines(row.lines, "")}</td></tr>'
        for row in part.rows
    )
    custody = _custody(part.custody) if part.custody else ""
    table = f'<table class="rows">{rows}</table>'
    return f'<section><h2 dir="auto">{heading}</h2>{table}{custody}</section>'


def _custody(cells: list[list[str]]) -> str:
    columns = "".join(f'<col style="width: {width}">' for width in CUSTODY_WIDTHS)
    rows = "".join(
        "<tr>" + "".join(f"<td {_dir(cell)}>{escape(cell)}</td>" for cell in row) + "</tr>"
        for row in cells
    )
    return f'<table class="custody">{columns}{rows}</table>'


def _lines(lines: list[str], style: str) -> str:
    return "".join(f'<div class="{style}" {_dir(line)}>{escape(line)}</div>' for line in lines)


def _dir(line: str) -> str:
    """Right to left when the first strong letter is, as the reportlab layout decides."""
    return 'dir="rtl"' if reads_right_to_left(line) else 'dir="auto"'


@cache
def font_faces() -> tuple[str, str]:
    """The file URLs of the two faces both renderers use."""
    return (FONTS / "DejaVuSans.ttf").as_uri(), (FONTS / "DejaVuSans-Bold.ttf").as_uri()
