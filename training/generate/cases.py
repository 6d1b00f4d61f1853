"""Synthetic enforcement cases: debtors shared across cases, first seizure, outcome, timeline.

A pool of debtors comes from the debtor generator (``debtors.py``); each debtor gets one or
more cases, filed close together, with their own creditors and claims. The debtor's means are
split across its cases by filing order (首封: the earlier case is paid first), the outcome
follows from what is seized, sold and paid, and each stage gets a date. The record is taken
on ``observed_until``: later stages are not known yet (``training.case_view.cases_as_of``).
``case_market.py`` holds the structure and the knobs; ``data/README.md`` documents every number.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.capacity.features import SEARCH_VALUES
from models.capacity.vocabulary import DebtorType
from models.triage.columns import CASE_DEBTOR_COLUMNS, INPUT_DTYPES, OUTCOME_DTYPES
from models.triage.vocabulary import CaseOutcome
from training.case_view import cases_as_of
from training.generate.case_market import (
    MEASURE_YEARS,
    SIX_MONTHS,
    CaseConfig,
    add_years,
    asset_ids,
    case_numbers,
    group_before,
    sigmoid,
    timeline,
    to_datetime,
    window,
    zfill,
)
from training.generate.debtor_market import (
    AMOUNT_CAP,
    CAUSE_AMOUNT,
    CAUSE_P,
    CAUSES,
    CREDITOR_P,
    CREDITORS,
    choose,
    lognormal,
)
from training.generate.debtors import COLUMN_DTYPES as DEBTOR_DTYPES
from training.generate.debtors import generate_debtors

logger = logging.getLogger(__name__)

__all__ = [
    "COLUMN_DTYPES",
    "TRAINING_DTYPES",
    "CaseConfig",
    "GeneratedCases",
    "cases_as_of",
    "generate_cases",
]

#: Latent truth and derived labels the generator adds to the contract (never features).
EXTRA_DTYPES: dict[str, str] = {
    "days_to_close": "float64",  # closed_at − filed_at in days (NaN: open)
    "paid_within_6m": "bool",  # closed 执行完毕/和解 with money paid within 182.625 days
    "claims_ahead": "float64",  # earlier-filed claims against the same debtor (首封 queue), CNY
    "archetype": "str",
    "true_capacity": "float64",
    "hidden_assets": "float64",
    "resistance": "float64",
    "hidden_capacity": "bool",
}
COLUMN_DTYPES: dict[str, str] = {
    **INPUT_DTYPES,
    **{c: DEBTOR_DTYPES[c] for c in CASE_DEBTOR_COLUMNS},
    **OUTCOME_DTYPES,
    **EXTRA_DTYPES,
}
"""Every column of ``GeneratedCases.frame`` and its dtype, in order."""
#: The columns (and types) a court's own case records must hold to train on or to make a
#: queue from: the generator's latent truth is not among them, nor labels the training
#: derives again (``days_to_close``) or never reads (``claims_ahead``).
TRAINING_DTYPES: dict[str, str] = {
    **INPUT_DTYPES,
    **{c: DEBTOR_DTYPES[c] for c in CASE_DEBTOR_COLUMNS},
    **OUTCOME_DTYPES,
    "paid_within_6m": EXTRA_DTYPES["paid_within_6m"],
}
_FOUND = SEARCH_VALUES  # deposits, securities, real estate, vehicles, equity: asset class order
_STAGES = {  # stage column: its key in the generated rows
    "searches_at": "searched",
    "assets_found_at": "found",
    "seized_at": "seized",
    "seizure_expires_at": "expires",
    "disposed_at": "disposed",
    "money_received_at": "received",
    "paid_out_at": "paid_out",
    "second_search_at": "second_search",
    "termination_proposed_at": "proposed",
    "closed_at": "closed",
    "archived_at": "archived",
}
_OUTCOMES = (CaseOutcome.FULL.value, CaseOutcome.SETTLEMENT.value, CaseOutcome.TERMINATED.value)
_POOL_MARGIN = 1.35  # cases per debtor assumed when sizing the debtor pool (about 1.5 drawn)

Rows = dict[str, np.ndarray]


@dataclass(frozen=True)
class GeneratedCases:
    """Generated enforcement cases, as recorded on ``observed_until``.

    Attributes:
        frame: One row per case with the columns and dtypes of ``COLUMN_DTYPES``, sorted by
            ``filed_at`` and numbered ``C0000001``… in that order.
        observed_until: The record date (every case's ``observed_until``).
    """

    frame: pd.DataFrame
    observed_until: pd.Timestamp


def generate_cases(n_cases: int, seed: int = 0, config: CaseConfig | None = None) -> GeneratedCases:
    """Generate a deterministic set of enforcement cases (no defects planted).

    Args:
        n_cases: Number of cases.
        seed: Seed of the random generators; the same seed gives the same frame.
        config: The knobs; ``CaseConfig()`` when None.

    Returns:
        The cases as recorded on ``config.observed_until``.

    Raises:
        ValueError: If ``n_cases`` is not positive.
    """
    if n_cases < 1:
        raise ValueError(f"n_cases must be a positive integer, got {n_cases}")
    config = config or CaseConfig()
    rng = np.random.default_rng((seed, 0xCA5E))  # not the debtor generator's stream
    debtors, per_debtor = _debtor_pool(n_cases, seed, config, rng)
    rows = _expand(debtors, per_debtor, config, rng)
    rows |= _recover(debtors, rows, config, rng)
    rows |= timeline(rows, config, rng)
    rows["expires"] = add_years(rows["seized"], MEASURE_YEARS[np.maximum(rows["asset"], 0)])
    observed_until = pd.Timestamp(config.observed_until)
    frame = cases_as_of(_frame(debtors, rows), observed_until)
    logger.info(
        "Generated %d enforcement cases of %d debtors, %d open on %s",
        len(frame),
        len(debtors),
        int((frame["outcome"] == CaseOutcome.OPEN.value).sum()),
        observed_until.date(),
    )
    return GeneratedCases(frame=frame, observed_until=observed_until)


def _debtor_pool(
    n_cases: int, seed: int, config: CaseConfig, rng: np.random.Generator
) -> tuple[pd.DataFrame, np.ndarray]:
    """Clean debtors (planted defects dropped) and their number of cases, adding up to
    ``n_cases``: a random subset of a generated population, in the population's order."""
    size = math.ceil(n_cases / _POOL_MARGIN) + 20
    while True:
        generated = generate_debtors(size, seed, config.debtors)
        frame = generated.frame
        frame = frame[~frame["case_id"].isin(generated.planted["case_id"])]
        other = frame["other_open_cases"].to_numpy()
        company = (frame["debtor_type"] == DebtorType.COMPANY.value).to_numpy()
        rate = config.cases_per_other_case * np.where(company, config.company_cases_factor, 1.0)
        extra = np.minimum(rng.poisson(rate * other), other)  # siblings are open cases too
        count = 1 + np.minimum(extra, config.max_cases_per_debtor - 1)
        if count.sum() >= n_cases:
            break
        size *= 2  # a config with few cases per debtor: draw a larger population
    order = rng.permutation(len(frame))
    total = np.cumsum(count[order])
    last = int(np.searchsorted(total, n_cases))
    chosen = order[: last + 1]
    count[order[last]] -= total[last] - n_cases
    keep = np.sort(chosen)
    return frame.iloc[keep].reset_index(drop=True), count[keep]


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    return frame[column].to_numpy(dtype=np.float64, na_value=np.nan)


def _expand(
    debtors: pd.DataFrame, per_debtor: np.ndarray, config: CaseConfig, rng: np.random.Generator
) -> Rows:
    """One row per case, grouped by debtor in filing order: the debtor's first case keeps the
    debtor row's claim, creditor, cause and months since judgment; later ones draw their own."""
    group = np.repeat(np.arange(len(debtors)), per_debtor)
    start = np.repeat(np.cumsum(per_debtor) - per_debtor, per_debtor)
    n = group.size
    first = np.arange(n) == start
    lo, hi = (
        float(d.to_datetime64().astype("datetime64[D]").astype(np.int64)) for d in window(config)
    )
    anchor = debtors["filed_at"].to_numpy().astype("datetime64[D]").astype(np.float64)[group]
    day = anchor + rng.integers(-config.cluster_days, config.cluster_days + 1, n)
    day = np.where(day < lo, 2 * lo - day, np.where(day > hi, 2 * hi - day, day))
    day = np.clip(day, lo, hi)  # a cluster wider than the window folds more than once
    day = day[np.lexsort((day, group))]  # sorted within each debtor (groups stay in order)
    company = (debtors["debtor_type"] == DebtorType.COMPANY.value).to_numpy()[group]
    creditor = choose(rng, np.array([CREDITOR_P[False], CREDITOR_P[True]]), company.astype(int))
    creditor = np.where(first, _codes(debtors["creditor_type"], CREDITORS)[group], creditor)
    cause_p = np.array([CAUSE_P[(c, k)] for c in range(len(CREDITORS)) for k in (False, True)])
    cause = choose(rng, cause_p, creditor * 2 + company)
    cause = np.where(first, _codes(debtors["case_cause"], CAUSES)[group], cause)
    dc = config.debtors
    median = np.where(company, dc.company_amount_median, dc.individual_amount_median)
    sd = np.where(company, dc.company_amount_sd, dc.individual_amount_sd)
    amount = np.round(np.clip(lognormal(rng, median * CAUSE_AMOUNT[cause], sd, n), 500.0, None))
    amount = np.minimum(amount, np.where(company, AMOUNT_CAP[True], AMOUNT_CAP[False]))
    shape, scale = dc.months_since_judgment_shape, dc.months_since_judgment_scale
    months = np.round(rng.gamma(shape, scale, n), 1)
    return {
        "group": group,
        "start": start,
        "first": first,
        "filed": day,
        "creditor_code": creditor,
        "cause_code": cause,
        "amount_due": np.where(first, _numbers(debtors, "amount_due")[group], amount),
        "months_since_judgment": np.where(
            first, _numbers(debtors, "months_since_judgment")[group], months
        ),
        "creditor_number": _creditors(creditor, config, rng),
    }


def _codes(labels: pd.Series, vocabulary: tuple[str, ...]) -> np.ndarray:
    """Codes of Chinese labels in ``vocabulary`` order."""
    return pd.Categorical(labels, categories=[str(v) for v in vocabulary]).codes.astype(np.int64)


def _recover(
    debtors: pd.DataFrame, rows: Rows, config: CaseConfig, rng: np.random.Generator
) -> Rows:
    """What each case recovers and how it ends. The debtor's seizable means (cash frozen,
    auction proceeds, an asset found through a lead) and its other means go to its cases in
    filing order (首封), after other courts' cases take their share."""
    g, start, amount = rows["group"], rows["start"], rows["amount_due"]
    m = len(debtors)
    found = {c: np.nan_to_num(_numbers(debtors, c)) for c in _FOUND}
    cash = found["bank_deposits_found"] + found["securities_found"]
    moved = rng.random(m) < config.moved_before_freeze_share
    cash *= np.where(moved, rng.uniform(0.0, 0.5, m), rng.uniform(0.85, 1.0, m))
    net = np.where(rng.random(m) < config.mortgage_share, rng.uniform(0.2, 0.8, m), 1.0)
    assets = (found["real_estate_value"] * net, found["vehicle_value"], found["equity_value"])
    proceeds = np.zeros(m)
    for value, p in zip(assets, config.sold_p, strict=True):
        proceeds += (rng.random(m) < p) * value * rng.uniform(*config.auction_ratio, m)
    hidden = _numbers(debtors, "hidden_assets")
    lead_logit = (
        config.lead_intercept
        + config.lead_verified * np.minimum(_numbers(debtors, "creditor_leads_verified"), 3)
        + config.lead_hidden * (hidden >= 0.3 * _numbers(debtors, "amount_due"))
    )
    lead = (sum(found.values()) == 0) & (rng.random(m) < sigmoid(lead_logit))
    lead_value = lead * hidden * rng.uniform(*config.lead_value, m)
    siblings = np.bincount(g, minlength=m) - 1
    elsewhere = np.maximum(_numbers(debtors, "other_open_cases") - siblings, 0.0)
    kept = 1.0 / (1.0 + elsewhere * rng.uniform(*config.competition, m))
    seized_means = cash + proceeds + lead_value
    free = kept * np.maximum(_numbers(debtors, "true_capacity") - seized_means, 0.0)
    ahead = group_before(amount, start)
    cash_take = np.clip(kept[g] * cash[g] - ahead, 0.0, amount)
    take = np.clip(kept[g] * seized_means[g] - ahead, 0.0, amount)
    remaining = amount - take
    left = np.maximum(free[g] - group_before(remaining, start), 0.0)
    pressure = ((assets[0] + assets[1] + assets[2]) > 0) | lead
    paid = _voluntary(debtors, rows, config, rng, left, remaining, pressure[g])
    return {
        "claims_ahead": ahead,
        "cash_take": cash_take,
        "sale_take": take - cash_take,
        "recovered": np.round(take + paid["paid"], 2),
        "asset": _main_asset(found, lead)[g],
    } | paid


def _voluntary(
    debtors: pd.DataFrame,
    rows: Rows,
    config: CaseConfig,
    rng: np.random.Generator,
    left: np.ndarray,
    remaining: np.ndarray,
    pressure: np.ndarray,
) -> Rows:
    """The debtor pays the rest (at once: 执行完毕, in instalments: 和解), settles for part of
    it (和解), a third party pays (和解), or the case ends 终本 with what the seizures took."""
    g = rows["group"]
    n = g.size
    logit = (
        config.voluntary_intercept
        + config.voluntary_cover * np.clip(np.log((left + 1) / (remaining + 1)), -4, 4)
        + config.voluntary_resistance * _numbers(debtors, "resistance")[g]
        + config.voluntary_pressure * pressure
        + config.voluntary_listed * debtors["dishonest_listed"].to_numpy(dtype=bool)[g]
        + config.voluntary_other_cases * np.log1p(_numbers(debtors, "other_open_cases"))[g]
        + config.voluntary_leads * np.minimum(_numbers(debtors, "creditor_leads_verified"), 3)[g]
        + config.voluntary_months * rows["months_since_judgment"]
    )
    short = left < remaining
    willing = rng.random(n) < sigmoid(logit) * np.where(short, config.voluntary_short_factor, 1)
    owing = remaining > 0
    in_full = owing & willing & ~short
    in_part = owing & willing & short & (left > 0)
    helped = owing & ~in_full & (rng.random(n) < config.third_party_share)
    paid = np.where(in_part, left * rng.uniform(*config.settle_accept, n), 0.0)
    paid = np.where(in_full | helped, remaining, paid)
    instalments = in_full & (rng.random(n) < config.instalment_share)
    outcome = np.select(
        [~owing | (in_full & ~instalments), instalments | in_part | helped], [0, 1], 2
    )
    return {"paid": paid, "outcome_code": outcome}


def _main_asset(found: Rows, lead: np.ndarray) -> np.ndarray:
    """The asset class seized first (cash before real estate before vehicles…), -1 for none."""
    held = np.column_stack([found[c] > 0 for c in _FOUND] + [lead])
    return np.where(held.any(axis=1), held.argmax(axis=1), -1)


def _frame(debtors: pd.DataFrame, rows: Rows) -> pd.DataFrame:
    """The frame in filing order: ids, 案号, debtor columns, stage dates, outcome, truth."""
    order = np.argsort(rows["filed"], kind="stable")
    r = {name: values[order] for name, values in rows.items()}
    frame = debtors.iloc[r["group"]].reset_index(drop=True)
    n = len(frame)
    debtor_number = pd.factorize(r["group"])[0] + 1
    debtor_id = "B" + zfill(debtor_number, 6)
    filed = to_datetime(r["filed"])
    closed = r["closed"] - r["filed"]
    labels = {
        "case_id": "C" + zfill(np.arange(1, n + 1), 7),
        "case_number": case_numbers(frame["region"], filed),
        "debtor_id": debtor_id,
        "creditor_id": "A" + zfill(r["creditor_number"], 7),
        "seized_asset_id": asset_ids(frame, r, debtor_id),
        "filed_at": filed,
        "creditor_type": np.asarray([str(c) for c in CREDITORS], dtype=object)[r["creditor_code"]],
        "case_cause": np.asarray([str(c) for c in CAUSES], dtype=object)[r["cause_code"]],
        "neighbourhood_checked": pd.array(r["neighbourhood"], dtype="boolean"),
        "amount_due": r["amount_due"],
        "months_since_judgment": r["months_since_judgment"],
        **{column: to_datetime(r[key]) for column, key in _STAGES.items()},
        "outcome": np.asarray(_OUTCOMES, dtype=object)[r["outcome_code"]],
        "recovered_amount": r["recovered"],
        "observed_until": pd.NaT,
        "days_to_close": closed,
        "paid_within_6m": (r["outcome_code"] < 2) & (r["recovered"] > 0) & (closed <= SIX_MONTHS),
        "claims_ahead": r["claims_ahead"],
    }
    for column, values in labels.items():
        frame[column] = values
    return frame[list(COLUMN_DTYPES)].astype(COLUMN_DTYPES)


def _creditors(
    creditor_code: np.ndarray, config: CaseConfig, rng: np.random.Generator
) -> np.ndarray:
    """Creditor numbers: institutions (banks, lenders) and state agencies bring many cases each,
    the first ones most (weights 1 / rank); every other creditor brings one case."""
    n = creditor_code.size
    banks = max(3, round(n * config.institutions_per_case))
    agencies = max(2, round(n * config.agencies_per_case))
    pooled = (creditor_code == 1) & (rng.random(n) < config.institution_share)
    state = creditor_code == 2
    own = ~(pooled | state)
    number = np.empty(n, dtype=np.int64)
    number[pooled] = 1 + _by_rank(rng, banks, int(pooled.sum()))
    number[state] = 1 + banks + _by_rank(rng, agencies, int(state.sum()))
    number[own] = 1 + banks + agencies + np.arange(int(own.sum()))
    return number


def _by_rank(rng: np.random.Generator, k: int, n: int) -> np.ndarray:
    weights = 1.0 / np.arange(1, k + 1)
    return rng.choice(k, n, p=weights / weights.sum())
