"""Running a model's independent fitting steps on a thread pool, or in place.

LightGBM and NumPy's linear algebra release the interpreter lock, so threads give real
parallelism for the heavy steps. Only leaf steps go to a pool (they never wait for other
work on it), so a pool of any size cannot deadlock.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import ParamSpec, TypeVar

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
