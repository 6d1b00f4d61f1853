"""Where the outer folds of a cross-validated evaluation are fitted: here, or on Dask.

Each outer fold of ``courtval evaluate`` fits a whole model on its own, so the folds are
independent tasks. On one machine they run one after another (each fit uses the machine's
cores itself). When one machine is not enough, :class:`FoldRunner` sends them to the Dask
cluster whose scheduler address it is given (``COURTVAL_DASK_SCHEDULER`` or ``--scheduler``):
the data goes to the cluster once, each fold is one task, and the folds' answers come back
in fold order. A fit is deterministic from its seed, so the figures are those of a run here
(``tests/training/test_folds.py`` holds the two runs side by side), up to the last bits of
floating point on large tables: Dask's workers run their linear algebra on one thread.

The workers must run the same courtval installation as the client (they import the fold
functions by name); ``courtval bench folds`` starts a local cluster and measures both ways.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from models.errors import CourtvalError
from models.parallel import one_lightgbm_thread
from models.settings import DASK_ADDRESS

logger = logging.getLogger(__name__)

R = TypeVar("R")

#: One fold: the positions of its training rows and of its held-out rows.
Split = tuple[np.ndarray, np.ndarray]
#: fit_fold(*shared, train, held, **local) -> the fold's held-out answer.
FitFold = Callable[..., R]


class ClusterError(CourtvalError):
    """The Dask scheduler cannot be reached, or it has no workers to run the folds."""


@dataclass(frozen=True)
class FoldRunner:
    """Runs the folds of an evaluation here or on a Dask cluster.

    Attributes:
        scheduler: Address of a running Dask scheduler (``tcp://host:8786``); None: here.
        timeout_s: How long to wait for the scheduler and for its first worker.
        workers: Threads a fold fitted here may use for its independent steps (a model that
            takes a pool; the figures do not depend on it).
    """

    scheduler: str | None = None
    timeout_s: float = 10.0
    workers: int = 1

    def __post_init__(self) -> None:
        if self.scheduler is not None and not re.match(DASK_ADDRESS, self.scheduler):
            raise ClusterError(
                f"{self.scheduler!r} is not a Dask scheduler address (tcp://host:8786)"
            )

    @property
    def here(self) -> bool:
        """Whether the folds run in this process."""
        return self.scheduler is None

    def map(
        self,
        fit_fold: FitFold[R],
        shared: Sequence[Any],
        splits: Sequence[Split],
        label: str,
        **here: Any,
    ) -> list[R]:
        """``fit_fold(*shared, train, held)`` for every split, in split order; the keyword
        arguments ``here`` (a thread pool, which cannot travel) only when it runs here.

        Raises:
            ClusterError: The scheduler cannot be reached or has no worker in time.
        """
        if self.scheduler is None:
            return [
                _timed(label, k, len(splits), fit_fold, *shared, train, held, **here)
                for k, (train, held) in enumerate(splits)
            ]
        return self._on_cluster(fit_fold, shared, splits, label)

    def _on_cluster(
        self, fit_fold: FitFold[R], shared: Sequence[Any], splits: Sequence[Split], label: str
    ) -> list[R]:
        from distributed import Client

        try:
            client = Client(self.scheduler, timeout=self.timeout_s, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ClusterError(
                f"cannot reach the Dask scheduler at {self.scheduler}: {exc}"
            ) from exc
        with client:
            try:
                client.wait_for_workers(1, timeout=self.timeout_s)
            except TimeoutError as exc:
                raise ClusterError(
                    f"the Dask scheduler at {self.scheduler} has no worker "
                    f"(waited {self.timeout_s:g} s)"
                ) from exc
            workers = len(client.scheduler_info(n_workers=-1)["workers"])
            logger.info(
                "%s: %d folds on %d Dask workers at %s", label, len(splits), workers, self.scheduler
            )
            # The data travels once; every fold's task refers to it.
            data = client.scatter(list(shared), broadcast=False)
            futures = [
                client.submit(
                    _on_worker, label, k, len(splits), fit_fold, *data, train, held, pure=False
                )
                for k, (train, held) in enumerate(splits)
            ]
            return list(client.gather(futures))


def _timed(label: str, k: int, n: int, fit_fold: FitFold[R], *args: Any, **kwargs: Any) -> R:
    start = time.perf_counter()
    result = fit_fold(*args, **kwargs)
    logger.info("%s: fold %d/%d in %.1f s", label, k + 1, n, time.perf_counter() - start)
    return result


def _on_worker(label: str, k: int, n: int, fit_fold: FitFold[R], *args: Any) -> R:
    """A fold on a Dask worker, its LightGBM on one thread per call (``models.parallel``):
    the cluster's parallelism is its worker threads, one fold each (``dask worker`` runs
    one thread per core by default), and tasks that run at once in one worker process must
    not race on LightGBM's thread count."""
    with one_lightgbm_thread():
        return _timed(label, k, n, fit_fold, *args)
