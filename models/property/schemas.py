"""Input and output contracts of the property valuation (不动产询价)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from models.adjustment import (
    ADJUSTED_PRICE_DESCRIPTION,
    COMPARABLES_VALUE_DESCRIPTION,
    BatchComparablesCheck,
    ComparablesCheck,
)
from models.asset_identity import Address, Blank, CertificateNumber
from models.court.inquiry import (
    InquiryBatch,
    InquiryBatchAnswer,
    InquiryContext,
    InquiryRecord,
)
from models.errors import bilingual
from models.price_curve import ObservedMonth, ValuePoint
from models.property.guide_prices import GuidePriceFigure
from models.property.vocabulary import Decoration, Orientation, PropertyType
from models.schemas import (
    UNSEEN_INPUT_FIELD_DESCRIPTION,
    BatchRequest,
    BatchValuation,
    Contribution,
    ModelInfo,
    OneLine,
    UnseenInput,
    ValuationDate,
    ValueInterval,
)

EARLIEST_BUILD_YEAR = 1900
#: The smallest floor area valued: below it the value per m² loses its meaning (and a
#: vanishing area made it overflow).
MIN_AREA_M2 = 1


class PropertyRequest(BaseModel):
    """The facts of one property, as a seizure record states them."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    address: Annotated[Address | None, Blank] = Field(
        default=None,
        description="坐落, as the seizure record or the property certificate states it. It names "
        "the property in its report and in the judge's list; it is not a model input.",
        examples=["温岭市太平街道锦园小区3幢501室"],
    )
    certificate_number: Annotated[CertificateNumber | None, Blank] = Field(
        default=None,
        description="不动产权证号 (or the older 房屋所有权证号); in the report, not a model input.",
        examples=["浙（2021）温岭市不动产权第0012345号"],
    )
    district: Annotated[str, OneLine] = Field(
        min_length=1, max_length=40, description="街道/镇, e.g. 太平街道."
    )
    community: Annotated[str, OneLine] = Field(
        min_length=1, max_length=80, description="小区 name."
    )
    latitude: float | None = Field(default=None, ge=-90, le=90, description="WGS-84 degrees.")
    longitude: float | None = Field(default=None, ge=-180, le=180, description="WGS-84 degrees.")
    property_type: PropertyType = Field(description="物业类型.")
    area_m2: float = Field(
        ge=MIN_AREA_M2, le=100_000, description="Floor area in m² (a parking space is ~12)."
    )
    total_floors: int = Field(ge=1, le=200, description="Floors in the building.")
    floor: int = Field(ge=-5, le=200, description="Floor of the unit (1 = ground floor).")
    orientation: Orientation = Field(description="朝向.")
    rooms: int = Field(default=0, ge=0, le=50, description="Number of rooms (0 if n/a).")
    elevator: bool = Field(description="Whether the building has an elevator.")
    decoration: Decoration = Field(description="装修.")
    valuation_date: ValuationDate
    build_year: int = Field(ge=EARLIEST_BUILD_YEAR, description="Year the building was completed.")

    # Field validators (not a model validator) so that a 422 names the offending field;
    # they rely on the field order above: a field is checked against the ones before it.
    @field_validator("longitude")
    @classmethod
    def _coordinates_paired(cls, value: float | None, info: ValidationInfo) -> float | None:
        if (value is None) != (info.data.get("latitude") is None):
            raise ValueError(
                bilingual(
                    "经度和纬度须同时填写或同时不填",
                    "latitude and longitude must be given together or not at all",
                )
            )
        return value

    @field_validator("floor")
    @classmethod
    def _floor_in_building(cls, value: int, info: ValidationInfo) -> int:
        total = info.data.get("total_floors")
        if total is not None and value > total:
            raise ValueError(
                bilingual(
                    f"所在楼层 {value} 高于总楼层 {total}",
                    f"floor {value} is above total_floors {total}",
                )
            )
        return value

    @field_validator("build_year")
    @classmethod
    def _built_by_valuation(cls, value: int, info: ValidationInfo) -> int:
        date = info.data.get("valuation_date")
        if date is not None and value > date.year:
            raise ValueError(
                bilingual(
                    f"建成年份 {value} 晚于估价时点 {date}",
                    f"build_year {value} is after the valuation date {date}",
                )
            )
        return value


class Comparable(BaseModel):
    """A recent sale of a similar property that the estimate rests on."""

    transaction_date: dt.date
    community: str
    area_m2: float
    floor: int
    total_floors: int
    price: float = Field(description="Sale price in CNY.")
    price_per_m2: float
    distance_km: float | None = Field(description="Distance from the property; None if unknown.")
    similarity: float = Field(ge=0, le=1, description="1 = identical on the matching features.")
    adjusted_price: float | None = Field(default=None, description=ADJUSTED_PRICE_DESCRIPTION)


class RuleBasedFigure(BaseModel):
    """The courts' traditional base-price figure (基准价法), beside the model's estimate.

    value = community base price per m² × floor coefficient × orientation coefficient × area
    × time index(valuation month) / time index(base month); coefficients are estimated from data.
    """

    value: float
    value_per_m2: float
    base_price_per_m2: float = Field(description="The community's base price per m².")
    base_source: str = Field(description="community / district / type: where the base came from.")
    floor_coefficient: float
    orientation_coefficient: float
    time_index: float = Field(description="Price index of the valuation month ÷ base month.")


class PropertyValuation(ComparablesCheck):
    """The answer to one property inquiry."""

    value: float = Field(description="Estimated market value in CNY.")
    value_per_m2: float
    interval: ValueInterval
    rule_based: RuleBasedFigure
    guide_price: GuidePriceFigure | None = Field(
        default=None,
        description="The 政府基准价法 figure, when the court's guide price file prices the 小区 "
        "(COURTVAL_GUIDE_PRICE_FILE).",
    )
    comparables: list[Comparable]
    comparables_value: float | None = Field(default=None, description=COMPARABLES_VALUE_DESCRIPTION)
    contributions: list[Contribution]
    unseen_input: UnseenInput | None = Field(
        default=None, description="Set when an input's value no training sale had."
    )
    model: ModelInfo
    inquiry: InquiryRecord | None = Field(
        default=None, description="The ledger entry of this inquiry (set by the API)."
    )


class PropertyBatchRequest(BatchRequest[PropertyRequest]):
    """Several properties valued in one call."""


class PropertyInquiry(InquiryContext, PropertyRequest):
    """A property inquiry: the case and purpose it serves, and the property's facts."""


class PropertyBatchInquiry(InquiryContext, PropertyBatchRequest):
    """Several properties valued for one case in one call."""


class PropertyInquiryBatch(InquiryBatch[PropertyRequest]):
    """Several property inquiries of one case in one call, each recorded on its own."""


class PropertyInquiryBatchAnswer(InquiryBatchAnswer[PropertyValuation]):
    """The answers to a property inquiry batch, each with its own ``inquiry`` record."""


class PropertyBatchItem(BatchComparablesCheck):
    """One row of a batch answer; the optional parts only when the request asked for them."""

    value: float
    value_per_m2: float
    lower: float = Field(description="Lower bound of the interval (CNY).")
    upper: float = Field(description="Upper bound of the interval (CNY).")
    rule_based_value: float
    guide_price_value: float | None = Field(
        default=None, description="The 政府基准价法 figure (CNY), when the guide prices hold one."
    )
    comparables: list[Comparable] | None = None
    comparables_value: float | None = Field(default=None, description=COMPARABLES_VALUE_DESCRIPTION)
    contributions: list[Contribution] | None = None
    unseen_input_field: str | None = Field(default=None, description=UNSEEN_INPUT_FIELD_DESCRIPTION)


class PropertyBatchValuation(BatchValuation[PropertyBatchItem]):
    """The answer to a property batch request, items in request order."""


class PropertyPriceCurve(BaseModel):
    """The property's value at past month-ends and its 小区's sales per month."""

    history: list[ValuePoint] = Field(
        description="Month-ends before the valuation date (from the year the building was "
        "completed): the model's value of this property then (its building as old as it was "
        "then, the market as it was then)."
    )
    current: ValuePoint = Field(description="At the valuation date.")
    observed: list[ObservedMonth] = Field(
        description="Per month: the median price per m² of the 小区's sales of the same type, "
        "times this property's area, and their count."
    )
    change_12_months_pct: float | None = Field(
        description="How much the model's value changed from the month-end 12 months before "
        "the valuation month to the valuation date, % (none with less history)."
    )
    comparable_rule: str = Field(description="Which sales count as observed, in words.")
    model: ModelInfo
