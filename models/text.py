"""Numbers as a judge reads them in Chinese: 12.5万元, 3.2亿元, 45%, 89.5㎡, 6.2万公里."""

from __future__ import annotations

import math
from typing import Any, TypeGuard


def cny(amount: float) -> str:
    """An amount of yuan: 元 below ten thousand, 万元 below a hundred million, else 亿元."""
    if amount >= 1e8:
        return f"{amount / 1e8:.2f}亿元"
    if amount >= 1e4:
        return f"{amount / 1e4:,.1f}万元"
    return f"{amount:,.0f}元"


def pct(share: float) -> str:
    """A share as a whole percentage (one decimal below 1%)."""
    value = share * 100.0
    return f"{value:.1f}%" if 0 < value < 1 else f"{value:.0f}%"


def known(value: Any) -> TypeGuard[Any]:
    """True when a value is present (not None, not NaN)."""
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def flag(value: object) -> bool:
    """True only for a known, true value (``None`` and ``NaN`` are not true here)."""
    return known(value) and bool(value)


def decimal(value: float, digits: int = 2) -> str:
    """A number with at most ``digits`` decimals and no trailing zeros: 89.5, 81.37, 12."""
    text = f"{value:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def wan(value: float, unit: str, digits: int = 2) -> str:
    """A large count in 万 (ten thousand) of ``unit`` from ten thousand on: 6.2万公里, 8,400公里."""
    if abs(value) >= 1e4:
        return f"{decimal(value / 1e4, digits)}万{unit}"
    return f"{value:,.0f}{unit}"
