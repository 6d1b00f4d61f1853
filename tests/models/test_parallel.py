"""`run_in`: a step on a pool or in place, with the same result and error contract; and the
LightGBM thread pin that lets fitting steps call LightGBM at the same time."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import lightgbm as lgb
import numpy as np
import pytest
from lightgbm.basic import _LIB

from models.parallel import LIGHTGBM_CAP, fitting_pool, one_lightgbm_thread, run_in


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


@pytest.fixture(scope="module")
def booster() -> tuple[lgb.Booster, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = (X[:, 0] + rng.normal(size=300) > 0).astype(int)
    params = {"objective": "binary", "verbose": -1, "num_threads": 1}
    return lgb.train(params, lgb.Dataset(X, y), num_boost_round=5), X


def _threads_lightgbm_reads() -> int:
    # The count every LightGBM parallel loop reads (an exported symbol of lib_lightgbm).
    return int(_LIB.OMP_NUM_THREADS())


def test_the_pin_makes_every_call_read_one_thread(booster: tuple[lgb.Booster, np.ndarray]) -> None:
    model, X = booster
    model.predict(X, num_threads=2)
    assert _threads_lightgbm_reads() == 2  # the race: the latest call's count, process-wide
    with one_lightgbm_thread():
        model.predict(X, num_threads=2)
        assert _threads_lightgbm_reads() == 1
        model.predict(X)  # no count: the machine's cores, but for the pin
        assert _threads_lightgbm_reads() == 1
    model.predict(X, num_threads=2)
    assert _threads_lightgbm_reads() == 2


def test_a_pool_of_several_workers_pins_until_its_steps_have_ended() -> None:
    before = LIGHTGBM_CAP.current()
    seen: list[int] = []
    with fitting_pool(2, "test") as pool:
        pool.submit(lambda: seen.append(LIGHTGBM_CAP.current())).result()
    assert seen == [1]
    assert LIGHTGBM_CAP.current() == before


def test_a_pool_of_one_worker_leaves_lightgbm_its_threads() -> None:
    before = LIGHTGBM_CAP.current()
    with fitting_pool(1, "test"):
        assert LIGHTGBM_CAP.current() == before


def test_the_pin_is_lifted_after_a_step_fails() -> None:
    before = LIGHTGBM_CAP.current()
    with pytest.raises(ValueError, match="bad column"), fitting_pool(2, "test") as pool:
        run_in(pool, _fail).result()
    assert LIGHTGBM_CAP.current() == before


def test_overlapping_pins_hold_until_the_last_one_ends() -> None:
    before = LIGHTGBM_CAP.current()
    entered, release = threading.Event(), threading.Event()

    def other() -> None:
        with one_lightgbm_thread():
            entered.set()
            release.wait(10)

    thread = threading.Thread(target=other)
    with one_lightgbm_thread():
        thread.start()
        assert entered.wait(10)
    assert LIGHTGBM_CAP.current() == 1  # the other block still runs
    release.set()
    thread.join(10)
    assert LIGHTGBM_CAP.current() == before
