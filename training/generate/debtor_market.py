"""The synthetic population of enforcement debtors: regions, archetypes, coefficients, knobs.

Everything here is the *structure* behind the generated debtors; ``debtors.py`` samples cases
from it, runs the "5+X+Y" searches, derives the consumption signals and decides the outcome.
``data/README.md`` documents every number.
"""

from datetime import date
from typing import Annotated, NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from models.capacity.vocabulary import (
    CaseCause,
    CreditorType,
    OperatingStatus,
    Region,
    TaxCreditGrade,
    Tier,
)

# The three latent archetypes, in code order: able to pay, 执行难 (means hidden, resisting),
# 执行不能 (truly nothing). The ``archetype`` column holds the ``Tier`` value.
ARCHETYPES: tuple[Tier, ...] = (Tier.ABLE, Tier.HARD, Tier.UNABLE)
ABLE, HIDDEN, UNABLE = 0, 1, 2
NATIONAL_INCOME = 40_000.0  # per-capita disposable income, CNY / year: the consumption reference


class RegionLevel(NamedTuple):
    """A court's region: share of cases, income (CNY / year per capita), housing (CNY / m²)."""

    region: Region
    share: float
    income: float
    house_price: float


# Round figures of the order of recent public statistics, not official data.
REGIONS: tuple[RegionLevel, ...] = (
    RegionLevel(Region.BEIJING, 0.09, 85_000, 60_000),
    RegionLevel(Region.SHANGHAI, 0.09, 88_000, 62_000),
    RegionLevel(Region.SHENZHEN, 0.08, 80_000, 55_000),
    RegionLevel(Region.GUANGZHOU, 0.08, 80_000, 33_000),
    RegionLevel(Region.HANGZHOU, 0.08, 77_000, 33_000),
    RegionLevel(Region.WUXI, 0.07, 73_000, 17_000),
    RegionLevel(Region.TIANJIN, 0.08, 55_000, 16_000),
    RegionLevel(Region.WENLING, 0.06, 72_000, 12_000),
    RegionLevel(Region.CHENGDU, 0.10, 55_000, 16_000),
    RegionLevel(Region.XIAN, 0.09, 45_000, 15_000),
    RegionLevel(Region.YINCHUAN, 0.09, 40_000, 8_500),
    RegionLevel(Region.SHANGNAN, 0.09, 20_000, 4_500),
)


# One parameter per line, for the archetypes able, hidden (执行难) and unable (执行不能).
# "×D" is a multiple of amount_due; "×income" of the region's per-capita income; "p" a
# probability; "sd" the SD of a log-normal's log. "company" rows apply to companies instead.
_ARCHETYPE_TABLE = """
parameter              able   hidden  unable  meaning
income_median          1.0    1.9     0.25    ×income: disposable (companies: legal rep.'s)
income_sd              0.6    0.7     0.8     sd
income_zero            0.05   0.05    0.45    p of no income at all (individuals)
company_income_median  0.25   0.5     0.02    ×D: company's free cash flow a year (× status factor)
deposits_median        0.5    0.01    0.003   ×D
deposits_sd            1.6    1.2     1.5     sd
deposits_zero          0.25   0.4     0.7     p of empty accounts
securities_p           0.15   0.05    0.01    p (stocks, funds)
securities_median      0.4    0.2     0.05    ×D, sd 1.2
property_p             0.45   0.08    0.03    p, individuals
company_property_p     0.30   0.08    0.05    p, companies
vehicle_p              0.40   0.10    0.08    p, individuals
company_vehicle_p      0.45   0.20    0.10    p, companies
equity_p               0.08   0.15    0.04    p, individuals
company_equity_p       0.15   0.25    0.05    p, companies
equity_median          0.5    0.3     0.02    ×D, sd 1.5
hidden_p               0.12   1.0     0.08    p of hidden assets (others' names, cash, overseas)
hidden_median          0.3    1.3     0.05    ×D
hidden_sd              1.0    0.8     1.0     sd
resistance_a           1.5    9.0     3.0     resistance ~ Beta(a, b)
resistance_b           2.5    2.0     3.0
other_cases_mean       0.4    1.5     2.5     mean other open cases (×1.5 companies)
social_insurance_p     0.70   0.20    0.10    p, individuals (companies: insured_employees > 0)
employer_p             0.70   0.25    0.08    p, individuals
household_p            0.97   0.85    0.80    p 户籍 located (companies: registered address)
leads_mean             0.4    0.9     0.4     mean creditor leads (×1.3 companies)
leads_verified_p       0.5    0.2     0.1     p a lead is verified
listed_offset          -3.0   -1.0    -1.2    logit of 失信 list (+2·resistance +0.35·cases)
school_extra_p         0.0    0.12    0.0     extra p of private-school fees (Wuxi's listed debtors)
employees_median       15     4       0.5     mean insured employees of an operating company
"""


def _parse_archetypes(table: str) -> dict[str, np.ndarray]:
    rows = [line.split(maxsplit=4) for line in table.strip().splitlines()[1:]]
    return {row[0]: np.array([float(v) for v in row[1:4]]) for row in rows}


ARCHETYPE: dict[str, np.ndarray] = _parse_archetypes(_ARCHETYPE_TABLE)


def by_archetype(parameter: str, code: np.ndarray) -> np.ndarray:
    """The value of ``parameter`` for each row's archetype."""
    return ARCHETYPE[parameter][code]


STATUSES: tuple[OperatingStatus, ...] = tuple(OperatingStatus)  # 存续, 停业, 吊销, 注销
STATUS_P = np.array([[0.93, 0.04, 0.02, 0.01], [0.75, 0.12, 0.08, 0.05], [0.35, 0.20, 0.30, 0.15]])
STATUS_INCOME = np.array([1.0, 0.2, 0.0, 0.0])  # factor on a company's cash flow
GRADES: tuple[TaxCreditGrade, ...] = tuple(TaxCreditGrade)  # A, B, M, C, D
GRADE_P = np.array(
    [[0.25, 0.45, 0.20, 0.07, 0.03], [0.05, 0.30, 0.25, 0.20, 0.20], [0.01, 0.14, 0.25, 0.25, 0.35]]
)
CREDITORS: tuple[CreditorType, ...] = tuple(CreditorType)  # 自然人, 法人, 国家机关
CREDITOR_P = {False: (0.60, 0.32, 0.08), True: (0.35, 0.55, 0.10)}  # by debtor is a company
CAUSES: tuple[CaseCause, ...] = tuple(CaseCause)  # injury, wages, support, contract, loan, other
# 案由 by (creditor type, debtor is a company); support is only owed by individuals.
CAUSE_P: dict[tuple[int, bool], tuple[float, ...]] = {
    (0, False): (0.12, 0.08, 0.10, 0.15, 0.45, 0.10),
    (0, True): (0.15, 0.45, 0.00, 0.15, 0.10, 0.15),
    (1, False): (0.00, 0.00, 0.00, 0.55, 0.35, 0.10),
    (1, True): (0.00, 0.00, 0.00, 0.70, 0.20, 0.10),
    (2, False): (0.00, 0.00, 0.00, 0.30, 0.00, 0.70),
    (2, True): (0.00, 0.00, 0.00, 0.30, 0.00, 0.70),
}
CAUSE_AMOUNT = np.array([1.2, 0.4, 0.3, 1.0, 1.0, 0.8])  # factor on the amount's median
CAUSE_HARDSHIP = np.array([0.45, 0.45, 0.45, 0.12, 0.12, 0.12])  # individual creditors only

# Consumption in the last 12 months, from z = log(spending means / NATIONAL_INCOME):
# count = Poisson(base · exp(slope · z + N(0, sd)) · listed factor).
TRIP_CAP = 100.0  # Poisson mean at most: a frequent flyer, not an airline
TRIPS = {  # column: (base, slope, sd, factor when on the 失信 list)
    "flights_12m": (0.6, 1.1, 0.8, 0.35),
    "rail_trips_12m": (3.0, 0.6, 0.7, 0.5),
    "hotel_nights_12m": (2.0, 1.0, 0.8, 0.6),
}
LUXURY = (-2.5, 1.8, 0.06, 0.9, 0.8)  # logit intercept, slope on z; × means median, sd; listed
SCHOOL = (0.03, 1.2, 0.5, 30_000.0, 0.4, 0.9)  # p base, slope, p cap; fee median, sd; listed
ONLINE = (6_000.0, 0.8, 0.6, 0.08)  # median CNY, slope on z, sd, share with none
SPENDING_FLOOR = 0.15  # × region income: subsistence spending of a debtor with no income
HIDDEN_SPENDING = 0.10  # share of hidden assets a year that leaks into spending
LIQUID_SPENDING = 0.03  # share of visible liquid assets a year

# Seized-asset valuation: per-unit area (m²) median and sd, and price factor on the region's
# housing price (companies hold offices and factories); vehicle value median at national
# income, its income elasticity and sd. Value caps keep clean rows below the unit-error range.
PROPERTY_AREA = {False: (90.0, 0.35, 1.0), True: (300.0, 0.9, 0.5)}
EXTRA_UNITS = {False: 0.3, True: 0.6}  # Poisson mean of units beyond the first
VEHICLE_VALUE = (90_000.0, 0.5, 0.6)
EXTRA_VEHICLES = {False: 0.15, True: 1.0}
VALUE_CAP = 3e8  # CNY, any one asset class of one debtor
AMOUNT_CAP = {False: 2e7, True: 2e8}  # CNY, individuals / companies


Probability = Annotated[float, Field(ge=0, le=1)]
Noise = Annotated[float, Field(ge=0, lt=3)]


class DebtorConfig(BaseModel):
    """Knobs of the synthetic debtor population; ``data/README.md`` gives the meaning of each.

    Shares of defects are of ``n_rows``; the other knobs are named for the effect they set.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    start_month: date = date(2021, 11, 1)
    n_months: int = Field(default=60, ge=1, le=600)
    company_share: float = Field(default=0.2, ge=0, le=1)
    hidden_share: float = Field(default=0.13, ge=0, le=1)
    unable_share_individual: float = Field(default=0.32, ge=0, le=1)
    unable_share_company: float = Field(default=0.38, ge=0, le=1)
    unable_share_drift: float = Field(default=0.04, ge=-0.2, le=0.2)
    individual_amount_median: float = Field(default=56_000.0, gt=0)
    company_amount_median: float = Field(default=360_000.0, gt=0)
    individual_amount_sd: float = Field(default=1.1, ge=0, lt=3)
    company_amount_sd: float = Field(default=1.4, ge=0, lt=3)
    months_since_judgment_shape: float = Field(default=2.0, gt=0)
    months_since_judgment_scale: float = Field(default=3.5, gt=0)
    search_missing_share: float = Field(default=0.03, ge=0, le=1)
    y_missing_share: float = Field(default=0.05, ge=0, le=1)
    # deposits, securities, real estate, vehicles, equity
    detection: tuple[Probability, Probability, Probability, Probability, Probability] = (
        0.95, 0.90, 0.85, 0.90, 0.80,
    )  # fmt: skip
    value_noise: tuple[Noise, Noise, Noise, Noise, Noise] = (0.02, 0.10, 0.20, 0.25, 0.60)
    mortgage_share: float = Field(default=0.5, ge=0, le=1)
    payable_income_share: float = Field(default=0.3, ge=0, le=1)
    dispose_p: tuple[Probability, Probability, Probability] = (0.20, 0.35, 0.08)
    auction_ratio: tuple[Probability, Probability] = (0.6, 0.95)
    voluntary_intercept: float = 7.6
    voluntary_cover: float = 0.3
    voluntary_resistance: float = -10.0
    voluntary_pressure: float = 0.4
    voluntary_listed: float = 0.3
    voluntary_other_cases: float = -0.5
    voluntary_leads: float = 0.3
    voluntary_months: float = -0.02
    moved_before_freeze_share: float = Field(default=0.4, ge=0, le=1)
    lifestyle_sd: float = Field(default=1.0, ge=0, lt=3)
    third_party_share: float = Field(default=0.06, ge=0, le=1)
    voluntary_short_factor: float = Field(default=0.25, ge=0, le=1)
    late_payment_share: float = Field(default=0.2, ge=0, le=1)
    voluntary_full_share: float = Field(default=0.8, ge=0, le=1)
    nothing_below_share: float = Field(default=0.01, ge=0, lt=1)
    hidden_capacity_threshold: float = Field(default=0.5, gt=0)
    duplicate_case_share: float = Field(default=0.005, ge=0, le=0.2)
    non_positive_amount_share: float = Field(default=0.002, ge=0, le=0.1)
    found_value_unit_error_share: float = Field(default=0.003, ge=0, le=0.1)
    verified_leads_exceed_share: float = Field(default=0.002, ge=0, le=0.1)
    company_fields_on_individual_share: float = Field(default=0.002, ge=0, le=0.1)


def lognormal(
    rng: np.random.Generator, median: np.ndarray | float, sd: np.ndarray | float, n: int
) -> np.ndarray:
    """``n`` draws of ``median · exp(sd · N(0, 1))``."""
    return median * np.exp(sd * rng.standard_normal(n))


def choose(rng: np.random.Generator, p: np.ndarray, row: np.ndarray) -> np.ndarray:
    """One draw per element from the categorical distribution in row ``row`` of ``p``."""
    cum = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)[row]
    return np.minimum((rng.random(row.size)[:, None] >= cum).sum(axis=1), p.shape[1] - 1)


def sample_company(rows: dict[str, np.ndarray], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Registry and tax fields of company debtors (drawn for every row, kept for companies)."""
    code, amount = rows["archetype_code"], rows["amount_due"]
    n = code.size
    status = choose(rng, STATUS_P, code)
    staff = rng.poisson(by_archetype("employees_median", code) * rng.gamma(1.0, 1.0, n))
    keeps_staff = (status == 0) | ((status == 1) & (rng.random(n) < 0.3))
    capital = np.round(lognormal(rng, 3.0 * amount, 1.2, n), -4)
    return {
        "status_code": status,
        "grade_code": choose(rng, GRADE_P, code),
        "insured_employees": np.where(keeps_staff, staff, 0),
        "registered_capital": np.clip(capital, 10_000.0, 1e10),
    }


def sample_means(
    rows: dict[str, np.ndarray], config: DebtorConfig, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """The latent means of each debtor: true asset values, hidden assets, income, resistance."""
    code, company, amount = rows["archetype_code"], rows["company"], rows["amount_due"]
    n = code.size

    def held(individual: str, firm: str) -> np.ndarray:
        p = np.where(company, by_archetype(firm, code), by_archetype(individual, code))
        return rng.random(n) < p

    def times_amount(owns: np.ndarray, median: str, sd: np.ndarray | float) -> np.ndarray:
        value = lognormal(rng, amount * by_archetype(median, code), sd, n)
        return np.round(np.minimum(np.where(owns, value, 0.0), VALUE_CAP), 2)

    region_income = np.array([r.income for r in REGIONS])[rows["region_code"]]
    person_median = region_income * by_archetype("income_median", code)
    person = lognormal(rng, person_median, by_archetype("income_sd", code), n)
    person *= rng.random(n) >= by_archetype("income_zero", code)
    cash_flow = lognormal(rng, amount * by_archetype("company_income_median", code), 0.8, n)
    means = {
        "income_12m": np.round(
            np.where(company, cash_flow * STATUS_INCOME[rows["status_code"]], person), -2
        ),
        "representative_income": lognormal(rng, person_median, 0.6, n),
        "resistance": np.round(
            rng.beta(by_archetype("resistance_a", code), by_archetype("resistance_b", code)), 3
        ),
        "deposits_true": times_amount(
            rng.random(n) >= by_archetype("deposits_zero", code),
            "deposits_median",
            by_archetype("deposits_sd", code),
        ),
        "securities_true": times_amount(
            held("securities_p", "securities_p"), "securities_median", 1.2
        ),
        "equity_true": times_amount(held("equity_p", "company_equity_p"), "equity_median", 1.5),
        "hidden_assets": times_amount(
            held("hidden_p", "hidden_p"), "hidden_median", by_archetype("hidden_sd", code)
        ),
    }
    owned = held("property_p", "company_property_p"), held("vehicle_p", "company_vehicle_p")
    means |= _property_and_vehicles(rows, region_income, *owned, config, rng)
    visible = sum(means[c] for c in ("deposits_true", "securities_true", "equity_true"))
    payable = config.payable_income_share * means["income_12m"]
    capacity = visible + means["property_net"] + means["vehicles_true"] + payable
    means["true_capacity"] = np.round(capacity + means["hidden_assets"], 2)
    return means


def _property_and_vehicles(
    rows: dict[str, np.ndarray],
    region_income: np.ndarray,
    has_property: np.ndarray,
    has_vehicle: np.ndarray,
    config: DebtorConfig,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Units and market value of real estate (and its value net of the mortgage), vehicles."""
    company = rows["company"]
    n = company.size
    house = np.array([r.house_price for r in REGIONS])[rows["region_code"]]
    area, area_sd, price_factor = (
        np.where(company, PROPERTY_AREA[True][i], PROPERTY_AREA[False][i]) for i in range(3)
    )
    extra = np.where(company, EXTRA_UNITS[True], EXTRA_UNITS[False])
    units = np.where(has_property, 1 + rng.poisson(extra), 0)
    per_unit = house * price_factor * lognormal(rng, area, area_sd, n)
    value = np.minimum(units * per_unit * lognormal(rng, 1.0, 0.15, n), VALUE_CAP)
    owed = (rng.random(n) < config.mortgage_share) * rng.uniform(0.2, 0.8, n)
    extra = np.where(company, EXTRA_VEHICLES[True], EXTRA_VEHICLES[False])
    vehicles = np.where(has_vehicle, 1 + rng.poisson(extra), 0)
    median, elasticity, sd = VEHICLE_VALUE
    per_vehicle = lognormal(rng, median * (region_income / NATIONAL_INCOME) ** elasticity, sd, n)
    return {
        "property_units": units,
        "property_true": np.round(value, -2),
        "property_net": np.round(value * (1 - owed), -2),
        "vehicle_units": vehicles,
        "vehicles_true": np.round(np.minimum(vehicles * per_vehicle, VALUE_CAP), -2),
    }
