"""The calibrating stack: equal weights by default, free weights only when clearly better."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit

from models.classification.stack import StackRule, fit_equal_stack, fit_stack, free_gain_z


def members(signal_2: float, n_rows: int = 4000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Outcomes and two members' logits: the first informative, the second ``signal_2``."""
    rng = np.random.default_rng(seed)
    truth = rng.normal(0.0, 1.5, n_rows)
    y = (rng.random(n_rows) < expit(truth)).astype(np.float64)
    first = truth + rng.normal(0.0, 0.7, n_rows)
    second = signal_2 * truth + rng.normal(0.0, 0.7, n_rows)
    return np.column_stack([first, second]), y


def test_equal_stack_shares_one_weight() -> None:
    logits, y = members(signal_2=1.0)
    theta = fit_equal_stack(logits, y, penalty=1.0)
    assert theta.shape == (3,)
    assert theta[1] == pytest.approx(theta[2])
    assert theta[1] > 0


def test_auto_keeps_equal_weights_for_members_alike() -> None:
    logits, y = members(signal_2=1.0)
    auto = fit_stack(logits, y, penalty=1.0, rule="auto", min_z=2.0)
    assert auto == pytest.approx(fit_equal_stack(logits, y, penalty=1.0))


def test_auto_takes_free_weights_when_a_member_is_noise() -> None:
    logits, y = members(signal_2=0.0)
    auto = fit_stack(logits, y, penalty=1.0, rule="auto", min_z=2.0)
    assert auto[1] > 5 * auto[2]


@pytest.mark.parametrize("rule", ["equal", "free", "auto"])
def test_stack_is_calibrated_on_its_rows(rule: StackRule) -> None:
    logits, y = members(signal_2=0.5)
    theta = fit_stack(logits, y, penalty=1.0, rule=rule, min_z=2.0)
    p = expit(theta[0] + logits @ theta[1:])
    assert p.mean() == pytest.approx(y.mean(), abs=0.01)


def test_free_gain_is_zero_for_the_same_stack() -> None:
    logits, y = members(signal_2=1.0)
    theta = fit_equal_stack(logits, y, penalty=1.0)
    assert free_gain_z(logits, y, theta, theta) == 0.0
