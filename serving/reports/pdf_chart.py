"""A :class:`~models.curve_chart.Chart` drawn with reportlab's vector graphics, for the PDF.

The chart's shapes are laid out on a canvas whose y axis points down (as SVG draws); reportlab's
points up, so each y is flipped, and everything is scaled to the width the page gives. Text is
set in the report's embedded CJK font.
"""

from __future__ import annotations

from reportlab.graphics.shapes import Circle, Drawing, Polygon, PolyLine, Shape, String
from reportlab.lib import colors

from models.curve_chart import Chart, Dot, Label, Stroke

#: The dash of a projection line, in the chart's own units (as the SVG's 6 4).
_DASH = (6.0, 4.0)


def chart_drawing(chart: Chart, font: str, width: float) -> Drawing:
    """``chart`` as a reportlab drawing ``width`` points wide (a platypus flowable)."""
    scale = width / chart.width
    height = chart.height * scale

    def flat(points: tuple[tuple[float, float], ...]) -> list[float]:
        return [v for x, y in points for v in (x * scale, height - y * scale)]

    drawing = Drawing(width, height)
    for shape in chart.shapes:
        drawn: Shape
        if isinstance(shape, Label):
            drawn = String(
                shape.x * scale,
                height - shape.y * scale,
                shape.text,
                fontName=font,
                fontSize=shape.size * scale,
                textAnchor=shape.anchor,
                fillColor=colors.black,
            )
        elif isinstance(shape, Dot):
            drawn = Circle(
                shape.x * scale,
                height - shape.y * scale,
                shape.r * scale,
                fillColor=colors.HexColor(shape.colour),
                fillOpacity=shape.opacity,
                strokeColor=None,
            )
        elif isinstance(shape, Stroke) and shape.fill:
            drawn = Polygon(
                flat(shape.points),
                fillColor=colors.HexColor(shape.colour),
                fillOpacity=shape.opacity,
                strokeColor=None,
            )
        else:
            drawn = PolyLine(
                flat(shape.points),
                strokeColor=colors.HexColor(shape.colour),
                strokeWidth=shape.width * scale,
                strokeDashArray=[d * scale for d in _DASH] if shape.dashed else None,
            )
        drawing.add(drawn)
    return drawing
