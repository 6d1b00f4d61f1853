"""A price curve drawn as a self-contained SVG (no fonts, scripts or files fetched): a
vehicle's or a property's.

Text is left to the viewer's own fonts, so the Chinese labels render in any browser and in
reports that embed the SVG, with no CJK font needed on the server.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from xml.sax.saxutils import escape

from models.price_curve import ObservedMonth, ValuePoint

WIDTH, HEIGHT = 720, 400
_LEFT, _RIGHT, _TOP, _BOTTOM = 70, 20, 40, 70
_HISTORY, _PROJECTION, _OBSERVED = "#1f5fa8", "#c0392b", "#27ae60"


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


def _path(axes: _Axes, points: Sequence[tuple[dt.date, float]]) -> str:
    steps = (f"{axes.x(d):.1f},{axes.y(v):.1f}" for d, v in points)
    return "M" + " L".join(steps)


def _band(axes: _Axes, points: Sequence[ValuePoint], colour: str, opacity: float) -> str:
    if len(points) < 2:
        return ""
    upper = [(p.date, p.upper) for p in points]
    lower = [(p.date, p.lower) for p in reversed(points)]
    outline = _path(axes, upper + lower) + " Z"
    return f'<path d="{outline}" fill="{colour}" fill-opacity="{opacity}" stroke="none"/>'


def _line(axes: _Axes, points: Sequence[ValuePoint], colour: str, dashed: bool) -> str:
    if not points:
        return ""
    dash = ' stroke-dasharray="6 4"' if dashed else ""
    d = _path(axes, [(p.date, p.value) for p in points])
    return f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'


def _grid(axes: _Axes) -> list[str]:
    out = []
    value = axes.low
    while value <= axes.high + 1e-9:
        y = axes.y(value)
        out.append(
            f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{WIDTH - _RIGHT}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{value / 1e4:g}</text>'
        )
        value += axes.step
    month = dt.date(axes.start.year, axes.start.month, 1)
    end = axes.start + dt.timedelta(days=axes.days)
    while month <= end:
        if month >= axes.start and month.month in (1, 4, 7, 10):
            x = axes.x(month)
            out.append(
                f'<line x1="{x:.1f}" y1="{HEIGHT - _BOTTOM}" x2="{x:.1f}" '
                f'y2="{HEIGHT - _BOTTOM + 5}" stroke="#333"/>'
                f'<text x="{x:.1f}" y="{HEIGHT - _BOTTOM + 20}" text-anchor="middle">'
                f"{month:%Y-%m}</text>"
            )
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return out


def _legend(observed_label: str, projected: bool) -> str:
    items = [
        (_HISTORY, "模型估值（历史）", ""),
        *([(_PROJECTION, "预测", ' stroke-dasharray="6 4"')] if projected else []),
        (_OBSERVED, observed_label, ""),
    ]
    out, x = [], _LEFT
    for colour, label, dash in items:
        y = HEIGHT - 22
        out.append(
            f'<line x1="{x}" y1="{y}" x2="{x + 24}" y2="{y}" stroke="{colour}" '
            f'stroke-width="2"{dash}/><text x="{x + 30}" y="{y + 4}">{escape(label)}</text>'
        )
        x += 40 + 14 * len(label)
    return "".join(out)


def render_svg(
    title: str,
    known: Sequence[ValuePoint],
    observed: Sequence[ObservedMonth],
    observed_label: str,
    projection: Sequence[ValuePoint] = (),
) -> str:
    """The curve as an SVG document: the model's values up to the valuation date (``known``,
    its last point the valuation date's) with their 80 % band, the comparable sales' monthly
    medians (circle area ∝ count) and, when given, the dashed projection; prices in 万元
    (10,000 CNY)."""
    current = known[-1]
    months = [dt.date(int(m.month[:4]), int(m.month[5:]), 15) for m in observed]
    dates = [p.date for p in [*known, *projection]] + months
    values = [v for p in [*known, *projection] for v in (p.lower, p.upper)]
    values += [m.median_price for m in observed]
    axes = _Axes(min(dates), max(dates), min(values), max(values))
    biggest = max((m.count for m in observed), default=1)
    dots = "".join(
        f'<circle cx="{axes.x(d):.1f}" cy="{axes.y(m.median_price):.1f}" '
        f'r="{2.5 + 4.5 * math.sqrt(m.count / biggest):.1f}" fill="{_OBSERVED}" '
        f'fill-opacity="0.7"><title>{m.month}: {m.median_price:,.0f} 元 · {m.count} 笔</title>'
        "</circle>"
        for d, m in zip(months, observed, strict=True)
    )
    projected = [current, *projection] if projection else []
    body = [
        f'<text x="{WIDTH / 2}" y="22" text-anchor="middle" font-size="15">{escape(title)}</text>',
        f'<text x="14" y="{_TOP - 8}" font-size="11">万元</text>',
        *_grid(axes),
        _band(axes, known, _HISTORY, 0.15),
        _band(axes, projected, _PROJECTION, 0.10),
        _line(axes, known, _HISTORY, dashed=False),
        _line(axes, projected, _PROJECTION, dashed=True),
        dots,
        f'<circle cx="{axes.x(current.date):.1f}" cy="{axes.y(current.value):.1f}" '
        f'r="4" fill="{_HISTORY}"><title>估价日 {current.date}: '
        f"{current.value:,.0f} 元</title></circle>",
        _legend(observed_label, bool(projection)),
    ]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12" '
        f'role="img" aria-label="{escape(title)}">'
        f'<rect width="100%" height="100%" fill="white"/>{"".join(body)}</svg>'
    )
