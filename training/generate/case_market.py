"""The structure behind the synthetic enforcement cases: courts, creditors, delays and knobs.

``cases.py`` samples the cases from it: debtors shared across cases, the first-seizure split
of a debtor's means, the outcome and the timeline. ``data/README.md`` documents every number.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from models.capacity.vocabulary import Region
from training.generate.debtor_market import DebtorConfig

# 案号 court code of each region's court: the basic court whose enforcement bureau the region
# stands for (Haidian for Beijing, Helan county for Yinchuan, …).
COURT_CODES: dict[Region, str] = {
    Region.BEIJING: "京0108",
    Region.SHANGHAI: "沪0115",
    Region.SHENZHEN: "粤0304",
    Region.GUANGZHOU: "粤0106",
    Region.HANGZHOU: "浙0106",
    Region.WUXI: "苏0211",
    Region.TIANJIN: "津0116",
    Region.WENLING: "浙1081",
    Region.CHENGDU: "川0107",
    Region.XIAN: "陕0113",
    Region.YINCHUAN: "宁0122",
    Region.SHANGNAN: "陕1023",
}

# Asset classes of the main seized asset, in the order the court seizes them first, with the
# seized_asset_id suffix and the measure's term in years (冻结 1 year, 查封/扣押 3 years).
DEPOSITS, SECURITIES, REAL_ESTATE, VEHICLE, EQUITY, LEAD = range(6)
ASSET_SUFFIX = ("-D", "-S", "-R", "-V", "-E", "-L")
MEASURE_YEARS = np.array([1, 1, 3, 3, 3, 1])

# Delays in days, U{low…high} inclusive unless named otherwise.
SEARCH_DAYS = (2, 15)  # filing -> network searches (总对总) back
LEAD_DAYS = (20, 150)  # searches -> an asset found through a creditor's lead
SEIZE_DAYS = {True: (1, 5), False: (1, 14)}  # found -> frozen (cash: online) / 查封 (others)
SEIZE_LATE_DAYS = (15, 120)
SEIZE_VERY_LATE_DAYS = (120, 720)
DEDUCT_DAYS = (0, 5)  # freeze -> 划拨 (deduction) of cash
AUCTION_DAYS = (60, 300)  # 查封 -> auction sale paid in (2-10 months)
LEAD_DISPOSE_DAYS = (20, 120)  # a lead's asset seized -> realised
PAY_GAMMA = (1.5, 30.0)  # voluntary payment: Gamma(shape, scale) days after the pressure
LATE_PAY_DAYS = (183, 500)  # a late payer pays this long after the pressure instead
CLOSE_CASH_DAYS = (1, 10)  # last money in -> 结案, cash cases (Haidian's fast team)
CLOSE_DAYS = (5, 30)  # last money in -> 结案, other cases
PROPOSE_DAYS = (75, 170)  # filing -> 拟终本 (at the earliest)
PROPOSE_AFTER_SALE_DAYS = (10, 30)  # last sale -> 拟终本
TERMINATE_DAYS = (7, 30)  # 拟终本 -> 终本 结案
PAYOUT_DAYS = (1, 30)  # money in -> paid out to the creditor
PAYOUT_LATE_DAYS = (31, 150)
SECOND_SEARCH_AFTER = 76  # days (~2.5 months, Haidian): open cases get a second investigation
SECOND_SEARCH_DAYS = (0, 30)  # … this many days after that
ARCHIVE_DAYS = (1, 30)  # 结案 -> 归档
ARCHIVE_LATE_DAYS = (31, 120)
SIX_MONTHS = 182.625  # days: the statutory term (365.25 / 2)

Probability = Annotated[float, Field(ge=0, le=1)]


def _default_debtors() -> DebtorConfig:
    # Fewer 执行不能 debtors than the debtor dataset's: they have more cases each.
    return DebtorConfig(
        start_month=date(2021, 1, 1),
        n_months=66,
        unable_share_individual=0.25,
        unable_share_company=0.30,
    )


class CaseConfig(BaseModel):
    """Knobs of the synthetic enforcement cases; ``data/README.md`` gives the meaning of each.

    The filing window is the debtor population's: ``debtors.n_months`` months from
    ``debtors.start_month`` (2021-01-01 … 2026-06-30 by default).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    debtors: DebtorConfig = Field(default_factory=_default_debtors)
    observed_until: date = date(2026, 6, 30)
    # debtors shared across cases
    cases_per_other_case: float = Field(default=0.4, ge=0, le=5)
    company_cases_factor: float = Field(default=1.5, ge=0, le=10)
    max_cases_per_debtor: int = Field(default=40, ge=1, le=1000)
    cluster_days: int = Field(default=180, ge=0, le=400)
    # creditors
    institution_share: Probability = 0.6
    institutions_per_case: float = Field(default=0.002, gt=0, le=1)
    agencies_per_case: float = Field(default=0.0005, gt=0, le=1)
    # what the seizures bring in
    moved_before_freeze_share: Probability = 0.1
    competition: tuple[float, float] = (0.2, 0.6)
    mortgage_share: Probability = 0.5
    sold_p: tuple[Probability, Probability, Probability] = (0.65, 0.75, 0.35)
    auction_ratio: tuple[Probability, Probability] = (0.6, 0.95)
    lead_intercept: float = -3.0
    lead_verified: float = 0.8
    lead_hidden: float = 1.5
    lead_value: tuple[Probability, Probability] = (0.2, 0.8)
    # what the debtor pays
    voluntary_intercept: float = 8.3
    voluntary_cover: float = 0.5
    voluntary_resistance: float = -10.0
    voluntary_pressure: float = 0.5
    voluntary_listed: float = 0.3
    voluntary_other_cases: float = -0.4
    voluntary_leads: float = 0.3
    voluntary_months: float = -0.02
    voluntary_short_factor: Probability = 0.6
    instalment_share: Probability = 0.35
    settle_accept: tuple[Probability, Probability] = (0.5, 1.0)
    third_party_share: Probability = 0.05
    late_payment_share: Probability = 0.15
    # process
    stall_share: Probability = 0.06
    stall_mean_days: float = Field(default=240.0, gt=0)
    seize_late_share: Probability = 0.08
    seize_very_late_share: Probability = 0.02
    payout_late_share: Probability = 0.12
    second_search_share: Probability = 0.75
    neighbourhood_done_share: Probability = 0.85
    neighbourhood_known_share: Probability = 0.7
    archive_late_share: Probability = 0.12
    archive_never_share: Probability = 0.03

    @model_validator(mode="after")
    def _observed_after_filing(self) -> CaseConfig:
        if self.observed_until < window(self)[1].date():
            raise ValueError(
                f"observed_until ({self.observed_until}) must be on or after the last filing "
                f"day ({window(self)[1].date()})"
            )
        return self


def window(config: CaseConfig) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last filing day."""
    start = pd.Timestamp(config.debtors.start_month).to_period("M").to_timestamp()
    end = start + pd.DateOffset(months=config.debtors.n_months) - pd.Timedelta(days=1)
    return start, end


def uniform_days(rng: np.random.Generator, bounds: tuple[int, int], n: int) -> np.ndarray:
    """``n`` whole numbers of days, uniform on ``low…high`` inclusive, as floats."""
    return rng.integers(bounds[0], bounds[1] + 1, n).astype(np.float64)


def mixed_days(
    rng: np.random.Generator, spans: list[tuple[float, tuple[int, int]]], n: int
) -> np.ndarray:
    """Delays from a mixture: ``spans`` is ``(probability, (low, high))``; the first span
    takes what the others leave."""
    u = rng.random(n)
    days = uniform_days(rng, spans[0][1], n)
    edge = 1.0
    for p, bounds in spans[1:]:
        edge -= p
        days = np.where(u >= edge, uniform_days(rng, bounds, n), days)
        u = np.where(u >= edge, -1.0, u)  # taken: later spans never overwrite it
    return days


def group_before(values: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Sum of ``values`` over the earlier rows of each row's group (rows sorted by group;
    ``start`` is the index of each row's group's first row)."""
    before = np.cumsum(values) - values
    return before - before[start]


def add_years(days: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Day numbers (days since 1970-01-01, NaN for none) plus whole calendar years; 29
    February becomes 1 March in a common year."""
    known = ~np.isnan(days)
    day = np.where(known, days, 0).astype("datetime64[D]")
    month = day.astype("datetime64[M]")
    later = (month + 12 * years).astype("datetime64[D]") + (day - month.astype("datetime64[D]"))
    return np.where(known, later.astype(np.int64).astype(np.float64), np.nan)


def to_datetime(days: np.ndarray) -> np.ndarray:
    """Day numbers (NaN for none) as ``datetime64[ns]`` with NaT."""
    whole = np.where(np.isnan(days), np.iinfo(np.int64).min, days).astype(np.int64)
    return whole.view("datetime64[D]").astype("datetime64[ns]")


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function."""
    return 1.0 / (1.0 + np.exp(-x))


def timeline(
    rows: dict[str, np.ndarray], config: CaseConfig, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """The date of each stage (day numbers, NaN: never), from the case's outcome and what its
    seizures and the debtor's payments brought in. Every case is closed in the end; the
    record date hides what comes later."""
    n = rows["filed"].size
    asset, outcome = rows["asset"], rows["outcome_code"]
    cash_main = (asset == DEPOSITS) | (asset == SECURITIES)
    search = uniform_days(rng, SEARCH_DAYS, n)
    found = np.where(asset == LEAD, search + uniform_days(rng, LEAD_DAYS, n), search)
    found = np.where(asset >= 0, found, np.nan)
    late = [(config.seize_late_share, SEIZE_LATE_DAYS)]
    late.append((config.seize_very_late_share, SEIZE_VERY_LATE_DAYS))
    delay = np.where(
        cash_main,
        mixed_days(rng, [(1.0, SEIZE_DAYS[True]), *late], n),
        mixed_days(rng, [(1.0, SEIZE_DAYS[False]), *late], n),
    )
    seized = found + delay
    sale_days = np.where(
        asset == LEAD, uniform_days(rng, LEAD_DISPOSE_DAYS, n), uniform_days(rng, AUCTION_DAYS, n)
    )
    deducted = np.where(rows["cash_take"] > 0, seized + uniform_days(rng, DEDUCT_DAYS, n), np.nan)
    sold = np.where(rows["sale_take"] > 0, seized + sale_days, np.nan)
    pressure = np.where(np.isnan(seized), search, seized)
    pay_days = rng.gamma(*PAY_GAMMA, n).round()
    pay_days += (rng.random(n) < config.late_payment_share) * uniform_days(rng, LATE_PAY_DAYS, n)
    paid = np.where(rows["paid"] > 0, pressure + pay_days, np.nan)
    received = np.fmin(np.fmin(deducted, sold), paid)
    last = np.fmax(np.fmax(deducted, sold), paid)
    stall = (rng.random(n) < config.stall_share) * rng.exponential(
        config.stall_mean_days, n
    ).round()
    fast = (rows["cash_take"] > 0) & (rows["sale_take"] == 0) & (rows["paid"] == 0)
    lag = np.where(fast, uniform_days(rng, CLOSE_CASH_DAYS, n), uniform_days(rng, CLOSE_DAYS, n))
    terminated = outcome == 2
    after_sale = np.fmax(deducted, sold) + uniform_days(rng, PROPOSE_AFTER_SALE_DAYS, n)
    proposed = np.fmax(uniform_days(rng, PROPOSE_DAYS, n), after_sale) + stall
    proposed = np.where(terminated, proposed, np.nan)
    closed = np.where(
        terminated, proposed + uniform_days(rng, TERMINATE_DAYS, n), last + stall + lag
    )
    seized = np.where(seized <= closed, seized, np.nan)  # never seized while the case was open
    second = SECOND_SEARCH_AFTER + uniform_days(rng, SECOND_SEARCH_DAYS, n)
    done = (second < np.where(terminated, proposed, closed)) & (
        rng.random(n) < config.second_search_share
    )
    second = np.where(done, second, np.nan)
    visited = (done | terminated) & (rng.random(n) < config.neighbourhood_done_share)
    known = rng.random(n) < config.neighbourhood_known_share
    payout = mixed_days(rng, [(1.0, PAYOUT_DAYS), (config.payout_late_share, PAYOUT_LATE_DAYS)], n)
    archive = mixed_days(
        rng, [(1.0, ARCHIVE_DAYS), (config.archive_late_share, ARCHIVE_LATE_DAYS)], n
    )
    archive[rng.random(n) < config.archive_never_share] = np.nan
    filed = rows["filed"]
    return {
        "searched": filed + search,
        "found": filed + found,
        "seized": filed + seized,
        "disposed": filed + np.fmin(deducted, sold),
        "received": filed + received,
        "paid_out": filed + received + payout,
        "second_search": filed + second,
        "proposed": filed + proposed,
        "closed": filed + closed,
        "archived": filed + closed + archive,
        "neighbourhood": np.where(visited, known.astype(np.float64), np.nan),
    }


def zfill(numbers: np.ndarray, width: int) -> pd.Series:
    """The numbers as strings, zero-padded to ``width`` digits."""
    return pd.Series(numbers).astype("str").str.zfill(width)


def case_numbers(region: pd.Series, filed: np.ndarray) -> pd.Series:
    """案号 （year）court执sequence号: the sequence counts each court's cases of the year in
    filing order (the frame is in filing order)."""
    year = filed.astype("datetime64[Y]").astype(np.int64) + 1970
    court_of = {str(r): c for r, c in COURT_CODES.items()}
    code, regions = pd.factorize(region)
    courts = pd.Series(np.asarray([court_of[r] for r in regions], dtype=object)[code])
    sequence = pd.Series(year * 100 + code).groupby(year * 100 + code).cumcount() + 1
    return (
        "（" + pd.Series(year).astype("str") + "）" + courts + "执" + sequence.astype("str") + "号"
    )


def asset_ids(frame: pd.DataFrame, r: dict[str, np.ndarray], debtor_id: pd.Series) -> pd.Series:
    """The main seized asset: the debtor's id and a class suffix; a property or vehicle is
    numbered, the debtor's cases taking its units in turn (shared units: 轮候查封)."""
    asset = r["asset"]
    seized = ~np.isnan(r["seized"])
    units = np.select(
        [asset == REAL_ESTATE, asset == VEHICLE],
        [
            frame["real_estate_count"].to_numpy(dtype=np.float64, na_value=np.nan),
            frame["vehicle_count"].to_numpy(dtype=np.float64, na_value=np.nan),
        ],
        0.0,
    )
    units = np.maximum(np.nan_to_num(units), 1).astype(np.int64)
    key = pd.Series(r["group"] * 8 + asset)
    turn = key.groupby(key).cumcount().to_numpy()
    unit = np.where((asset == REAL_ESTATE) | (asset == VEHICLE), turn % units + 1, 0)
    code, suffixes = pd.factorize(np.maximum(asset, 0) * 1000 + unit)
    labels = [ASSET_SUFFIX[s // 1000] + (str(s % 1000) if s % 1000 else "") for s in suffixes]
    ids = debtor_id + pd.Series(np.asarray(labels, dtype=object)[code])
    return ids.where(seized)
