"""`courtval bench folds`: evaluation and training here and on a Dask cluster, in one run.

Starts a local cluster of worker processes (one thread each) on this machine, runs the same
K-fold evaluation of generated property sales both ways, then one training fit of the
estimator on all of them (its inner folds on the cluster), and prints the wall times, their
ratios, and how far the two sets of estimates and metrics are apart: only by floating-point
rounding, as Dask's workers run their linear algebra on one thread (``OMP_NUM_THREADS=1``)
where this process runs it on several. On one machine the cluster gains only what the fits
here leave idle; a court's cluster gains its number of machines.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd
from distributed import LocalCluster

from models.estimator import ValueRegressor
from training.cv_columns import feature_frame
from training.evaluate import out_of_fold_valuations, priced_sales
from training.folds import FoldRunner, training_on_cluster
from training.generate.property import generate_property_transactions
from training.scored import ScoredSales

#: Generated columns that are not features (an identifier).
_EXCLUDE = ("transaction_id",)


def _timed_run(frame: Any, folds: int, seed: int, runner: FoldRunner) -> tuple[ScoredSales, float]:
    start = time.perf_counter()
    scored = out_of_fold_valuations(
        frame, "price", exclude=_EXCLUDE, folds=folds, seed=seed, runner=runner
    )
    return scored, time.perf_counter() - start


def _timed_fit(features: pd.DataFrame, prices: np.ndarray, seed: int) -> tuple[np.ndarray, float]:
    start = time.perf_counter()
    model = ValueRegressor(random_state=seed).fit(features, prices)
    return model.predict_log(features), time.perf_counter() - start


def run_folds_benchmark(*, rows: int, folds: int, workers: int, seed: int) -> dict[str, Any]:
    """Time ``folds``-fold evaluation of ``rows`` generated sales here and on ``workers``
    local Dask worker processes (the cluster's start-up not counted, the data's transfer
    counted)."""
    frame = generate_property_transactions(n_rows=rows, seed=seed).frame
    sold, prices = priced_sales(frame, "price")  # the rows the evaluation scores
    features = feature_frame(sold, "price", _EXCLUDE)
    here, here_s = _timed_run(frame, folds, seed, FoldRunner())
    fitted_here, fit_here_s = _timed_fit(features, prices, seed)
    with LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        address = cluster.scheduler_address
        there, cluster_s = _timed_run(frame, folds, seed, FoldRunner(address))
        with training_on_cluster(address, timeout_s=60):
            fitted_there, fit_cluster_s = _timed_fit(features, prices, seed)
    gap = max(
        float(np.max(np.abs(np.log(getattr(here, name)) - np.log(getattr(there, name)))))
        for name in ("point", "lower", "upper")
    )
    ours, theirs = here.metrics().model_dump(), there.metrics().model_dump()
    metric_gap = max(
        abs(ours[name] - theirs[name]) / max(abs(ours[name]), 1e-300)
        for name in ours
        if isinstance(ours[name], float)
    )
    return {
        "rows": rows,
        "folds": folds,
        "workers": workers,
        "here_s": round(here_s, 2),
        "cluster_s": round(cluster_s, 2),
        "speedup": round(here_s / cluster_s, 3),
        "max_log_difference": gap,
        "max_metric_relative_difference": metric_gap,
        "median_ape": round(ours["median_ape"], 5),
        "fit_here_s": round(fit_here_s, 2),
        "fit_cluster_s": round(fit_cluster_s, 2),
        "fit_speedup": round(fit_here_s / fit_cluster_s, 3),
        "fit_max_log_difference": float(np.max(np.abs(fitted_here - fitted_there))),
    }
