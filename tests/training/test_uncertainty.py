"""Bootstrap intervals of cross-validated figures, and their spread over partitions."""

from __future__ import annotations

import numpy as np

from training.classifier_cv import ScoredOutcomes
from training.scored import ScoredSales
from training.uncertainty import bootstrap_intervals, evaluation_line, partition_spread


def _valuations(n_rows: int, seed: int) -> ScoredSales:
    """Estimates with a 10% log error and a ±15% interval around them."""
    rng = np.random.default_rng(seed)
    prices = rng.lognormal(13.0, 0.5, n_rows)
    point = prices * np.exp(rng.normal(0.0, 0.1, n_rows))
    return ScoredSales(prices=prices, point=point, lower=point / 1.15, upper=point * 1.15)


def _scores(n_rows: int, positives: int, seed: int) -> ScoredOutcomes:
    rng = np.random.default_rng(seed)
    y = np.zeros(n_rows, dtype=np.int64)
    y[:positives] = 1
    p = np.clip(0.3 * y + rng.uniform(0.0, 0.7, n_rows), 0.0, 1.0)
    return ScoredOutcomes(y=y, probabilities=p)


def _width(intervals: dict[str, tuple[float, float]], name: str) -> float:
    low, high = intervals[name]
    return high - low


def test_the_intervals_hold_the_figures_and_narrow_with_more_rows() -> None:
    small, large = _valuations(400, seed=1), _valuations(6400, seed=1)
    narrow = bootstrap_intervals(large, resamples=300, seed=0)
    wide = bootstrap_intervals(small, resamples=300, seed=0)
    assert narrow is not None and wide is not None
    figures = large.metrics()
    for name in ("median_ape", "ppe10", "rmsle", "interval_coverage", "cod"):
        low, high = narrow[name]
        assert low <= getattr(figures, name) <= high, name
        # 16 times the rows: about a quarter of the width (the standard error goes as 1/sqrt(n))
        assert 0.15 < _width(narrow, name) / _width(wide, name) < 0.4, name
    assert "n" not in narrow  # a count is not resampled


def test_the_same_seed_gives_the_same_intervals() -> None:
    scored = _scores(500, positives=150, seed=2)
    first = evaluation_line(scored, resamples=200, seed=7)
    assert first == evaluation_line(scored, resamples=200, seed=7)
    assert first != evaluation_line(scored, resamples=200, seed=8)
    assert first["bootstrap"] == 200
    assert set(first["ci95"]) == {"auc", "brier", "log_loss", "positive_rate"}  # no ECE


def test_no_resamples_no_intervals() -> None:
    line = evaluation_line(_scores(300, positives=90, seed=3), resamples=0, seed=0)
    assert "ci95" not in line and "bootstrap" not in line
    assert line["n"] == 300


def test_too_few_scorable_resamples_give_no_intervals() -> None:
    # One positive in 40 rows: over a third of the resamples miss it and have no AUC.
    scored = _scores(40, positives=1, seed=4)
    assert bootstrap_intervals(scored, resamples=200, seed=0) is None
    assert "ci95" not in evaluation_line(scored, resamples=200, seed=0)


def test_the_spread_over_partitions_summarises_each_partitions_own_figures() -> None:
    runs = [_scores(2000, 1200, seed=s) for s in (3, 4, 5)]
    spread = partition_spread(runs, [3, 4, 5])
    assert spread["partitions"] == 3 and spread["seeds"] == [3, 4, 5]
    aucs = [run.metrics().auc for run in runs]
    assert [p["auc"] for p in spread["per_partition"]] == [float(f"{a:.6g}") for a in aucs]
    assert spread["mean"]["auc"] == float(f"{np.mean(aucs):.6g}")
    assert spread["sd"]["auc"] == float(f"{np.std(aucs, ddof=1):.6g}") > 0
    assert spread["min"]["auc"] <= spread["mean"]["auc"] <= spread["max"]["auc"]
    assert "ece" in spread["mean"]  # each partition's ECE is a figure of its own rows
    assert "n" not in spread["mean"]  # counts are not figures
