"""A price curve as a chart: a vehicle's or a property's.

The chart is laid out once, as a few plain shapes on a 720 × 400 canvas (y downwards, as SVG
draws), and then written out by whoever shows it: :func:`render_svg` here for the web page and
the HTML report, the PDF report with its own drawing library. Both show the same picture.

The SVG is self-contained (no fonts, scripts or files fetched): its text is left to the
viewer's own fonts, so the Chinese labels render in any browser with no CJK font on the server.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from xml.sax.saxutils import escape

from models.price_curve import ObservedMonth, ValuePoint

WIDTH, HEIGHT = 720, 400
_LEFT, _RIGHT, _TOP, _BOTTOM = 70, 20, 40, 70
HISTORY_COLOUR, PROJECTION_COLOUR, OBSERVED_COLOUR = "#1f5fa8", "#c0392b", "#27ae60"
GRID_COLOUR, AXIS_COLOUR = "#dddddd", "#333333"

Point = tuple[float, float]
Anchor = Literal["start", "middle", "end"]


@dataclass(frozen=True)
class Stroke:
    """A line through ``points``; ``fill`` with ``opacity`` makes it a closed area instead."""

    points: tuple[Point, ...]
    colour: str
    width: float = 1.0
    dashed: bool = False
    fill: bool = False
    opacity: float = 1.0


@dataclass(frozen=True)
class Dot:
    """A filled circle; ``note`` is its tooltip on the web page."""

    x: float
    y: float
    r: float
    colour: str
    opacity: float = 1.0
    note: str = ""


@dataclass(frozen=True)
class Label:
    """A text whose baseline starts, is centred or ends at (``x``, ``y``)."""

    x: float
    y: float
    text: str
    size: float = 12.0
    anchor: Anchor = "start"


Shape = Stroke | Dot | Label


@dataclass(frozen=True)
class Chart:
    """A chart: its title and its shapes, in drawing order, on a ``width`` × ``height``
    canvas whose y axis points down."""

    title: str
    shapes: tuple[Shape, ...]
    width: float = WIDTH
    height: float = HEIGHT


def _nice_step(span: float, ticks: int = 5) -> float:
    raw = span / max(ticks, 1)
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


class _Axes:
    def __init__(self, start: dt.date, end: dt.date, low: float, high: float) -> None:
        self.start, self.days = start, max((end - start).days, 1)
        step = _nice_step(high - low if high > low else max(high, 1.0))
        self.low = math.floor(low / step) * step
        self.high = math.ceil(high / step) * step
        if self.high <= self.low:
            self.high = self.low + step
        self.step = step

    def x(self, date: dt.date) -> float:
        share = (date - self.start).days / self.days
        return _LEFT + share * (WIDTH - _LEFT - _RIGHT)

    def y(self, value: float) -> float:
        share = (value - self.low) / (self.high - self.low)
        return HEIGHT - _BOTTOM - share * (HEIGHT - _TOP - _BOTTOM)

    def at(self, date: dt.date, value: float) -> Point:
        return (round(self.x(date), 1), round(self.y(value), 1))


def _band(axes: _Axes, points: Sequence[ValuePoint], colour: str, opacity: float) -> list[Shape]:
    if len(points) < 2:
        return []
    upper = [axes.at(p.date, p.upper) for p in points]
    lower = [axes.at(p.date, p.lower) for p in reversed(points)]
    return [Stroke(tuple(upper + lower), colour, fill=True, opacity=opacity)]


def _line(axes: _Axes, points: Sequence[ValuePoint], colour: str, dashed: bool) -> list[Shape]:
    if not points:
        return []
    return [Stroke(tuple(axes.at(p.date, p.value) for p in points), colour, 2.0, dashed)]


def _grid(axes: _Axes) -> list[Shape]:
    out: list[Shape] = []
    value = axes.low
    while value <= axes.high + 1e-9:
        y = round(axes.y(value), 1)
        out += [
            Stroke(((_LEFT, y), (WIDTH - _RIGHT, y)), GRID_COLOUR),
            Label(_LEFT - 6, y + 4, f"{value / 1e4:g}", anchor="end"),
        ]
        value += axes.step
    month = dt.date(axes.start.year, axes.start.month, 1)
    end = axes.start + dt.timedelta(days=axes.days)
    bottom = HEIGHT - _BOTTOM
    while month <= end:
        if month >= axes.start and month.month in (1, 4, 7, 10):
            x = round(axes.x(month), 1)
            out += [
                Stroke(((x, bottom), (x, bottom + 5)), AXIS_COLOUR),
                Label(x, bottom + 20, f"{month:%Y-%m}", anchor="middle"),
            ]
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return out


def _legend(observed_label: str, projected: bool) -> list[Shape]:
    items = [
        (HISTORY_COLOUR, "模型估值（历史）", False),
        *([(PROJECTION_COLOUR, "预测", True)] if projected else []),
        (OBSERVED_COLOUR, observed_label, False),
    ]
    out: list[Shape] = []
    x, y = float(_LEFT), float(HEIGHT - 22)
    for colour, label, dashed in items:
        out += [Stroke(((x, y), (x + 24, y)), colour, 2.0, dashed), Label(x + 30, y + 4, label)]
        x += 40 + 14 * len(label)
    return out


def curve_chart(
    title: str,
    known: Sequence[ValuePoint],
    observed: Sequence[ObservedMonth],
    observed_label: str,
    projection: Sequence[ValuePoint] = (),
) -> Chart:
    """The curve as a chart: the model's values up to the valuation date (``known``, its last
    point the valuation date's) with their 80 % band, the comparable sales' monthly medians
    (circle area ∝ count) and, when given, the dashed projection; prices in 万元 (10,000 CNY)."""
    current = known[-1]
    months = [dt.date(int(m.month[:4]), int(m.month[5:]), 15) for m in observed]
    dates = [p.date for p in [*known, *projection]] + months
    values = [v for p in [*known, *projection] for v in (p.lower, p.upper)]
    values += [m.median_price for m in observed]
    axes = _Axes(min(dates), max(dates), min(values), max(values))
    biggest = max((m.count for m in observed), default=1)
    dots: list[Shape] = [
        Dot(
            *axes.at(d, m.median_price),
            r=round(2.5 + 4.5 * math.sqrt(m.count / biggest), 1),
            colour=OBSERVED_COLOUR,
            opacity=0.7,
            note=f"{m.month}: {m.median_price:,.0f} 元 · {m.count} 笔",
        )
        for d, m in zip(months, observed, strict=True)
    ]
    projected = [current, *projection] if projection else []
    shapes: list[Shape] = [
        Label(WIDTH / 2, 22, title, size=15, anchor="middle"),
        Label(14, _TOP - 8, "万元", size=11),
        *_grid(axes),
        *_band(axes, known, HISTORY_COLOUR, 0.15),
        *_band(axes, projected, PROJECTION_COLOUR, 0.10),
        *_line(axes, known, HISTORY_COLOUR, dashed=False),
        *_line(axes, projected, PROJECTION_COLOUR, dashed=True),
        *dots,
        Dot(
            *axes.at(current.date, current.value),
            r=4,
            colour=HISTORY_COLOUR,
            note=f"估价日 {current.date}: {current.value:,.0f} 元",
        ),
        *_legend(observed_label, bool(projection)),
    ]
    return Chart(title, tuple(shapes))


def _svg_shape(shape: Shape) -> str:
    if isinstance(shape, Label):
        size = "" if shape.size == 12.0 else f' font-size="{shape.size:g}"'
        anchor = "" if shape.anchor == "start" else f' text-anchor="{shape.anchor}"'
        return f'<text x="{shape.x:g}" y="{shape.y:g}"{anchor}{size}>{escape(shape.text)}</text>'
    if isinstance(shape, Dot):
        opacity = "" if shape.opacity == 1.0 else f' fill-opacity="{shape.opacity:g}"'
        note = f"<title>{escape(shape.note)}</title>" if shape.note else ""
        return (
            f'<circle cx="{shape.x:g}" cy="{shape.y:g}" r="{shape.r:g}" fill="{shape.colour}"'
            f"{opacity}>{note}</circle>"
        )
    d = "M" + " L".join(f"{x:g},{y:g}" for x, y in shape.points)
    if shape.fill:
        return (
            f'<path d="{d} Z" fill="{shape.colour}" fill-opacity="{shape.opacity:g}" '
            'stroke="none"/>'
        )
    dash = ' stroke-dasharray="6 4"' if shape.dashed else ""
    return (
        f'<path d="{d}" fill="none" stroke="{shape.colour}" stroke-width="{shape.width:g}"{dash}/>'
    )


def render_svg(chart: Chart) -> str:
    """The chart as a standalone SVG document."""
    body = "".join(_svg_shape(shape) for shape in chart.shapes)
    title = escape(chart.title, {'"': "&quot;"})
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{chart.width:g}" '
        f'height="{chart.height:g}" viewBox="0 0 {chart.width:g} {chart.height:g}" '
        f'font-family="sans-serif" font-size="12" role="img" aria-label="{title}">'
        f'<rect width="100%" height="100%" fill="white"/>{body}</svg>'
    )
