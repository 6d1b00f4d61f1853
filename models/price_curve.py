"""What a price curve is made of, for any kind of asset: the model's value at month-ends and
the sales observed per month."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from models.clock import month_end, shift_months


class ValuePoint(BaseModel):
    """The model's value of the asset at one date, with its 80% interval."""

    date: dt.date
    value: float
    lower: float
    upper: float


class ObservedMonth(BaseModel):
    """Sales of comparable assets in one month."""

    month: str = Field(description="YYYY-MM.")
    median_price: float
    count: int = Field(ge=1)


def month_ends(anchor: dt.date, offsets: range) -> list[dt.date]:
    """The month-ends ``offsets`` months from ``anchor``'s month."""
    return [month_end(*shift_months(anchor, k)) for k in offsets]
