"""The triage endpoints over a real HTTP server: ranking a queue and scoring one case."""

from __future__ import annotations

import json

import httpx
import pandas as pd
import pytest
from sqlalchemy import create_engine, text

from models.identity import identity_key, keyed_hash
from models.settings import Settings
from models.triage.schemas import CaseRanking, CaseScore
from serving.court import Role
from tests.conftest import keyed_client
from tests.models.test_identity import RESIDENT
from tests.triage_cases import request_records

AS_OF = "2026-06-30"


@pytest.fixture(scope="module")
def client(live_server: str, keys: dict[Role, str]) -> httpx.Client:
    return keyed_client(live_server, keys[Role.TRIAGE])


@pytest.fixture(scope="module")
def queue(case_data: pd.DataFrame) -> list[dict[str, object]]:
    """The last 1,500 cases of the generated data as request items."""
    return request_records(case_data.tail(1_500))


def test_rank_returns_the_whole_contract_easiest_first(
    client: httpx.Client, queue: list[dict[str, object]]
) -> None:
    response = client.post("/v1/cases/rank", json={"cases": queue, "as_of": AS_OF}, timeout=60)
    assert response.status_code == 200, response.text
    ranking = CaseRanking.model_validate(response.json())
    assert len(ranking.items) == len(queue)
    assert [item.rank for item in ranking.items] == list(range(1, len(queue) + 1))
    open_items = [i for i in ranking.items if i.lane is not None]
    difficulties = [i.difficulty for i in open_items]
    assert difficulties == sorted(difficulties)
    assert sum(ranking.lanes.values()) == len(open_items)
    assert all(len(i.reasons) <= 4 for i in ranking.items)
    assert any(i.reasons and i.reasons[0].text.endswith(("利于执行到位", "增加执行难度"))
               for i in ranking.items)  # fmt: skip
    assert {a.kind for a in ranking.alerts} >= {"ASSETS_NOT_SEIZED", "OPEN_TOO_LONG"}
    assert ranking.bundles, "cases sharing a debtor, creditor or asset are bundled"
    assert ranking.model.name == "courtval-difficulty"


def test_rank_names_the_bad_field_of_the_bad_case(
    client: httpx.Client, queue: list[dict[str, object]]
) -> None:
    bad = [dict(item) for item in queue[:3]]
    bad[2]["amount_due"] = -5
    response = client.post("/v1/cases/rank", json={"cases": bad}, timeout=30)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-3:] == ["cases", 2, "amount_due"]


def test_rank_names_a_stage_dated_before_the_filing(
    client: httpx.Client, queue: list[dict[str, object]]
) -> None:
    bad = [dict(item) for item in queue[:2]]
    bad[1]["seized_at"] = "2001-01-01"
    response = client.post("/v1/cases/rank", json={"cases": bad}, timeout=30)
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"][-3:] == ["cases", 1, "seized_at"]
    assert "before filed_at" in detail["msg"]


def test_rank_names_a_date_out_of_range(
    client: httpx.Client, queue: list[dict[str, object]]
) -> None:
    bad = [dict(item) for item in queue[:2]]
    bad[1]["filed_at"] = "9999-12-31"  # past what pandas holds in nanoseconds
    response = client.post("/v1/cases/rank", json={"cases": bad}, timeout=30)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"][0]
    assert detail["loc"][-3:] == ["cases", 1, "filed_at"]
    assert "not between 1900-01-01 and 2100-12-31" in detail["msg"]
    early = client.post("/v1/cases/score", json=queue[0], params={"as_of": "0001-01-01"})
    assert early.status_code == 422, early.text
    assert early.json()["detail"][0]["loc"] == ["query", "as_of"]


def test_rank_refuses_an_empty_queue_and_a_future_day(
    client: httpx.Client, queue: list[dict[str, object]]
) -> None:
    empty = client.post("/v1/cases/rank", json={"cases": []}, timeout=30)
    assert empty.status_code == 422
    future = client.post("/v1/cases/rank", json={"cases": queue[:1], "as_of": "2999-01-01"})
    assert future.status_code == 422


def test_score_one_case_matches_its_rank_in_a_queue_of_one(
    client: httpx.Client, queue: list[dict[str, object]]
) -> None:
    case = queue[0]
    scored = client.post("/v1/cases/score", json=case, params={"as_of": AS_OF})
    assert scored.status_code == 200, scored.text
    single = CaseScore.model_validate(scored.json())
    ranked = client.post("/v1/cases/rank", json={"cases": [case], "as_of": AS_OF}).json()["items"][
        0
    ]
    assert single.probability_paid_in_period == pytest.approx(
        ranked["probability_paid_in_period"], abs=1e-4
    )
    assert single.rank == 1


@pytest.mark.parametrize(
    "case_number",
    ["2024-123", "（٢٠٢٤）京0108执1234号"],  # the second: digits of another script
)
def test_score_rejects_a_malformed_case_number(
    client: httpx.Client, queue: list[dict[str, object]], case_number: str
) -> None:
    case = {**queue[0], "case_number": case_number}
    response = client.post("/v1/cases/score", json=case)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "case_number"


def _ndjson(items: list[dict[str, object]]) -> bytes:
    return b"\n".join(json.dumps(item, ensure_ascii=False).encode() for item in items)


def test_rank_reads_json_lines_like_the_json_document(
    client: httpx.Client, queue: list[dict[str, object]]
) -> None:
    document = client.post(
        "/v1/cases/rank", json={"cases": queue[:300], "as_of": AS_OF}, timeout=60
    )
    lines = client.post(
        "/v1/cases/rank",
        content=_ndjson(queue[:300]),
        params={"as_of": AS_OF},
        headers={"content-type": "application/x-ndjson"},
        timeout=60,
    )
    assert lines.status_code == 200, lines.text
    assert lines.json()["items"] == document.json()["items"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount_due", -5),
        ("region", "火星"),
        ("flights_12m", 2.5),
        ("case_id", "two words"),
        ("months_since_judgment", 601),
    ],
)
def test_both_formats_refuse_the_same_bad_value_and_name_it(
    client: httpx.Client, queue: list[dict[str, object]], field: str, value: object
) -> None:
    bad = [dict(item) for item in queue[:4]]
    bad[3][field] = value
    url = "/v1/cases/rank"
    for response in (
        client.post(url, json={"cases": bad}),
        client.post(url, content=_ndjson(bad), headers={"content-type": "application/x-ndjson"}),
    ):
        assert response.status_code == 422, response.text
        assert response.json()["detail"][0]["loc"][-3:] == ["cases", 3, field]


def test_json_lines_with_an_unknown_field_is_refused(
    client: httpx.Client, queue: list[dict[str, object]]
) -> None:
    bad = [{**queue[0], "secret_field": 1}]
    response = client.post(
        "/v1/cases/rank",
        content=_ndjson(bad),
        headers={"content-type": "application/x-ndjson"},
    )
    assert response.status_code == 422
    assert "unexpected field" in response.text


def test_a_debtor_keyed_by_identity_number_is_kept_hashed_in_the_ledger(
    client: httpx.Client, queue: list[dict[str, object]], session_settings: Settings
) -> None:
    """A triage system may key its debtors by 身份证号: the ledger keeps it only as its keyed
    hash (an opaque key stays as it is)."""
    case = {**queue[1], "debtor_id": RESIDENT, "creditor_id": "C-77"}
    scored = client.post("/v1/cases/score", json=case, params={"as_of": AS_OF})
    assert scored.status_code == 200, scored.text
    engine = create_engine(session_settings.resolved_database_url)
    try:
        with engine.connect() as connection:
            stored = connection.execute(
                text("SELECT inputs, outputs FROM ledger_entries WHERE id = :id"),
                {"id": int(scored.headers["X-Inquiry-Id"])},
            ).one()
    finally:
        engine.dispose()
    hashed = "hmac-sha256:" + keyed_hash(RESIDENT, identity_key(session_settings))
    assert RESIDENT not in str(stored) and hashed in str(stored[0])
    assert '"C-77"' in str(stored[0])
