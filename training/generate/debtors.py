"""Synthetic enforcement debtors, scored when the "5+X+Y" searches are back, defects included.

The population's structure lives in ``debtor_market.py``; this module samples cases, their
latent means, what the searches find, the consumption signals and the 6-month outcome, then
plants the defects a cleaning step must catch. ``data/README.md`` documents every number.
"""

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from training.generate.debtor_defects import (
    DebtorDefectKind,
    defect_counts,
    finish_debtors,
    plant_defects,
    to_frame,
)
from training.generate.debtor_market import (
    AMOUNT_CAP,
    CAUSE_AMOUNT,
    CAUSE_HARDSHIP,
    CAUSE_P,
    CREDITOR_P,
    CREDITORS,
    HIDDEN,
    HIDDEN_SPENDING,
    LIQUID_SPENDING,
    LUXURY,
    NATIONAL_INCOME,
    ONLINE,
    REGIONS,
    SCHOOL,
    SPENDING_FLOOR,
    TRIP_CAP,
    TRIPS,
    UNABLE,
    VALUE_CAP,
    DebtorConfig,
    by_archetype,
    choose,
    lognormal,
    sample_company,
    sample_means,
)

logger = logging.getLogger(__name__)

__all__ = [
    "COLUMN_DTYPES",
    "FEATURE_COLUMNS",
    "TRAINING_DTYPES",
    "DebtorConfig",
    "DebtorDefectKind",
    "GeneratedDebtors",
    "generate_debtors",
]

COLUMN_DTYPES: dict[str, str] = {
    # the case
    "case_id": "str", "filed_at": "datetime64[ns]", "debtor_type": "str", "region": "str",
    "amount_due": "float64", "months_since_judgment": "float64",
    # "5": what the searches found (NaN: search not done yet)
    "bank_deposits_found": "float64", "securities_found": "float64",
    "real_estate_count": "Int64", "real_estate_value": "float64",
    "vehicle_count": "Int64", "vehicle_value": "float64", "equity_value": "float64",
    # "X": the creditor's leads; "Y": the optional checks (NA: not checked)
    "creditor_leads": "int64", "creditor_leads_verified": "int64",
    "social_insurance_active": "boolean", "employer_found": "boolean",
    "household_registration_found": "boolean",
    # consumption in the last 12 months
    "flights_12m": "int64", "rail_trips_12m": "int64", "hotel_nights_12m": "int64",
    "luxury_spend_12m": "float64", "private_school_fees_12m": "float64",
    "online_shopping_12m": "float64",
    # enforcement history
    "dishonest_listed": "bool", "dishonest_history": "int64", "other_open_cases": "int64",
    # company debtors only
    "registered_capital": "float64", "operating_status": "str", "insured_employees": "Int64",
    "tax_credit_grade": "str",
    # the creditor's side: the relief hint only, never a feature
    "creditor_type": "str", "case_cause": "str", "creditor_hardship": "bool",
    # outcome and latent truth
    "outcome": "str", "paid_full_6m": "bool", "recovered_share": "float64",
    "recovered_amount": "float64", "true_capacity": "float64", "hidden_assets": "float64",
    "income_12m": "float64", "hidden_capacity": "bool", "resistance": "float64",
    "archetype": "str",
}  # fmt: skip
_NOT_FEATURES = ("case_id", "filed_at", "creditor_type", "case_cause", "creditor_hardship")
_FIRST_TRUTH = list(COLUMN_DTYPES).index("outcome")
FEATURE_COLUMNS: tuple[str, ...] = tuple(
    c for c in list(COLUMN_DTYPES)[:_FIRST_TRUTH] if c not in _NOT_FEATURES
)
"""What a model may use: everything known when the searches are back, no creditor field."""
#: The columns (and types) a court's training file must hold: the features, the filing day
#: and the three outcomes (which may be empty: the cleaning drops and reports such rows).
TRAINING_DTYPES: dict[str, str] = {
    **{c: COLUMN_DTYPES[c] for c in ("filed_at", *FEATURE_COLUMNS, "recovered_share")},
    "paid_full_6m": "boolean",
    "hidden_capacity": "boolean",
}
_SEARCHES = (  # true value, what was seized if found, found value column, units, count column
    ("deposits_true", "deposits_true", "bank_deposits_found", "", ""),
    ("securities_true", "securities_true", "securities_found", "", ""),
    ("property_true", "property_net", "real_estate_value", "property_units", "real_estate_count"),
    ("vehicles_true", "vehicles_true", "vehicle_value", "vehicle_units", "vehicle_count"),
    ("equity_true", "equity_true", "equity_value", "", ""),
)
_FOUND_ROUNDING = (2, -2, -2, -2, -2)

Rows = dict[str, np.ndarray]


@dataclass(frozen=True)
class GeneratedDebtors:
    """Generated enforcement debtors and the answer key of their defects.

    Attributes:
        frame: One row per debtor in one case, with the columns and dtypes of
            ``COLUMN_DTYPES``, numbered ``D000001``… in ``filed_at`` order.
        planted: One row per row of ``frame`` that cleaning should drop: ``case_id`` and
            ``defect`` (a ``DebtorDefectKind`` value).
    """

    frame: pd.DataFrame
    planted: pd.DataFrame


def generate_debtors(
    n_rows: int = 50_000, seed: int = 0, config: DebtorConfig | None = None
) -> GeneratedDebtors:
    """Generate a deterministic set of enforcement debtors with planted defects.

    Args:
        n_rows: Number of rows returned, defects included.
        seed: Seed of the random generator; the same seed gives the same frame.
        config: Population knobs; ``DebtorConfig()`` when None.

    Returns:
        The debtors and the planted defects.

    Raises:
        ValueError: If ``n_rows`` is not positive or the defect shares add up to over 0.5.
    """
    if n_rows < 1:
        raise ValueError(f"n_rows must be a positive integer, got {n_rows}")
    config = config or DebtorConfig()
    rng = np.random.default_rng(seed)
    counts = defect_counts(n_rows, config)
    rows = _sample_cases(n_rows - counts[DebtorDefectKind.DUPLICATE_CASE], config, rng)
    rows |= sample_company(rows, rng)
    rows |= sample_means(rows, config, rng)
    rows |= _search(rows, config, rng)
    rows |= _signals(rows, config, rng)
    rows |= _consumption(rows, config, rng)
    rows |= _outcome(rows, config, rng)
    frame, defects = plant_defects(to_frame(rows, COLUMN_DTYPES), counts, rng)
    frame, planted = finish_debtors(frame, defects, COLUMN_DTYPES)
    logger.info("Generated %d enforcement debtors, %d planted defects", n_rows, len(planted))
    return GeneratedDebtors(frame=frame, planted=planted)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _sample_cases(n: int, config: DebtorConfig, rng: np.random.Generator) -> Rows:
    """Filing date, debtor type, region, archetype, creditor, cause and amount of each case."""
    month = (rng.random(n) * config.n_months).astype(np.int64)
    start = np.datetime64(config.start_month.strftime("%Y-%m"), "M")
    first_day = (start + month).astype("datetime64[D]")
    days = ((start + month + 1).astype("datetime64[D]") - first_day).astype(np.int64)
    company = rng.random(n) < config.company_share
    unable = np.where(company, config.unable_share_company, config.unable_share_individual)
    unable += config.unable_share_drift * (month / max(config.n_months - 1, 1) - 0.5)
    u = rng.random(n)
    hidden = config.hidden_share
    archetype = np.select([u < hidden, u < hidden + unable], [HIDDEN, UNABLE], 0)
    creditor = choose(rng, np.array([CREDITOR_P[False], CREDITOR_P[True]]), company.astype(int))
    cause_p = np.array([CAUSE_P[(c, k)] for c in range(len(CREDITORS)) for k in (False, True)])
    cause = choose(rng, cause_p, creditor * 2 + company)
    median = np.where(company, config.company_amount_median, config.individual_amount_median)
    sd = np.where(company, config.company_amount_sd, config.individual_amount_sd)
    amount = lognormal(rng, median * CAUSE_AMOUNT[cause], sd, n)
    cap = np.where(company, AMOUNT_CAP[True], AMOUNT_CAP[False])
    shares = np.array([r.share for r in REGIONS])
    shape, scale = config.months_since_judgment_shape, config.months_since_judgment_scale
    return {
        "filed_at": first_day + (rng.random(n) * days).astype(np.int64),
        "company": company,
        "region_code": rng.choice(len(REGIONS), n, p=shares / shares.sum()),
        "archetype_code": archetype,
        "creditor_code": creditor,
        "cause_code": cause,
        "amount_due": np.round(np.clip(amount, 500.0, cap)),
        "months_since_judgment": np.round(rng.gamma(shape, scale, n), 1),
        "creditor_hardship": (creditor == 0) & (rng.random(n) < CAUSE_HARDSHIP[cause]),
    }


def _search(rows: Rows, config: DebtorConfig, rng: np.random.Generator) -> Rows:
    """The "5" searches: each class is searched (or not yet), found only partly, valued with
    noise. Also the true value of what was found (``<class>_seized``) for the outcome."""
    n = rows["amount_due"].size
    found: Rows = {}
    searches = zip(_SEARCHES, config.detection, config.value_noise, _FOUND_ROUNDING, strict=True)
    for (true, seizable, column, units, count), detect, noise, digits in searches:
        done = rng.random(n) >= config.search_missing_share
        if units:
            hits = rng.binomial(rows[units], detect)
            share = hits / np.maximum(rows[units], 1)
            found[count] = np.where(done, hits, np.nan)
        else:
            share = (rng.random(n) < detect).astype(np.float64)
        value = rows[true] * share * lognormal(rng, 1.0, noise, n)
        found[column] = np.where(done, np.round(np.minimum(value, VALUE_CAP), digits), np.nan)
        found[f"{true}_seized"] = np.where(done, rows[seizable] * share, 0.0)
    return found


def _signals(rows: Rows, config: DebtorConfig, rng: np.random.Generator) -> Rows:
    """Other open cases, the 失信 list, the creditor's leads ("X") and the "Y" checks."""
    code, company = rows["archetype_code"], rows["company"]
    n = code.size
    mean_cases = by_archetype("other_cases_mean", code) * np.where(company, 1.5, 1.0)
    other = np.minimum(rng.poisson(mean_cases * rng.gamma(1.0, 1.0, n)), 60)
    listed_logit = by_archetype("listed_offset", code) + 2.0 * rows["resistance"] + 0.35 * other
    listed = rng.random(n) < _sigmoid(listed_logit)
    leads = rng.poisson(by_archetype("leads_mean", code) * np.where(company, 1.3, 1.0))
    u = rng.random(n)  # shared: payroll and social insurance are found together
    employer_u = np.where(rng.random(n) < 0.8, u, rng.random(n))
    checks = {
        "social_insurance_active": np.where(
            company, rows["insured_employees"] > 0, u < by_archetype("social_insurance_p", code)
        ),
        "employer_found": np.where(company, np.nan, employer_u < by_archetype("employer_p", code)),
        "household_registration_found": rng.random(n) < by_archetype("household_p", code),
    }
    signals = {
        name: np.where(rng.random(n) < config.y_missing_share, np.nan, value.astype(np.float64))
        for name, value in checks.items()
    }
    signals |= {
        "other_open_cases": other,
        "dishonest_listed": listed,
        "dishonest_history": rng.poisson(0.1 + 0.3 * other + 0.5 * listed),
        "creditor_leads": leads,
        "creditor_leads_verified": rng.binomial(leads, by_archetype("leads_verified_p", code)),
    }
    return signals | {"hidden_capacity": _hidden_capacity(rows, signals, config)}


def _hidden_capacity(rows: Rows, signals: Rows, config: DebtorConfig) -> np.ndarray:
    """Means the searches did not find cover the threshold share (50 %) of the amount due,
    while everything the five searches found does not: hidden assets, plus the payable income
    of an individual whose employer and social insurance were both not found (or not checked).
    """
    seen = (signals["employer_found"] == 1) | (signals["social_insurance_active"] == 1)
    unseen_income = np.where(rows["company"] | seen, 0.0, rows["income_12m"])
    unseen = rows["hidden_assets"] + config.payable_income_share * unseen_income
    found = sum(np.nan_to_num(rows[column]) for _, _, column, _, _ in _SEARCHES)
    threshold = config.hidden_capacity_threshold * rows["amount_due"]
    return (unseen >= threshold) & (found < threshold)


def _consumption(rows: Rows, config: DebtorConfig, rng: np.random.Generator) -> Rows:
    """Spending in the last 12 months (the legal representative's for a company), driven by
    the spending means; hidden assets leak into it, the 失信 list holds part of it back."""
    n = rows["amount_due"].size
    income = np.array([r.income for r in REGIONS])[rows["region_code"]]
    base = np.where(rows["company"], rows["representative_income"], rows["income_12m"])
    liquid = rows["deposits_true"] + rows["securities_true"]
    means = np.maximum(base, SPENDING_FLOOR * income) + HIDDEN_SPENDING * rows["hidden_assets"]
    lifestyle = config.lifestyle_sd * rng.standard_normal(n)  # frugal or lavish, all channels
    z = np.log((means + LIQUID_SPENDING * liquid) / NATIONAL_INCOME) + lifestyle
    listed = rows["dishonest_listed"]
    spend: Rows = {}
    for column, (rate, slope, sd, held_back) in TRIPS.items():
        mean = rate * np.exp(slope * z + sd * rng.standard_normal(n))
        spend[column] = rng.poisson(np.minimum(mean * np.where(listed, held_back, 1.0), TRIP_CAP))
    intercept, slope, share, sd, held_back = LUXURY
    buys = rng.random(n) < _sigmoid(intercept + slope * z) * np.where(listed, held_back, 1.0)
    spend["luxury_spend_12m"] = np.round(buys * lognormal(rng, share * means, sd, n), -2)
    p, slope, cap, fee, sd, held_back = SCHOOL
    p_school = np.minimum(p * np.exp(slope * z), cap)
    p_school += by_archetype("school_extra_p", rows["archetype_code"])
    enrolled = rng.random(n) < p_school * np.where(listed, held_back, 1.0)
    fees = lognormal(rng, fee * income / NATIONAL_INCOME, sd, n)
    spend["private_school_fees_12m"] = np.round(enrolled * fees, -2)
    median, slope, sd, none = ONLINE
    online = lognormal(rng, median * np.exp(slope * z), sd, n)
    spend["online_shopping_12m"] = np.round((rng.random(n) >= none) * online, 2)
    return spend


def _outcome(rows: Rows, config: DebtorConfig, rng: np.random.Generator) -> Rows:
    """Recovery within 6 months: frozen cash and assets sold at auction (other open cases take
    their share first), what the debtor then pays of the means left if willing, and help from
    family or a guarantor."""
    amount = rows["amount_due"]
    n = amount.size
    kept = 1.0 / (1.0 + rows["other_open_cases"] * rng.uniform(0.3, 1.0, n))
    moved = rng.random(n) < config.moved_before_freeze_share
    still_there = np.where(moved, rng.uniform(0.0, 0.5, n), rng.uniform(0.8, 1.0, n))
    frozen = (rows["deposits_true_seized"] + rows["securities_true_seized"]) * still_there
    sold = np.zeros(n)
    for name, p in zip(("property", "vehicles", "equity"), config.dispose_p, strict=True):
        auction = rng.uniform(*config.auction_ratio, n)
        sold += (rng.random(n) < p) * rows[f"{name}_true_seized"] * auction
    taken = np.minimum(kept * (frozen + sold), amount)
    remaining = amount - taken
    left = np.maximum(kept * rows["true_capacity"] - taken, 0.0)
    # A debtor who cannot settle the rest seldom hands over a part of it voluntarily.
    short = np.where(left < remaining, config.voluntary_short_factor, 1.0)
    on_time = rng.random(n) >= config.late_payment_share  # settles, but after the 6 months
    willing = rng.random(n) < _sigmoid(_willingness(rows, config, left, remaining)) * short
    part = np.where(rng.random(n) < config.voluntary_full_share, 1.0, rng.uniform(0.1, 0.9, n))
    paid = taken + ((remaining > 0) & on_time & willing) * part * np.minimum(left, remaining)
    helped = rng.random(n) < config.third_party_share
    help_part = np.where(rng.random(n) < 0.5, 1.0, rng.uniform(0.1, 0.9, n))
    share = (paid + helped * help_part * (amount - paid)) / amount
    share = np.where(share < config.nothing_below_share, 0.0, np.round(share, 4))
    share = np.where(share >= 0.999, 1.0, share)
    return {"recovered_share": share, "recovered_amount": np.round(share * amount, 2)}


def _willingness(
    rows: Rows, config: DebtorConfig, left: np.ndarray, remaining: np.ndarray
) -> np.ndarray:
    """Logit of paying voluntarily: means left against what is owed, resistance, pressure."""
    seized = sum(rows[f"{c}_true_seized"] for c in ("property", "vehicles", "equity"))
    return (
        config.voluntary_intercept
        + config.voluntary_cover * np.clip(np.log((left + 1) / (remaining + 1)), -4, 4)
        + config.voluntary_resistance * rows["resistance"]
        + config.voluntary_pressure * (seized > 0)
        + config.voluntary_listed * rows["dishonest_listed"]
        + config.voluntary_other_cases * np.log1p(rows["other_open_cases"])
        + config.voluntary_leads * np.minimum(rows["creditor_leads_verified"], 3)
        + config.voluntary_months * rows["months_since_judgment"]
    )
