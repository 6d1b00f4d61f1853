"""Cross-validation folds on a real Dask cluster: the same figures as here, clear errors."""

from __future__ import annotations

import time

import numpy as np
import pytest
from distributed import LocalCluster

from models.errors import DataError
from tests.models.test_estimator import hedonic_sales
from tests.training.test_classifier_benchmarks import FAST as FAST_CLASSIFIER
from tests.training.test_classifier_benchmarks import loans
from tests.training.test_evaluate import FAST
from training.classifier_cv import out_of_fold_scores
from training.evaluate import out_of_fold_valuations
from training.folds import ClusterError, FoldRunner


def threads_cluster(workers: int = 1, threads: int = 1) -> LocalCluster:
    """A cluster whose workers are threads of this process, on TCP like a real one."""
    return LocalCluster(
        n_workers=workers,
        threads_per_worker=threads,
        processes=False,
        protocol="tcp",
        dashboard_address=":0",
    )


def test_valuation_folds_on_the_cluster_give_the_same_figures(dask_scheduler: str) -> None:
    frame = hedonic_sales(600, seed=3)
    here = out_of_fold_valuations(frame, "price", folds=3, params=FAST)
    there = out_of_fold_valuations(
        frame, "price", folds=3, params=FAST, runner=FoldRunner(dask_scheduler)
    )
    for name in ("prices", "point", "lower", "upper"):
        assert np.array_equal(getattr(here, name), getattr(there, name)), name
    assert here.metrics().median_ape < 0.15


def test_classifier_folds_on_the_cluster_give_the_same_probabilities(dask_scheduler: str) -> None:
    frame = loans()
    kwargs = {"exclude": ["编号"], "folds": 3, "seed": 1, "params": FAST_CLASSIFIER}
    here = out_of_fold_scores(frame, "状态", runner=FoldRunner(workers=2), **kwargs)
    there = out_of_fold_scores(frame, "状态", runner=FoldRunner(dask_scheduler), **kwargs)
    assert np.array_equal(here.probabilities, there.probabilities)
    assert here.metrics().auc > 0.7


def test_a_worker_running_two_folds_at_once_gives_the_same_figures() -> None:
    """Two fold tasks at once in one worker process call LightGBM on two threads, which is
    safe only under the one-thread cap (``models.parallel``); the figures stay the same."""
    frame = loans()
    kwargs = {"exclude": ["编号"], "folds": 3, "seed": 1, "params": FAST_CLASSIFIER}
    with threads_cluster(threads=2) as cluster:
        there = out_of_fold_scores(
            frame, "状态", runner=FoldRunner(cluster.scheduler_address), **kwargs
        )
    here = out_of_fold_scores(frame, "状态", **kwargs)
    assert np.array_equal(here.probabilities, there.probabilities)


def _fold_that_fails(values: np.ndarray, train: np.ndarray, held: np.ndarray) -> np.ndarray:
    if len(held) and values[held].max() > 8:
        raise DataError("row 9 is bad")
    return values[held]


def test_a_fold_that_fails_on_the_cluster_raises_its_own_error() -> None:
    splits = [(np.arange(5, 10), np.arange(5)), (np.arange(5), np.arange(5, 10))]
    with threads_cluster() as cluster:
        runner = FoldRunner(cluster.scheduler_address)
        with pytest.raises(DataError, match="row 9 is bad"):
            runner.map(_fold_that_fails, (np.arange(10.0),), splits, "test")


@pytest.mark.parametrize("address", ["cluster", "tcp://cluster", "http://127.0.0.1:8786"])
def test_a_malformed_scheduler_address_is_named(address: str) -> None:
    with pytest.raises(ClusterError, match=f"{address!r} is not a Dask scheduler address"):
        FoldRunner(address)


def test_an_unreachable_scheduler_is_named_quickly() -> None:
    start = time.perf_counter()
    runner = FoldRunner("tcp://127.0.0.1:9", timeout_s=1)
    with pytest.raises(
        ClusterError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9"
    ):
        runner.map(_fold_that_fails, (np.arange(10.0),), [], "test")
    assert time.perf_counter() - start < 15


def test_a_scheduler_without_workers_is_named() -> None:
    with threads_cluster(workers=0) as cluster:
        runner = FoldRunner(cluster.scheduler_address, timeout_s=1)
        with pytest.raises(ClusterError, match="has no worker"):
            runner.map(_fold_that_fails, (np.arange(10.0),), [], "test")
