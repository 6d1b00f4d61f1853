"""The API over real HTTP: a uvicorn server on a free loopback port."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace
from typing import Any

import httpx
import numpy as np
import pytest

from models.court.case_number import CASE_NUMBER_PATTERN
from models.estimator import ValueRegressor
from models.property.features import DISPLAY, feature_row
from models.property.guide_prices import GuidePriceTable
from models.property.schemas import (
    PropertyBatchValuation,
    PropertyInquiry,
    PropertyPriceCurve,
    PropertyRequest,
)
from models.registry import LoadedModel
from models.schemas import OneLine
from models.valuer import AnswerOptions
from serving.court import Role
from tests.conftest import CASE, batch_body, keyed_client
from training.pipeline import TrainResult


@pytest.fixture(scope="module")
def client(live_server: str, keys: dict[Role, str]) -> httpx.Client:
    return keyed_client(live_server, keys[Role.JUDGE])


@pytest.fixture
def body(flat: PropertyRequest) -> dict[str, Any]:
    return {**CASE, **flat.model_dump(mode="json")}


def test_health_and_readiness(client: httpx.Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["models"] == ["capacity", "difficulty", "property", "vehicle"]


def test_models_lists_the_champions(
    live_server: str, keys: dict[Role, str], trained: TrainResult, trained_vehicle: TrainResult
) -> None:
    listing = keyed_client(live_server, keys[Role.DATA_SCIENTIST]).get("/v1/models").json()
    entries = {e["kind"]: e["model"] for e in listing}
    assert list(entries) == ["capacity", "difficulty", "property", "vehicle"]
    assert entries["vehicle"]["run_id"] == trained_vehicle.run_id
    model = entries["property"]
    assert (model["name"], model["version"], model["alias"]) == (
        "courtval-property",
        trained.version,
        "champion",
    )
    assert model["run_id"] == trained.run_id
    assert model["metrics"]["median_ape"] == pytest.approx(trained.metrics.median_ape)


def test_valuation_has_the_whole_output_contract(
    client: httpx.Client, body: dict[str, Any], trained: TrainResult
) -> None:
    response = client.post("/v1/valuations/property", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["interval"]["lower"] < answer["value"] < answer["interval"]["upper"]
    assert answer["interval"]["coverage"] == 0.8
    assert answer["value_per_m2"] == pytest.approx(answer["value"] / body["area_m2"])
    assert answer["rule_based"]["value"] > 0
    assert len(answer["comparables"]) == 5
    assert {"transaction_date", "area_m2", "floor", "price", "distance_km"} <= set(
        answer["comparables"][0]
    )
    adjusted = [c["adjusted_price"] for c in answer["comparables"]]  # 市场比较法: the check
    assert answer["comparables_value"] == pytest.approx(float(np.median(adjusted)), abs=0.01)
    assert 0.5 < answer["comparables_value"] / answer["value"] < 2.0
    low, high = answer["interval"]["lower"], answer["interval"]["upper"]
    assert answer["comparables_inside_interval"] is (low <= answer["comparables_value"] <= high)
    assert 1 <= len(answer["contributions"]) <= 5
    assert answer["contributions"][0]["label"]
    assert answer["model"]["run_id"] == trained.run_id
    inquiry = answer["inquiry"]
    assert inquiry["case_number"] == CASE["case_number"]
    assert response.headers["X-Inquiry-Id"] == str(inquiry["id"])


def test_the_served_answer_is_the_models_own_full_answer(
    client: httpx.Client, body: dict[str, Any], champion: LoadedModel, guide_prices: GuidePriceTable
) -> None:
    """What a judge gets over HTTP is exactly the model's own ``value`` (default answer
    options, the server's guide prices), the inquiry record aside."""
    served = client.post("/v1/valuations/property", json=body).json()
    served.pop("inquiry")
    request = PropertyInquiry.model_validate(body)
    options = AnswerOptions(guide_prices=guide_prices)
    direct = champion.model.value(request, champion.info, options).model_dump(mode="json")
    direct.pop("inquiry", None)
    assert len(served["contributions"]) == 5
    assert served == direct


def test_no_contributions_asked_none_computed(champion: LoadedModel, flat: PropertyRequest) -> None:
    valuer = champion.model
    assert valuer.reasons(valuer.feature_row(flat), 0) == []
    assert len(valuer.reasons(valuer.feature_row(flat), 3)) == 3
    # SHAP is not even attempted: an unfitted regressor would refuse it (NotFittedError).
    unfitted = replace(valuer, regressor=ValueRegressor())
    assert unfitted.reasons(valuer.feature_row(flat), 0) == []


def test_one_encoding_gives_the_same_estimate_and_reasons(
    champion: LoadedModel, flat: PropertyRequest
) -> None:
    """``estimate_with_reasons`` (what ``value`` uses) equals the two separate paths."""
    valuer = champion.model
    row = valuer.feature_row(flat)
    estimate, none = valuer.estimate_with_reasons(row, 0)
    assert none == [] and estimate == valuer.estimate(flat)
    same, reasons = valuer.estimate_with_reasons(row, 4)
    assert same == estimate
    assert reasons == valuer.reasons(row, 4)


def test_same_request_same_answer_new_inquiry(client: httpx.Client, body: dict[str, Any]) -> None:
    first = client.post("/v1/valuations/property", json=body).json()
    second = client.post("/v1/valuations/property", json=body).json()
    assert first.pop("inquiry")["id"] < second.pop("inquiry")["id"]
    assert first == second


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"area_m2": -5}, "area_m2"),
        ({"area_m2": 1e-308}, "area_m2"),  # its value per m² would overflow
        ({"purpose": "确定财产\u0000处置参考价"}, "purpose"),  # PostgreSQL text refuses a NUL
        ({"community": "锦园\u0007小区"}, "community"),
        ({"valuation_date": "0001-01-01"}, "valuation_date"),
        ({"property_type": "别墅"}, "property_type"),
        ({"orientation": "上"}, "orientation"),
        (
            {"valuation_date": (dt.date.today() + dt.timedelta(days=3)).isoformat()},
            "valuation_date",
        ),
        ({"floor": 30, "total_floors": 18}, "floor"),
        ({"build_year": 1700}, "build_year"),
        ({"latitude": 28.3, "longitude": None}, "longitude"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_invalid_input_is_422_naming_the_field(
    client: httpx.Client, body: dict[str, Any], change: dict[str, Any], field: str
) -> None:
    response = client.post("/v1/valuations/property", json={**body, **change})
    assert response.status_code == 422
    assert field in response.text


def test_a_validator_error_says_why_in_its_context(
    client: httpx.Client, body: dict[str, Any]
) -> None:
    """``ctx.error`` is the validator's message, not the ``{}`` an exception encoded to."""
    response = client.post("/v1/valuations/property", json={**body, "floor": 30})
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "floor"]
    assert "floor 30 is above total_floors" in error["ctx"]["error"]


def test_missing_field_is_named(client: httpx.Client, body: dict[str, Any]) -> None:
    del body["area_m2"]
    response = client.post("/v1/valuations/property", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "area_m2"


MALFORMED = {
    "not JSON": b"{not json",
    "not UTF-8": b"\xff\xfe{}",
    "NaN": b'{"items": NaN, "area_m2": Infinity}',
    "long": b'{"items": "' + b"x" * 100_000,
    "not UTF-8 in a text": b'{"district": "\xff\xfe"}',  # FastAPI's reader: a bare 400
    "nested too deeply": b"[" * 100_000 + b"]" * 100_000,
}


@pytest.mark.parametrize("content", MALFORMED.values(), ids=MALFORMED.keys())
@pytest.mark.parametrize("path", ["/v1/valuations/property", "/v1/valuations/property/batch"])
def test_malformed_json_is_422(client: httpx.Client, path: str, content: bytes) -> None:
    response = client.post(path, content=content, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    error = response.json()["detail"][0]
    assert error["loc"][0] == "body" and error["msg_zh"]
    assert len(response.content) < 5_000  # a bad body is not echoed back whole


def test_other_http_errors_are_answered_as_before(client: httpx.Client) -> None:
    """The handler that reads FastAPI's bare 400 leaves the other HTTP errors alone."""
    missing = client.get("/v1/no-such-path")
    assert (missing.status_code, missing.json()) == (404, {"detail": "Not Found"})
    wrong_method = client.delete("/v1/valuations/property")
    assert wrong_method.status_code == 405 and wrong_method.headers["allow"] == "POST"


@pytest.mark.parametrize("field", ["district", "case_number", "unexpected"])
def test_a_lone_surrogate_is_422_naming_the_field(
    client: httpx.Client, body: dict[str, Any], field: str
) -> None:
    """JSON may spell a lone surrogate (``"\\ud800"``), which UTF-8 cannot carry: the 422
    names the field and echoes U+FFFD (its echo was a 500 before). A batch body, parsed by
    pydantic's own JSON reader, is refused as invalid JSON."""
    content = json.dumps({**body, field: "a\ud800b"}).encode()  # the surrogate as an escape
    headers = {"content-type": "application/json"}
    single = client.post("/v1/valuations/property", content=content, headers=headers)
    assert single.status_code == 422, single.text[:300]
    assert single.json()["detail"][0]["loc"] == ["body", field]
    assert single.json()["detail"][0]["input"] == "a\ufffdb"
    bad_item = json.dumps(batch_body([body, {**body, "district": "a\ud800b"}])).encode()
    batch = client.post("/v1/valuations/property/batch", content=bad_item, headers=headers)
    assert batch.status_code == 422, batch.text[:300]
    assert batch.json()["detail"][0]["loc"] == ["body"]


def test_a_large_body_is_not_echoed_whole(client: httpx.Client, body: dict[str, Any]) -> None:
    unnamed = batch_body([body] * 2_000)
    del unnamed["case_number"]  # the error's input is the whole body
    response = client.post("/v1/valuations/property/batch", json=unnamed)
    assert response.status_code == 422, response.text[:300]
    assert response.json()["detail"][0]["loc"] == ["body", "case_number"]
    assert len(response.content) < 5_000


def test_batch_agrees_with_single(client: httpx.Client, body: dict[str, Any]) -> None:
    other = {**body, "area_m2": 130.0, "floor": 2}
    batch = client.post("/v1/valuations/property/batch", json=batch_body([body, other]))
    assert batch.status_code == 200, batch.text
    PropertyBatchValuation.model_validate(batch.json())
    items = batch.json()["items"]
    assert ["comparables" in i for i in items] == [False, False]
    for item, single_body in zip(items, [body, other], strict=True):
        single = client.post("/v1/valuations/property", json=single_body).json()
        assert item["value"] == pytest.approx(single["value"], rel=1e-9)
        assert item["lower"] == pytest.approx(single["interval"]["lower"], rel=1e-9)
        assert item["rule_based_value"] == pytest.approx(single["rule_based"]["value"], rel=1e-9)


def test_batch_extras_on_request(client: httpx.Client, body: dict[str, Any]) -> None:
    payload = batch_body([body], include_comparables=True, include_contributions=True)
    answer = client.post("/v1/valuations/property/batch", json=payload).json()
    (item,) = PropertyBatchValuation.model_validate(answer).model_dump()["items"]
    assert len(item["comparables"]) == 5
    single = client.post("/v1/valuations/property", json=body).json()
    assert item["comparables_value"] == pytest.approx(single["comparables_value"])
    assert [c["adjusted_price"] for c in item["comparables"]] == pytest.approx(
        [c["adjusted_price"] for c in single["comparables"]]
    )
    assert len(item["contributions"]) == 5
    shown = {c["feature"]: c["value"] for c in single["contributions"]}
    assert {c["feature"]: c["value"] for c in item["contributions"]} == shown  # same words
    # Each as the property display words it (units, the floor as one group), never raw.
    row = feature_row(PropertyInquiry.model_validate(body))
    assert shown == {name: DISPLAY.value(name, row) for name in shown}
    assert not {"floor", "total_floors", "floor_ratio", "latitude", "longitude"} & set(shown)
    # The check alone: the same 比准价格, without the five sales.
    payload = batch_body([body], include_comparables_value=True)
    (alone,) = client.post("/v1/valuations/property/batch", json=payload).json()["items"]
    assert alone["comparables_value"] == pytest.approx(single["comparables_value"])
    assert "comparables" not in alone and "contributions" not in alone
    assert alone["comparables_inside_interval"] is single["comparables_inside_interval"]
    assert item["comparables_inside_interval"] is single["comparables_inside_interval"]


def test_batch_over_the_limit_is_422(client: httpx.Client, body: dict[str, Any]) -> None:
    response = client.post("/v1/valuations/property/batch", json=batch_body([body] * 10_001))
    assert response.status_code == 422
    assert "items" in response.text


def test_empty_batch_is_422(client: httpx.Client) -> None:
    assert client.post("/v1/valuations/property/batch", json=batch_body([])).status_code == 422


def test_openapi_docs_are_served(client: httpx.Client) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/valuations/property", "/v1/valuations/vehicle/price-curve"} <= set(paths)


def test_every_openapi_reference_resolves(client: httpx.Client) -> None:
    """The hand-parsed batch bodies name their item models; the document must hold them."""
    document = client.get("/openapi.json").json()
    components = document["components"]["schemas"]
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(document)))
    assert {"PropertyRequest", "VehicleRequest", "DebtorRequest"} <= refs
    assert refs <= set(components), sorted(refs - set(components))
    assert "$defs" not in json.dumps(document)
    batch = document["paths"]["/v1/valuations/property/batch"]["post"]["requestBody"]
    items = batch["content"]["application/json"]["schema"]["properties"]["items"]
    assert items["items"] == {"$ref": "#/components/schemas/PropertyRequest"}


def test_the_served_schema_gives_the_case_number_shape_and_text_rules(client: httpx.Client) -> None:
    """A client generating or checking inquiries from the OpenAPI document learns the 案号's
    shape and the text fields' rules there, not only from a 422."""
    components = client.get("/openapi.json").json()["components"]["schemas"]
    for name in ("PropertyInquiry", "VehicleInquiry", "ReferencePriceRequest"):
        assert components[name]["properties"]["case_number"]["pattern"] == CASE_NUMBER_PATTERN
    for name in ("PropertyInquiry", "VehicleInquiry"):  # and that a purpose is one line
        assert components[name]["properties"]["purpose"]["pattern"] == OneLine.pattern


def test_batch_names_the_bad_item_and_field(client: httpx.Client, body: dict[str, Any]) -> None:
    bad = {**body, "area_m2": -1}
    response = client.post("/v1/valuations/property/batch", json=batch_body([body, bad]))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "items", 1, "area_m2"]


def test_property_price_curve_as_data_and_as_a_chart(
    client: httpx.Client, body: dict[str, Any]
) -> None:
    response = client.post("/v1/valuations/property/price-curve", json=body)
    assert response.status_code == 200, response.text
    assert response.headers["X-Inquiry-Id"]  # recorded like any answer
    curve = PropertyPriceCurve.model_validate(response.json())
    assert len(curve.history) == 24 and all(p.date < curve.current.date for p in curve.history)
    single = client.post("/v1/valuations/property", json=body).json()
    assert curve.current.value == pytest.approx(single["value"], rel=1e-9)
    assert curve.current.upper == pytest.approx(single["interval"]["upper"], rel=1e-9)
    short = client.post(
        "/v1/valuations/property/price-curve", json=body, params={"history_months": 6}
    )
    assert len(short.json()["history"]) == 6
    chart = client.post("/v1/valuations/property/price-curve.svg", json=body)
    assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg+xml")
    assert chart.text.startswith("<svg") and body["community"] in chart.text


@pytest.mark.parametrize(
    ("change", "params", "loc"),
    [
        ({"floor": 40}, {}, ["body", "floor"]),
        ({}, {"history_months": 0}, ["query", "history_months"]),
    ],
)
def test_a_bad_property_price_curve_request_is_422_naming_the_field(
    client: httpx.Client,
    body: dict[str, Any],
    change: dict[str, Any],
    params: dict[str, Any],
    loc: list[str],
) -> None:
    for path in ("/v1/valuations/property/price-curve", "/v1/valuations/property/price-curve.svg"):
        response = client.post(path, json={**body, **change}, params=params)
        assert response.status_code == 422, path
        assert response.json()["detail"][0]["loc"] == loc
