"""Numbers and dates written the way a Chinese court document writes them."""

from __future__ import annotations

import datetime as dt

_WAN = 10_000


def yuan(amount: float) -> str:
    """Whole yuan with thousands separators, e.g. ``273,456元``."""
    return f"{round(amount):,}元"


def wan(amount: float, digits: int = 1) -> str:
    """Amount in 万元, e.g. ``27.3万元``; amounts under 1万 stay in yuan."""
    if abs(amount) < _WAN:
        return yuan(amount)
    return f"{amount / _WAN:,.{digits}f}万元"


def wan_and_yuan(amount: float) -> str:
    """Both forms, e.g. ``27.3万元（273,456元）``: readable and exact."""
    if abs(amount) < _WAN:
        return yuan(amount)
    return f"{wan(amount)}（{yuan(amount)}）"


def per_m2(amount: float) -> str:
    """A unit price, e.g. ``6,836元/㎡``."""
    return f"{round(amount):,}元/㎡"


def area(value: float) -> str:
    """A floor area, e.g. ``40.25㎡``."""
    return f"{value:,.2f}㎡"


def percent(share: float, digits: int = 0) -> str:
    """A share as a percentage, e.g. ``80%``."""
    return f"{share * 100:.{digits}f}%"


def signed_percent(value_pct: float) -> str:
    """An effect already in percent, with its sign, e.g. ``+3.2%`` or ``-1.0%``."""
    return f"{value_pct:+.1f}%"


def date(value: dt.date) -> str:
    """A date as ``2025年3月1日``."""
    return f"{value.year}年{value.month}月{value.day}日"


def km(value: float) -> str:
    """A distance driven, e.g. ``8,500公里`` or ``6.23万公里``."""
    if abs(value) < _WAN:
        return f"{round(value):,}公里"
    return f"{value / _WAN:,.2f}万公里"
