"""The reference price for disposing of seized property, and the auction start-price floors.

* 法释〔2018〕15号 art. 13: the reference price is the (simple) average of the platforms'
  results; results a party has objected to are left out (¶2). Here ``disputed`` means an
  objection is pending or was upheld: once it is rejected, or the platform has corrected its
  report (补正), the caller sends the result again with ``disputed=False``.
* art. 27: a result is valid for at most one year, and a platform may set a shorter validity.
  "One year" from an inquiry on 2024-03-01 runs to 2025-03-01 inclusive (民法典 arts. 201–202:
  the first day is not counted, a period in years ends on the corresponding day, or the
  month's last day when there is none, so 2024-02-29 runs to 2025-02-28). A result is expired
  when the decision date is after its last valid day.
* 法释〔2016〕18号 art. 10: the start price of an online judicial auction (= the reserve price)
  is at least 70% of the reference price; art. 26: a re-run after a failed auction lowers it by
  at most 20% of the previous start price. Floors of the reference: 100% → 70% → 56%.

Money is :class:`~decimal.Decimal` in yuan. The average is rounded half-up (四舍五入) to the fen
(0.01 CNY); the auction floors are rounded **up** to the fen, so a price at the floor never falls
below the legal minimum.

This module is the one place these percentages live: the report renderer calls
:func:`auction_start_prices` rather than repeating them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from models.court.errors import NoUsableResultError, bilingual
from models.errors import InvalidInputError
from models.schemas import OneLine

logger = logging.getLogger(__name__)

FEN = Decimal("0.01")
#: The largest result accepted, 一万亿元 (more than any one property; the average of such
#: figures to the fen stays within decimal's 28 significant digits).
MAX_RESULT_CNY = Decimal("1e12")
#: 法释〔2018〕15号 art. 27: longest validity of an inquiry or appraisal result.
MAX_VALIDITY_YEARS = 1
#: 法释〔2016〕18号 art. 10: first start price ≥ 70% of the reference price.
FIRST_ROUND_MIN_RATIO = Decimal("0.70")
#: 法释〔2016〕18号 art. 26: a re-run's start price ≥ 80% of the previous start price.
RERUN_MIN_RATIO = Decimal("0.80")
METHOD = "各司法网络询价平台有效询价结果的简单算术平均（法释〔2018〕15号第十三条）"


class ExclusionReason(StrEnum):
    """Why a platform result is left out of the average."""

    DISPUTED = "询价报告被提出异议"
    EXPIRED = "询价结果已超过有效期"


class PlatformResult(BaseModel):
    """One platform's inquiry result for one property."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    platform: Annotated[str, OneLine] = Field(
        min_length=1, max_length=64, description="询价平台名称."
    )
    value: Decimal = Field(
        gt=0, le=MAX_RESULT_CNY, allow_inf_nan=False, description="询价结果（元）."
    )
    inquiry_date: dt.date = Field(description="询价报告出具日.")
    valid_until: dt.date | None = Field(
        default=None,
        description="报告载明的有效期截止日；null: 出具日起一年（最长一年）.",
    )
    disputed: bool = Field(default=False, description="是否有未决或成立的异议.")

    def last_valid_day(self) -> dt.date:
        """The last day the result may be used: its own validity, capped at one year."""
        one_year = _add_years(self.inquiry_date, MAX_VALIDITY_YEARS)
        return one_year if self.valid_until is None else min(self.valid_until, one_year)


class ExcludedResult(BaseModel):
    """A platform result left out of the average, and why."""

    result: PlatformResult
    reason: ExclusionReason
    detail: str = Field(description="The reason in a Chinese sentence.")


class ReferencePrice(BaseModel):
    """The reference price and how it was reached."""

    value: Decimal = Field(description="参考价（元，四舍五入到分）.")
    decision_date: dt.date
    valid_until: dt.date = Field(description="The earliest last valid day of the results used.")
    method: str = METHOD
    used: list[PlatformResult]
    excluded: list[ExcludedResult]


class AuctionStartPrices(BaseModel):
    """The lowest start prices the rules allow for each auction round."""

    reference: Decimal = Field(description="参考价（元）.")
    first_round_min: Decimal = Field(description="一拍起拍价下限：参考价的 70%.")
    second_round_min: Decimal = Field(description="二拍起拍价下限：一拍起拍价的 80%.")
    basis: str = (
        "法释〔2016〕18号第十条（起拍价不低于参考价的70%）、第二十六条（再次拍卖降价不超过20%）"
    )


def reference_price(results: list[PlatformResult], *, decision_date: dt.date) -> ReferencePrice:
    """The Art. 13 reference price of ``results`` as of ``decision_date``.

    Raises:
        InvalidInputError: a platform appears twice, or a result is dated after the decision.
        NoUsableResultError: every result is disputed or expired (the reasons are listed).
    """
    _check_inputs(results, decision_date)
    used: list[PlatformResult] = []
    excluded: list[ExcludedResult] = []
    for result in results:
        exclusion = _exclusion(result, decision_date)
        if exclusion is None:
            used.append(result)
        else:
            excluded.append(exclusion)
    if not used:
        reasons = (
            "；".join(f"{e.result.platform}：{e.detail}" for e in excluded) or "未提供询价结果"
        )
        raise NoUsableResultError(
            f"没有可用于计算参考价的询价结果（{reasons}）",
            f"no undisputed, unexpired platform result to average ({len(excluded)} excluded)",
        )
    mean = sum((r.value for r in used), Decimal(0)) / len(used)
    return ReferencePrice(
        value=mean.quantize(FEN, rounding=ROUND_HALF_UP),
        decision_date=decision_date,
        valid_until=min(r.last_valid_day() for r in used),
        used=used,
        excluded=excluded,
    )


def auction_start_prices(
    reference: ReferencePrice | Decimal, *, first_start: Decimal | None = None
) -> AuctionStartPrices:
    """The floors of the first and second auction start prices.

    Args:
        reference: The reference price (or its value in yuan).
        first_start: The first round's actual start price, when already set; the second
            round's floor is 80% of it. Default: the first round's floor (→ 56% of the reference).

    Raises:
        InvalidInputError: the reference is not positive, or ``first_start`` is below the floor.
    """
    value = reference.value if isinstance(reference, ReferencePrice) else Decimal(reference)
    if not value > 0:
        raise _invalid("reference", f"参考价须大于 0，收到 {value}", f"must be > 0, got {value}")
    first_min = _ceil_fen(value * FIRST_ROUND_MIN_RATIO)
    if first_start is not None and first_start < first_min:
        raise _invalid(
            "first_start",
            f"一拍起拍价 {first_start} 低于参考价的 70%（{first_min}）",
            f"{first_start} is below 70% of the reference price ({first_min})",
        )
    first = first_min if first_start is None else first_start
    return AuctionStartPrices(
        reference=value,
        first_round_min=first_min,
        second_round_min=_ceil_fen(first * RERUN_MIN_RATIO),
    )


def _exclusion(result: PlatformResult, decision_date: dt.date) -> ExcludedResult | None:
    if result.disputed:
        return ExcludedResult(
            result=result,
            reason=ExclusionReason.DISPUTED,
            detail="询价报告被提出异议，不计入参考价（法释〔2018〕15号第十三条第二款）",
        )
    last_day = result.last_valid_day()
    if decision_date > last_day:
        return ExcludedResult(
            result=result,
            reason=ExclusionReason.EXPIRED,
            detail=f"询价结果有效期至 {last_day}，已过期（法释〔2018〕15号第二十七条）",
        )
    return None


def _check_inputs(results: list[PlatformResult], decision_date: dt.date) -> None:
    platforms = [r.platform for r in results]
    repeated = sorted({p for p in platforms if platforms.count(p) > 1})
    if repeated:
        raise _invalid(
            "results",
            f"询价平台重复：{'、'.join(repeated)}；每个平台只提交一个（补正后的）结果",
            f"platform(s) repeated: {', '.join(repeated)}; send one (corrected) result each",
        )
    future = [r.platform for r in results if r.inquiry_date > decision_date]
    if future:
        raise _invalid(
            "results",
            f"询价结果出具日晚于决定日 {decision_date}：{'、'.join(future)}",
            f"result(s) dated after the decision date {decision_date}: {', '.join(future)}",
        )


def _invalid(field: str, chinese: str, english: str) -> InvalidInputError:
    return InvalidInputError(field, bilingual(chinese, english))


def _ceil_fen(amount: Decimal) -> Decimal:
    return amount.quantize(FEN, rounding=ROUND_CEILING)


def _add_years(day: dt.date, years: int) -> dt.date:
    """The corresponding day ``years`` later, or that month's last day when there is none."""
    year = day.year + years
    return dt.date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))
