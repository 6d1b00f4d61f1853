"""Render an :class:`InquiryReport` as HTML (Jinja2) or as PDF (reportlab, embedded CJK font)."""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from models.curve_chart import render_svg
from serving.reports.content import report_content
from serving.reports.fonts import find_cjk_font
from serving.reports.model import InquiryReport
from serving.reports.pdf import build_pdf

logger = logging.getLogger(__name__)

TEMPLATE = "inquiry_report.html.j2"


@functools.lru_cache(maxsize=1)
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("serving.reports", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # The chart's SVG escapes every text it holds (render_svg), so it goes in as markup.
    environment.filters["svg"] = lambda chart: Markup(render_svg(chart))
    return environment


def render_html(report: InquiryReport) -> str:
    """The report as a standalone, print-ready (A4) HTML page; user text is escaped."""
    html = _environment().get_template(TEMPLATE).render(content=report_content(report))
    logger.debug("rendered HTML report for ledger entry %s", report.ledger_entry_id)
    return html


def render_pdf(report: InquiryReport, font_path: Path | None = None) -> bytes:
    """The report as an A4 PDF with the Chinese font embedded (subset).

    Args:
        report: The report to render.
        font_path: A TrueType font to use (the ``report_font_path`` setting); default: found
            by :func:`serving.reports.fonts.find_cjk_font`.

    Raises:
        ReportFontNotFoundError: If no usable CJK font is available.
    """
    font = find_cjk_font(font_path)
    pdf = build_pdf(report_content(report), font)
    logger.info(
        "rendered PDF report for ledger entry %s (%d bytes)", report.ledger_entry_id, len(pdf)
    )
    return pdf
