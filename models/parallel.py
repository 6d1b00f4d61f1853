"""Running a model's independent fitting steps on a thread pool, or in place.

LightGBM and NumPy's linear algebra release the interpreter lock, so threads give real
parallelism for the heavy steps. Only leaf steps go to a pool (they never wait for other
work on it), so a pool of any size cannot deadlock.

LightGBM calls on several threads at once need one more rule, which
:func:`one_lightgbm_thread` (and :func:`fitting_pool`, which uses it) keeps: LightGBM holds
the thread count of its latest call in one process-wide variable
(``LGBM_DEFAULT_NUM_THREADS``). A training call sizes its per-thread buffers from it and
reads it again in its loops, so a call on another thread that sets a different count in
between (a prediction that names no ``num_threads`` sets the machine's core count) makes
the training run past its buffers: a segmentation fault. It happened once in seven CI runs
(2026-12-03, capacity training: ``lgb.cv`` on one thread, ``Booster.predict`` on another)
and a two-thread stress of ``lgb.train`` beside ``Booster.predict`` reproduces it (17 of
20 ten-second runs crashed; 0 of 20 with the cap below: ``docs/lightgbm_thread_race.md``).
While a block whose threads may call LightGBM at once runs (a pool of several workers, the
capacity fit), LightGBM's process-wide cap (``LGBM_SetMaxThreads``) is one thread, so every
call reads the same count whatever it asks for. Predictions alone, as in the server, were
not seen to race.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack, contextmanager
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

from lightgbm.basic import _LIB, _safe_call

P = ParamSpec("P")
T = TypeVar("T")


def run_in(
    pool: Executor | None, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs
) -> Future[T]:
    """``fn(*args, **kwargs)`` submitted to ``pool``, or run now when ``pool`` is ``None``.

    Either way a :class:`~concurrent.futures.Future`: ``result()`` returns the value or
    raises what ``fn`` raised.
    """
    if pool is not None:
        return pool.submit(fn, *args, **kwargs)
    done: Future[T] = Future()
    try:
        done.set_result(fn(*args, **kwargs))
    except Exception as exc:  # handed to the caller by result(), as a pool would
        done.set_exception(exc)
    # KeyboardInterrupt and SystemExit go up at once: the caller may run other long steps
    # before it asks for this result.
    return done


class _LightGBMCap:
    """LightGBM's process-wide thread cap, counted: first block in sets it, last out restores."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._saved = -1

    @staticmethod
    def current() -> int:
        """LightGBM's process-wide thread cap (-1: none)."""
        value = ctypes.c_int(0)
        _safe_call(_LIB.LGBM_GetMaxThreads(ctypes.byref(value)))
        return value.value

    @contextmanager
    def one_thread(self) -> Iterator[None]:
        with self._lock:
            if self._holders == 0:
                self._saved = self.current()
                _safe_call(_LIB.LGBM_SetMaxThreads(ctypes.c_int(1)))
            self._holders += 1
        try:
            yield
        finally:
            with self._lock:
                self._holders -= 1
                if self._holders == 0:
                    _safe_call(_LIB.LGBM_SetMaxThreads(ctypes.c_int(self._saved)))


LIGHTGBM_CAP = _LightGBMCap()


def one_lightgbm_thread() -> AbstractContextManager[None]:
    """LightGBM on one thread per call, process-wide, while the block runs.

    For any block whose threads may call LightGBM at the same time (see the module's note);
    nested and concurrent blocks are counted, and the last to end restores the cap.
    """
    return LIGHTGBM_CAP.one_thread()


@contextmanager
def fitting_pool(workers: int, name: str) -> Iterator[ThreadPoolExecutor]:
    """A pool of ``workers`` threads for fitting steps, safe for LightGBM calls at once.

    With more than one worker, LightGBM runs one thread per call until the pool has
    finished (see the module's note); the threads of the linear algebra are untouched.
    With one worker nothing is capped: one LightGBM call runs at a time.
    """
    with ExitStack() as stack:
        if workers > 1:
            stack.enter_context(one_lightgbm_thread())
        # Entered last, so left first: every step has ended before the cap is lifted.
        yield stack.enter_context(ThreadPoolExecutor(workers, thread_name_prefix=name))


_EXECUTOR: ContextVar[Executor | None] = ContextVar("courtval_fitting_executor", default=None)


@contextmanager
def fitting_on(executor: Executor | None) -> Iterator[None]:
    """Fit the independent steps of an estimator that asks :func:`current_executor` on
    ``executor`` while the block runs (in this thread; None: here, one after another).

    The estimator's own code stays the same wherever its steps run, in the manner of
    joblib's ``parallel_backend``: training sets a Dask cluster's executor around a whole
    training run (``training/folds.py``) and the inner folds of every
    :class:`~models.estimator.ValueRegressor` fitted in it become tasks on the cluster.
    Only leaf steps may go to it (see the module's note).
    """
    token = _EXECUTOR.set(executor)
    try:
        yield
    finally:
        _EXECUTOR.reset(token)


def current_executor() -> Executor | None:
    """The executor of the innermost :func:`fitting_on` block of this thread, if any."""
    return _EXECUTOR.get()
