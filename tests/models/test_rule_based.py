"""The base-price method: coefficients estimated from data, figure and batch agree."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.metrics import valuation_metrics
from models.property.rule_based import RuleBasedPricer, floor_class, floor_classes
from models.property.schemas import PropertyRequest
from tests.conftest import request_from_row


@pytest.fixture(scope="module")
def pricer(clean_property_data: pd.DataFrame) -> RuleBasedPricer:
    return RuleBasedPricer().fit(clean_property_data)


@pytest.mark.parametrize(
    ("floor", "total", "elevator", "expected"),
    [
        (1, 6, False, "无电梯·底层"),
        (6, 6, False, "无电梯·顶层"),
        (2, 18, True, "电梯·低层"),
        (9, 18, True, "电梯·中层"),
        (17, 18, True, "电梯·高层"),
    ],
)
def test_floor_class(floor: int, total: int, elevator: bool, expected: str) -> None:
    assert floor_class(floor, total, elevator) == expected


def test_vectorised_floor_classes_match_scalar(clean_property_data: pd.DataFrame) -> None:
    frame = clean_property_data.head(500)
    scalar = [
        floor_class(f, t, e)
        for f, t, e in zip(frame["floor"], frame["total_floors"], frame["elevator"], strict=True)
    ]
    assert floor_classes(frame).tolist() == scalar


def test_coefficients_follow_the_market(pricer: RuleBasedPricer) -> None:
    assert pricer.orientation_ is not None and pricer.floor_ is not None
    assert pricer.orientation_["南北通透"] > pricer.orientation_["北"]
    assert pricer.floor_["无电梯·顶层"] < pricer.floor_["无电梯·低层"]


def test_figure_matches_batch_values(
    pricer: RuleBasedPricer, clean_property_data: pd.DataFrame
) -> None:
    rows = clean_property_data.sample(200, random_state=0).reset_index(drop=True)
    # Fallbacks: an unknown community in a known district, and both unknown.
    rows.loc[0, "community"] = "新建小区"
    rows.loc[1, ["community", "district"]] = ["新建小区", "新区"]
    batch = pricer.values(rows)
    figures = [pricer.figure(request_from_row(row)) for _, row in rows.iterrows()]
    np.testing.assert_allclose(batch, [f.value for f in figures], rtol=1e-9)
    floor, orientation = pricer.coefficients(rows)  # the 政府基准价法 batch uses them
    np.testing.assert_allclose(floor, [f.floor_coefficient for f in figures], rtol=1e-12)
    np.testing.assert_allclose(orientation, [f.orientation_coefficient for f in figures])


def test_figure_is_a_reasonable_valuer_out_of_sample(clean_property_data: pd.DataFrame) -> None:
    frame = clean_property_data.sort_values("transaction_date")
    cut = int(len(frame) * 0.8)
    pricer = RuleBasedPricer().fit(frame.iloc[:cut])
    test = frame.iloc[cut:]
    metrics = valuation_metrics(test["price"], pricer.values(test))
    assert metrics.median_ape < 0.15


def test_unknown_community_falls_back(pricer: RuleBasedPricer, flat: PropertyRequest) -> None:
    figure = pricer.figure(flat.model_copy(update={"community": "不存在的小区"}))
    assert figure.base_source in {"district", "type"}
    assert figure.value > 0


def test_unfitted_pricer_says_so(flat: PropertyRequest) -> None:
    with pytest.raises(RuntimeError, match="not fitted"):
        RuleBasedPricer().figure(flat)
