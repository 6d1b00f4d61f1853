"""Input and output contracts of the vehicle valuation (车辆询价) and its price curve."""

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
from models.asset_identity import Blank, PlateNumber, Vin, check_model_year
from models.court.inquiry import (
    InquiryBatch,
    InquiryBatchAnswer,
    InquiryContext,
    InquiryRecord,
)
from models.errors import bilingual
from models.price_curve import ObservedMonth, ValuePoint
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
from models.vehicle.vocabulary import (
    BodyType,
    Color,
    Damage,
    EmissionStandard,
    Fuel,
    Gearbox,
    Origin,
    SellerType,
)

EARLIEST_REGISTRATION = dt.date(1990, 1, 1)
#: The lowest guide price valued: below any new car on sale (the cheapest micro cars cost
#: about 30,000 CNY); a figure under it is a typing error, and a vanishing one gave a value
#: of thousands of CNY.
MIN_NEW_PRICE_CNY = 10_000


class VehicleRequest(BaseModel):
    """The facts of one vehicle, as a seizure record and its registration certificate state."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    plate_number: Annotated[PlateNumber | None, Blank] = Field(
        default=None,
        description="号牌号码; in the report and the judge's list, not a model input.",
        examples=["浙J12345"],
    )
    vin: Annotated[Vin | None, Blank] = Field(
        default=None,
        description="车辆识别代号 (VIN, 17 characters; the check digit of a vehicle made in China "
        "is checked); in the report, not a model input.",
        examples=["LSVAU218XN2183294"],
    )
    brand: Annotated[str, OneLine] = Field(
        min_length=1, max_length=40, description="品牌, e.g. 大众."
    )
    series: Annotated[str, OneLine] = Field(
        min_length=1, max_length=60, description="车系, e.g. 朗逸."
    )
    origin: Origin = Field(description="自主 / 合资 / 进口.")
    body_type: BodyType = Field(description="车身类型.")
    fuel: Fuel = Field(description="燃料类型.")
    gearbox: Gearbox = Field(description="变速箱.")
    power_kw: float = Field(gt=0, le=1500, description="Engine or motor power in kW.")
    new_price: float = Field(
        ge=MIN_NEW_PRICE_CNY,
        le=50_000_000,
        description="New-car guide price of the trim (新车指导价), CNY.",
    )
    region: Annotated[str, OneLine] = Field(
        min_length=1, max_length=40, description="City of the sale, e.g. 银川."
    )
    valuation_date: ValuationDate
    registration_date: dt.date = Field(
        description="First registration (初次登记日期); not after the valuation date."
    )
    mileage_km: float = Field(ge=0, le=2_000_000, description="Odometer reading in km.")
    transfers: int = Field(default=0, ge=0, le=30, description="Previous ownership transfers.")
    damage: Damage = Field(default=Damage.NONE, description="无 / 事故 (accident) / 泡水 (flood).")
    emission_standard: EmissionStandard = Field(description="排放标准.")
    seller_type: SellerType = Field(
        default=SellerType.PRIVATE, description="车商 (dealer) / 个人 (private) sale."
    )
    color: Color | None = Field(default=None, description="车身颜色; omit if unknown.")

    # Field validators (not a model validator) so that a 422 names the offending field;
    # they rely on the field order above: a field is checked against the ones before it.
    @field_validator("registration_date")
    @classmethod
    def _registered_before_valuation(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        if value < EARLIEST_REGISTRATION:
            raise ValueError(
                bilingual(
                    f"初次登记日期 {value} 早于 {EARLIEST_REGISTRATION}",
                    f"registration_date {value} is before {EARLIEST_REGISTRATION}",
                )
            )
        date = info.data.get("valuation_date")
        if date is not None and value > date:
            raise ValueError(
                bilingual(
                    f"初次登记日期 {value} 晚于估价时点 {date}",
                    f"registration_date {value} is after the valuation date {date}",
                )
            )
        vin = info.data.get("vin")
        if vin is not None:
            check_model_year(vin, value.year)
        return value


class VehicleComparable(BaseModel):
    """A recent sale of a similar vehicle that the estimate rests on."""

    transaction_date: dt.date
    brand: str
    series: str
    region: str
    registration_date: dt.date
    age_years: float = Field(description="Age at the sale, years.")
    mileage_km: float
    damage: str
    new_price: float = Field(description="New-car guide price of its trim, CNY.")
    price: float = Field(description="Sale price in CNY.")
    similarity: float = Field(ge=0, le=1, description="1 = identical on the matching features.")
    adjusted_price: float | None = Field(default=None, description=ADJUSTED_PRICE_DESCRIPTION)


class ResidualRateFigure(BaseModel):
    """The residual-value-rate figure (残值率法) beside the model's estimate.

    value = new price × residual rate × mileage coefficient × condition coefficient, the rate
    read from a table by series (or segment) and age year estimated from recent sales.
    """

    value: float
    new_price: float = Field(description="新车指导价, CNY.")
    residual_rate: float = Field(gt=0, description="残值率 of the series/segment at this age.")
    rate_source: str = Field(description="series / segment / age: where the rate came from.")
    age_year: int = Field(ge=0, description="Age year of the table row (0 = first year).")
    mileage_band: str = Field(description="年均里程 band.")
    mileage_coefficient: float = Field(gt=0)
    condition_coefficient: float = Field(gt=0, description="车况系数 (accident, flood).")


class VehicleValuation(ComparablesCheck):
    """The answer to one vehicle inquiry."""

    value: float = Field(description="Estimated market value in CNY.")
    age_years: float = Field(description="Age at the valuation date, years.")
    interval: ValueInterval
    rule_based: ResidualRateFigure
    comparables: list[VehicleComparable]
    comparables_value: float | None = Field(default=None, description=COMPARABLES_VALUE_DESCRIPTION)
    contributions: list[Contribution]
    unseen_input: UnseenInput | None = Field(
        default=None, description="Set when an input's value no training sale had."
    )
    model: ModelInfo
    inquiry: InquiryRecord | None = Field(
        default=None, description="The ledger entry of this inquiry (set by the API)."
    )


class VehicleBatchRequest(BatchRequest[VehicleRequest]):
    """Several vehicles valued in one call."""


class VehicleInquiry(InquiryContext, VehicleRequest):
    """A vehicle inquiry: the case and purpose it serves, and the vehicle's facts."""


class VehicleBatchInquiry(InquiryContext, VehicleBatchRequest):
    """Several vehicles valued for one case in one call."""


class VehicleInquiryBatch(InquiryBatch[VehicleRequest]):
    """Several vehicle inquiries of one case in one call, each recorded on its own."""


class VehicleInquiryBatchAnswer(InquiryBatchAnswer[VehicleValuation]):
    """The answers to a vehicle inquiry batch, each with its own ``inquiry`` record."""


class VehicleBatchItem(BatchComparablesCheck):
    """One row of a batch answer; the optional parts only when the request asked for them."""

    value: float
    lower: float = Field(description="Lower bound of the interval (CNY).")
    upper: float = Field(description="Upper bound of the interval (CNY).")
    rule_based_value: float = Field(description="The residual-value-rate figure (CNY).")
    comparables: list[VehicleComparable] | None = None
    comparables_value: float | None = Field(default=None, description=COMPARABLES_VALUE_DESCRIPTION)
    contributions: list[Contribution] | None = None
    unseen_input_field: str | None = Field(default=None, description=UNSEEN_INPUT_FIELD_DESCRIPTION)


class VehicleBatchValuation(BatchValuation[VehicleBatchItem]):
    """The answer to a vehicle batch request, items in request order."""


class CurvePoint(ValuePoint):
    """The model's value of the vehicle at one date, at its age and mileage then."""

    age_years: float
    mileage_km: float


class PriceCurve(BaseModel):
    """The price history of a vehicle, its comparables' sales and a short projection."""

    history: list[CurvePoint] = Field(description="Month-ends before the valuation date.")
    current: CurvePoint = Field(description="At the valuation date.")
    observed: list[ObservedMonth] = Field(description="Comparable sales per month.")
    projection: list[CurvePoint] = Field(description="Month-ends after the valuation date.")
    monthly_depreciation_pct: float = Field(
        description="Average monthly change of the projection, % (negative: losing value)."
    )
    comparable_rule: str = Field(description="Which sales count as comparable, in words.")
    projection_method: str
    model: ModelInfo
