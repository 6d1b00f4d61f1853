"""Input and output contracts of case triage (繁简分流): one case, a queue to rank, the answers.

A case carries its debtor's "5+X+Y" search results under the capacity model's names (the same
debtor reads the same way in both models) and the dates its stages were reached; a stage not
reached yet is ``null``. Dates are calendar days.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from models.capacity.schemas import DebtorFacts
from models.capacity.vocabulary import CaseCause, CreditorType
from models.schemas import CONTROL_CHARACTERS, ModelInfo
from models.triage.columns import STAGE_COLUMNS
from models.triage.vocabulary import AlertKind, CaseOutcome, Lane, Search

#: Identifiers the court's systems use (case, debtor, creditor, asset): printable, no spaces.
Identifier = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=64,
        pattern=rf"^[^\s{CONTROL_CHARACTERS}]+$",
    ),
]


#: The shape of a 案号, checked in Rust (a queue of 100,000 is checked in milliseconds):
#: （year）, court abbreviation and code, case type, sequence, 号; either bracket width, ASCII or
#: full-width digits (Rust's ``\d`` would also take other scripts' digits, such as ٢٠٢٤).
CaseNumberText = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        max_length=40,
        pattern=r"^[（(][0-9０-９]{4}[）)]\p{Han}{1,3}[0-9０-９]{0,4}\p{Han}{1,3}[0-9０-９]+号$",
    ),
]


def _stage(description: str) -> Any:
    return Field(default=None, description=f"{description}; null: not reached yet.")


class CaseRequest(DebtorFacts):
    """One enforcement case as the triage system sends it: the case, its debtor, its stages."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    case_id: Identifier = Field(description="The triage system's case id.")
    case_number: CaseNumberText | None = Field(
        default=None,
        description="案号 as the court's case system holds it, e.g. （2024）京0108执1234号 "
        "(its shape is checked; a valuation request's 案号 gets the full rule, models.court).",
    )
    debtor_id: Identifier = Field(description="Who owes: cases of one debtor are bundled.")
    creditor_id: Identifier = Field(description="Who is owed: cases of one creditor bundled.")
    seized_asset_id: Identifier | None = Field(
        default=None, description="The main seized asset (轮候查封 when shared)."
    )
    filed_at: dt.date = Field(description="立案日期.")
    creditor_type: CreditorType | None = Field(default=None, description="申请执行人类型.")
    case_cause: CaseCause | None = Field(default=None, description="案由 of the judgment.")
    neighbourhood_checked: bool | None = Field(
        default=None, description="Y: 居（村）委会走访 done; null: not done."
    )
    searches_at: dt.date | None = _stage("The network searches (总对总) came back")
    assets_found_at: dt.date | None = _stage("First asset found")
    seized_at: dt.date | None = _stage("First seizure or freezing measure (查封/冻结/扣押)")
    seizure_expires_at: dt.date | None = _stage("That measure's expiry date")
    disposed_at: dt.date | None = _stage("Asset disposed: deducted, auctioned or sold (处置)")
    money_received_at: dt.date | None = _stage("Enforcement money reached the court (到账)")
    paid_out_at: dt.date | None = _stage("Money paid out to the creditor (发放)")
    second_search_at: dt.date | None = _stage("Second asset investigation done")
    termination_proposed_at: dt.date | None = _stage("Closing for lack of assets proposed (拟终本)")
    closed_at: dt.date | None = _stage("结案")
    archived_at: dt.date | None = _stage("归档")

    @model_validator(mode="after")
    def _dates_in_order(self) -> CaseRequest:
        for name in STAGE_COLUMNS:
            value = getattr(self, name)
            if value is not None and name != "seizure_expires_at" and value < self.filed_at:
                raise ValueError(f"{name} {value} is before filed_at {self.filed_at}")
        if self.archived_at is not None and self.closed_at is None:
            raise ValueError("archived_at is set but closed_at is not")
        return self


class CaseReason(BaseModel):
    """One driver of a case's difficulty, as a sentence."""

    code: str = Field(description="Stable reason code, e.g. CASH_COVERS_CLAIM.")
    text: str = Field(description="The reason in Chinese.")
    effect: float = Field(description="Signed contribution on the log-odds of easy closing.")


class CaseAlert(BaseModel):
    """An overdue or missing step."""

    kind: AlertKind
    title: str = Field(description="The alert's name in Chinese.")
    days_overdue: int = Field(ge=0, description="Whole days past the limit.")
    days_left: int | None = Field(
        description="MEASURE_EXPIRING only: days until the measure expires (0 once expired)."
    )
    message: str = Field(description="What is overdue and by how many days, in Chinese.")
    missing: list[Search] = Field(description="MISSING_SEARCHES: the searches not done.")


class CaseScore(BaseModel):
    """The triage answer for one case."""

    case_id: str
    rank: int = Field(ge=1, description="1 = easiest case of the queue (by ease, see model).")
    difficulty: float = Field(
        ge=0,
        le=100,
        description="0 easiest … 100 hardest: 100 × sigmoid(−ease), where ease is the log of "
        "the odds of payment in the period per 30 days of remaining work.",
    )
    probability_paid_in_period: float = Field(
        ge=0,
        le=1,
        description="Probability the case closes with money paid within the statutory period "
        "(6 months from filing).",
    )
    expected_days_to_close: float = Field(
        ge=0, description="Median predicted days from filing to closing."
    )
    lane: Lane | None = Field(description="繁简分流 lane; null for a closed case.")
    cash_ratio: float | None = Field(
        description="现金可执行率 (Haidian): deposits found ÷ amount due; null: not searched."
    )
    reasons: list[CaseReason]
    alerts: list[CaseAlert]


class CaseBundle(BaseModel):
    """捆绑执行: open cases sharing a debtor, a creditor or a seized asset, ranked as a unit."""

    group_id: str
    kind: str = Field(description="What the members share: debtor, creditor or asset.")
    key: str = Field(description="The shared debtor, creditor or asset id.")
    rank: int = Field(ge=1, description="1 = easiest group.")
    ease: float = Field(ge=0, le=1)
    n_cases: int
    total_amount: float = Field(description="Sum of the members' amounts due, CNY.")
    case_ids: list[str] = Field(description="Members, easiest first.")


class BankruptcyCandidate(BaseModel):
    """执转破: a company debtor whose cases mostly ended without payment."""

    debtor_id: str
    n_cases: int
    n_unpaid: int
    total_amount: float
    case_ids: list[str]
    message: str


class AlertCount(BaseModel):
    """How many alerts of one kind, and the oldest (the triage board's summary)."""

    kind: AlertKind
    title: str
    count: int
    share: float = Field(description="Alerts of the kind ÷ cases ranked.")
    oldest_days: int = Field(description="The largest days_overdue of the kind.")
    oldest_case_id: str | None


class CaseRankRequest(BaseModel):
    """A queue to rank (up to ``COURTVAL_RANK_LIMIT`` cases)."""

    model_config = ConfigDict(extra="forbid")

    cases: list[CaseRequest] = Field(min_length=1)
    as_of: dt.date | None = Field(default=None, description="Day of scoring; default today.")


class CaseRanking(BaseModel):
    """The ranked queue with its lanes, groups and alert summary."""

    as_of: dt.date
    items: list[CaseScore] = Field(description="Easiest first.")
    lanes: dict[Lane, int]
    alerts: list[AlertCount]
    bundles: list[CaseBundle]
    bankruptcy_candidates: list[BankruptcyCandidate]
    model: ModelInfo


#: Outcomes that count as "closed with money paid".
PAID_OUTCOMES = (CaseOutcome.FULL, CaseOutcome.SETTLEMENT)
