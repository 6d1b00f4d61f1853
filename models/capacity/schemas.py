"""Input and output contracts of the debtor performance-capacity assessment (履行能力).

Money is in CNY (yuan). A search field left out (``null``) means the search has not been run
or its result is not back; ``0`` means it was run and found nothing. The difference matters:
missing searches become hidden-asset leads, and the model treats "not searched" apart from
"found nothing".
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from models.capacity.vocabulary import (
    CaseCause,
    CreditorType,
    DebtorType,
    OperatingStatus,
    Region,
    TaxCreditGrade,
    Tier,
)
from models.identity import check_identity
from models.schemas import BatchRequest, ModelInfo

#: Upper bound of any money field (CNY): above every plausible judgment or asset.
MAX_CNY = 1e12

#: Fields only a company debtor has; an individual's request must leave them out.
COMPANY_FIELDS = ("registered_capital", "operating_status", "insured_employees", "tax_credit_grade")


#: A non-negative amount of money, CNY.
Money = Annotated[float, Field(ge=0, le=MAX_CNY)]
#: A count of things or events.
Count = Annotated[int, Field(ge=0, le=10_000)]


def _searched(description: str) -> Any:
    return Field(default=None, description=f"{description}; null: not searched or not back.")


class DebtorFacts(BaseModel):
    """What the searches and records say about a debtor: the "5+X+Y" results as they stand,
    12 months of consumption, enforcement history and, for a company, its facts. The capacity
    request and the case record (``models.triage.schemas``) both carry these fields."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    debtor_type: DebtorType = Field(description="被执行人类型: 自然人 or 法人.")
    amount_due: float = Field(gt=0, le=MAX_CNY, description="执行标的: amount to enforce, CNY.")
    region: Region = Field(description="The court's region.")
    months_since_judgment: float = Field(
        ge=0, le=600, description="Months since the judgment took effect (生效)."
    )
    # The "5": bank, securities, real estate, vehicles, equity.
    bank_deposits_found: Money | None = _searched("Bank deposits found (存款), CNY")
    securities_found: Money | None = _searched("Stocks and funds found (股票、基金), CNY")
    real_estate_count: Count | None = _searched("Real-estate units found (不动产)")
    real_estate_value: Money | None = _searched("Estimated value of those units (询价结果), CNY")
    vehicle_count: Count | None = _searched("Vehicles found (车辆)")
    vehicle_value: Money | None = _searched("Estimated value of those vehicles, CNY")
    equity_value: Money | None = _searched("Company equity held by the debtor (股权), CNY")
    # The "X": the creditor's own leads.
    creditor_leads: Count = Field(default=0, description="Asset leads the creditor supplied (X).")
    creditor_leads_verified: Count = Field(
        default=0, description="Of those, leads verified to hold assets; at most creditor_leads."
    )
    # The "Y": social insurance, employer, household registration.
    social_insurance_active: bool | None = Field(
        default=None, description="Social insurance currently paid (社保); null: not checked."
    )
    employer_found: bool | None = Field(
        default=None, description="An employer was identified (工作单位); null: not checked."
    )
    household_registration_found: bool | None = Field(
        default=None, description="户籍 / residence located; null: not checked."
    )
    # Consumption over the last 12 months.
    flights_12m: Count | None = _searched("Flights taken in the last 12 months")
    rail_trips_12m: Count | None = _searched("High-speed rail trips in the last 12 months")
    hotel_nights_12m: Count | None = _searched("Hotel nights in the last 12 months")
    luxury_spend_12m: Money | None = _searched("Luxury purchases in the last 12 months, CNY")
    private_school_fees_12m: Money | None = _searched("Private-school fees paid in 12 months, CNY")
    online_shopping_12m: Money | None = _searched("Online shopping in the last 12 months, CNY")
    dishonest_listed: bool = Field(
        default=False, description="Currently on the dishonest-debtor list (失信被执行人名单)."
    )
    dishonest_history: Count = Field(default=0, description="Past listings as a dishonest debtor.")
    other_open_cases: Count = Field(
        default=0, description="Other open enforcement cases against the debtor."
    )
    # Company debtors only.
    registered_capital: Money | None = _searched("注册资本 (company only), CNY")
    operating_status: OperatingStatus | None = Field(
        default=None, description="经营状态 (company only)."
    )
    insured_employees: Count | None = _searched("Employees paying social insurance (company only)")
    tax_credit_grade: TaxCreditGrade | None = Field(
        default=None, description="纳税信用等级 (company only)."
    )

    @field_validator("creditor_leads_verified")
    @classmethod
    def _verified_within_leads(cls, value: int, info: ValidationInfo) -> int:
        leads = info.data.get("creditor_leads")
        if leads is not None and value > leads:
            raise ValueError(f"{value} verified leads but only {leads} creditor_leads")
        return value

    @field_validator(*COMPANY_FIELDS)
    @classmethod
    def _company_only(cls, value: object, info: ValidationInfo) -> object:
        if value is not None and info.data.get("debtor_type") == DebtorType.INDIVIDUAL:
            raise ValueError(f"{info.field_name} is for company (法人) debtors only")
        return value


class DebtorRequest(DebtorFacts):
    """One debtor in one enforcement case, with the "5+X+Y" search results as they stand."""

    # The creditor: for the relief hint only, never a model feature.
    creditor_type: CreditorType | None = Field(default=None, description="申请执行人类型.")
    case_cause: CaseCause | None = Field(default=None, description="案由 of the judgment.")
    creditor_hardship: bool = Field(
        default=False, description="The creditor lives in hardship (低收入、生活困难)."
    )
    debtor_id_number: str | None = Field(
        default=None,
        description=(
            "身份证号 or 统一社会信用代码; checked, then kept only as a keyed hash "
            "(never stored, logged or returned in clear)."
        ),
        repr=False,
    )

    @field_validator("debtor_id_number")
    @classmethod
    def _valid_identity(cls, value: str | None) -> str | None:
        return None if value is None else check_identity(value)


class CapacityReason(BaseModel):
    """One input's signed effect on the assessment, as a sentence a judge can read."""

    code: str = Field(description="Stable reason code, e.g. TRAVEL_WITHOUT_DEPOSITS.")
    feature: str = Field(description="The input field it rests on.")
    text: str = Field(description="The reason in Chinese.")
    effect: float = Field(description="Signed contribution on the log-odds scale.")
    direction: str = Field(description="提高 (raises) or 降低 (lowers) what the tier rests on.")


class AssetLead(BaseModel):
    """A search to run next, and why."""

    code: str
    action: str = Field(description="What to do, in Chinese.")
    why: str = Field(description="The evidence behind it, in Chinese.")


class ReliefHint(BaseModel):
    """Judicial relief (司法救助) or execution-relief insurance for the creditor."""

    applies: bool
    text: str


class CapacityAssessment(BaseModel):
    """The capacity answer for one debtor."""

    probability_full_6m: float = Field(
        ge=0, le=1, description="Calibrated probability of full performance within 6 months."
    )
    expected_recovered_share: float = Field(ge=0, le=1)
    expected_recovered_amount: float = Field(ge=0, description="CNY.")
    hidden_capacity_probability: float = Field(
        ge=0, le=1, description="Probability that the debtor has means the searches missed."
    )
    cash_ratio: float | None = Field(
        description="现金可执行率: bank deposits found ÷ amount due (null if not searched)."
    )
    tier: Tier
    tier_basis: str = Field(description="Which rule and threshold decided the tier, in Chinese.")
    reasons: list[CapacityReason]
    leads: list[AssetLead]
    relief: ReliefHint | None = Field(description="Only for 执行不能.")
    debtor_id_hash: str | None = Field(description="Keyed hash of the identity number.")
    model: ModelInfo


class CapacityBatchRequest(BatchRequest[DebtorRequest]):
    """Up to ``COURTVAL_BATCH_LIMIT`` debtors; reasons and leads only when asked for."""

    include_contributions: bool = Field(default=False, description="Reason codes per debtor.")


class CapacityBatch(BaseModel):
    """Batch answer, items in request order."""

    items: list[CapacityAssessment]
    model: ModelInfo
