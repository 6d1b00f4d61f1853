"""The probability classifier on small generated data, and its metric functions by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit, logit

from models.classification import (
    ClassifierParams,
    ProbabilityClassifier,
    classifier_metrics,
    expected_calibration_error,
    reliability_table,
)
from models.errors import InvalidInputError

#: Small but real: a few inner folds, quick boosting.
FAST = ClassifierParams(
    inner_folds=3, learning_rate=0.1, n_estimators=300, early_stopping_rounds=30, n_pairs=3
)


def true_logit(frame: pd.DataFrame) -> np.ndarray:
    """Known log-odds: monotone in 存款, U-shaped in 年龄, a ratio and a category effect."""
    deposit = np.nan_to_num(np.log1p(frame["存款"].to_numpy(dtype=float)), nan=5.0)
    age = frame["年龄"].to_numpy(dtype=float)
    ratio = np.log1p(frame["欠款"].to_numpy(dtype=float)) - np.log1p(
        frame["收入"].to_numpy(dtype=float)
    )
    region = frame["地区"].map({"北京": 0.8, "上海": 0.4, "广州": 0.0, "成都": -0.6}).fillna(0.0)
    flights = 0.15 * frame["乘机次数"].to_numpy(dtype=float)
    return (
        -0.5
        + 0.4 * (deposit - 5.0)
        + 0.002 * (age - 45.0) ** 2
        - 1.0 * ratio
        + region.to_numpy()
        + flights
        - 0.5 * frame["失信"].to_numpy(dtype=float)
    )


def generate(n_rows: int, seed: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Debtor-like frame with gaps, its outcomes and the true probabilities."""
    rng = np.random.default_rng(seed)
    deposit = rng.lognormal(5.0, 1.5, n_rows)
    deposit[rng.random(n_rows) < 0.1] = np.nan
    frame = pd.DataFrame(
        {
            "存款": deposit,
            "年龄": rng.integers(20, 75, n_rows).astype(float),
            "收入": rng.lognormal(9.0, 0.6, n_rows),
            "欠款": rng.lognormal(9.0, 0.8, n_rows),
            "乘机次数": rng.poisson(2.0, n_rows),
            "失信": rng.random(n_rows) < 0.3,
            "地区": rng.choice(["北京", "上海", "广州", "成都", None], n_rows),
        }
    )
    p_true = expit(true_logit(frame))
    y = (rng.random(n_rows) < p_true).astype(int)
    return frame, y, p_true


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    return generate(4_000, seed=3)


@pytest.fixture(scope="module")
def model(data: tuple[pd.DataFrame, np.ndarray, np.ndarray]) -> ProbabilityClassifier:
    frame, y, _ = data
    return ProbabilityClassifier(FAST, seed=0).fit(frame.iloc[:3_000], y[:3_000])


def test_probabilities_are_calibrated_on_held_out_rows(
    model: ProbabilityClassifier, data: tuple[pd.DataFrame, np.ndarray, np.ndarray]
) -> None:
    frame, y, p_true = data
    p = model.predict_proba(frame.iloc[3_000:])
    assert p.shape == (1_000,)
    assert np.all((p >= 0) & (p <= 1))
    assert np.mean(np.abs(p - p_true[3_000:])) < 0.06
    assert expected_calibration_error(y[3_000:], p) < 0.06


def test_same_seed_gives_same_model(data: tuple[pd.DataFrame, np.ndarray, np.ndarray]) -> None:
    frame, y, _ = data
    first = ProbabilityClassifier(FAST, seed=5).fit(frame.iloc[:1_500], y[:1_500])
    second = ProbabilityClassifier(FAST, seed=5).fit(frame.iloc[:1_500], y[:1_500])
    rows = frame.iloc[3_000:3_200]
    np.testing.assert_array_equal(first.predict_proba(rows), second.predict_proba(rows))


def test_unseen_categories_and_missing_values_do_not_raise(model: ProbabilityClassifier) -> None:
    odd = pd.DataFrame(
        {
            "存款": [np.nan, None, 1e12],
            "年龄": [np.nan, 200.0, -5.0],
            "收入": ["12,000", None, "abc"],
            "欠款": [np.inf, 0.0, np.nan],
            "乘机次数": [None, 3, 0],
            "失信": [None, True, False],
            "地区": ["拉萨", None, ""],
        }
    )
    p = model.predict_proba(odd)
    assert np.all(np.isfinite(p)) and np.all((p > 0) & (p < 1))
    contributions = model.contributions(odd)
    assert np.all(np.isfinite(contributions.to_numpy()))


def test_missing_input_column_is_treated_as_missing(
    model: ProbabilityClassifier, data: tuple[pd.DataFrame, np.ndarray, np.ndarray]
) -> None:
    frame, _, _ = data
    p = model.predict_proba(frame.iloc[3_000:3_010].drop(columns=["存款"]))
    assert np.all(np.isfinite(p))


def test_contributions_add_up_to_the_logit(
    model: ProbabilityClassifier, data: tuple[pd.DataFrame, np.ndarray, np.ndarray]
) -> None:
    frame, _, _ = data
    rows = frame.iloc[3_000:3_300].set_axis(range(100, 400))
    contributions = model.contributions(rows)
    assert list(contributions.columns) == model.feature_names_in_ == list(frame.columns)
    assert contributions.index.equals(rows.index)
    total = model.base_value_ + contributions.sum(axis=1).to_numpy()
    np.testing.assert_allclose(total, logit(model.predict_proba(rows)), atol=1e-6)


def test_a_beta_map_keeps_the_ranking_and_the_contributions_add_up(
    data: tuple[pd.DataFrame, np.ndarray, np.ndarray],
) -> None:
    """The beta map after the stack (forced here) changes the probabilities, not their order;
    each row's contributions are scaled by one positive factor and still add up."""
    frame, y, _ = data
    platt = ProbabilityClassifier(FAST.model_copy(update={"calibration": "platt"}), seed=1)
    beta = ProbabilityClassifier(FAST.model_copy(update={"calibration": "beta"}), seed=1)
    platt.fit(frame.iloc[:3_000], y[:3_000])
    beta.fit(frame.iloc[:3_000], y[:3_000])
    assert platt.beta_map.is_identity and not beta.beta_map.is_identity
    rows = frame.iloc[3_000:3_300]
    before, after = platt.predict_proba(rows), beta.predict_proba(rows)
    assert not np.allclose(before, after)
    np.testing.assert_array_equal(
        np.argsort(before, kind="stable"), np.argsort(after, kind="stable")
    )
    contributions = beta.contributions(rows)
    total = beta.base_value_ + contributions.sum(axis=1).to_numpy()
    np.testing.assert_allclose(total, logit(after), atol=1e-6)
    unscaled = platt.contributions(rows).to_numpy()
    scaled = contributions.to_numpy()
    assert np.all(np.sign(scaled) == np.sign(unscaled))


def test_contributions_are_signed_towards_the_positive_class(
    model: ProbabilityClassifier, data: tuple[pd.DataFrame, np.ndarray, np.ndarray]
) -> None:
    frame, _, _ = data
    rows = frame.iloc[3_000:3_400]
    flights = model.contributions(rows)["乘机次数"].to_numpy()
    # More flights raise the true log-odds, so their contribution rises with them.
    assert np.corrcoef(flights, rows["乘机次数"].to_numpy(dtype=float))[0, 1] > 0.5


def test_single_row_matches_batch(
    model: ProbabilityClassifier, data: tuple[pd.DataFrame, np.ndarray, np.ndarray]
) -> None:
    frame, _, _ = data
    batch = model.predict_proba(frame.iloc[3_000:3_020])
    single = [model.predict_proba(frame.iloc[[i]])[0] for i in range(3_000, 3_020)]
    np.testing.assert_allclose(single, batch, rtol=1e-12)


def test_monotone_constraint_is_respected(
    data: tuple[pd.DataFrame, np.ndarray, np.ndarray],
) -> None:
    frame, y, _ = data
    # 年龄 is U-shaped in truth; constrained to rise, predictions must never fall with age.
    constrained = ProbabilityClassifier(FAST, seed=0).fit(frame, y, monotone={"年龄": 1})
    grid = np.linspace(10.0, 90.0, 41)
    for i in range(5):
        rows = pd.concat([frame.iloc[[i]]] * len(grid), ignore_index=True)
        rows["年龄"] = grid
        p = constrained.predict_proba(rows)
        assert np.all(np.diff(p) >= -1e-12)


@pytest.mark.parametrize(
    ("monotone", "match"),
    [({"不存在": 1}, "unknown column"), ({"地区": 1}, "categorical"), ({"年龄": 2}, "sign")],
)
def test_bad_monotone_is_rejected(
    data: tuple[pd.DataFrame, np.ndarray, np.ndarray], monotone: dict[str, int], match: str
) -> None:
    frame, y, _ = data
    with pytest.raises(InvalidInputError, match=match):
        ProbabilityClassifier(FAST).fit(frame.iloc[:200], y[:200], monotone=monotone)


@pytest.mark.parametrize("y", [np.full(200, 1), np.arange(200) % 3, np.zeros(10)])
def test_bad_outcomes_are_rejected(
    data: tuple[pd.DataFrame, np.ndarray, np.ndarray], y: np.ndarray
) -> None:
    frame, _, _ = data
    with pytest.raises(InvalidInputError, match="y"):
        ProbabilityClassifier(FAST).fit(frame.iloc[:200], y)


def test_too_few_of_a_class_for_the_inner_folds_is_named(
    data: tuple[pd.DataFrame, np.ndarray, np.ndarray],
) -> None:
    frame, _, _ = data
    y = np.r_[np.ones(2), np.zeros(198)]
    with pytest.raises(InvalidInputError, match="2 rows of its rarer class; the inner 3-fold"):
        ProbabilityClassifier(FAST).fit(frame.iloc[:200], y)


Y = [0, 0, 1, 1, 1]
P = [0.05, 0.15, 0.12, 0.8, 1.0]


def test_reliability_table_by_hand() -> None:
    table = reliability_table(Y, P, bins=2)
    assert list(table.columns) == [
        "bin_lower",
        "bin_upper",
        "count",
        "mean_predicted",
        "observed_rate",
    ]
    assert table["count"].tolist() == [3, 2]
    assert table["mean_predicted"].tolist() == pytest.approx([0.32 / 3, 0.9])
    assert table["observed_rate"].tolist() == pytest.approx([1 / 3, 1.0])


def test_expected_calibration_error_by_hand() -> None:
    # Bins of width 0.1: [0.05] → |0.05-0|, [0.15, 0.12] → |0.135-0.5|, [0.8] → 0.2, [1.0] → 0.
    expected = (0.05 + 2 * 0.365 + 0.2 + 0.0) / 5
    assert expected_calibration_error(Y, P) == pytest.approx(expected)


def test_classifier_metrics_by_hand() -> None:
    m = classifier_metrics(Y, P)
    # Pairs (negative, positive) ranked correctly: 0.05 < all three; 0.15 > 0.12 only.
    assert m.auc == pytest.approx(5 / 6)
    assert m.brier == pytest.approx((0.05**2 + 0.15**2 + 0.88**2 + 0.2**2 + 0.0) / 5)
    expected_ll = -(np.log(0.95) + np.log(0.85) + np.log(0.12) + np.log(0.8) + np.log(1 - 1e-15))
    assert m.log_loss == pytest.approx(expected_ll / 5)
    assert (m.n, m.positive_rate) == (5, pytest.approx(0.6))


@pytest.mark.parametrize(
    ("y", "p"), [([0, 1], [0.5]), ([0, 2], [0.1, 0.2]), ([0, 1], [0.1, 1.2]), ([1, 1], [0.2, 0.3])]
)
def test_metrics_reject_bad_input(y: list[int], p: list[float]) -> None:
    with pytest.raises(ValueError):
        classifier_metrics(y, p)
