"""Every field of every JSON endpoint, set to values a careless or hostile client sends: the
answer is never a server error, and a refusal names the field.

A sweep of this kind found a 500: a lone surrogate (``"\\ud800"``) failed while its 422 echoed
it. The full sweep (about 8,000 requests, every endpoint) ran once by hand; this one keeps
the single-item endpoints and a batch item (about 1,600 requests, seconds on loopback).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pandas as pd
import pytest

from models.clock import CHINA_TZ
from models.property.schemas import PropertyRequest
from models.vehicle.schemas import VehicleRequest
from serving.court import Role
from tests.conftest import CASE, batch_body, debtor, keyed_client
from tests.triage_cases import request_records

#: JSON values of every type and edge: empty, huge, non-finite as text, dates out of range,
#: control and unpaired surrogate characters, markup, nesting.
HOSTILE: list[Any] = [
    None,
    "",
    " ",
    "x" * 5_000,
    -1,
    0,
    2**64,
    -(2**63),
    1e308,
    -1e308,
    "1e309",
    "NaN",
    "Infinity",
    [],
    {},
    [1],
    {"a": 1},
    True,
    "\x00",
    "\ud800",
    "２０２４",
    "2999-01-01",
    "0001-01-01",
    "2024-02-30",
    "<script>",
    "'; drop table x;--",
]


def _mutations(body: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name in body:
        yield f"without {name}", {k: v for k, v in body.items() if k != name}
        for value in HOSTILE:
            yield f"{name}={value!r:.20}", {**body, name: value}
    yield "an unknown field", {**body, "unknown_field": 1}


def _sweep(client: httpx.Client, path: str, bodies: Iterator[tuple[str, Any]]) -> list[str]:
    """Post every body (ASCII JSON: a surrogate spelled as an escape); the failures found."""
    failures = []
    for label, payload in bodies:
        content = json.dumps(payload).encode()
        response = client.post(path, content=content, headers={"content-type": "application/json"})
        if response.status_code >= 500:
            failures.append(f"{label}: {response.status_code} {response.text[:120]}")
        elif response.status_code == 422:
            detail = response.json()["detail"]
            if not (isinstance(detail, list) and detail and detail[0].get("loc")):
                failures.append(f"{label}: a 422 without a field {response.text[:120]}")
    return failures


@pytest.fixture(scope="module")
def judge(live_server: str, keys: dict[Role, str]) -> httpx.Client:
    return keyed_client(live_server, keys[Role.JUDGE])


@pytest.fixture(scope="module")
def triage(live_server: str, keys: dict[Role, str]) -> httpx.Client:
    return keyed_client(live_server, keys[Role.TRIAGE])


def test_property_single_and_batch_item(judge: httpx.Client, flat: PropertyRequest) -> None:
    item = flat.model_dump(mode="json")
    failures = _sweep(judge, "/v1/valuations/property", _mutations({**CASE, **item}))
    for batch in ("batch", "batch-inquiries"):
        batches = ((label, batch_body([item, bad])) for label, bad in _mutations(item))
        failures += _sweep(judge, f"/v1/valuations/property/{batch}", batches)
    assert not failures


def test_vehicle_single(judge: httpx.Client, car: VehicleRequest) -> None:
    body = {**CASE, **car.model_dump(mode="json")}
    assert not _sweep(judge, "/v1/valuations/vehicle", _mutations(body))


def test_debtor_and_case(triage: httpx.Client, case_data: pd.DataFrame) -> None:
    failures = _sweep(triage, "/v1/debtors/capacity", _mutations(debtor().model_dump(mode="json")))
    (case,) = request_records(case_data.tail(1))
    failures += _sweep(triage, "/v1/cases/score", _mutations(case))
    assert not failures


def test_objection_and_appraisal_progress(judge: httpx.Client, flat: PropertyRequest) -> None:
    """An objection to a fresh inquiry, then the steps of its appraisal (the first valid body
    records a step; the rest meet a task that has moved on: 409s, never 500s)."""
    inquiry = judge.post("/v1/valuations/property", json={**CASE, **flat.model_dump(mode="json")})
    today = dt.datetime.now(CHINA_TZ).date().isoformat()
    objection = {
        "party": "被执行人",
        "ground": "参照标准、计算方法或者结果有误",
        "grounds": "该房屋已重新装修，询价结果明显偏低。",
        "received_report_on": today,
        "submitted_on": today,
    }
    path = f"/v1/inquiries/{inquiry.json()['inquiry']['id']}/objections"
    failures = _sweep(judge, path, _mutations(objection))
    tasks = judge.get("/v1/objections").json()["items"]
    (task,) = [t for t in tasks if t["inquiry_id"] == inquiry.json()["inquiry"]["id"]]
    step = {"status": "已启动", "on": today, "note": "委托某某估价公司"}
    failures += _sweep(judge, f"/v1/objections/{task['id']}/progress", _mutations(step))
    assert not failures


def test_sale_and_ratio_study(judge: httpx.Client, flat: PropertyRequest) -> None:
    """A sale of a fresh inquiry (the first valid body records it; the rest meet a sale
    recorded: 409s, never 500s), and the study's query parameters."""
    inquiry = judge.post("/v1/valuations/property", json={**CASE, **flat.model_dump(mode="json")})
    today = dt.datetime.now(CHINA_TZ).date().isoformat()
    sale = {"price": "812345.60", "sold_on": today, "round": "二拍", "note": "变卖前第二次拍卖"}
    failures = _sweep(
        judge, f"/v1/inquiries/{inquiry.json()['inquiry']['id']}/sale", _mutations(sale)
    )
    for name in ("kind", "sold_from", "sold_until"):
        for value in HOSTILE:
            response = judge.get("/v1/sales/study", params={name: json.dumps(value)})
            if response.status_code not in (200, 422):
                failures.append(f"study {name}={value!r:.20}: {response.status_code}")
    assert not failures
