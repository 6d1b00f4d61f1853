"""Cross-validation folds on a real Dask cluster: the same figures as here, clear errors."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TypeVar

import dask
import numpy as np
import pytest
from distributed import Client, LocalCluster, get_task_stream

from models.capacity.model import CapacityModel
from models.errors import DataError
from models.estimator import ValueRegressor
from models.parallel import current_executor
from tests.models.test_estimator import hedonic_sales
from tests.training.test_classifier_benchmarks import FAST as FAST_CLASSIFIER
from tests.training.test_classifier_benchmarks import loans
from tests.training.test_evaluate import FAST
from training.classifier_cv import out_of_fold_scores
from training.cleaning.debtors import clean_debtors
from training.evaluate import out_of_fold_valuations
from training.folds import ClusterError, FoldRunner, training_on_cluster
from training.generate.debtors import generate_debtors

T = TypeVar("T")


def threads_cluster(workers: int = 1, threads: int = 1) -> LocalCluster:
    """A cluster whose workers are threads of this process, on TCP like a real one."""
    return LocalCluster(
        n_workers=workers,
        threads_per_worker=threads,
        processes=False,
        protocol="tcp",
        dashboard_address=":0",
    )


def _tasks_on(scheduler: str, fit: Callable[[], T], *, training: bool = True) -> tuple[T, int]:
    """What ``fit`` returns (inside :func:`training_on_cluster` unless ``training`` is False)
    and how many tasks the cluster ran meanwhile: only the cluster's own count proves the
    steps went there."""
    with Client(scheduler, set_as_default=False) as observer, get_task_stream(observer) as stream:
        if training:
            with training_on_cluster(scheduler, 10):
                result = fit()
        else:
            result = fit()
    return result, len(stream.data)


def test_valuation_folds_on_the_cluster_give_the_same_figures(dask_scheduler: str) -> None:
    frame = hedonic_sales(600, seed=3)
    here = out_of_fold_valuations(frame, "price", folds=3, params=FAST)
    runner = FoldRunner(dask_scheduler)
    there, tasks = _tasks_on(
        dask_scheduler,
        lambda: out_of_fold_valuations(frame, "price", folds=3, params=FAST, runner=runner),
        training=False,
    )
    assert tasks == 3  # one a fold
    for name in ("prices", "point", "lower", "upper"):
        assert np.array_equal(getattr(here, name), getattr(there, name)), name
    assert here.metrics().median_ape < 0.15


def test_classifier_folds_on_the_cluster_give_the_same_probabilities(dask_scheduler: str) -> None:
    frame = loans()
    kwargs = {"exclude": ["编号"], "folds": 3, "seed": 1, "params": FAST_CLASSIFIER}
    here = out_of_fold_scores(frame, "状态", runner=FoldRunner(workers=2), **kwargs)
    runner = FoldRunner(dask_scheduler)
    there, tasks = _tasks_on(
        dask_scheduler,
        lambda: out_of_fold_scores(frame, "状态", runner=runner, **kwargs),
        training=False,
    )
    assert tasks == 3
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


def _dies(*_: object) -> None:
    os._exit(1)  # a worker killed mid-task (out of memory, a crash)


def test_a_fold_whose_worker_dies_is_named() -> None:
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
    ):
        runner = FoldRunner(cluster.scheduler_address)
        with pytest.raises(ClusterError, match="died running a task"):
            runner.map(_dies, (), [(np.arange(2), np.arange(2, 4))], "test")


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


def test_an_estimators_inner_folds_on_the_cluster_give_the_same_model(dask_scheduler: str) -> None:
    frame = hedonic_sales(600, seed=3)
    X, y = frame.drop(columns="price"), frame["price"].to_numpy()
    here = ValueRegressor(FAST, random_state=0).fit(X, y)
    there, tasks = _tasks_on(dask_scheduler, lambda: ValueRegressor(FAST, random_state=0).fit(X, y))
    assert tasks == FAST.inner_folds
    assert np.array_equal(here.predict(X), there.predict(X))
    assert here.boosting_rounds_ == there.boosting_rounds_


def test_the_capacity_steps_on_the_cluster_give_the_same_model(dask_scheduler: str) -> None:
    debtors = clean_debtors(generate_debtors(n_rows=1500, seed=4).frame).frame
    here = CapacityModel.fit(debtors, params=FAST_CLASSIFIER, workers=2)
    there, tasks = _tasks_on(
        dask_scheduler, lambda: CapacityModel.fit(debtors, params=FAST_CLASSIFIER)
    )
    assert tasks >= 3  # the share head and each classifier's members
    ours, theirs = here.scores(debtors), there.scores(debtors)
    for name in ("p_full", "share", "p_hidden"):
        assert np.array_equal(getattr(ours, name), getattr(theirs, name)), name


def test_training_here_sets_no_cluster() -> None:
    with training_on_cluster(None, 1):
        assert current_executor() is None
