"""The debtor-capacity endpoints over real HTTP: one debtor, a batch, errors, identity hashing."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from models.capacity.schemas import CapacityBatch
from models.capacity.vocabulary import Tier
from serving.court import Role
from tests.conftest import LiveServer, debtor, keyed_client
from tests.models.test_identity import RESIDENT
from training.capacity_task import CapacityTrainResult

URL = "/v1/debtors/capacity"


@pytest.fixture(scope="module")
def client(live_server: str, keys: dict[Role, str]) -> httpx.Client:
    return keyed_client(live_server, keys[Role.TRIAGE])


@pytest.fixture
def body() -> dict[str, Any]:
    return debtor(bank_deposits_found=30_000, flights_12m=6, employer_found=True).model_dump(
        mode="json"
    )


def test_assessment_has_the_whole_output_contract(
    client: httpx.Client, body: dict[str, Any], trained_capacity: CapacityTrainResult
) -> None:
    response = client.post(URL, json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert 0 <= answer["probability_full_6m"] <= answer["expected_recovered_share"] <= 1
    assert answer["expected_recovered_amount"] == pytest.approx(
        answer["expected_recovered_share"] * body["amount_due"]
    )
    assert answer["cash_ratio"] == pytest.approx(30_000 / 200_000)
    assert answer["tier"] in {t.value for t in Tier}
    assert answer["tier_basis"].startswith("全部履行概率")
    assert 1 <= len(answer["reasons"]) <= 4
    assert all(r["text"] and r["direction"][:2] in {"提高", "降低"} for r in answer["reasons"])
    assert answer["leads"] and answer["leads"][0]["action"]
    assert answer["model"]["name"] == "courtval-capacity"
    assert answer["model"]["run_id"] == trained_capacity.run_id
    assert answer["debtor_id_hash"] is None


def test_identity_number_is_hashed_never_echoed_or_logged(
    client: httpx.Client, body: dict[str, Any], live_server_process: LiveServer
) -> None:
    response = client.post(URL, json={**body, "debtor_id_number": RESIDENT})
    assert response.status_code == 200
    hashed = response.json()["debtor_id_hash"]
    assert len(hashed) == 64 and RESIDENT not in response.text
    time.sleep(0.2)  # the server's log lines of the request are flushed
    logged = live_server_process.log.read_text()
    assert "/v1/debtors/capacity" in logged  # the server does log at DEBUG: the check can fail
    assert RESIDENT not in logged
    again = client.post(URL, json={**body, "debtor_id_number": RESIDENT.lower()}).json()
    assert again["debtor_id_hash"] == hashed
    # in Arabic-Indic digits: one number, one hash (it was a 500: its hash is of ASCII text)
    arabic_indic = RESIDENT.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    spelled = client.post(URL, json={**body, "debtor_id_number": arabic_indic})
    assert spelled.status_code == 200, spelled.text
    assert spelled.json()["debtor_id_hash"] == hashed


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount_due": 0}, "amount_due"),
        ({"debtor_type": "合伙"}, "debtor_type"),
        ({"region": "火星"}, "region"),
        ({"flights_12m": -1}, "flights_12m"),
        ({"registered_capital": 1e6}, "registered_capital"),
        ({"creditor_leads": 1, "creditor_leads_verified": 3}, "creditor_leads_verified"),
        ({"debtor_id_number": "110105194912310021"}, "debtor_id_number"),
        ({"income": 5}, "income"),
    ],
)
def test_invalid_input_is_422_naming_the_field(
    client: httpx.Client, body: dict[str, Any], change: dict[str, Any], field: str
) -> None:
    response = client.post(URL, json={**body, **change})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][-1] == field
    assert "110105194912310021" not in response.text


def test_batch_agrees_with_single(client: httpx.Client, body: dict[str, Any]) -> None:
    other = debtor(debtor_type="法人", operating_status="吊销", amount_due=900_000).model_dump(
        mode="json"
    )
    batch = client.post(f"{URL}/batch", json={"items": [body, other]})
    assert batch.status_code == 200, batch.text
    items = CapacityBatch.model_validate(batch.json()).items
    assert [len(i.reasons) for i in items] == [0, 0]
    for item, single_body in zip(items, [body, other], strict=True):
        single = client.post(URL, json=single_body).json()
        assert item.probability_full_6m == pytest.approx(single["probability_full_6m"], rel=1e-9)
        assert item.tier == single["tier"]
    with_reasons = client.post(
        f"{URL}/batch", json={"items": [body], "include_contributions": True}
    ).json()
    assert with_reasons["items"][0]["reasons"] == client.post(URL, json=body).json()["reasons"]


def test_batch_names_the_bad_item_and_field(client: httpx.Client, body: dict[str, Any]) -> None:
    response = client.post(f"{URL}/batch", json={"items": [body, {**body, "amount_due": -5}]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "items", 1, "amount_due"]


def test_batch_over_the_limit_is_422(client: httpx.Client, body: dict[str, Any]) -> None:
    response = client.post(f"{URL}/batch", json={"items": [body] * 10_001})
    assert response.status_code == 422
    assert "items" in response.text


def test_the_chinese_message_names_the_debtors_field(
    client: httpx.Client, body: dict[str, Any]
) -> None:
    """A debtor's region is the court's 地区, not the vehicle form's 交易城市 of the same name."""
    response = client.post(URL, json={**body, "region": "火星", "amount_due": -1})
    assert response.status_code == 422, response.text
    messages = {e["loc"][-1]: e["msg_zh"] for e in response.json()["detail"]}
    assert messages["region"].startswith("地区：须为以下之一")
    assert messages["amount_due"] == "执行标的（元）：须大于 0"
