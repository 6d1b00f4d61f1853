"""What an inquiry report (询价报告) shows, and the legal rules it computes.

The contents follow 法释〔2018〕15号 Art. 11 (basic facts, reference samples, calculation
method, result, validity period); the auction figures follow 法释〔2016〕18号 Art. 10 and 26.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from decimal import ROUND_CEILING, Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from models.court import AppraisalStatus, AppraisalTask, CaseNumber, auction_start_prices
from models.court.repeats import EarlierInquiry
from models.property.schemas import PropertyPriceCurve, PropertyRequest, PropertyValuation
from models.vehicle.schemas import PriceCurve, VehicleRequest, VehicleValuation

logger = logging.getLogger(__name__)

#: Suggested prices are rounded *up* to whole hundreds of yuan, never below the legal share.
ROUNDING_STEP_YUAN = 100
#: A reference price is valid for at most one year (法释〔2018〕15号 Art. 27).
VALIDITY_YEARS = 1


class AuctionPrices(BaseModel):
    """Suggested starting prices of the first two auction rounds, in whole yuan."""

    model_config = ConfigDict(frozen=True)

    reference: float = Field(gt=0, description="The reference price (参考价) in CNY.")
    first_start: int = Field(gt=0, description="一拍起拍价: ⌈70% × reference⌉ to 100 yuan.")
    second_start: int = Field(gt=0, description="二拍起拍价: ⌈80% × first_start⌉ to 100 yuan.")

    @property
    def first_share(self) -> float:
        """The first starting price as a share of the reference price (≥ 0.70)."""
        return self.first_start / self.reference

    @property
    def second_share(self) -> float:
        """The second starting price as a share of the reference price (≥ 0.56)."""
        return self.second_start / self.reference


def _ceil_to_step(amount: Decimal, step: int = ROUNDING_STEP_YUAN) -> int:
    steps = (amount / step).to_integral_value(rounding=ROUND_CEILING)
    return int(steps) * step


def auction_prices(reference: float) -> AuctionPrices:
    """The lowest lawful starting prices for the first and second auction, from a reference.

    The legal floors come from :func:`models.court.auction_start_prices` (first start ≥ 70% of
    the reference, 法释〔2016〕18号 Art. 10; a re-run at most 20% lower, Art. 26 → 56%). The
    suggestion rounds each floor **up** to a whole 100 yuan, so it never falls below its legal
    share; the second is computed from the rounded first, as the court would.

    Args:
        reference: The reference price in CNY (> 0).

    Returns:
        The suggested starting prices.

    Raises:
        ValueError: If ``reference`` is not a positive finite number.
    """
    exact = Decimal(repr(float(reference)))
    if not exact.is_finite() or exact <= 0:
        raise ValueError(f"reference price must be a positive amount in CNY, got {reference!r}")
    first = _ceil_to_step(auction_start_prices(exact).first_round_min)
    second = _ceil_to_step(auction_start_prices(exact, first_start=Decimal(first)).second_round_min)
    return AuctionPrices(reference=float(reference), first_start=first, second_start=second)


def validity_end(inquiry_date: dt.date, years: int = VALIDITY_YEARS) -> dt.date:
    """The last day on which an inquiry result is valid: the same date ``years`` later.

    The period is counted as the Civil Code counts periods in years (民法典 Art. 201–202): the
    last day is the corresponding date of the final year, or the last day of that month when it
    has none — so 2024-02-29 gives 2025-02-28. The holiday extension of Art. 203 is not applied:
    the rule caps validity at one year and the report errs on the short side.
    """
    year = inquiry_date.year + years
    last_day = calendar.monthrange(year, inquiry_date.month)[1]
    return inquiry_date.replace(year=year, day=min(inquiry_date.day, last_day))


class InquiryReport(BaseModel):
    """Everything an inquiry report shows: the request, the answer and the case record.

    The base of :class:`PropertyReport` and :class:`VehicleReport`, which narrow ``request`` and
    ``valuation`` to one kind of asset; build one of those, ``kind`` tells them apart.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    kind: Literal["property", "vehicle"]
    case_number: CaseNumber = Field(description="案号, e.g. （2024）浙1081执1234号.")
    judge_name: str = Field(min_length=1, max_length=40, description="承办法官 (who asked).")
    court: str | None = Field(default=None, max_length=80, description="法院名称.")
    purpose: str | None = Field(default=None, max_length=200, description="询价用途.")
    inquiry_date: dt.date = Field(description="询价日期; the validity period starts here.")
    request: PropertyRequest | VehicleRequest = Field(
        description="The asset's facts, as the inquiry gave them."
    )
    valuation: PropertyValuation | VehicleValuation
    ledger_entry_id: str = Field(min_length=1, max_length=64, description="询价台账记录编号.")
    ledger_hash: str = Field(
        pattern=r"^[0-9a-fA-F]{32,128}$", description="The ledger entry's hash (hex)."
    )
    reference_price: float | None = Field(
        default=None,
        gt=0,
        description="参考价 if the court fixed one (e.g. the platforms' average, Art. 13); "
        "default: this inquiry's estimate.",
    )
    earlier: list[EarlierInquiry] = Field(
        default_factory=list,
        description="Earlier inquiries of the same asset in the case, still valid on the day "
        "of this one, with the facts typed differently (一、财产基本情况 names them).",
    )
    curve: PropertyPriceCurve | PriceCurve | None = Field(
        default=None,
        description="The price curve drawn for this inquiry (价格走势), if one was: section 二 "
        "shows it.",
    )
    objection: AppraisalTask | None = Field(
        default=None,
        description="A party's objection to this inquiry and where its appraisal stands, if one "
        "was filed (section 八 says so).",
    )

    @field_validator("ledger_entry_id", mode="before")
    @classmethod
    def _id_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value

    @property
    def appraised(self) -> float | None:
        """The appraised value, once the appraisal an objection opened is done with one."""
        task = self.objection
        if task is None or task.status is not AppraisalStatus.DONE:
            return None
        return float(task.appraised_value) if task.appraised_value is not None else None

    @property
    def reference_and_source(self) -> tuple[float, str]:
        """The price the auction figures are based on, and what it is (as section 六 names it):
        the court's reference price, else the appraised value (the appraisal replaces the
        inquiry), else this inquiry's estimate."""
        if self.reference_price is not None:
            return self.reference_price, "人民法院确定的参考价"
        appraised = self.appraised
        if appraised is not None:
            return appraised, "委托评估的评估价"
        return self.valuation.value, "本次询价结果"

    @property
    def reference(self) -> float:
        """The price the auction figures are based on (:attr:`reference_and_source`)."""
        return self.reference_and_source[0]

    @property
    def valid_until(self) -> dt.date:
        """Last day of validity (one year from the inquiry date)."""
        return validity_end(self.inquiry_date)

    @property
    def auction(self) -> AuctionPrices:
        """The suggested starting prices derived from :attr:`reference`."""
        return auction_prices(self.reference)


class PropertyReport(InquiryReport):
    """The inquiry report of a property (不动产)."""

    kind: Literal["property"] = "property"
    request: PropertyRequest = Field(description="The property's facts, as the inquiry gave them.")
    valuation: PropertyValuation
    curve: PropertyPriceCurve | None = None


class VehicleReport(InquiryReport):
    """The inquiry report of a motor vehicle (机动车)."""

    kind: Literal["vehicle"] = "vehicle"
    request: VehicleRequest = Field(description="The vehicle's facts, as the inquiry gave them.")
    valuation: VehicleValuation
    curve: PriceCurve | None = None
