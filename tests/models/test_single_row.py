"""LightGBM's prepared single-row calls give exactly what ``Booster.predict`` gives."""

from __future__ import annotations

import gc
from concurrent.futures import ThreadPoolExecutor

import lightgbm as lgb
import numpy as np
import pytest

from models import single_row as single_row_module
from models.single_row import single_row


def _booster(seed: int = 0, rounds: int = 30) -> tuple[lgb.Booster, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(500, 6))
    X[:, 5] = rng.integers(0, 4, size=500)  # a categorical feature
    X[rng.random(500) < 0.1, 2] = np.nan
    y = X[:, 0] * 2 + np.sin(X[:, 1]) + (X[:, 5] == 2) + rng.normal(scale=0.1, size=500)
    params = {"objective": "regression", "num_leaves": 15, "verbose": -1, "num_threads": 1}
    data = lgb.Dataset(X, y, categorical_feature=[5])
    return lgb.train(params, data, num_boost_round=rounds), X


def test_raw_score_and_contributions_equal_the_booster_to_the_last_bit() -> None:
    booster, X = _booster()
    fast = single_row(booster)
    for row in X[:50]:
        one = np.ascontiguousarray(row.reshape(1, -1))
        assert fast.raw_score(one) == booster.predict(one, num_threads=1)[0]
        expected = booster.predict(one, pred_contrib=True, num_threads=1)[0]
        np.testing.assert_array_equal(fast.contributions(one), expected)


def test_one_predictor_per_booster_renewed_when_the_model_is_replaced() -> None:
    booster, X = _booster()
    row = np.ascontiguousarray(X[:1])
    assert single_row(booster) is single_row(booster)
    before = single_row(booster)
    other, _ = _booster(seed=1, rounds=10)
    booster.model_from_string(other.model_to_string())  # same object, new C handle
    renewed = single_row(booster)
    assert renewed is not before
    assert renewed.raw_score(row) == other.predict(row, num_threads=1)[0]


def test_a_dropped_booster_takes_its_predictor_with_it() -> None:
    booster, X = _booster()
    single_row(booster).contributions(np.ascontiguousarray(X[:1]))
    held = len(single_row_module._PREPARED)
    del booster
    gc.collect()
    assert len(single_row_module._PREPARED) == held - 1


@pytest.mark.parametrize(
    "row",
    [
        np.zeros((1, 5)),
        np.zeros((2, 6)),
        np.zeros((1, 6), dtype=np.float32),
        np.zeros((6, 2))[:, 0],
    ],
    ids=["too-few-features", "two-rows", "float32", "not-contiguous"],
)
def test_a_row_of_the_wrong_shape_or_type_is_refused(row: np.ndarray) -> None:
    booster, _ = _booster()
    with pytest.raises(ValueError, match="one C-contiguous float64 row of 6 features"):
        single_row(booster).raw_score(row)


def test_threads_sharing_one_predictor_get_the_serial_answers() -> None:
    booster, X = _booster()
    fast = single_row(booster)
    rows = [np.ascontiguousarray(r.reshape(1, -1)) for r in X[:200]]
    serial = [fast.contributions(r) for r in rows]
    with ThreadPoolExecutor(4) as pool:
        parallel = list(pool.map(fast.contributions, rows * 5))
    for i, got in enumerate(parallel):
        np.testing.assert_array_equal(got, serial[i % len(rows)])
