"""The configuration effect: key codes, shrinkage choice, fast path and contributions."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from models.config_effect import choose_smoothing, fit_config_key
from models.estimator import EstimatorParams, ValueRegressor
from models.tabular import FrameEncoder

SMALL = EstimatorParams(n_estimators=200, learning_rate=0.08, inner_folds=3, n_jobs=1)
MAKES = ["别克", "雪佛兰", "凯迪拉克", "萨博"]


def car_sales(n_rows: int, seed: int) -> pd.DataFrame:
    """Used cars whose price depends on the make x body x cylinders *combination*.

    The configuration effects are the same for every seed; mileage lowers the price.
    """
    rng = np.random.default_rng(seed)
    config_effect = np.random.default_rng(7).normal(0.0, 0.3, (len(MAKES), 3, 2))
    make = rng.integers(0, len(MAKES), n_rows)
    body = rng.integers(0, 3, n_rows)
    cyl = rng.integers(0, 2, n_rows)
    mileage = rng.uniform(0, 50_000, n_rows)
    log_price = (
        10.0 + config_effect[make, body, cyl] - 4e-6 * mileage + rng.normal(0.0, 0.03, n_rows)
    )
    return pd.DataFrame(
        {
            "make": np.array(MAKES, dtype=object)[make],
            "body": np.array(["轿车", "轿跑", "旅行车"], dtype=object)[body],
            "cylinders": np.where(cyl == 1, 6, 4),
            "leather": rng.random(n_rows) < 0.5,
            "mileage": mileage.round(),
            "price": np.exp(log_price).round(2),
        }
    )


@pytest.fixture(scope="module")
def sales() -> pd.DataFrame:
    """Training cars."""
    return car_sales(600, seed=1)


@pytest.fixture(scope="module")
def model(sales: pd.DataFrame) -> ValueRegressor:
    """A fitted estimator whose linear member carries the configuration effect."""
    return ValueRegressor(params=SMALL, random_state=0).fit(
        sales.drop(columns="price"), sales["price"]
    )


def _awkward(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.drop(columns="price").reset_index(drop=True).copy()
    out.loc[::7, "make"] = "从未见过"
    out.loc[3::11, "body"] = None
    out["cylinders"] = out["cylinders"].astype("float64")
    out.loc[5::13, "cylinders"] = 8.0  # unseen level of a numeric key column
    out.loc[2::17, "cylinders"] = np.nan
    return out


def _row(record: dict[str, object]) -> dict[str, object]:
    return {
        k: (
            None
            if isinstance(v, float) and math.isnan(v)
            else v.item()
            if hasattr(v, "item")
            else v
        )
        for k, v in record.items()
    }


def test_key_codes_match_row_codes(sales: pd.DataFrame) -> None:
    encoder = FrameEncoder().fit(sales.drop(columns="price"))
    values = encoder.normalize(sales.drop(columns="price"))
    fitted = fit_config_key(encoder.specs_, values, max_levels=12)
    assert fitted is not None
    key, train_codes = fitted
    assert list(key.columns) == [0, 1, 2, 3]  # mileage has too many values
    np.testing.assert_array_equal(key.codes(values), train_codes)
    fresh = encoder.normalize(_awkward(car_sales(200, seed=3)))
    batch = key.codes(fresh)
    rows = [key.code_row({c: fresh[c][i] for c in key.columns}) for i in range(200)]
    np.testing.assert_array_equal(batch, rows)
    assert (batch == -1).any() and (batch >= 0).any()


def test_effect_shrinks_away_without_repeated_keys() -> None:
    codes = np.arange(100)
    pseudo, effect = choose_smoothing(codes, np.random.default_rng(0).normal(size=100), 100)
    assert math.isinf(pseudo) and not effect.any()


def test_effect_kept_for_strong_configurations() -> None:
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 10, 500)
    r = rng.normal(0, 1, 10)[codes] + rng.normal(0, 0.1, 500)
    pseudo, effect = choose_smoothing(codes, r, 10)
    assert pseudo < 1.0 and np.abs(effect).max() > 0.5


def test_model_uses_the_configuration(model: ValueRegressor) -> None:
    assert model.linear_.config_effect is not None


def test_fast_path_matches_batch(model: ValueRegressor) -> None:
    frame = _awkward(car_sales(150, seed=2))
    point, lower, upper = model.predict_interval(frame)
    fast = np.array([model.estimate_row(_row(r)) for r in frame.to_dict(orient="records")])
    np.testing.assert_allclose(fast, np.column_stack([point, lower, upper]), rtol=1e-9)


def test_contributions_sum_and_match_rows(model: ValueRegressor) -> None:
    frame = _awkward(car_sales(40, seed=4))
    bias, contrib = model.contributions(frame)
    np.testing.assert_allclose(bias + contrib.sum(axis=1), model.predict_log(frame), rtol=1e-9)
    for i, record in enumerate(frame.to_dict(orient="records")):
        row_bias, effects = model.contributions_row(_row(record))
        assert row_bias == pytest.approx(bias[i], rel=1e-9)
        np.testing.assert_allclose(list(effects.values()), contrib.iloc[i], rtol=1e-7, atol=1e-12)


def test_configuration_beats_main_effects(sales: pd.DataFrame) -> None:
    holdout = car_sales(400, seed=5)
    features, truth = holdout.drop(columns="price"), np.log(holdout["price"])
    plain = ValueRegressor(
        params=SMALL.model_copy(update={"config_max_levels": None}), random_state=0
    ).fit(sales.drop(columns="price"), sales["price"])
    with_config = ValueRegressor(params=SMALL, random_state=0).fit(
        sales.drop(columns="price"), sales["price"]
    )
    error_plain = np.abs(plain.predict_log(features) - truth).mean()
    error_config = np.abs(with_config.predict_log(features) - truth).mean()
    assert error_config < error_plain


@pytest.mark.parametrize("target", ["linear_residual", "auto"])
def test_tree_target_choice(sales: pd.DataFrame, target: str) -> None:
    params = SMALL.model_copy(update={"tree_target": target})
    model = ValueRegressor(params=params, random_state=0).fit(
        sales.drop(columns="price"), sales["price"]
    )
    assert model.tree_target_ in {"log_price", "linear_residual"}
    frame = _awkward(car_sales(30, seed=6))
    point, _, _ = model.predict_interval(frame)
    fast = [model.estimate_row(_row(r))[0] for r in frame.to_dict(orient="records")]
    np.testing.assert_allclose(fast, point, rtol=1e-9)
