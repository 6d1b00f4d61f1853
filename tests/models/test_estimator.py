"""Behaviour of ValueRegressor: fast path, robustness, contributions, intervals, pickling."""

from __future__ import annotations

import math
from typing import Any

import joblib
import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError
from sklearn.exceptions import NotFittedError

from models.errors import DataError
from models.estimator import EstimatorParams, ValueRegressor
from models.tabular import date_to_number

# One thread: tiny data gains nothing from two, and OpenMP threads stall on a busy machine.
SMALL = EstimatorParams(n_estimators=300, learning_rate=0.08, inner_folds=3, n_jobs=1)
DISTRICTS = ["城东", "城西", "城南", "城北", "新区", "开发区"]


def hedonic_sales(n_rows: int, seed: int, n_communities: int = 300) -> pd.DataFrame:
    """Sales with text numbers, Chinese categories, many communities, gaps and dates.

    Rows differ by ``seed``; the market (community effects) is the same for every seed.
    The price is log-linear in area, age, floor and district, plus a community effect,
    an elevator premium and 8 % log-normal noise.
    """
    rng = np.random.default_rng(seed)
    community_effect = np.random.default_rng(1_000).normal(0, 0.15, n_communities)
    area = rng.lognormal(np.log(90), 0.35, n_rows)
    built = rng.integers(1985, 2022, n_rows)
    floor = rng.integers(1, 30, n_rows)
    district = rng.choice(DISTRICTS, n_rows)
    community = rng.integers(0, n_communities, n_rows)
    elevator = rng.random(n_rows) < 0.6
    sold = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1500, n_rows), unit="D")
    district_effect = dict(zip(DISTRICTS, np.linspace(-0.3, 0.3, len(DISTRICTS)), strict=True))
    log_price = (
        13.0
        + 0.9 * np.log(area / 90)
        - 0.01 * (2022 - built)
        + 0.004 * floor
        + np.array([district_effect[d] for d in district])
        + community_effect[community]
        + 0.08 * elevator
        + 0.0002 * (sold - pd.Timestamp("2020-01-01")).days
        + rng.normal(0, 0.08, n_rows)
    )
    frame = pd.DataFrame(
        {
            "area_m2": area.round(1),
            "built_year": built,
            "floor": [f" {f} " for f in floor],
            "district": district,
            "community": [f"小区{c:04d}" for c in community],
            "elevator": elevator,
            "sale_date": sold,
            "price": np.exp(log_price).round(-2),
        }
    )
    frame["land_fee"] = [f"{v:,.0f}" for v in rng.uniform(500, 5000, n_rows)]
    gaps = rng.random(n_rows) < 0.05
    frame.loc[gaps, "area_m2"] = np.nan
    frame["district"] = frame["district"].astype(object)
    frame.loc[rng.random(n_rows) < 0.05, "district"] = None
    return frame


@pytest.fixture(scope="module")
def sales() -> pd.DataFrame:
    """Training sales."""
    return hedonic_sales(2_000, seed=1)


@pytest.fixture(scope="module")
def holdout() -> pd.DataFrame:
    """Fresh sales from the same market."""
    return hedonic_sales(1_000, seed=2)


@pytest.fixture(scope="module")
def model(sales: pd.DataFrame) -> ValueRegressor:
    """A small fitted estimator."""
    return ValueRegressor(params=SMALL, random_state=0).fit(
        sales.drop(columns="price"), sales["price"]
    )


def _awkward(frame: pd.DataFrame) -> pd.DataFrame:
    """Unseen categories, missing values and text numbers sprinkled over ``frame``."""
    out = frame.drop(columns="price").reset_index(drop=True).copy()
    out["community"] = out["community"].astype(object)
    out.loc[::7, "community"] = "从未见过的小区"
    out.loc[3::11, "community"] = None
    out["district"] = out["district"].astype(object)
    out.loc[5::13, "district"] = "火星"
    out["built_year"] = out["built_year"].astype("float64")
    out.loc[2::9, "built_year"] = np.nan
    out["floor"] = out["floor"].astype(object)
    out.loc[4::17, "floor"] = "n/a"
    out.loc[6::19, "floor"] = None
    out.loc[1::23, "area_m2"] = 1e6  # far outside the training range
    return out


def _row(record: dict[str, Any]) -> dict[str, Any]:
    """A plain, already-typed mapping as a caller would pass it."""
    row: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, pd.Timestamp):
            row[key] = date_to_number(value)
        elif isinstance(value, np.generic):
            row[key] = value.item()
        elif isinstance(value, float) and math.isnan(value):
            row[key] = None
        else:
            row[key] = value
    return row


def test_fast_path_matches_batch(model: ValueRegressor, holdout: pd.DataFrame) -> None:
    frame = _awkward(holdout.head(300))
    point, lower, upper = model.predict_interval(frame)
    fast = np.array([model.estimate_row(_row(r)) for r in frame.to_dict(orient="records")])
    np.testing.assert_allclose(fast[:, 0], point, rtol=1e-9)
    np.testing.assert_allclose(fast[:, 1], lower, rtol=1e-9)
    np.testing.assert_allclose(fast[:, 2], upper, rtol=1e-9)


def test_unseen_and_missing_never_raise(model: ValueRegressor, holdout: pd.DataFrame) -> None:
    frame = _awkward(holdout.head(50)).drop(columns=["elevator"])
    estimates = model.predict(frame)
    assert np.all(np.isfinite(estimates)) and np.all(estimates > 0)
    assert all(math.isfinite(v) for v in model.estimate_row({}))
    assert all(math.isfinite(v) for v in model.estimate_row({"community": 3, "floor": True}))


def test_contributions_sum_to_log_estimate(model: ValueRegressor, holdout: pd.DataFrame) -> None:
    frame = _awkward(holdout.head(200))
    bias, contrib = model.contributions(frame)
    assert list(contrib.columns) == list(model.feature_names_in_)
    np.testing.assert_allclose(bias + contrib.sum(axis=1), model.predict_log(frame), rtol=1e-9)


def test_row_contributions_match_batch(model: ValueRegressor, holdout: pd.DataFrame) -> None:
    frame = _awkward(holdout.head(20))
    bias, contrib = model.contributions(frame)
    for i, record in enumerate(frame.to_dict(orient="records")):
        row_bias, effects = model.contributions_row(_row(record))
        assert row_bias == pytest.approx(bias[i], rel=1e-9)
        np.testing.assert_allclose(list(effects.values()), contrib.iloc[i], rtol=1e-7, atol=1e-12)


def test_interval_covers_held_out_prices(model: ValueRegressor, holdout: pd.DataFrame) -> None:
    _, lower, upper = model.predict_interval(holdout.drop(columns="price"))
    covered = (lower <= holdout["price"]) & (holdout["price"] <= upper)
    assert 0.72 <= covered.mean() <= 0.88


def test_estimates_track_prices(model: ValueRegressor, holdout: pd.DataFrame) -> None:
    estimate = model.predict(holdout.drop(columns="price"))
    ape = np.abs(estimate / holdout["price"] - 1.0)
    assert np.median(ape) < 0.10


def test_larger_home_is_worth_more(model: ValueRegressor, holdout: pd.DataFrame) -> None:
    row = _row(holdout.drop(columns="price").iloc[0].to_dict())
    small, _, _ = model.estimate_row({**row, "area_m2": 60.0})
    large, _, _ = model.estimate_row({**row, "area_m2": 140.0})
    assert large > small


def test_same_seed_same_model_and_pickle_round_trip(
    model: ValueRegressor, sales: pd.DataFrame, tmp_path: Any
) -> None:
    X = sales.drop(columns="price")
    again = ValueRegressor(params=SMALL, random_state=0).fit(X, sales["price"])
    np.testing.assert_array_equal(again.predict(X), model.predict(X))
    joblib.dump(model, tmp_path / "model.joblib")
    loaded = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_mondrian_interval_by_group(sales: pd.DataFrame) -> None:
    params = SMALL.model_copy(update={"interval_group": "district", "min_group_size": 100})
    fitted = ValueRegressor(params=params).fit(sales.drop(columns="price"), sales["price"])
    frame = sales.drop(columns="price").head(30).copy()
    frame["district"] = frame["district"].astype(object)
    frame.loc[frame.index[:2], "district"] = ["新区", None]  # unseen, missing: pooled offsets
    point, lower, upper = fitted.predict_interval(frame)
    fast = np.array([fitted.estimate_row(_row(r)) for r in frame.to_dict(orient="records")])
    np.testing.assert_allclose(fast, np.column_stack([point, lower, upper]), rtol=1e-9)
    assert len(fitted.conformal_.group_offsets_) >= 5


def test_unfitted_estimator_raises() -> None:
    with pytest.raises(NotFittedError):
        ValueRegressor().predict(pd.DataFrame({"a": [1.0]}))


@pytest.mark.parametrize("bad", [[1.0, -2.0, 3.0], [1.0, float("nan"), 3.0], [1.0, 2.0]])
def test_rejects_bad_prices(bad: list[float]) -> None:
    with pytest.raises(ValueError, match="y"):
        ValueRegressor(params=SMALL).fit(pd.DataFrame({"a": [1.0, 2.0, 3.0]}), bad)


def test_too_few_sales_is_a_data_error() -> None:
    # Three inner folds of a couple of sales each were a scikit-learn traceback.
    frame = pd.DataFrame({"area": np.arange(29.0) + 30})
    with pytest.raises(DataError, match="29 sales to fit on; the estimator needs at least 30"):
        ValueRegressor(params=SMALL).fit(frame, frame["area"] * 1000)


def test_params_are_strict() -> None:
    with pytest.raises(ValidationError):
        EstimatorParams(learning_rat=0.1)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        EstimatorParams(coverage=1.5)


def test_infinite_values_do_not_poison_the_fit(sales: pd.DataFrame) -> None:
    X = sales.drop(columns="price").head(400).copy()
    X["land_fee"] = X["land_fee"].astype(object)
    X.loc[X.index[:3], "land_fee"] = "inf"
    fitted = ValueRegressor(params=SMALL).fit(X, sales["price"].head(400))
    assert np.all(np.isfinite(fitted.predict(X)))
