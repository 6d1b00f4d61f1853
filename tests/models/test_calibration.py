"""The beta map after the stack: identity by default, monotone, found when a tail is off."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit

from models.classification.calibration import BetaMap, fit_beta_map
from models.classification.logistic import fit_logistic


def test_the_default_map_is_the_identity() -> None:
    z = np.linspace(-8, 8, 33)
    assert BetaMap().is_identity and BetaMap().describe() == "identity"
    assert BetaMap(a=0.65, b=1.2, c=-0.45).describe() == "a=0.650 b=1.200 c=-0.450"
    np.testing.assert_allclose(BetaMap()(z), z, atol=1e-12)


def test_the_map_keeps_the_order_and_its_secant_adds_up() -> None:
    shape = BetaMap(a=0.0, b=1.2, c=-0.4)  # the low tail flattened, as on lending_club
    z = np.sort(np.random.default_rng(0).normal(0.0, 3.0, 500))
    g = shape(z)
    assert np.all(np.diff(g) > 0)
    base = 1.3
    secant = shape.secant(z, base)
    assert np.all(secant > 0)
    np.testing.assert_allclose(shape(base) + secant * (z - base), g, atol=1e-9)
    np.testing.assert_allclose(shape.secant(np.array([base]), base), shape.slope(base))


def _outcomes(truth: BetaMap, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Logits ``z`` of a model and outcomes drawn from ``truth(z)``."""
    rng = np.random.default_rng(seed)
    z = rng.normal(1.0, 1.5, n)
    return z, (rng.random(n) < expit(truth(z))).astype(np.float64)


def test_a_tail_that_is_off_is_found_and_corrected() -> None:
    truth = BetaMap(a=0.65, b=1.2, c=-0.45)  # the shape credit_data's stack shows
    z, y = _outcomes(truth, 20_000, seed=1)
    fitted = fit_beta_map(z, y, "auto", 3.84)
    assert not fitted.is_identity
    assert (fitted.a, fitted.b, fitted.c) == pytest.approx((0.65, 1.2, -0.45), abs=0.12)


def _platt_scaled(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """A calibrated model's logits after Platt scaling on the same rows, as in the
    classifier, where the map comes after the stack."""
    raw, y = _outcomes(BetaMap(), n, seed=seed)
    intercept, slope = fit_logistic(raw[:, None], y, 0.0)
    return intercept + slope * raw, y


def test_a_calibrated_model_rarely_gets_a_map() -> None:
    """The likelihood-ratio test at 5%: about 2 of 40 calibrated models get a map."""
    kept = [not fit_beta_map(*_platt_scaled(seed, 5_000), "auto", 3.84).is_identity
            for seed in range(40)]  # fmt: skip
    assert sum(kept) <= 5


def test_the_rules_platt_and_beta() -> None:
    z, y = _platt_scaled(0, 20_000)
    assert fit_beta_map(z, y, "platt", 3.84).is_identity
    forced = fit_beta_map(z, y, "beta", 3.84)
    grid = np.linspace(-3.0, 5.0, 81)
    assert np.max(np.abs(expit(forced(grid)) - expit(grid))) < 0.02
