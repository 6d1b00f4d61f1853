"""Work on a Dask cluster when one machine is not enough: evaluation folds, training, scoring.

Each outer fold of ``courtval evaluate`` fits a whole model on its own, so the folds are
independent tasks. On one machine they run one after another (each fit uses the machine's
cores itself). Given the address of a running Dask scheduler (``COURTVAL_DASK_SCHEDULER`` or
``--scheduler``), :class:`FoldRunner` sends them to that cluster instead: the data goes to the
cluster once, each fold is one task, and the folds' answers come back in fold order.
:func:`training_on_cluster` does the same for ``courtval train``: inside it, the inner folds
of every valuation estimator fitted (``models.inner_cv.cross_fit``) are tasks on the cluster.
``courtval score debtors`` maps the chunks of its file the same way.

A fit is deterministic from its seed, so the figures are those of a run here
(``tests/training/test_folds.py`` holds the two runs side by side), up to the last bits of
floating point on large tables: Dask's workers run their linear algebra on one thread. On a
worker every task runs LightGBM on one thread per call: the cluster's parallelism is its
worker threads, and tasks that run at once in one worker process must not race on
LightGBM's thread count (``models.parallel``).

The workers must run the same courtval installation as the client (they import the fitting
functions by name); ``courtval bench folds`` starts a local cluster and measures both ways.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import CancelledError, Executor, Future
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from models.errors import CourtvalError
from models.parallel import fitting_on, one_lightgbm_thread
from models.settings import DASK_ADDRESS, Settings

if TYPE_CHECKING:
    from distributed import Client

logger = logging.getLogger(__name__)

R = TypeVar("R")

#: One task's own arguments: a fold's training and held-out row positions, a file's chunk …
Part = tuple[Any, ...]
#: task(*shared, *part, **here) -> the part's answer (a fold's held-out predictions …).
Task = Callable[..., R]


class ClusterError(CourtvalError):
    """The Dask cluster cannot be used: a malformed address, a scheduler that does not
    answer or has no workers, or a task lost with its workers or cancelled."""


@dataclass(frozen=True)
class FoldRunner:
    """Runs independent tasks (the folds of an evaluation, the chunks of a file to score) here
    or on a Dask cluster.

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
        if self.scheduler is not None:
            _check_address(self.scheduler)

    @classmethod
    def of(cls, settings: Settings, scheduler: str | None = None) -> FoldRunner:
        """The runner a command asks for: ``scheduler`` (its ``--scheduler``), else
        ``COURTVAL_DASK_SCHEDULER``, else here with ``COURTVAL_TRAIN_WORKERS`` threads."""
        return cls(
            scheduler=scheduler or settings.dask_scheduler,
            timeout_s=settings.dask_timeout_s,
            workers=settings.train_workers,
        )

    @property
    def here(self) -> bool:
        """Whether the tasks run in this process."""
        return self.scheduler is None

    def map(
        self,
        task: Task[R],
        shared: Sequence[Any],
        parts: Sequence[Part],
        label: str,
        *,
        done: Callable[[int], None] | None = None,
        **here: Any,
    ) -> list[R]:
        """``task(*shared, *part)`` for every part, in part order, ``done(k)`` called as part
        ``k``'s answer is in; the keyword arguments ``here`` (a thread pool, which cannot
        travel) only when it runs here. On a cluster ``shared`` travels once and each part
        with its own task.

        Raises:
            ClusterError: As :func:`dask_client`.
        """
        answers: list[R] = []
        if self.here:
            for k, part in enumerate(parts):
                answers.append(_timed(label, k, len(parts), task, *shared, *part, **here))
                if done is not None:
                    done(k)
            return answers
        assert self.scheduler is not None
        with dask_client(self.scheduler, self.timeout_s) as client:
            data = client.scatter(list(shared), broadcast=False) if shared else []
            futures = [
                client.submit(
                    on_worker, _timed, label, k, len(parts), task, *data, *part, pure=False
                )
                for k, part in enumerate(parts)
            ]
            for k, future in enumerate(futures):
                answers.append(future.result())  # in part order; a failed task raises here
                if done is not None:
                    done(k)
        return answers


def _check_address(scheduler: str) -> None:
    if not re.match(DASK_ADDRESS, scheduler):
        raise ClusterError(f"{scheduler!r} is not a Dask scheduler address (tcp://host:8786)")


@contextmanager
def dask_client(scheduler: str, timeout_s: float) -> Iterator[Client]:
    """A client of the scheduler at ``scheduler`` that has at least one worker.

    Raises:
        ClusterError: The address is malformed, the scheduler does not answer or has no
            worker within ``timeout_s``, or a task of the block was lost (its workers died,
            or the cluster cancelled it).
    """
    from distributed import Client, KilledWorker

    _check_address(scheduler)
    try:
        client = Client(scheduler, timeout=timeout_s, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
    with client:
        try:
            client.wait_for_workers(1, timeout=timeout_s)
        except TimeoutError as exc:
            raise ClusterError(
                f"the Dask scheduler at {scheduler} has no worker (waited {timeout_s:g} s)"
            ) from exc
        workers = len(client.scheduler_info(n_workers=-1)["workers"])
        logger.info("connected to the Dask scheduler at %s: %d workers", scheduler, workers)
        try:
            yield client
        except KilledWorker as exc:
            raise ClusterError(
                f"workers of the Dask cluster at {scheduler} died running a task ({exc}); "
                "their logs say why (memory, a crash)"
            ) from exc
        except CancelledError as exc:
            raise ClusterError(
                f"the Dask cluster at {scheduler} cancelled a task (did its scheduler stop?)"
            ) from exc


class _ClusterExecutor(Executor):
    """A Dask client's executor whose tasks run as :func:`on_worker` does."""

    def __init__(self, client: Client) -> None:
        self._inner = client.get_executor(pure=False)

    def submit(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> Future[R]:
        future: Future[R] = self._inner.submit(on_worker, fn, *args, **kwargs)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._inner.shutdown(wait=wait)


@contextmanager
def training_on_cluster(scheduler: str | None, timeout_s: float) -> Iterator[None]:
    """Inside the block, the independent steps of every model fitted that asks
    :func:`models.parallel.current_executor` (the valuation estimator's inner folds, the
    capacity members) are tasks on the Dask cluster at ``scheduler`` (None: nothing
    changes; errors as :func:`dask_client`)."""
    if scheduler is None:
        yield
        return
    with dask_client(scheduler, timeout_s) as client, fitting_on(_ClusterExecutor(client)):
        yield


def _timed(label: str, k: int, n: int, task: Task[R], *args: Any, **kwargs: Any) -> R:
    start = time.perf_counter()
    result = task(*args, **kwargs)
    logger.info("%s: %d/%d in %.1f s", label, k + 1, n, time.perf_counter() - start)
    return result


def on_worker(fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> R:
    """``fn(*args, **kwargs)`` on a Dask worker, its LightGBM on one thread per call: the
    cluster's parallelism is its worker threads (``dask worker`` runs one per core by
    default), and tasks that run at once in one worker process must not race on LightGBM's
    thread count (``models.parallel``)."""
    with one_lightgbm_thread():
        return fn(*args, **kwargs)
