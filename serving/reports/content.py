"""The report's text, independent of the output format: HTML and PDF show the same words.

Each section is a heading and a sequence of blocks (paragraphs and tables); the renderers only
lay them out. Sections 一 to 三 describe the asset and are written per kind
(:mod:`serving.reports.property_content`, :mod:`serving.reports.vehicle_content`); the rest
is shared (:mod:`serving.reports.sections`).
"""

from __future__ import annotations

from serving.reports.document import (
    HEADINGS,
    Block,
    ReportContent,
    Section,
    Table,
    Text,
    TextStyle,
)
from serving.reports.model import InquiryReport, PropertyReport, VehicleReport
from serving.reports.property_content import property_content
from serving.reports.vehicle_content import vehicle_content

__all__ = [
    "HEADINGS",
    "Block",
    "ReportContent",
    "Section",
    "Table",
    "Text",
    "TextStyle",
    "report_content",
]


def report_content(report: InquiryReport) -> ReportContent:
    """The report's full text, ready for either renderer.

    Raises:
        TypeError: If ``report`` is neither a :class:`PropertyReport` nor a
            :class:`VehicleReport`.
    """
    if isinstance(report, PropertyReport):
        return property_content(report)
    if isinstance(report, VehicleReport):
        return vehicle_content(report)
    raise TypeError(
        f"no report layout for {type(report).__name__}; build a PropertyReport or a VehicleReport"
    )
