"""The capacity model's features: the request's inputs as numbers and categories, plus ratios.

Missing stays missing: a search not run is ``NaN``, apart from a search that found nothing
(``0``). The derived ratios put every amount beside the amount due, the way a court reads
them — Haidian's cash enforceability ratio (现金可执行率) is ``cash_ratio``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Request fields the model reads (the creditor's fields and the identity number never).
SEARCH_VALUES = (
    "bank_deposits_found",
    "securities_found",
    "real_estate_value",
    "vehicle_value",
    "equity_value",
)
#: The "5" searches: a search counts as done when any of its fields is known.
SEARCHES: dict[str, tuple[str, ...]] = {
    "bank": ("bank_deposits_found",),
    "securities": ("securities_found",),
    "real_estate": ("real_estate_count", "real_estate_value"),
    "vehicles": ("vehicle_count", "vehicle_value"),
    "equity": ("equity_value",),
}
SPENDING = ("luxury_spend_12m", "private_school_fees_12m", "online_shopping_12m")
CATEGORICAL = ("debtor_type", "region", "operating_status", "tax_credit_grade")
BOOLEAN = (
    "social_insurance_active",
    "employer_found",
    "household_registration_found",
    "dishonest_listed",
)
NUMERIC = (
    "amount_due",
    "months_since_judgment",
    "bank_deposits_found",
    "securities_found",
    "real_estate_count",
    "real_estate_value",
    "vehicle_count",
    "vehicle_value",
    "equity_value",
    "creditor_leads",
    "creditor_leads_verified",
    "flights_12m",
    "rail_trips_12m",
    "hotel_nights_12m",
    "luxury_spend_12m",
    "private_school_fees_12m",
    "online_shopping_12m",
    "dishonest_history",
    "other_open_cases",
    "registered_capital",
    "insured_employees",
)
INPUT_COLUMNS: tuple[str, ...] = (*CATEGORICAL, *BOOLEAN, *NUMERIC)
#: Derived columns and the input each one is read as in a reason.
DERIVED: dict[str, str] = {
    "cash_ratio": "bank_deposits_found",
    "liquid_ratio": "bank_deposits_found",
    "asset_ratio": "asset_ratio",
    "searches_missing": "searches_missing",
    "spend_ratio": "spend_ratio",
    "leads_unverified": "creditor_leads",
}
FEATURES: tuple[str, ...] = (*INPUT_COLUMNS, *DERIVED)


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    values = frame[column]
    if not pd.api.types.is_numeric_dtype(values.dtype):  # booleans count as numeric
        values = pd.to_numeric(values, errors="coerce")  # text, or numbers with gaps (object)
    return values.to_numpy(dtype=np.float64, na_value=np.nan)


def _known_sum(columns: dict[str, np.ndarray], names: tuple[str, ...]) -> np.ndarray:
    """Row sums of the known values; ``NaN`` where every one is missing."""
    values = np.column_stack([columns[name] for name in names])
    total = np.nansum(values, axis=1)
    total[np.isnan(values).all(axis=1)] = np.nan
    return total


def _searches_missing(columns: dict[str, np.ndarray]) -> np.ndarray:
    missing = np.zeros(len(columns["amount_due"]))
    for fields in SEARCHES.values():
        known = np.zeros(len(missing), dtype=bool)
        for field in fields:
            known |= ~np.isnan(columns[field])
        missing += ~known
    return missing


def searches_missing(frame: pd.DataFrame) -> np.ndarray:
    """How many of the five asset searches have no result yet, per row."""
    fields = {f for group in SEARCHES.values() for f in group} | {"amount_due"}
    return _searches_missing({f: _numbers(frame, f) for f in fields})


def _category(values: pd.Series) -> np.ndarray:
    return np.array(
        [None if v is None or v != v else str(v) for v in values.to_numpy(dtype=object)],
        dtype=object,
    )


def numeric_inputs(raw: pd.DataFrame) -> dict[str, np.ndarray]:
    """The boolean and numeric inputs as float arrays (missing: ``NaN``)."""
    return {c: _numbers(raw, c) for c in (*BOOLEAN, *NUMERIC)}


def derived_columns(columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The ``DERIVED`` ratios from the numeric inputs (see :func:`numeric_inputs`)."""
    amount = np.where(columns["amount_due"] > 0, columns["amount_due"], np.nan)
    return {
        "cash_ratio": columns["bank_deposits_found"] / amount,
        "liquid_ratio": _known_sum(columns, ("bank_deposits_found", "securities_found")) / amount,
        "asset_ratio": _known_sum(columns, SEARCH_VALUES) / amount,
        "searches_missing": _searches_missing(columns),
        "spend_ratio": _known_sum(columns, SPENDING) / amount,
        "leads_unverified": columns["creditor_leads"] - columns["creditor_leads_verified"],
    }


def capacity_features(raw: pd.DataFrame) -> pd.DataFrame:
    """The model's feature table for raw rows (generated data or validated requests)."""
    numbers = numeric_inputs(raw)
    numbers |= derived_columns(numbers)
    # Categories stay Python objects: a Series made with dtype=object keeps them (a bare
    # array would be read as pandas' string dtype, and converting back costs more than the
    # rest of this function on the single rows served over HTTP).
    categories = {
        c: pd.Series(_category(raw[c]), index=raw.index, dtype=object) for c in CATEGORICAL
    }
    return pd.DataFrame({**categories, **numbers}, index=raw.index)
