"""`run_in`: a step on a pool or in place, with the same result and error contract."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from models.parallel import run_in


def _add(a: int, b: int = 0) -> int:
    return a + b


def _fail() -> int:
    raise ValueError("bad column")


def _interrupt() -> int:
    raise KeyboardInterrupt


def test_in_place_and_on_a_pool_give_the_same_result() -> None:
    with ThreadPoolExecutor(2) as pool:
        assert run_in(pool, _add, 2, b=3).result() == 5
    assert run_in(None, _add, 2, b=3).result() == 5


def test_an_error_in_place_comes_out_of_result_as_on_a_pool() -> None:
    job = run_in(None, _fail)  # does not raise here
    with pytest.raises(ValueError, match="bad column"):
        job.result()


def test_an_interrupt_in_place_is_not_held_back() -> None:
    with pytest.raises(KeyboardInterrupt):
        run_in(None, _interrupt)
