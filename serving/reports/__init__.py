"""The inquiry report (询价报告): contents required by 法释〔2018〕15号, as HTML and PDF."""

from serving.reports.fonts import CjkFont, ReportFontNotFoundError, find_cjk_font
from serving.reports.model import (
    AuctionPrices,
    InquiryReport,
    PropertyReport,
    VehicleReport,
    auction_prices,
    validity_end,
)
from serving.reports.render import render_html, render_pdf

__all__ = [
    "AuctionPrices",
    "CjkFont",
    "InquiryReport",
    "PropertyReport",
    "ReportFontNotFoundError",
    "VehicleReport",
    "auction_prices",
    "find_cjk_font",
    "render_html",
    "render_pdf",
    "validity_end",
]
