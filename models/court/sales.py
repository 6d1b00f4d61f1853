"""What an inquiry's property finally sold for, and how close the inquiry was (法释〔2018〕15号
Art. 31: the inquiry fee goes to the platform whose result is closest to the sale price).

A judge records the sale of an inquired property or vehicle (the auction's hammer price, or the
price of a sale at a discount after two failed auctions). The recorded sales are the service's
accuracy in the field: an IAAO ratio study (``estimate / price``) of real outcomes, not of a
holdout, and the ground truth a data scientist retrains on.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from models.errors import InvalidInputError, bilingual
from models.metrics import ValuationMetrics
from models.schemas import OneLine

#: The kinds of inquiry whose sales are recorded.
SALE_KINDS = ("property", "vehicle")
#: The highest price recorded (the appraised value's limit too).
MAX_SALE_CNY = Decimal("1e12")
#: Longest note with a sale, in characters.
SALE_NOTE_MAX_CHARS = 500


class SaleRound(StrEnum):
    """How the property was sold: at the first or second online auction, or by a sale at a
    discount (变卖) after both failed (法释〔2016〕18号)."""

    FIRST = "一拍"
    SECOND = "二拍"
    DISCOUNT_SALE = "变卖"


class SaleReport(BaseModel):
    """The sale of an inquired asset, as the judge enters it from the auction's record."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    price: Decimal = Field(
        gt=0,
        le=MAX_SALE_CNY,
        max_digits=15,
        decimal_places=2,
        description="成交价（元）：拍卖成交价或变卖价.",
    )
    sold_on: dt.date = Field(description="成交之日；不早于询价之日，不晚于今天.")
    round: SaleRound = Field(description="成交方式：一拍、二拍或变卖.")
    note: Annotated[str, OneLine] | None = Field(
        default=None,
        max_length=SALE_NOTE_MAX_CHARS,
        description="说明，如拍卖平台、竞价人数（可选）.",
    )


class SaleCorrection(SaleReport):
    """A recorded sale entered again, corrected, with the reason; the ledger keeps both."""

    reason: Annotated[str, OneLine] = Field(
        min_length=1, max_length=SALE_NOTE_MAX_CHARS, description="更正原因，如“成交价录入错误”."
    )


def check_sale(report: SaleReport, *, inquired_on: dt.date, today: dt.date) -> None:
    """A sale cannot precede its inquiry nor lie in the future.

    Raises:
        InvalidInputError: on ``sold_on`` (422 naming it).
    """
    if report.sold_on > today:
        raise InvalidInputError(
            "sold_on",
            bilingual(
                f"成交日 {report.sold_on} 晚于今天（{today}）",
                f"sold_on {report.sold_on} is in the future (today is {today})",
            ),
        )
    if report.sold_on < inquired_on:
        raise InvalidInputError(
            "sold_on",
            bilingual(
                f"成交日 {report.sold_on} 早于询价之日 {inquired_on}",
                f"sold_on {report.sold_on} is before the inquiry ({inquired_on})",
            ),
        )


class SalePublic(SaleReport):
    """A recorded sale beside the inquiry's answer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    inquiry_id: int
    kind: str = Field(description="property or vehicle.")
    case_number: str | None
    inquired_on: dt.date
    estimate: float = Field(description="The inquiry's value, CNY.")
    lower: float | None = Field(description="Its interval's lower bound, CNY.")
    upper: float | None = Field(description="Its interval's upper bound, CNY.")
    ratio: float = Field(description="estimate / price (IAAO's assessment-to-sale ratio).")
    within_interval: bool | None = Field(description="Whether the price fell in the interval.")
    recorded_at: dt.datetime


class RatioStudy(BaseModel):
    """The inquiries' accuracy against the recorded sales (all, or one kind or period)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str | None = Field(description="The kind studied; None: all kinds together.")
    sold_from: dt.date | None
    sold_until: dt.date | None
    n: int = Field(ge=0, description="Sales in the study.")
    metrics: ValuationMetrics | None = Field(
        description="Median APE, PPE10/20, COD, PRD, interval coverage; None without sales."
    )
