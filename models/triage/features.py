"""The difficulty model's features: the debtor as the capacity model reads it, plus the case's
stage at the moment of scoring.

A stage counts only if it was reached on or before the scoring day (``as_of``); its feature is
the number of days since (``NaN``: not reached). The same function builds the training rows
(each case at several landmark ages, later stages hidden) and the rows of a queue to rank.
Categories are coded against the fixed vocabulary (unknown or missing: ``NaN``), so building
features for a million cases is a few vectorised passes.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import pandas as pd

from models.capacity.features import BOOLEAN as DEBTOR_BOOLEAN
from models.capacity.features import DERIVED, derived_columns, numeric_inputs
from models.capacity.features import NUMERIC as DEBTOR_NUMERIC
from models.capacity.vocabulary import DebtorType, OperatingStatus, Region, TaxCreditGrade

DAY = np.timedelta64(1, "D")

#: Categorical inputs and their vocabularies (coded 0…k-1 in this order).
VOCABULARY: dict[str, type[StrEnum]] = {
    "debtor_type": DebtorType,
    "region": Region,
    "operating_status": OperatingStatus,
    "tax_credit_grade": TaxCreditGrade,
}
#: Stages whose age (days since reached) is a feature.
STAGE_AGES = (
    "searches_at",
    "assets_found_at",
    "seized_at",
    "disposed_at",
    "money_received_at",
    "paid_out_at",
    "second_search_at",
    "termination_proposed_at",
)
CASE_FEATURES = (
    "age_days",
    *(f"days_since_{s.removesuffix('_at')}" for s in STAGE_AGES),
    "measure_days_left",
    "neighbourhood_checked",
)
CATEGORICAL: tuple[str, ...] = tuple(VOCABULARY)
FEATURES: tuple[str, ...] = (
    *CATEGORICAL,
    *DEBTOR_BOOLEAN,
    *DEBTOR_NUMERIC,
    *DERIVED,
    *CASE_FEATURES,
)


def day_numbers(values: pd.Series | np.ndarray) -> np.ndarray:
    """Dates as float day numbers since 1970-01-01 (``NaN`` for missing)."""
    days = pd.to_datetime(pd.Series(values)).to_numpy(dtype="datetime64[D]")
    out = days.astype("int64").astype(np.float64)
    out[np.isnat(days)] = np.nan
    return out


def category_codes(values: pd.Series, vocabulary: type[StrEnum]) -> np.ndarray:
    """Codes of ``values`` in ``vocabulary``'s order; unknown or missing: ``NaN``."""
    codes = pd.Categorical(values, categories=[m.value for m in vocabulary]).codes
    return np.where(codes < 0, np.nan, codes.astype(np.float64))


def stage_age(dates: pd.Series, as_of: np.ndarray) -> np.ndarray:
    """Days from each date to ``as_of`` (day numbers) when the date is on or before it; else
    ``NaN`` — a stage not reached by the scoring day is unknown then."""
    age = as_of - day_numbers(dates)
    return np.where(age >= 0, age, np.nan)


def case_features(cases: pd.DataFrame, as_of: np.ndarray) -> pd.DataFrame:
    """The feature table of ``cases`` scored on ``as_of`` (day numbers, one per row)."""
    columns: dict[str, np.ndarray] = {
        name: category_codes(cases[name], vocab) for name, vocab in VOCABULARY.items()
    }
    columns |= numeric_inputs(cases)
    columns |= derived_columns(columns)
    columns["age_days"] = np.maximum(as_of - day_numbers(cases["filed_at"]), 0.0)
    for stage in STAGE_AGES:
        columns[f"days_since_{stage.removesuffix('_at')}"] = stage_age(cases[stage], as_of)
    seized = ~np.isnan(columns["days_since_seized"])
    expires = day_numbers(cases["seizure_expires_at"]) - as_of
    columns["measure_days_left"] = np.where(seized, expires, np.nan)
    columns["neighbourhood_checked"] = pd.to_numeric(
        cases["neighbourhood_checked"], errors="coerce"
    ).to_numpy(dtype=np.float64, na_value=np.nan)
    return pd.DataFrame({name: columns[name] for name in FEATURES}, index=cases.index)


def feature_matrix(cases: pd.DataFrame, as_of: np.ndarray) -> np.ndarray:
    """:func:`case_features` as a float matrix in ``FEATURES`` order."""
    return case_features(cases, as_of).to_numpy(dtype=np.float64)
