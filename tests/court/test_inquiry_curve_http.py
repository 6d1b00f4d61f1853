"""An answered inquiry's price curve over real HTTP, on SQLite and on PostgreSQL: drawn once by
the model that answered, recorded, read back the same every time, not counted against the
quota, shown in the inquiry's report (HTML and PDF), and refused (409) when that model is no
longer served and no curve was drawn."""

from __future__ import annotations

import datetime as dt
import io
import time
import xml.etree.ElementTree as ET
import zipfile
from typing import Any

import pypdf
import pytest
from sqlalchemy import text

from models.property.schemas import PropertyPriceCurve
from serving.access.store import ledger_count_since
from serving.court import ApiKeyCreate, QuotaOverride, Role, session_factory
from serving.court.admin import keys_create
from serving.court.objections import PROPERTY_VALUATION_ENDPOINT
from tests.conftest import CASE, batch_body, keyed_client
from tests.court.conftest import CourtServer
from tests.court.test_objections import append_as, record_inquiry, request_inputs, valuation


def _curve_entries(court: CourtServer, inquiry_id: int) -> list[dict[str, Any]]:
    """The auditor's view of the ledger entries answering the inquiry's curve, oldest first."""
    ledger = court.client(Role.AUDITOR).get(
        "/v1/ledger", params={"case_number": CASE["case_number"], "limit": 1000}
    )
    paths = {f"/v1/inquiries/{inquiry_id}/price-curve{suffix}" for suffix in ("", ".svg")}
    return sorted(
        (e for e in ledger.json()["items"] if e["endpoint"] in paths), key=lambda e: e["id"]
    )


def _inquiry(court: CourtServer, body: dict[str, Any]) -> dict[str, Any]:
    answer = court.client(Role.JUDGE).post("/v1/valuations/property", json=body)
    assert answer.status_code == 200, answer.text
    inquiry: dict[str, Any] = answer.json()["inquiry"]
    return inquiry


def test_an_inquiry_curve_is_drawn_once_and_read_back_without_quota(
    court: CourtServer, body: dict[str, Any]
) -> None:
    # Three requests a day: the inquiry and its two reports; the curves are not counted.
    spec = ApiKeyCreate(owner="走势法官", role=Role.JUDGE, quota=QuotaOverride(requests_per_day=3))
    created = keys_create(court.settings.resolved_database_url, spec)
    judge = keyed_client(court.url, created.secret.get_secret_value())
    answer = judge.post("/v1/valuations/property", json=body)
    assert answer.status_code == 200, answer.text
    inquiry = answer.json()["inquiry"]
    path = f"/v1/inquiries/{inquiry['id']}/price-curve"

    first = judge.get(path)
    assert first.status_code == 200, first.text
    curve = PropertyPriceCurve.model_validate(first.json())
    assert curve.current.value == pytest.approx(answer.json()["value"], rel=1e-9)
    assert curve.current.date == dt.date.fromisoformat(body["valuation_date"])
    assert len(curve.history) == court.settings.curve_history_months
    chart = judge.get(path + ".svg")
    assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg+xml")
    assert body["community"] in "".join(ET.fromstring(chart.text).itertext())
    again = judge.get(path)
    assert again.json() == first.json()

    drawn, *readings = _curve_entries(court, inquiry["id"])
    assert drawn["outputs"]["current"]["value"] == curve.current.value
    assert drawn["model_version"] == answer.json()["model"]["version"]
    assert [r["outputs"]["drawn_in"] for r in readings] == [drawn["id"], drawn["id"]]
    assert int(first.headers["X-Inquiry-Id"]) == drawn["id"]

    html = judge.get(f"/v1/inquiries/{inquiry['id']}/report.html")
    assert html.status_code == 200, html.text
    assert "<svg" in html.text and "价格走势" in html.text
    pdf = judge.get(f"/v1/inquiries/{inquiry['id']}/report.pdf")
    assert pdf.status_code == 200, pdf.text
    reader = pypdf.PdfReader(io.BytesIO(pdf.content))
    pdf_text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    assert "价格走势" in pdf_text and "模型估值（历史）" in pdf_text  # the chart's legend
    assert len(_curve_entries(court, inquiry["id"])) == 3  # the reports drew nothing
    assert judge.post("/v1/valuations/property", json=body).status_code == 429  # 3 counted
    assert judge.get(path).status_code == 200  # the day is spent; the inquiry's curve is not
    # A restart seeds the day's count from the ledger: the curves are not counted there either.
    since = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # the key is new: all of its entries
    assert ledger_count_since(session_factory(court.engine), created.key.id, since) == 3


def test_an_inquiry_curve_keeps_to_the_per_minute_limit(
    court: CourtServer, body: dict[str, Any]
) -> None:
    """Each request is recorded, so a script cannot read a curve without bound."""
    spec = ApiKeyCreate(
        owner="每分钟法官", role=Role.JUDGE, quota=QuotaOverride(requests_per_minute=3)
    )
    judge = keyed_client(
        court.url, keys_create(court.settings.resolved_database_url, spec).secret.get_secret_value()
    )
    # Near a minute's end the three requests could fall in two minutes: start in a fresh one.
    if dt.datetime.now(dt.UTC).second > 50:
        time.sleep(61 - dt.datetime.now(dt.UTC).second)
    answer = judge.post("/v1/valuations/property", json=body)
    assert answer.status_code == 200, answer.text
    path = f"/v1/inquiries/{answer.json()['inquiry']['id']}/price-curve"
    assert [judge.get(path).status_code for _ in range(3)] == [200, 200, 429]


def test_a_report_draws_the_curve_it_lacks_and_records_it(
    court: CourtServer, body: dict[str, Any]
) -> None:
    judge = court.client(Role.JUDGE)
    inquiry = _inquiry(court, body)
    html = judge.get(f"/v1/inquiries/{inquiry['id']}/report.html")
    assert html.status_code == 200 and "<svg" in html.text and "价格走势" in html.text
    [drawn] = _curve_entries(court, inquiry["id"])  # at the curve's endpoint, not the report's
    assert drawn["endpoint"] == f"/v1/inquiries/{inquiry['id']}/price-curve"
    again = judge.get(f"/v1/inquiries/{inquiry['id']}/price-curve")
    assert again.json()["current"] == drawn["outputs"]["current"]
    assert _curve_entries(court, inquiry["id"])[-1]["outputs"]["drawn_in"] == drawn["id"]


def test_every_report_of_a_zip_has_its_curve(court: CourtServer, body: dict[str, Any]) -> None:
    judge = court.client(Role.JUDGE)
    items = [{**body, "area_m2": area} for area in (75.0, 120.0)]
    answer = judge.post("/v1/valuations/property/batch-inquiries", json=batch_body(items))
    assert answer.status_code == 200, answer.text
    ids = [item["inquiry"]["id"] for item in answer.json()["items"]]
    zipped = judge.get(
        "/v1/inquiries/reports.zip", params={"first": ids[0], "last": ids[-1], "format": "html"}
    )
    assert zipped.status_code == 200, zipped.text
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as archive:
        pages = [archive.read(f"inquiry-{i}.html").decode() for i in ids]
    assert all("<svg" in page for page in pages)
    assert [len(_curve_entries(court, i)) for i in ids] == [1, 1]


def test_only_the_judge_who_asked_gets_the_curve(court: CourtServer, body: dict[str, Any]) -> None:
    inquiry = _inquiry(court, body)
    path = f"/v1/inquiries/{inquiry['id']}/price-curve"
    other = keyed_client(
        court.url,
        keys_create(
            court.settings.resolved_database_url, ApiKeyCreate(owner="另一法官", role=Role.JUDGE)
        ).secret.get_secret_value(),
    )
    assert other.get(path).status_code == 403
    assert court.client(Role.TRIAGE).get(path + ".svg").status_code == 403
    assert court.client(Role.JUDGE).get("/v1/inquiries/999999999/price-curve").status_code == 404
    assert _curve_entries(court, inquiry["id"]) == []


def test_a_curve_is_not_drawn_by_another_model_than_the_one_that_answered(
    court: CourtServer,
) -> None:
    created = keys_create(
        court.settings.resolved_database_url, ApiKeyCreate(owner="旧模型法官", role=Role.JUDGE)
    )
    old = record_inquiry(court.engine, created.key, on=dt.datetime.now(dt.UTC))  # version 3
    judge = keyed_client(court.url, created.secret.get_secret_value())
    refused = judge.get(f"/v1/inquiries/{old}/price-curve.svg")
    assert refused.status_code == 409, refused.text
    assert "courtval-property 第 3 版" in refused.json()["detail"]
    assert "请重新询价" in refused.json()["detail"]
    assert "answered by model courtval-property version 3" in refused.json()["detail"]
    html = judge.get(f"/v1/inquiries/{old}/report.html")  # the report stands without one
    assert html.status_code == 200 and "<svg" not in html.text


def test_an_entry_an_older_version_wrote_is_a_409_naming_the_field_not_a_500(
    court: CourtServer,
) -> None:
    """An inquiry recorded before a field became required: its report and its curve say which
    field cannot be read, and nothing is built on it."""
    created = keys_create(
        court.settings.resolved_database_url, ApiKeyCreate(owner="旧记录法官", role=Role.JUDGE)
    )
    inputs = {k: v for k, v in request_inputs().items() if k != "area_m2"}
    old = append_as(
        court.engine,
        created.key,
        on=dt.datetime.now(dt.UTC),
        endpoint=PROPERTY_VALUATION_ENDPOINT,
        inputs=inputs,
        outputs=valuation(270_000.0),
    )
    judge = keyed_client(court.url, created.secret.get_secret_value())
    for path in (f"/v1/inquiries/{old}/report.pdf", f"/v1/inquiries/{old}/price-curve"):
        response = judge.get(path)
        assert response.status_code == 409, (path, response.text)
        assert (
            "area_m2" in response.json()["detail"]
            and "无法按现行格式读取" in response.json()["detail"]
        )


def test_a_drawing_altered_by_hand_is_not_read_back_and_the_curve_is_drawn_anew(
    court: CourtServer, body: dict[str, Any]
) -> None:
    judge, inquiry_id = court.client(Role.JUDGE), _inquiry(court, body)["id"]
    path = f"/v1/inquiries/{inquiry_id}/price-curve"
    first = judge.get(path).json()
    judge.get(path)  # a reading of it
    drawing, reading = (e["id"] for e in _curve_entries(court, inquiry_id))
    with court.engine.begin() as connection:
        connection.execute(
            text("UPDATE ledger_entries SET latency_ms = latency_ms + 1 WHERE id = :id"),
            {"id": drawing},
        )
    try:
        again = judge.get(path)  # the altered drawing is passed over, and so is its reading
        assert again.status_code == 200 and again.json() == first  # the same model, drawn anew
        redrawn = int(again.headers["X-Inquiry-Id"])
        assert redrawn > reading and "history" in _curve_entries(court, inquiry_id)[-1]["outputs"]
        judge.get(path)  # now read back from the new drawing, not drawn a third time
        assert _curve_entries(court, inquiry_id)[-1]["outputs"]["drawn_in"] == redrawn
    finally:
        with court.engine.begin() as connection:
            connection.execute(
                text("UPDATE ledger_entries SET latency_ms = latency_ms - 1 WHERE id = :id"),
                {"id": drawing},
            )
