"""The promotion rule: a lower metric on the same rows that holds in paired resamples."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from training.promotion import RowLosses, bootstrap_confidence, compare


def _losses(values: np.ndarray, reducer: str = "mean") -> RowLosses:
    return RowLosses("loss", values, reducer)


@pytest.fixture
def rows() -> np.ndarray:
    return np.random.default_rng(0).gamma(2.0, 0.05, size=400)


def test_a_model_lower_on_every_row_wins_every_resample(rows: np.ndarray) -> None:
    assert bootstrap_confidence(_losses(rows * 0.9), _losses(rows), resamples=500, seed=0) == 1.0


def test_equal_losses_never_win(rows: np.ndarray) -> None:
    assert bootstrap_confidence(_losses(rows), _losses(rows), resamples=500, seed=0) == 0.0


def test_a_small_noisy_lead_is_uncertain(rows: np.ndarray) -> None:
    noise = np.random.default_rng(1).normal(0.0, 0.05, size=rows.size)
    candidate = _losses(np.abs(rows - 0.002 + noise))
    champion = _losses(np.abs(rows + noise[::-1]))
    confidence = bootstrap_confidence(candidate, champion, resamples=1000, seed=0)
    assert 0.05 < confidence < 0.95
    again = bootstrap_confidence(candidate, champion, resamples=1000, seed=0)
    assert again == confidence  # the same seed draws the same resamples


@pytest.mark.parametrize("reducer", ["mean", "median", "root_mean"])
def test_the_value_is_the_reduction_over_all_rows(rows: np.ndarray, reducer: str) -> None:
    expected = {"mean": rows.mean(), "median": np.median(rows), "root_mean": np.sqrt(rows.mean())}
    assert _losses(rows, reducer).value() == pytest.approx(expected[reducer])


def test_a_point_lead_short_of_the_confidence_is_not_better(rows: np.ndarray) -> None:
    noise = np.random.default_rng(2).normal(0.0, 0.05, size=rows.size)
    candidate, champion = _losses(np.abs(rows + noise)), _losses(np.abs(rows + noise[::-1]))
    if candidate.value() > champion.value():
        candidate, champion = champion, candidate
    strict = compare(candidate, champion, required_confidence=0.99, resamples=500, seed=0)
    assert strict.confidence is not None and strict.confidence < 0.99
    assert not strict.better
    assert compare(candidate, champion, required_confidence=0.0, resamples=500, seed=0).better


def test_no_resamples_is_the_point_comparison(rows: np.ndarray) -> None:
    point = partial(compare, required_confidence=0.9, resamples=0, seed=0)
    lower = point(_losses(rows * 0.99), _losses(rows))
    assert lower.confidence is None and lower.better
    assert not point(_losses(rows), _losses(rows * 0.99)).better


def test_no_champion_is_always_better(rows: np.ndarray) -> None:
    first = compare(_losses(rows), None, required_confidence=0.9, resamples=500, seed=0)
    assert first.better and first.confidence is None


def test_different_rows_are_refused(rows: np.ndarray) -> None:
    with pytest.raises(ValueError, match="same rows"):
        bootstrap_confidence(_losses(rows), _losses(rows[:-1]), resamples=10, seed=0)
