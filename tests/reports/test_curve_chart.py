"""The price curve's chart, laid out once and written as SVG (web page, HTML report) and as a
reportlab drawing (PDF report): the same shapes, the same places."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from reportlab.graphics.shapes import Circle, Polygon, PolyLine, String

from models.curve_chart import Chart, Dot, Label, Stroke, curve_chart, render_svg
from models.price_curve import ObservedMonth, ValuePoint
from serving.reports.pdf_chart import chart_drawing

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def chart() -> Chart:
    known = [
        ValuePoint(
            date=dt.date(2025, m, 28), value=800_000 + m * 5_000, lower=700_000, upper=900_000
        )
        for m in range(1, 13)
    ]
    observed = [
        ObservedMonth(month="2025-03", median_price=760_000, count=4),
        ObservedMonth(month="2025-09", median_price=820_000, count=1),
    ]
    projection = [
        ValuePoint(date=dt.date(2026, 1, 31), value=850_000, lower=760_000, upper=950_000)
    ]
    return curve_chart('锦园 "东区" 价格走势', known, observed, "同小区", projection)


def test_the_svg_holds_every_shape_and_escapes_the_title(chart: Chart) -> None:
    root = ET.fromstring(render_svg(chart))  # well-formed, a quote in the title included
    assert root.get("aria-label") == '锦园 "东区" 价格走势'
    labels = [s for s in chart.shapes if isinstance(s, Label)]
    dots = [s for s in chart.shapes if isinstance(s, Dot)]
    strokes = [s for s in chart.shapes if isinstance(s, Stroke)]
    assert len(root.findall(f"{SVG}text")) == len(labels)
    assert len(root.findall(f"{SVG}circle")) == len(dots) == 2 + 1  # the sales, the valuation day
    assert len(root.findall(f"{SVG}path")) == len(strokes)
    assert len(root.findall(f"{SVG}path[@stroke-dasharray]")) == 2  # projection and its legend


def test_the_pdf_drawing_has_the_same_shapes_flipped_and_scaled(chart: Chart) -> None:
    width = 500.0
    drawing = chart_drawing(chart, "Helvetica", width)
    scale = width / chart.width
    assert drawing.width == width and drawing.height == pytest.approx(chart.height * scale)
    assert len(drawing.contents) == len(chart.shapes)
    for shape, drawn in zip(chart.shapes, drawing.contents, strict=True):
        if isinstance(shape, Label):
            assert isinstance(drawn, String) and drawn.text == shape.text
            assert drawn.y == pytest.approx(drawing.height - shape.y * scale)  # y points up
        elif isinstance(shape, Dot):
            assert isinstance(drawn, Circle) and drawn.r == pytest.approx(shape.r * scale)
        else:
            assert isinstance(drawn, Polygon if shape.fill else PolyLine)
            assert drawn.points[0] == pytest.approx(shape.points[0][0] * scale)
    title = drawing.contents[0]
    assert isinstance(title, String) and title.y > drawing.height * 0.9  # at the top
