"""Numbers as a judge reads them in Chinese: 12.5万元, 3.2亿元, 45%."""

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
