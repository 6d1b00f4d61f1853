"""Behavioural tests of the trained property model: directional, invariance, minimum function."""

from __future__ import annotations

import pytest

from models.property.schemas import PropertyRequest
from models.registry import LoadedModel
from models.valuer import AnswerOptions


def changed(request: PropertyRequest, changes: dict[str, object]) -> PropertyRequest:
    """A validated copy of ``request`` with some facts changed."""
    return PropertyRequest.model_validate({**request.model_dump(), **changes})


def value(champion: LoadedModel, request: PropertyRequest) -> float:
    estimate, _, _ = champion.model.estimate(request)
    return float(estimate)


def test_a_larger_flat_is_worth_more(champion: LoadedModel, flat: PropertyRequest) -> None:
    small = value(champion, changed(flat, {"area_m2": 60.0}))
    large = value(champion, changed(flat, {"area_m2": 120.0}))
    assert large > 1.5 * small


def test_north_south_through_beats_north(champion: LoadedModel, flat: PropertyRequest) -> None:
    through = value(champion, changed(flat, {"orientation": "南北通透"}))
    north = value(champion, changed(flat, {"orientation": "北"}))
    assert through > north


def test_older_is_cheaper(champion: LoadedModel, flat: PropertyRequest) -> None:
    new = value(champion, changed(flat, {"build_year": 2020}))
    old = value(champion, changed(flat, {"build_year": 1995}))
    assert new > old


def test_coordinates_given_or_not_stay_close(champion: LoadedModel, flat: PropertyRequest) -> None:
    centre = champion.model.comparables.centroid_[flat.community]
    located = changed(flat, {"latitude": centre[0], "longitude": centre[1]})
    assert value(champion, located) == pytest.approx(value(champion, flat), rel=0.15)


def test_unknown_community_still_gets_a_value(champion: LoadedModel, flat: PropertyRequest) -> None:
    unknown = changed(flat, {"community": "新建未登记小区"})
    answer = champion.model.value(unknown, champion.info, AnswerOptions())
    assert answer.value > 0
    assert answer.rule_based.base_source == "district"


def test_industrial_interval_is_relatively_wider(
    champion: LoadedModel, flat: PropertyRequest
) -> None:
    factory = changed(
        flat,
        {
            "property_type": "厂房",
            "area_m2": 1200.0,
            "floor": 1,
            "total_floors": 2,
            "elevator": False,
            "rooms": 0,
        },
    )

    def width(r: PropertyRequest) -> float:
        v, lo, hi = champion.model.estimate(r)
        return float((hi - lo) / v)

    assert width(factory) > width(flat)


def test_full_answer_agrees_with_fast_estimate(
    champion: LoadedModel, flat: PropertyRequest
) -> None:
    answer = champion.model.value(flat, champion.info, AnswerOptions())
    assert (answer.value, answer.interval.lower, answer.interval.upper) == pytest.approx(
        champion.model.estimate(flat), rel=1e-12
    )
