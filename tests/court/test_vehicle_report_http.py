"""The inquiry report of a vehicle inquiry over real HTTP: a real vehicle answer, recorded in the
ledger, read back and laid out as PDF and HTML."""

from __future__ import annotations

import io
from collections.abc import Iterator

import httpx
import pypdf
import pytest

from models.settings import Settings
from models.vehicle.schemas import VehicleRequest
from serving.app import create_app
from serving.court import Role
from serving.reports.content import HEADINGS
from tests.conftest import (
    CASE,
    batch_body,
    issue_key,
    keyed_client,
    make_settings,
    running_server,
)
from training.pipeline import TrainResult


@pytest.fixture(scope="module")
def judge(
    trained_vehicle: TrainResult,
    session_settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[httpx.Client]:
    """A judge's client of a server of the vehicle champion with its own court store."""
    settings = make_settings(
        tmp_path_factory.mktemp("vehicle-report"),
        tracking_uri=session_settings.resolved_tracking_uri,
        serve_kinds=("vehicle",),
    )
    secret = issue_key(settings, Role.JUDGE)
    with running_server(create_app(settings)) as base:
        yield keyed_client(base, secret)


def test_a_vehicle_inquiry_has_its_report(judge: httpx.Client, car: VehicleRequest) -> None:
    answer = judge.post("/v1/valuations/vehicle", json={**CASE, **car.model_dump(mode="json")})
    assert answer.status_code == 200, answer.text
    inquiry = answer.json()["inquiry"]
    pdf = judge.get(f"/v1/inquiries/{inquiry['id']}/report.pdf")
    assert pdf.status_code == 200, pdf.text
    reader = pypdf.PdfReader(io.BytesIO(pdf.content))
    text = "\n".join(page.extract_text() for page in reader.pages).replace("\n", "")
    expected = (*HEADINGS, "机动车网络询价报告", CASE["case_number"], inquiry["entry_hash"][:16])
    assert [e for e in expected if e not in text] == []
    html = judge.get(f"/v1/inquiries/{inquiry['id']}/report.html")
    assert html.status_code == 200
    assert f"<td>{car.brand}</td>" in html.text and inquiry["entry_hash"] in html.text
    # The car's price curve, drawn for the report, with its projection (a dashed line).
    assert "<svg" in html.text and "个月估值平均每月变动" in html.text and "价格走势" in text
    assert "stroke-dasharray" in html.text
    curve = judge.get(f"/v1/inquiries/{inquiry['id']}/price-curve")
    assert curve.status_code == 200 and len(curve.json()["projection"]) > 0


def test_each_vehicle_of_an_inquiry_batch_has_its_own_report(
    judge: httpx.Client, car: VehicleRequest
) -> None:
    cars = [car, car.model_copy(update={"mileage_km": car.mileage_km + 30_000})]
    body = batch_body([c.model_dump(mode="json") for c in cars])
    answer = judge.post("/v1/valuations/vehicle/batch-inquiries", json=body)
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    assert items[0]["value"] > items[1]["value"]  # the same car, driven 30,000 km more
    single = judge.post("/v1/valuations/vehicle", json={**CASE, **cars[1].model_dump(mode="json")})
    assert single.json()["value"] == items[1]["value"]
    for item in items:
        html = judge.get(f"/v1/inquiries/{item['inquiry']['id']}/report.html")
        assert html.status_code == 200, html.text
        assert f"<td>{car.brand}</td>" in html.text and item["inquiry"]["entry_hash"] in html.text
