"""Cross-validation and dataset loading."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from models.errors import DataError
from models.estimator import EstimatorParams
from tests.models.test_estimator import hedonic_sales
from training.datasets import load_benchmark, load_table
from training.evaluate import out_of_fold_valuations

FAST = EstimatorParams(n_estimators=150, learning_rate=0.1, inner_folds=3, n_jobs=1)
#: The default estimator on one thread: ``make test`` runs the benchmarks in a process of their
#: own beside the rest of the suite, and LightGBM's second thread would wait for a busy core.
#: The boosters are deterministic, so the figures are those of ``courtval evaluate`` (two threads).
ONE_THREAD = EstimatorParams(n_jobs=1)


def test_cross_validate_pools_out_of_fold_estimates(caplog: pytest.LogCaptureFixture) -> None:
    frame = hedonic_sales(600, seed=3)
    frame.loc[:4, "price"] = [np.nan, 0.0, -1.0, np.nan, np.nan]
    with caplog.at_level(logging.WARNING):
        metrics = out_of_fold_valuations(
            frame, "price", exclude=["land_fee"], folds=3, params=FAST
        ).metrics()
    assert metrics.n == 595
    assert "dropped 5 rows whose price is missing, not a number or not positive" in caplog.text
    assert metrics.interval_coverage is not None
    assert 0.6 <= metrics.interval_coverage <= 0.95
    assert metrics.median_ape < 0.15


def test_prices_written_with_thousands_separators_are_read() -> None:
    frame = hedonic_sales(300, seed=3)
    frame["price"] = [f"{v:,.0f}" for v in frame["price"]]  # "1,250,000": all were dropped
    metrics = out_of_fold_valuations(frame, "price", folds=3, params=FAST).metrics()
    assert metrics.n == 300
    assert metrics.median_ape < 0.15


def test_cross_validate_rejects_unknown_target() -> None:
    with pytest.raises(DataError, match="target"):
        out_of_fold_valuations(hedonic_sales(50, seed=0), "价格")


def test_cross_validate_drops_a_price_off_by_orders_of_magnitude(
    caplog: pytest.LogCaptureFixture,
) -> None:
    frame = hedonic_sales(600, seed=3)
    frame.loc[7, "price"] = 1e308  # a unit typed wrong; it left an inner fold without inliers
    with caplog.at_level(logging.WARNING):
        metrics = out_of_fold_valuations(frame, "price", folds=3, params=FAST).metrics()
    assert metrics.n == 599
    assert "dropped 1 rows whose price is over 1000 times" in caplog.text
    assert "(data rows 8)" in caplog.text
    assert metrics.median_ape < 0.15


@pytest.mark.parametrize(
    ("exclude", "message"),
    [(["小区"], "cannot exclude unknown columns"), (None, "no column to learn from")],
)
def test_cross_validate_needs_known_exclusions_and_a_feature(
    exclude: list[str] | None, message: str
) -> None:
    frame = hedonic_sales(50, seed=0)
    if exclude is None:  # every feature excluded: the target alone is left
        exclude = [c for c in frame.columns if c != "price"]
    with pytest.raises(DataError, match=message):
        out_of_fold_valuations(frame, "price", exclude=exclude)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_load_table_reads_chinese_csv(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "sales.csv"
    pd.DataFrame({"小区": ["阳光花园", "金色家园"], "价格": ["1,200,000", "950,000"]}).to_csv(
        path, index=False, encoding=encoding
    )
    frame = load_table(path)
    assert list(frame.columns) == ["小区", "价格"]
    assert frame["小区"].tolist() == ["阳光花园", "金色家园"]


def test_load_table_reads_parquet(tmp_path: Path) -> None:
    path = tmp_path / "sales.parquet"
    hedonic_sales(20, seed=0).to_parquet(path)
    assert len(load_table(path)) == 20


@pytest.mark.parametrize("name", ["sales.json", "missing.csv"])
def test_load_table_rejects(tmp_path: Path, name: str) -> None:
    (tmp_path / "sales.json").write_text("{}")
    with pytest.raises(DataError):
        load_table(tmp_path / name)


def test_unknown_benchmark_lists_choices() -> None:
    with pytest.raises(DataError, match="ames"):
        load_benchmark("boston")


@pytest.mark.benchmark
def test_ames_cross_validation_meets_targets() -> None:
    bench = load_benchmark("ames")
    metrics = out_of_fold_valuations(
        bench.frame, bench.target, exclude=bench.exclude, seed=0, params=ONE_THREAD
    ).metrics()
    figures = json.dumps(metrics.model_dump())
    print(figures)
    assert metrics.n == 2930
    assert metrics.interval_coverage is not None
    assert 0.77 <= metrics.interval_coverage <= 0.83, figures
    # Regression guard at the level reached so far (4.73 % / 79.8 % / 0.1177 with seed 0).
    assert metrics.median_ape <= 0.049 and metrics.ppe10 >= 0.78 and metrics.rmsle <= 0.120, figures
    targets_met = metrics.median_ape <= 0.045 and metrics.ppe10 >= 0.82 and metrics.rmsle <= 0.110
    if not targets_met:
        pytest.xfail(f"accuracy targets (4.5 % / 82 % / 0.110) not met yet: {figures}")


@pytest.mark.benchmark
def test_car_prices_cross_validation_meets_targets() -> None:
    bench = load_benchmark("car_prices")
    metrics = out_of_fold_valuations(
        bench.frame, bench.target, exclude=bench.exclude, seed=0, params=ONE_THREAD
    ).metrics()
    figures = json.dumps(metrics.model_dump())
    print(figures)
    assert metrics.n == 804
    assert metrics.interval_coverage is not None
    assert 0.77 <= metrics.interval_coverage <= 0.83, figures
    # Regression guard at the level reached so far (4.59 % / 81.1 % with seed 0).
    assert metrics.median_ape <= 0.048 and metrics.ppe10 >= 0.80, figures
    if not (metrics.median_ape <= 0.045 and metrics.ppe10 >= 0.82):
        pytest.xfail(f"accuracy targets (4.5 % / 82 %) not met yet: {figures}")
