"""Lay out :class:`ReportContent` as an A4 PDF with reportlab's platypus.

Every text uses the one embedded CJK font; paragraphs wrap with the CJK rule (a line may break
between any two Chinese characters).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from serving.reports import document as c
from serving.reports.fonts import CjkFont, register_cjk_font
from serving.reports.pdf_chart import chart_drawing

MARGIN = 18 * mm
TEXT_WIDTH = A4[0] - 2 * MARGIN
_GRID = colors.HexColor("#999999")
_SHADE = colors.HexColor("#eeeeee")
#: Left and right padding of a table cell (platypus default: 6pt each) and a hair to spare.
_CELL_PADDING = 13.0


@dataclass(frozen=True)
class _Styles:
    title: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    note: ParagraphStyle
    result: ParagraphStyle
    mono: ParagraphStyle
    cell: ParagraphStyle
    small_cell: ParagraphStyle
    signature: ParagraphStyle


def _styles(font: str) -> _Styles:
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=15, wordWrap="CJK")
    return _Styles(
        title=ParagraphStyle("title", body, fontSize=18, leading=26, alignment=TA_CENTER),
        heading=ParagraphStyle(
            "heading", body, fontSize=12.5, leading=18, spaceBefore=8, keepWithNext=1
        ),
        body=ParagraphStyle("p", body, spaceBefore=2, spaceAfter=2),
        note=ParagraphStyle("note", body, fontSize=9, leading=13, textColor=colors.dimgrey),
        result=ParagraphStyle("result", body, fontSize=11.5, leading=18, spaceAfter=3),
        mono=ParagraphStyle("mono", body, leftIndent=12, spaceBefore=2, spaceAfter=2),
        cell=ParagraphStyle("cell", body, fontSize=9.5, leading=13),
        small_cell=ParagraphStyle("small", body, fontSize=8.5, leading=11),
        signature=ParagraphStyle("sig", body, alignment=TA_RIGHT, spaceBefore=10),
    )


def _col_widths(rows: Sequence[Sequence[str]], total: float, style: ParagraphStyle) -> list[float]:
    """Column widths that keep short columns on one line and let the widest ones wrap.

    Each column needs its widest cell (measured in the font) plus the cell padding. If all fit,
    every column grows in proportion; otherwise the columns that fit in an equal share of what
    is left get their need, repeatedly, and the rest share the remainder in proportion.
    """
    need = [
        max(stringWidth(row[i], style.fontName, style.fontSize) for row in rows) + _CELL_PADDING
        for i in range(len(rows[0]))
    ]
    if sum(need) <= total:
        return [total * n / sum(need) for n in need]
    widths = [0.0] * len(need)
    wide, left = set(range(len(need))), total
    while fits := [i for i in wide if need[i] <= left / len(wide)]:
        for i in fits:
            widths[i], left = need[i], left - need[i]
            wide.remove(i)
    rest = sum(need[i] for i in wide)
    for i in wide:
        widths[i] = left * need[i] / rest
    return widths


def _table(table: c.Table, styles: _Styles) -> Table:
    grid = table.kind == "grid"
    text_rows = ([table.header] if table.header else []) + list(table.rows)
    cell = styles.small_cell if grid else styles.cell
    data = [[Paragraph(escape(text), cell) for text in row] for row in text_rows]
    if grid:
        widths = _col_widths(text_rows, TEXT_WIDTH, cell)
    else:
        widths = [0.3 * TEXT_WIDTH, 0.7 * TEXT_WIDTH]
    commands: list[tuple[object, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, _GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    shaded = ((0, 0), (-1, 0)) if grid and table.header else ((0, 0), (0, -1))
    commands.append(("BACKGROUND", *shaded, _SHADE))
    return Table(data, colWidths=widths, style=TableStyle(commands), repeatRows=int(grid))


def _header(table: c.Table, styles: _Styles) -> Table:
    data = [
        [Paragraph(escape(k), styles.cell), Paragraph(escape(v), styles.cell)]
        for k, v in table.rows
    ]
    return Table(data, colWidths=[0.18 * TEXT_WIDTH, 0.82 * TEXT_WIDTH])


def _section(section: c.Section, styles: _Styles) -> list[Flowable]:
    rule = HRFlowable(width="100%", thickness=0.8, color=colors.black, spaceAfter=4)
    rule.keepWithNext = 1  # platypus reads the attribute: no heading alone at a page end
    flow: list[Flowable] = [Paragraph(escape(section.heading), styles.heading), rule]
    for block in section.blocks:
        if isinstance(block, c.Table):
            flow += [_table(block, styles), Spacer(1, 3)]
        elif isinstance(block, c.Figure):
            chart = chart_drawing(block.chart, styles.body.fontName, TEXT_WIDTH)
            # The paragraph that introduces the chart stays on its page.
            lead = [flow.pop()] if isinstance(flow[-1], Paragraph) else []
            flow += [KeepTogether([*lead, chart]), Spacer(1, 3)]
        else:
            flow.append(Paragraph(escape(block.text), getattr(styles, block.style)))
    return flow


def build_pdf(content: c.ReportContent, font: CjkFont) -> bytes:
    """The PDF bytes of ``content``, with ``font`` embedded as subsets."""
    name = register_cjk_font(font)
    styles = _styles(name)
    story: list[Flowable] = [Paragraph(escape(content.title), styles.title)]
    story += [_header(content.header, styles), Spacer(1, 4)]
    for section in content.sections[:-1]:
        story += _section(section, styles)
    # The last section and the signature stay together: no page with a lone signature.
    signature = Paragraph(escape(content.signature), styles.signature)
    story.append(KeepTogether([*_section(content.sections[-1], styles), signature]))

    def footer(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(name, 8)
        canvas.setFillColor(colors.grey)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"{content.footer} · 第{doc.page}页")
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=content.title,
        subject=content.header.rows[0][1],
        author="courtval",
        creator="courtval",
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
