"""A 小区 (车系) no training sale had, over real HTTP: the caution, the close known names and
the wider interval in the answer, its batch flag and its report; and the known values the page
offers as a judge types."""

from __future__ import annotations

from typing import Any

import httpx
import pandas as pd
import pytest

from models.property.schemas import PropertyRequest
from models.registry import LoadedModel
from models.settings import Settings
from models.vehicle.schemas import VehicleRequest
from serving.court import QuotaOverride, Role
from tests.conftest import CASE, batch_body, issue_key, keyed_client


@pytest.fixture(scope="module")
def judge(live_server: str, keys: dict[Role, str]) -> httpx.Client:
    return keyed_client(live_server, keys[Role.JUDGE])


def _width(answer: dict[str, Any]) -> float:
    interval = answer["interval"]
    return float((interval["upper"] - interval["lower"]) / answer["value"])


@pytest.mark.parametrize(
    ("kind", "asset", "field", "label"),
    [("property", "flat", "community", "小区"), ("vehicle", "car", "series", "车系")],
)
def test_an_unseen_name_is_valued_with_a_caution_and_a_wider_interval(
    judge: httpx.Client,
    request: pytest.FixtureRequest,
    kind: str,
    asset: str,
    field: str,
    label: str,
) -> None:
    facts: PropertyRequest | VehicleRequest = request.getfixturevalue(asset)
    known = {**CASE, **facts.model_dump(mode="json")}
    name = known[field]
    typo = {**known, field: name + "二期"}  # a later phase the sales do not hold yet
    seen = judge.post(f"/v1/valuations/{kind}", json=known).json()
    assert seen["unseen_input"] is None
    answer = judge.post(f"/v1/valuations/{kind}", json=typo)
    assert answer.status_code == 200, answer.text
    unseen = answer.json()
    caution = unseen["unseen_input"]
    assert (caution["field"], caution["label"], caution["value"]) == (field, label, typo[field])
    assert caution["similar"][0] == name
    assert caution["notice"].startswith(f"{label}「{typo[field]}」不在模型的成交数据中")
    assert name in caution["notice"]
    assert _width(unseen) > 1.1 * _width(seen)  # the same offsets without the calibration
    # The report in the case file says so too, beside the result and under the interval.
    report = judge.get(f"/v1/inquiries/{unseen['inquiry']['id']}/report.html").text
    assert caution["notice"] in report
    assert f"区间按交叉验证中未见{label}的估价误差确定" in report
    seen_report = judge.get(f"/v1/inquiries/{seen['inquiry']['id']}/report.html").text
    assert "不在模型的成交数据中" not in seen_report
    # A batch flags the row, and its interval is the single answer's.
    items = judge.post(f"/v1/valuations/{kind}/batch", json=batch_body([known, typo])).json()
    assert [i["unseen_input_field"] for i in items["items"]] == [None, field]
    assert items["items"][1]["lower"] == pytest.approx(unseen["interval"]["lower"], rel=1e-9)


def test_the_known_values_are_offered_to_judges_only(
    live_server: str,
    keys: dict[Role, str],
    judge: httpx.Client,
    flat: PropertyRequest,
    car: VehicleRequest,
) -> None:
    homes = judge.get("/v1/valuations/property/vocabulary")
    assert homes.status_code == 200, homes.text
    fields = homes.json()["fields"]
    assert list(fields) == ["district", "community"]
    assert flat.community in fields["community"] and flat.district in fields["district"]
    assert fields["community"] == sorted(fields["community"])
    assert homes.json()["model"]["name"] == "courtval-property"
    cars = judge.get("/v1/valuations/vehicle/vocabulary").json()["fields"]
    assert list(cars) == ["brand", "series", "region"]
    assert car.series in cars["series"] and car.brand in cars["brand"]
    assert car.region in cars["region"]
    boat = judge.get("/v1/valuations/boat/vocabulary")
    assert boat.status_code == 422 and boat.json()["detail"][0]["loc"] == ["path", "kind"]
    triage = keyed_client(live_server, keys[Role.TRIAGE])
    assert triage.get("/v1/valuations/property/vocabulary").status_code == 403
    assert httpx.get(live_server + "/v1/valuations/property/vocabulary").status_code == 401


def test_the_known_names_do_not_use_up_the_quota(
    live_server: str, session_settings: Settings, flat: PropertyRequest
) -> None:
    """The page asks for them on every load; a judge's day of inquiries is not spent on that."""
    one_a_day = QuotaOverride(requests_per_day=1, requests_per_minute=100)
    judge = keyed_client(live_server, issue_key(session_settings, Role.JUDGE, one_a_day))
    for _ in range(3):
        assert judge.get("/v1/valuations/property/vocabulary").status_code == 200
    body = {**CASE, **flat.model_dump(mode="json")}
    assert judge.post("/v1/valuations/property", json=body).status_code == 200
    assert judge.post("/v1/valuations/property", json=body).status_code == 429


def test_the_close_names_that_fit_the_other_inputs_come_first(
    champion: LoadedModel,
    vehicle_champion: LoadedModel,
    clean_property_data: pd.DataFrame,
    clean_vehicle_data: pd.DataFrame,
    flat: PropertyRequest,
    car: VehicleRequest,
) -> None:
    """The 小区 of the same 街道/镇, the series of the same brand (as the sales have them)."""
    homes = clean_property_data[clean_property_data["district"] == flat.district]
    assert champion.model.related_levels({"district": flat.district}) == set(homes["community"])
    cars = clean_vehicle_data[clean_vehicle_data["brand"] == car.brand]
    assert vehicle_champion.model.related_levels({"brand": car.brand}) == set(cars["series"])
    assert champion.model.related_levels({"district": "无此街道"}) == set()
