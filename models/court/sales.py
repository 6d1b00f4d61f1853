"""What an inquiry's property finally sold for, and how close the inquiry was (法释〔2018〕15号
Art. 31: the inquiry fee goes to the platform whose result is closest to the sale price).

A judge records the sale of an inquired property or vehicle (the auction's hammer price, or the
price of a sale at a discount after two failed auctions). The recorded sales are the service's
accuracy in the field: an IAAO ratio study (``estimate / price``) of real outcomes, not of a
holdout, and the ground truth a data scientist retrains on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy.stats import binom

from models.court.case_number import CaseNumber, normalise_case_number
from models.court.reference_price import PlatformResult
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
    case_number: CaseNumber | None = Field(
        default=None,
        description=(
            "案号（可选）：询价时未填写案号的，在此补填，以便找到引用该询价的参考价、按第三十一条"
            "确定询价费归属；询价时已填写的，须与之相同."
        ),
    )


class SaleCorrection(SaleReport):
    """A recorded sale entered again, corrected, with the reason; the ledger keeps both."""

    reason: Annotated[str, OneLine] = Field(
        min_length=1, max_length=SALE_NOTE_MAX_CHARS, description="更正原因，如“成交价录入错误”."
    )


def sale_case_number(report: SaleReport, inquired_under: str | None) -> str | None:
    """The 案号 of the sale: the inquiry's, or the report's when the inquiry had none.

    Raises:
        InvalidInputError: on ``case_number`` when the report names another case than the
            inquiry's (422 naming it).
    """
    given = report.case_number
    if given is None or inquired_under is None:
        return inquired_under or given
    if normalise_case_number(given) != normalise_case_number(inquired_under):
        raise InvalidInputError(
            "case_number",
            bilingual(
                f"案号 {given} 与询价时的案号 {inquired_under} 不同",
                f"case_number {given} is not the inquiry's ({inquired_under})",
            ),
        )
    return inquired_under


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


#: What the fee attribution cites.
FEE_BASIS = "法释〔2018〕15号第三十一条：询价费由询价结果与成交价最接近的平台收取"


class PlatformDistance(BaseModel):
    """How far one platform's result, as the reference price used it, was from the sale."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    platform: str = Field(description="询价平台名称.")
    value: Decimal = Field(description="The platform's result, CNY.")
    difference: Decimal = Field(description="Result − sale price, CNY.")
    deviation: float = Field(description="Result / sale price − 1.")


class FeeAttribution(BaseModel):
    """Art. 31: which platform's result came closest to the sale price.

    The results are those the reference price that cited the inquiry averaged (disputed and
    expired ones were left out of it, and are left out here); the reference price is the latest
    one computed here, on or before the sale day, that cites the inquiry by its id.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    reference_id: int = Field(
        description="The ledger entry of that reference price (POST /v1/reference-price)."
    )
    decided_on: dt.date = Field(description="The reference price's decision day.")
    platforms: list[PlatformDistance] = Field(description="Each result, the closest first.")
    closest: list[str] = Field(
        description="The platform whose result is closest to the price (several on a tie)."
    )
    ours: str = Field(description="The platform name our own results carry in the lists above.")
    ours_closest: bool = Field(description="Whether ours is (one of) the closest.")
    basis: str = FEE_BASIS


def attribute_fee(
    results: Sequence[PlatformResult],
    price: Decimal,
    *,
    ours: str,
    reference_id: int,
    decided_on: dt.date,
) -> FeeAttribution:
    """The Art. 31 closeness of ``results`` to the sale ``price`` (exact, in yuan).

    Args:
        results: The results a reference price used (at least one).
        price: The sale price.
        ours: The name our own results carry.
        reference_id: The reference price's ledger entry id.
        decided_on: Its decision day.
    """
    distances = sorted(
        (
            PlatformDistance(
                platform=r.platform,
                value=r.value,
                difference=r.value - price,
                deviation=float(r.value / price) - 1.0,
            )
            for r in results
        ),
        key=lambda d: (abs(d.difference), d.platform),
    )
    nearest = abs(distances[0].difference)
    closest = [d.platform for d in distances if abs(d.difference) == nearest]
    return FeeAttribution(
        reference_id=reference_id,
        decided_on=decided_on,
        platforms=distances,
        closest=closest,
        ours=ours,
        ours_closest=ours in closest,
        basis=FEE_BASIS,
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
    fee: FeeAttribution | None = Field(
        default=None,
        description="Art. 31: the platforms' results against the price; None when no "
        "reference price computed here by the sale day cites the inquiry.",
    )


class FeeStudy(BaseModel):
    """Art. 31 over the studied sales: how often our result came closest to the price."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    with_reference: int = Field(
        ge=0, description="Sales whose inquiry a reference price computed here cites."
    )
    ours_closest: int = Field(ge=0, description="Of those, sales where ours came closest.")
    ours_closest_share: float | None = Field(
        description="ours_closest / with_reference; None without any."
    )


#: Coverage of the median ratio's interval.
MEDIAN_LEVEL = 0.95


def median_interval(
    values: Sequence[float], level: float = MEDIAN_LEVEL
) -> tuple[float, float] | None:
    """The distribution-free confidence interval of the median, from order statistics.

    The interval from the j-th smallest to the j-th largest value holds the true median unless
    fewer than j values fall on one side of it, which has probability ``2 P(B < j)`` with
    ``B ~ Binomial(n, 1/2)``, whatever the distribution; j is the largest that keeps this at
    most ``1 - level`` (the interval the IAAO Standard on Ratio Studies gives for the median
    ratio). None when even the full range falls short, as with fewer than 6 values at 95%.
    """
    n = len(values)
    if n == 0:
        return None
    below = int(binom.ppf((1.0 - level) / 2.0, n, 0.5))  # smallest k with P(B <= k) >= alpha/2
    if binom.cdf(below, n, 0.5) > (1.0 - level) / 2.0:
        below -= 1  # P(B <= below) must stay within alpha/2
    if below < 0:
        return None
    ordered = np.sort(np.asarray(values, dtype=np.float64))
    return float(ordered[below]), float(ordered[n - 1 - below])


class RoundRatio(BaseModel):
    """The ratios of the sales of one kind of sale: an auction after a failed one starts lower
    (法释〔2016〕18号 Art. 26), so its prices, and its ratios, are not the first auction's."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    round: SaleRound
    n: int = Field(ge=1, description="Sales made this way.")
    median_ratio: float = Field(description="Their median value / price.")


class RatioStudy(BaseModel):
    """The inquiries' accuracy against the recorded sales (all, or one kind or period)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str | None = Field(description="The kind studied; None: all kinds together.")
    sold_from: dt.date | None
    sold_until: dt.date | None
    n: int = Field(ge=0, description="Sales in the study.")
    median_ratio: float | None = Field(
        description="The median value / price (the IAAO level; None without sales)."
    )
    median_ratio_ci95: tuple[float, float] | None = Field(
        description=(
            "Its 95% confidence interval from order statistics (see median_interval); None "
            "with fewer than 6 sales. An interval that leaves out 1 says the inquiries run "
            "high or low against the sale prices beyond chance."
        )
    )
    metrics: ValuationMetrics | None = Field(
        description="Median APE, PPE10/20, COD, PRD, interval coverage; None without sales."
    )
    rounds: list[RoundRatio] = Field(
        description="By how the asset sold (一拍, 二拍, 变卖; those with sales)."
    )
    fee: FeeStudy = Field(description="Art. 31: how often ours came closest to the price.")
