"""The vehicle endpoints over real HTTP: valuation, batch, price curve as data and as SVG."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

import httpx
import pytest

from models.vehicle.schemas import PriceCurve, VehicleBatchValuation, VehicleRequest
from serving.court import Role
from tests.conftest import CASE, batch_body, keyed_client
from training.pipeline import TrainResult


@pytest.fixture(scope="module")
def client(live_server: str, keys: dict[Role, str]) -> httpx.Client:
    return keyed_client(live_server, keys[Role.JUDGE])


@pytest.fixture
def body(car: VehicleRequest) -> dict[str, Any]:
    return {**CASE, **car.model_dump(mode="json")}


def test_valuation_has_the_whole_output_contract(
    client: httpx.Client, body: dict[str, Any], trained_vehicle: TrainResult
) -> None:
    response = client.post("/v1/valuations/vehicle", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["interval"]["lower"] < answer["value"] < answer["interval"]["upper"]
    assert answer["interval"]["coverage"] == 0.8
    assert answer["rule_based"]["new_price"] == body["new_price"]
    assert 0 < answer["rule_based"]["residual_rate"] < 1
    assert len(answer["comparables"]) == 5
    assert {c["series"] for c in answer["comparables"]} == {body["series"]}
    adjusted = sorted(c["adjusted_price"] for c in answer["comparables"])
    assert answer["comparables_value"] == pytest.approx(adjusted[2], abs=0.01)  # the median
    assert 1 <= len(answer["contributions"]) <= 5
    assert answer["model"]["name"] == "courtval-vehicle"
    assert answer["model"]["run_id"] == trained_vehicle.run_id


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"registration_date": "2026-10-20"}, "registration_date"),
        ({"mileage_km": -1}, "mileage_km"),
        ({"fuel": "核动力"}, "fuel"),
        ({"damage": "火烧"}, "damage"),
        ({"new_price": 0}, "new_price"),
        ({"new_price": 5e-324}, "new_price"),  # it was valued at 12,766 CNY
        ({"transfers": -2}, "transfers"),
        (
            {"valuation_date": (dt.date.today() + dt.timedelta(days=2)).isoformat()},
            "valuation_date",
        ),
        ({"vin": "LSV123"}, "vin"),
    ],
)
def test_invalid_input_is_422_naming_the_field(
    client: httpx.Client, body: dict[str, Any], change: dict[str, Any], field: str
) -> None:
    for path in ("/v1/valuations/vehicle", "/v1/valuations/vehicle/price-curve"):
        response = client.post(path, json={**body, **change})
        assert response.status_code == 422, path
        assert response.json()["detail"][0]["loc"][-1] == field


def test_batch_agrees_with_single(client: httpx.Client, body: dict[str, Any]) -> None:
    older = {**body, "registration_date": "2018-05-01", "mileage_km": 140_000.0}
    batch = client.post("/v1/valuations/vehicle/batch", json=batch_body([body, older]))
    assert batch.status_code == 200, batch.text
    items = VehicleBatchValuation.model_validate(batch.json()).items
    assert items[1].value < items[0].value
    for item, single_body in zip(items, [body, older], strict=True):
        single = client.post("/v1/valuations/vehicle", json=single_body).json()
        assert item.value == pytest.approx(single["value"], rel=1e-9)
        assert item.upper == pytest.approx(single["interval"]["upper"], rel=1e-9)
        assert item.rule_based_value == pytest.approx(single["rule_based"]["value"], rel=1e-9)


def test_batch_names_the_bad_item_and_field(client: httpx.Client, body: dict[str, Any]) -> None:
    bad = {**body, "fuel": "蒸汽"}
    response = client.post("/v1/valuations/vehicle/batch", json=batch_body([body, bad]))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "items", 1, "fuel"]


def test_price_curve_as_data(client: httpx.Client, body: dict[str, Any]) -> None:
    response = client.post("/v1/valuations/vehicle/price-curve", json=body)
    assert response.status_code == 200, response.text
    curve = PriceCurve.model_validate(response.json())
    assert len(curve.history) == 24
    assert len(curve.projection) == 6
    assert all(p.date.day >= 28 for p in [*curve.history, *curve.projection])
    assert curve.history[0].age_years < curve.history[-1].age_years < curve.current.age_years
    assert curve.projection[-1].value < curve.current.value
    assert curve.monthly_depreciation_pct < 0
    assert curve.observed and all(m.count >= 1 for m in curve.observed)
    single = client.post("/v1/valuations/vehicle", json=body).json()
    assert curve.current.value == pytest.approx(single["value"], rel=1e-9)


def test_price_curve_window_is_a_query_parameter(
    client: httpx.Client, body: dict[str, Any]
) -> None:
    params = {"history_months": 6, "projection_months": 0}
    curve = client.post("/v1/valuations/vehicle/price-curve", json=body, params=params).json()
    assert (len(curve["history"]), len(curve["projection"])) == (6, 0)
    bad = client.post("/v1/valuations/vehicle/price-curve", json=body, params={"history_months": 0})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "history_months"]


def test_price_curve_as_svg(client: httpx.Client, body: dict[str, Any]) -> None:
    response = client.post("/v1/valuations/vehicle/price-curve.svg", json=body)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(response.text)
    assert root.tag.endswith("svg")
    text = "".join(root.itertext())
    assert body["series"] in text and "预测" in text
    paths = root.findall(".//{http://www.w3.org/2000/svg}path")
    assert len(paths) >= 3  # history line, projection line and the bands
