"""The 政府基准价法 figure over real HTTP: the live server reads the government's prices of the
generated market (``COURTVAL_GUIDE_PRICE_FILE``) and puts the figure beside the model's estimate
in the answer, the batch, the batch file and the report."""

from __future__ import annotations

import datetime as dt
import io
import time
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest

from models.labels import PROPERTY_LABELS
from models.property.guide_prices import GuidePriceTable
from models.property.schemas import PropertyRequest
from serving.batch_files import GUIDE_PRICE_TITLE
from serving.court import Role
from tests.conftest import CASE, batch_body, keyed_client

DAY = dt.date(2026, 10, 15)


@pytest.fixture(scope="module")
def judge(live_server: str, keys: dict[Role, str]) -> httpx.Client:
    return keyed_client(live_server, keys[Role.JUDGE])


@pytest.fixture(scope="module")
def priced(flat: PropertyRequest, guide_prices: GuidePriceTable) -> PropertyRequest:
    """A flat in a 小区 the government's table prices."""
    district, community = next(iter(guide_prices.prices))
    return flat.model_copy(update={"district": district, "community": community})


def _body(request: PropertyRequest, **changes: object) -> dict[str, Any]:
    return {**CASE, **request.model_dump(mode="json"), **changes}


def test_the_answer_carries_the_government_figure(
    judge: httpx.Client, priced: PropertyRequest, guide_prices: GuidePriceTable
) -> None:
    answer = judge.post("/v1/valuations/property", json=_body(priced))
    assert answer.status_code == 200, answer.text
    valuation = answer.json()
    guide, rule = valuation["guide_price"], valuation["rule_based"]
    row = guide_prices.find(priced.district, priced.community, "住宅", DAY)
    assert row is not None and row.effective_from == dt.date(2026, 1, 1)
    coefficients = rule["floor_coefficient"] * rule["orientation_coefficient"]
    assert guide["value"] == pytest.approx(row.price_per_m2 * coefficients * priced.area_m2)
    assert (guide["floor_coefficient"], guide["orientation_coefficient"]) == (
        rule["floor_coefficient"],
        rule["orientation_coefficient"],
    )
    assert guide["source"] == row.source and guide["file_sha256"] == guide_prices.sha256
    # A year earlier the 2025 price held; before the first, and for a type the table does not
    # price, there is none.
    earlier = judge.post("/v1/valuations/property", json=_body(priced, valuation_date="2025-10-15"))
    assert earlier.json()["guide_price"]["effective_from"] == "2025-01-01"
    before = judge.post("/v1/valuations/property", json=_body(priced, valuation_date="2023-10-15"))
    assert before.json()["guide_price"] is None
    shop = judge.post("/v1/valuations/property", json=_body(priced, property_type="商铺"))
    assert shop.status_code == 200 and shop.json()["guide_price"] is None
    # The report in the case file shows it, with where the price comes from.
    report = judge.get(f"/v1/inquiries/{valuation['inquiry']['id']}/report.html").text
    assert "政府基准价法参照值" in report and row.source in report
    assert "历史成交与司法拍卖数据及政府基准价" in report
    plain = judge.get(f"/v1/inquiries/{shop.json()['inquiry']['id']}/report.html").text
    assert "政府基准价" not in plain


def test_a_new_community_the_government_prices_is_pointed_to_it(
    judge: httpx.Client, flat: PropertyRequest, guide_prices: GuidePriceTable
) -> None:
    """A 小区 without a sale in the model's data but in the government's table: the caution
    names the government figure, the one local price such a 小区 has."""
    known = set(judge.get("/v1/valuations/property/vocabulary").json()["fields"]["community"])
    district, community = next(key for key in guide_prices.prices if key[1] not in known)
    new = flat.model_copy(update={"district": district, "community": community})
    answer = judge.post("/v1/valuations/property", json=_body(new)).json()
    assert answer["guide_price"] is not None
    assert answer["unseen_input"]["notice"].endswith("可参照政府基准价法参照值。")
    assert answer["rule_based"]["base_source"] == "district"


def test_a_batch_and_a_batch_file_carry_it_per_row(
    judge: httpx.Client, priced: PropertyRequest
) -> None:
    unpriced = _body(priced, community="新建未售小区")
    items = [_body(priced), unpriced]
    answer = judge.post("/v1/valuations/property/batch", json=batch_body(items)).json()
    single = judge.post("/v1/valuations/property", json=_body(priced)).json()
    first, second = answer["items"]
    assert first["guide_price_value"] == pytest.approx(single["guide_price"]["value"])
    assert second["guide_price_value"] is None
    facts = [{k: v for k, v in i.items() if k not in CASE} for i in items]
    table = pd.DataFrame([PropertyRequest.model_validate(f).model_dump() for f in facts])
    table = table[list(PROPERTY_LABELS)].rename(columns=PROPERTY_LABELS)
    files = {"file": ("两套.csv", table.to_csv(index=False).encode("gbk"), "text/csv")}
    job = judge.post("/v1/valuations/property/batch-file", data=CASE, files=files).json()
    deadline = time.monotonic() + 60
    while job["status"] == "running" and time.monotonic() < deadline:
        time.sleep(0.1)
        job = judge.get(f"/v1/jobs/{job['id']}").json()
    result = judge.get(f"/v1/jobs/{job['id']}/result", params={"format": "csv"})
    rows = pd.read_csv(io.BytesIO(result.content))
    assert rows[GUIDE_PRICE_TITLE][0] == round(single["guide_price"]["value"], 2)
    assert pd.isna(rows[GUIDE_PRICE_TITLE][1])


def test_the_operators_see_which_table_is_in_use(
    live_server: str,
    keys: dict[Role, str],
    guide_price_file: Path,
    guide_prices: GuidePriceTable,
) -> None:
    status = keyed_client(live_server, keys[Role.AUDITOR]).get("/v1/guide-prices")
    assert status.status_code == 200, status.text
    body = status.json()
    assert (body["file"], body["sha256"]) == (str(guide_price_file), guide_prices.sha256)
    assert (body["rows"], body["communities"]) == (len(guide_prices), len(guide_prices.prices))
    assert body["effective_dates"] == ["2024-01-01", "2025-01-01", "2026-01-01"]
    assert body["sources"][0].startswith("温岭市税务局2024年度")
    seen = keyed_client(live_server, keys[Role.DATA_SCIENTIST]).get("/v1/guide-prices")
    assert seen.status_code == 200
    judge = keyed_client(live_server, keys[Role.JUDGE]).get("/v1/guide-prices")
    assert judge.status_code == 403
