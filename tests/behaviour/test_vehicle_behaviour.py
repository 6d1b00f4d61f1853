"""Behavioural tests of the trained vehicle model and its price curve."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from models.registry import LoadedModel
from models.valuer import AnswerOptions
from models.vehicle.price_curve import price_curve
from models.vehicle.schemas import VehicleRequest


def changed(request: VehicleRequest, changes: dict[str, object]) -> VehicleRequest:
    """A validated copy of ``request`` with some facts changed."""
    return VehicleRequest.model_validate({**request.model_dump(), **changes})


def value(champion: LoadedModel, request: VehicleRequest) -> float:
    estimate, _, _ = champion.model.estimate(request)
    return float(estimate)


def test_older_car_is_cheaper(vehicle_champion: LoadedModel, car: VehicleRequest) -> None:
    young = value(vehicle_champion, changed(car, {"registration_date": dt.date(2024, 6, 1)}))
    old = value(vehicle_champion, changed(car, {"registration_date": dt.date(2017, 6, 1)}))
    assert young > 1.3 * old


def test_more_mileage_is_cheaper(vehicle_champion: LoadedModel, car: VehicleRequest) -> None:
    low = value(vehicle_champion, changed(car, {"mileage_km": 30_000.0}))
    high = value(vehicle_champion, changed(car, {"mileage_km": 180_000.0}))
    assert low > high


def test_flood_below_accident_below_intact(
    vehicle_champion: LoadedModel, car: VehicleRequest
) -> None:
    intact, accident, flood = (
        value(vehicle_champion, changed(car, {"damage": d})) for d in ("无", "事故", "泡水")
    )
    assert intact > accident > flood


def test_unknown_series_still_gets_a_value(
    vehicle_champion: LoadedModel, car: VehicleRequest
) -> None:
    unknown = changed(car, {"series": "未收录车系"})
    answer = vehicle_champion.model.value(unknown, vehicle_champion.info, AnswerOptions())
    assert answer.value > 0
    assert answer.comparables  # falls back to the same brand and body type


def test_curve_history_follows_the_car_back_in_time(
    vehicle_champion: LoadedModel, car: VehicleRequest
) -> None:
    curve = price_curve(vehicle_champion.model, car, vehicle_champion.info)
    rate = car.mileage_km / curve.current.age_years
    for point in curve.history:
        # ages are shown to 0.01 year, mileage to the km
        assert point.mileage_km == pytest.approx(rate * point.age_years, abs=0.006 * rate + 1)
        assert point.lower < point.value < point.upper
    # The market moves, but two years younger should on the whole be worth more.
    assert curve.history[0].value > curve.current.value


def test_curve_for_a_car_younger_than_the_window(
    vehicle_champion: LoadedModel, car: VehicleRequest
) -> None:
    young = changed(car, {"registration_date": dt.date(2026, 3, 10), "mileage_km": 8_000.0})
    curve = price_curve(vehicle_champion.model, young, vehicle_champion.info)
    assert 6 <= len(curve.history) <= 8  # month-ends from March to September 2026
    assert curve.history[0].date >= young.registration_date


def test_curve_of_a_brand_new_car_uses_a_typical_yearly_mileage(
    vehicle_champion: LoadedModel, car: VehicleRequest
) -> None:
    new = changed(car, {"registration_date": dt.date(2026, 10, 1), "mileage_km": 600.0})
    curve = price_curve(vehicle_champion.model, new, vehicle_champion.info)
    assert curve.history == []  # registered after every past month-end
    assert curve.projection[-1].mileage_km < 20_000  # not 600 km per 19 days, extrapolated


def test_observed_sales_are_of_a_similar_trim(
    vehicle_champion: LoadedModel, car: VehicleRequest
) -> None:
    same_trim = price_curve(vehicle_champion.model, car, vehicle_champion.info)
    assert same_trim.observed and "25%" in same_trim.comparable_rule
    # No trim of the series costs three times as much new: no sale is comparable.
    dearer = changed(car, {"new_price": 3 * car.new_price})
    assert price_curve(vehicle_champion.model, dearer, vehicle_champion.info).observed == []


def test_comparables_prefer_the_same_trim(
    vehicle_champion: LoadedModel, car: VehicleRequest
) -> None:
    index = vehicle_champion.model.comparables
    found = index.query(car, 5, 24)
    candidates = index._candidates(car, 5, 24)
    gap_all = np.abs(index.columns_["log_new"][candidates] - np.log(car.new_price))
    gap_found = [abs(np.log(c.new_price / car.new_price)) for c in found]
    assert gap_all.max() > np.log(1.1)  # the series has other trims to choose from
    assert np.mean(gap_found) < np.mean(gap_all)
