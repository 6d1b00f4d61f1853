"""Valuation metrics against hand-computed figures."""

from __future__ import annotations

import math

import pytest

from models.metrics import valuation_metrics

PRICES = [100.0, 200.0, 400.0, 1000.0]
ESTIMATES = [104.0, 180.0, 440.0, 1000.0]  # ratios 1.04, 0.90, 1.10, 1.00


def test_ratio_statistics_by_hand() -> None:
    m = valuation_metrics(PRICES, ESTIMATES)
    assert m.n == 4
    assert m.median_ape == pytest.approx(0.07)  # APEs 0.04, 0.10, 0.10, 0.00
    assert m.ppe5 == pytest.approx(0.5)
    assert m.ppe10 == pytest.approx(1.0)  # ±10 % is inclusive
    assert m.ppe20 == pytest.approx(1.0)
    # median ratio 1.02; |deviations| 0.02, 0.12, 0.08, 0.02 → mean 0.06
    assert m.cod == pytest.approx(100 * 0.06 / 1.02)
    # mean ratio 1.01; weighted mean 1724 / 1700
    assert m.prd == pytest.approx(1.01 / (1724 / 1700))
    expected_rmsle = math.sqrt(
        sum((math.log1p(e) - math.log1p(p)) ** 2 for e, p in zip(ESTIMATES, PRICES, strict=True))
        / 4
    )
    assert m.rmsle == pytest.approx(expected_rmsle)
    assert m.interval_coverage is None


def test_interval_coverage() -> None:
    m = valuation_metrics(PRICES, ESTIMATES, [90, 190, 300, 1001], [110, 210, 500, 1100])
    assert m.interval_coverage == pytest.approx(0.75)


def test_perfect_estimates() -> None:
    m = valuation_metrics(PRICES, PRICES)
    assert (m.median_ape, m.cod, m.prd, m.rmsle) == (0.0, 0.0, 1.0, 0.0)


@pytest.mark.parametrize(
    ("prices", "estimates", "bounds"),
    [
        ([1.0, 2.0], [1.0], None),
        ([1.0, -2.0], [1.0, 2.0], None),
        ([1.0, 2.0], [1.0, 0.0], None),
        ([1.0, 2.0], [1.0, 2.0], ([0.5, 1.5], None)),
    ],
)
def test_rejects_bad_input(
    prices: list[float], estimates: list[float], bounds: tuple[list[float], None] | None
) -> None:
    with pytest.raises(ValueError):
        valuation_metrics(prices, estimates, *(bounds or (None, None)))
