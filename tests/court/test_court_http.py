"""Court-grade serving over real HTTP, on SQLite and on a real PostgreSQL server: keys and
roles (401/403), quotas (429), the case-number rule, the ledger of every answer (its chain
checked after a hand edit, 503 when it cannot be written), objections, the reference price and
the inquiry report."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pypdf
import pytest
from sqlalchemy import Engine, text

from models.court import ObjectionRequest, covered_years, supplement_calendar
from models.court.quota import HourWindow
from models.settings import Settings
from serving.app import create_app
from serving.court import ApiKeyCreate, QuotaOverride, Role, list_keys, session_factory
from serving.court.admin import keys_create, keys_revoke
from serving.court.db import make_engine
from serving.court.objections import file_objection
from serving.reports.content import HEADINGS
from tests.conftest import (
    CASE,
    auth,
    batch_body,
    issue_key,
    keyed_client,
    make_settings,
    running_server,
)
from tests.court.conftest import CourtServer
from tests.court.test_objections import record_inquiry
from training.pipeline import TrainResult

CHINA = ZoneInfo("Asia/Shanghai")


def _value(court: CourtServer, body: dict[str, Any], role: Role = Role.JUDGE) -> httpx.Response:
    return court.client(role).post("/v1/valuations/property", json=body)


def _ledger_size(court: CourtServer) -> int:
    with court.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM ledger_entries")).scalar_one())


# --- who may ask -------------------------------------------------------------------------


def test_health_and_docs_need_no_key(court: CourtServer) -> None:
    for path in ("/healthz", "/readyz", "/docs", "/openapi.json"):
        assert httpx.get(court.url + path).status_code == 200, path


def test_no_key_or_an_unknown_key_is_401(court: CourtServer, body: dict[str, Any]) -> None:
    url = court.url + "/v1/valuations/property"
    missing = httpx.post(url, json=body)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    forged = "cv_" + "A" * 43
    assert httpx.post(url, json=body, headers=auth(forged)).status_code == 401
    by_header = httpx.post(url, json=body, headers={"X-API-Key": court.keys[Role.JUDGE]})
    assert by_header.status_code == 200


def test_a_revoked_key_is_401(court: CourtServer, body: dict[str, Any]) -> None:
    created = keys_create(
        court.settings.resolved_database_url, ApiKeyCreate(owner="李法官", role=Role.JUDGE)
    )
    client = keyed_client(court.url, created.secret.get_secret_value())
    assert client.post("/v1/valuations/property", json=body).status_code == 200
    keys_revoke(court.settings.resolved_database_url, created.key.id)
    time.sleep(court.settings.key_cache_seconds + 0.1)
    refused = client.post("/v1/valuations/property", json=body)
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]


@pytest.mark.parametrize(
    ("role", "method", "path"),
    [
        (Role.TRIAGE, "POST", "/v1/valuations/property"),
        (Role.AUDITOR, "POST", "/v1/valuations/property"),
        (Role.JUDGE, "POST", "/v1/debtors/capacity"),
        (Role.JUDGE, "POST", "/v1/cases/rank"),
        (Role.JUDGE, "GET", "/v1/ledger"),
        (Role.TRIAGE, "GET", "/v1/ledger"),
        (Role.JUDGE, "GET", "/v1/models"),
        (Role.AUDITOR, "POST", "/v1/admin/reload"),
        (Role.TRIAGE, "GET", "/v1/objections"),
        (Role.DATA_SCIENTIST, "POST", "/v1/reference-price"),
    ],
)
def test_a_role_outside_the_endpoint_is_403(
    court: CourtServer, role: Role, method: str, path: str
) -> None:
    response = court.client(role).request(method, path, json={})
    assert response.status_code == 403, response.text
    article = "an" if role is Role.AUDITOR else "a"
    assert response.json()["detail"].startswith(f"{article} {role.value} key may not use")


#: The endpoints anyone may call: probes and the API's documentation.
OPEN_PATHS = frozenset(
    {"/healthz", "/readyz", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"}
)


def _guarded_routes() -> list[tuple[str, str]]:
    paths = create_app(Settings()).openapi()["paths"]
    return sorted(
        (method.upper(), path)
        for path, operations in paths.items()
        if path not in OPEN_PATHS
        for method in operations
    )


@pytest.mark.parametrize(("method", "path"), _guarded_routes())
def test_every_other_endpoint_needs_a_key(court: CourtServer, method: str, path: str) -> None:
    concrete = path.format(
        inquiry_id=1, task_id=1, fmt="pdf", job_id="0123456789abcdef", kind="property"
    )
    response = httpx.request(method, court.url + concrete, json={})
    assert response.status_code == 401, (path, response.text)


# --- how often ----------------------------------------------------------------------------


def _limited_client(court: CourtServer, quota: QuotaOverride) -> httpx.Client:
    spec = ApiKeyCreate(owner="限额法官", role=Role.JUDGE, quota=quota)
    created = keys_create(court.settings.resolved_database_url, spec)
    return keyed_client(court.url, created.secret.get_secret_value())


def test_over_the_minute_quota_is_429_with_its_reset(
    court: CourtServer, body: dict[str, Any]
) -> None:
    client = _limited_client(court, QuotaOverride(requests_per_minute=2))
    before = dt.datetime.now(CHINA)
    for _ in range(2):
        assert client.post("/v1/valuations/property", json=body).status_code == 200
    refused = client.post("/v1/valuations/property", json=body)
    assert refused.status_code == 429
    assert refused.headers["X-Quota-Limit"] == "per_minute"
    resets = dt.datetime.fromisoformat(refused.headers["X-Quota-Resets-At"])
    assert before < resets <= before + dt.timedelta(minutes=2)
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "resets at" in refused.json()["detail"]


def test_over_the_day_quota_is_429_until_midnight(court: CourtServer, body: dict[str, Any]) -> None:
    client = _limited_client(court, QuotaOverride(requests_per_day=1))
    assert client.post("/v1/valuations/property", json=body).status_code == 200
    refused = client.post("/v1/valuations/property", json=body)
    assert refused.status_code == 429
    assert refused.headers["X-Quota-Limit"] == "per_day"
    resets = dt.datetime.fromisoformat(refused.headers["X-Quota-Resets-At"])
    tomorrow = dt.datetime.now(CHINA).date() + dt.timedelta(days=1)
    assert resets == dt.datetime.combine(tomorrow, dt.time(), tzinfo=CHINA)


def test_outside_the_allowed_hours_is_429(court: CourtServer, body: dict[str, Any]) -> None:
    hour = dt.datetime.now(CHINA).hour
    window = HourWindow(start=hour + 1, end=hour + 2) if hour <= 21 else HourWindow(start=0, end=1)
    client = _limited_client(court, QuotaOverride(allowed_hours=window))
    refused = client.post("/v1/valuations/property", json=body)
    assert refused.status_code == 429
    assert refused.headers["X-Quota-Limit"] == "hours"
    resets = dt.datetime.fromisoformat(refused.headers["X-Quota-Resets-At"])
    assert resets.hour == window.start


# --- the case-number rule -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"case_number": None}, "case_number"),
        ({"case_number": "（2024）浙1081执字第12号"}, "case_number"),
        ({"case_number": "（2024）浙1081民初12号"}, "case_number"),
        ({"purpose": None}, "purpose"),
        ({"purpose": ""}, "purpose"),
    ],
)
def test_a_valuation_needs_a_case_number_and_a_purpose(
    court: CourtServer, body: dict[str, Any], change: dict[str, Any], field: str
) -> None:
    sent = {k: v for k, v in {**body, **change}.items() if v is not None}
    before = _ledger_size(court)
    response = _value(court, sent)
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", field]]
    assert _ledger_size(court) == before  # a refused request leaves no answer to record


def test_half_width_brackets_are_accepted_and_normalised(
    court: CourtServer, body: dict[str, Any]
) -> None:
    response = _value(court, {**body, "case_number": "(2024)浙1081执1234号"})
    assert response.status_code == 200, response.text
    assert response.json()["inquiry"]["case_number"] == "（2024）浙1081执1234号"


# --- the ledger ---------------------------------------------------------------------------


def test_every_answer_is_in_the_ledger_for_the_auditor(
    court: CourtServer, body: dict[str, Any]
) -> None:
    number = "（2025）浙1081执77号"
    answer = _value(court, {**body, "case_number": number}).json()
    page = court.client(Role.AUDITOR).get("/v1/ledger", params={"case_number": number}).json()
    (entry,) = page["items"]
    assert entry["id"] == answer["inquiry"]["id"]
    assert entry["entry_hash"] == answer["inquiry"]["entry_hash"]
    assert (entry["user_name"], entry["role"], entry["endpoint"]) == (
        "测试judge",
        "judge",
        "/v1/valuations/property",
    )
    assert entry["inputs"]["area_m2"] == body["area_m2"]
    assert entry["outputs"]["value"] == answer["value"]
    assert (entry["model_name"], entry["model_version"]) == ("courtval-property", "1")
    assert entry["latency_ms"] > 0
    by_user = court.client(Role.AUDITOR).get("/v1/ledger", params={"user": "测试judge"}).json()
    assert by_user["total"] >= 1
    future = court.client(Role.AUDITOR).get("/v1/ledger", params={"since": "2999-01-01T00:00:00"})
    assert future.json()["total"] == 0


def test_concurrent_answers_are_chained_one_after_another(
    court: CourtServer, body: dict[str, Any]
) -> None:
    """Single answers and batches from several clients at once: every answer is recorded
    once, under its own id, and the chain still verifies."""
    before = _ledger_size(court)
    batch = {**CASE, "items": [{k: v for k, v in body.items() if k not in CASE}] * 3}

    def ask(worker: int) -> list[int]:
        with court.client(Role.JUDGE) as client:
            answers = [client.post("/v1/valuations/property", json=body) for _ in range(4)]
            answers.append(client.post("/v1/valuations/property/batch", json=batch))
        assert [a.status_code for a in answers] == [200] * 5, worker
        return [int(a.headers["X-Inquiry-Id"]) for a in answers]

    with ThreadPoolExecutor(max_workers=6) as pool:
        ids = [i for worker_ids in pool.map(ask, range(6)) for i in worker_ids]
    assert len(set(ids)) == len(ids) == 30
    assert _ledger_size(court) == before + 30
    verdict = court.client(Role.AUDITOR).get("/v1/ledger/verify").json()
    assert verdict["ok"] is True


def _verify_cli(court: CourtServer) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COURTVAL_DATABASE_URL": court.settings.resolved_database_url}
    return subprocess.run(
        [sys.executable, "-m", "courtval", "ledger", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_row_altered_by_hand_breaks_the_chain_there(
    court: CourtServer, body: dict[str, Any]
) -> None:
    victim = _value(court, body).json()["inquiry"]["id"]
    _value(court, body)  # a later entry, still chained to the altered one
    auditor = court.client(Role.AUDITOR)
    assert auditor.get("/v1/ledger/verify").json()["ok"] is True
    with court.engine.begin() as connection:
        original = connection.execute(
            text("SELECT latency_ms FROM ledger_entries WHERE id = :id"), {"id": victim}
        ).scalar_one()
        connection.execute(
            text("UPDATE ledger_entries SET latency_ms = :v WHERE id = :id"),
            {"v": original + 1, "id": victim},
        )
    try:
        verdict = auditor.get("/v1/ledger/verify").json()
        assert (verdict["ok"], verdict["first_broken_id"]) == (False, victim)
        assert verdict["reason"] == "hash_mismatch"
        cli = _verify_cli(court)
        assert cli.returncode != 0
        assert str(victim) in cli.stdout + cli.stderr
        report = court.client(Role.JUDGE).get(f"/v1/inquiries/{victim}/report.pdf")
        assert report.status_code == 409  # nothing is built on an altered entry
    finally:
        with court.engine.begin() as connection:
            connection.execute(
                text("UPDATE ledger_entries SET latency_ms = :v WHERE id = :id"),
                {"v": original, "id": victim},
            )
    assert auditor.get("/v1/ledger/verify").json()["ok"] is True
    assert _verify_cli(court).returncode == 0


def test_the_verification_checks_published_heads(court: CourtServer, body: dict[str, Any]) -> None:
    _value(court, body)
    auditor = court.client(Role.AUDITOR)
    head = auditor.get("/v1/ledger/verify").json()
    published = f"{head['last_id']}:{head['last_hash']}"
    checked = auditor.get("/v1/ledger/verify", params={"anchor": [published]}).json()
    assert (checked["ok"], checked["anchors_checked"]) == (True, 1)
    other = f"{head['last_id']}:{'0' * 64}"
    refused = auditor.get("/v1/ledger/verify", params={"anchor": [other]}).json()
    assert (refused["ok"], refused["first_broken_id"]) == (False, head["last_id"])
    assert refused["reason"] == "anchor_mismatch"
    bad = auditor.get("/v1/ledger/verify", params={"anchor": ["12:xyz"]})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "anchor", 0]


def test_the_scrape_answers_when_the_tasks_cannot_be_counted(court: CourtServer) -> None:
    scientist = court.client(Role.DATA_SCIENTIST)
    with court.engine.begin() as connection:
        connection.execute(text("ALTER TABLE appraisal_tasks RENAME TO appraisal_tasks_away"))
    try:
        scrape = scientist.get("/metrics")
    finally:
        with court.engine.begin() as connection:
            connection.execute(text("ALTER TABLE appraisal_tasks_away RENAME TO appraisal_tasks"))
    assert scrape.status_code == 200
    assert "courtval_model_info{" in scrape.text
    assert "courtval_appraisal_tasks{" not in scrape.text  # not counted, not stale
    assert 'courtval_appraisal_tasks{state="open"}' in scientist.get("/metrics").text


def _refuse_ledger_writes(engine: Engine, refuse: bool) -> None:
    """A trigger that makes the database refuse every new ledger row (or its removal)."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as connection:
        if refuse and sqlite:
            connection.execute(
                text(
                    "CREATE TRIGGER refuse_ledger BEFORE INSERT ON ledger_entries "
                    "BEGIN SELECT RAISE(ABORT, 'ledger refused by test'); END"
                )
            )
        elif refuse:
            connection.execute(
                text(
                    "CREATE FUNCTION refuse_ledger() RETURNS trigger AS $$ BEGIN "
                    "RAISE EXCEPTION 'ledger refused by test'; END $$ LANGUAGE plpgsql"
                )
            )
            connection.execute(
                text(
                    "CREATE TRIGGER refuse_ledger BEFORE INSERT ON ledger_entries "
                    "FOR EACH ROW EXECUTE FUNCTION refuse_ledger()"
                )
            )
        elif sqlite:
            connection.execute(text("DROP TRIGGER refuse_ledger"))
        else:
            connection.execute(text("DROP TRIGGER refuse_ledger ON ledger_entries"))
            connection.execute(text("DROP FUNCTION refuse_ledger()"))


def test_no_answer_when_the_ledger_cannot_be_written(
    court: CourtServer, body: dict[str, Any]
) -> None:
    before = _ledger_size(court)
    _refuse_ledger_writes(court.engine, refuse=True)
    try:
        refused = _value(court, body)
        assert refused.status_code == 503
        assert "ledger" in refused.json()["detail"]
        assert "value" not in refused.json()
        assert _ledger_size(court) == before
    finally:
        _refuse_ledger_writes(court.engine, refuse=False)
    assert _value(court, body).status_code == 200
    assert _ledger_size(court) == before + 1
    assert court.client(Role.AUDITOR).get("/v1/ledger/verify").json()["ok"] is True


# --- objections, the reference price, the report ------------------------------------------


def _objection(received: dt.date) -> dict[str, Any]:
    return {
        "party": "被执行人",
        "ground": "参照标准、计算方法或者结果有误",
        "grounds": "该房屋于上月精装修，询价结果未予考虑，明显低于市场价。",
        "received_report_on": received.isoformat(),
        "submitted_on": received.isoformat(),
    }


def test_an_objection_disputes_the_inquiry_and_opens_an_appraisal(
    court: CourtServer, body: dict[str, Any]
) -> None:
    judge = court.client(Role.JUDGE)
    today = dt.datetime.now(CHINA).date()
    disputed = _value(court, body).json()
    kept = _value(court, {**body, "area_m2": body["area_m2"] + 10}).json()
    filed = judge.post(
        f"/v1/inquiries/{disputed['inquiry']['id']}/objections", json=_objection(today)
    )
    assert filed.status_code == 201, filed.text
    task = filed.json()
    assert task["inquiry_id"] == disputed["inquiry"]["id"]
    assert task["status"] == "待启动"
    assert dt.date.fromisoformat(task["due_on"]) >= today + dt.timedelta(days=3)
    again = judge.post(
        f"/v1/inquiries/{disputed['inquiry']['id']}/objections", json=_objection(today)
    )
    assert again.status_code == 409
    assert judge.post("/v1/inquiries/999999/objections", json=_objection(today)).status_code == 404
    other = _limited_client(court, QuotaOverride())  # another judge: not their inquiry
    assert (
        other.post(f"/v1/inquiries/{kept['inquiry']['id']}/objections", json=_objection(today))
    ).status_code == 403

    mine = judge.get("/v1/objections").json()
    assert task["id"] in [t["id"] for t in mine["items"]]
    listed = next(t for t in mine["items"] if t["id"] == task["id"])
    assert listed["asset"] == f"{body['district']} {body['community']}，{body['area_m2']:g}㎡"
    # A new key of the same judge (a key rotated) still lists and manages the objection.
    second = keyed_client(court.url, issue_key(court.settings, Role.JUDGE, owner="测试judge"))
    assert task["id"] in [t["id"] for t in second.get("/v1/objections").json()["items"]]
    assert task["id"] in [
        t["id"] for t in court.client(Role.AUDITOR).get("/v1/objections").json()["items"]
    ]
    listing = {i["id"]: i for i in judge.get("/v1/inquiries").json()["items"]}
    assert listing[disputed["inquiry"]["id"]]["disputed"] is True
    assert listing[disputed["inquiry"]["id"]]["appraisal_due_on"] == task["due_on"]
    assert listing[kept["inquiry"]["id"]]["disputed"] is False

    def reference(*results: dict[str, Any]) -> dict[str, Any]:
        body = {"case_number": CASE["case_number"], "results": list(results)}
        response = judge.post("/v1/reference-price", json=body)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    def platform(name: str, value: int) -> dict[str, Any]:
        return {"platform": name, "value": str(value), "inquiry_date": today.isoformat()}

    without_ours = reference(
        {"inquiry_id": disputed["inquiry"]["id"]},
        platform("京东拍卖", 1_000_000),
        platform("淘宝拍卖", 1_200_000),
    )
    assert [e["reason"] for e in without_ours["excluded"]] == ["询价报告被提出异议"]
    assert float(without_ours["value"]) == pytest.approx(1_100_000)
    with_ours = reference({"inquiry_id": kept["inquiry"]["id"]}, platform("京东拍卖", 1_000_000))
    assert with_ours["excluded"] == []
    assert float(with_ours["value"]) == pytest.approx((kept["value"] + 1_000_000) / 2, abs=0.01)


def test_a_change_the_ledger_cannot_record_is_not_made(
    court: CourtServer, body: dict[str, Any]
) -> None:
    """An objection and an appraisal step are committed with their ledger entry, or not at
    all: a 503 leaves the court's records as they were, and the judge can simply retry."""
    judge = court.client(Role.JUDGE)
    today = dt.datetime.now(CHINA).date()
    inquiry = _value(court, body).json()["inquiry"]["id"]
    objections = f"/v1/inquiries/{inquiry}/objections"

    def refused(path: str, step: dict[str, Any]) -> int:
        before = _ledger_size(court)
        _refuse_ledger_writes(court.engine, refuse=True)
        try:
            status_code = judge.post(path, json=step).status_code
        finally:
            _refuse_ledger_writes(court.engine, refuse=False)
        assert _ledger_size(court) == before
        return status_code

    def listed() -> dict[str, Any]:
        return {i["id"]: i for i in judge.get("/v1/inquiries").json()["items"]}[inquiry]

    assert refused(objections, _objection(today)) == 503
    assert listed()["disputed"] is False
    filed = judge.post(objections, json=_objection(today))
    assert filed.status_code == 201, filed.text  # not 409: the refused one was never made
    progress = f"/v1/objections/{filed.json()['id']}/progress"
    started = {"status": "已启动", "on": today.isoformat()}
    assert refused(progress, started) == 503
    assert listed()["appraisal_status"] == "待启动"
    assert judge.post(progress, json=started).status_code == 200
    assert listed()["appraisal_status"] == "已启动"
    assert court.client(Role.AUDITOR).get("/v1/ledger/verify").json()["ok"] is True


def test_the_appraisal_is_started_and_done_by_the_judge_and_recorded(
    court: CourtServer, body: dict[str, Any]
) -> None:
    judge = court.client(Role.JUDGE)
    today = dt.datetime.now(CHINA).date()
    inquiry = _value(court, body).json()["inquiry"]["id"]
    task = judge.post(f"/v1/inquiries/{inquiry}/objections", json=_objection(today)).json()
    progress = f"/v1/objections/{task['id']}/progress"

    def listed() -> dict[str, Any]:
        items = {i["id"]: i for i in judge.get("/v1/inquiries").json()["items"]}
        return dict(items[inquiry])

    assert (listed()["appraisal_task_id"], listed()["appraisal_status"]) == (task["id"], "待启动")
    other = _limited_client(court, QuotaOverride())  # another judge: not their objection
    step = {"status": "已启动", "on": today.isoformat(), "note": "委托某某估价公司"}
    assert other.post(progress, json=step).status_code == 403
    assert judge.post("/v1/objections/999999/progress", json=step).status_code == 404
    future = judge.post(progress, json={**step, "on": (today + dt.timedelta(1)).isoformat()})
    assert future.status_code == 422
    assert future.json()["detail"][0]["loc"] == ["body", "on"]
    too_soon = judge.post(progress, json={"status": "已完成", "on": today.isoformat()})
    assert too_soon.status_code == 409
    assert "不能记为「已完成」" in too_soon.json()["detail"]

    size = _ledger_size(court)
    started = judge.post(progress, json=step)
    assert started.status_code == 200, started.text
    assert started.json()["status"] == "已启动"
    assert started.json()["started_in_time"] is True
    assert _ledger_size(court) == size + 1
    entry = court.client(Role.AUDITOR).get("/v1/ledger", params={"limit": 1, "offset": size})
    recorded = entry.json()["items"][0]
    assert recorded["endpoint"] == progress
    assert recorded["inputs"] == {"task_id": task["id"], **step}
    assert recorded["outputs"]["status"] == "已启动"
    assert started.headers["X-Inquiry-Id"] == str(recorded["id"])

    report = judge.get(f"/v1/inquiries/{inquiry}/report.html")
    assert report.status_code == 200
    assert f"委托评估已于 {today.year}年{today.month}月{today.day}日 启动" in report.text
    done = judge.post(
        progress, json={"status": "已完成", "on": today.isoformat(), "appraised_value": "250000"}
    )
    assert done.status_code == 200, done.text
    assert Decimal(done.json()["appraised_value"]) == 250_000
    report = judge.get(f"/v1/inquiries/{inquiry}/report.html").text
    assert "评估价 25.0万元（250,000元）" in report and "17.5万元（175,000元）" in report
    assert (done.json()["closed_on"], listed()["appraisal_status"]) == (today.isoformat(), "已完成")
    final = judge.post(progress, json={"status": "已撤回", "on": today.isoformat()})
    assert final.status_code == 409
    overdue = judge.get("/v1/objections", params={"overdue": "true"}).json()["items"]
    assert task["id"] not in [t["id"] for t in overdue]
    auditor = court.client(Role.AUDITOR)
    metrics = auditor.get("/metrics").text
    states = dict(re.findall(r'^courtval_appraisal_tasks\{state="(\w+)"\} (\S+)$', metrics, re.M))
    listed = auditor.get("/v1/objections", params={"limit": 1}).json()["total"]
    by_status = sum(float(states[s]) for s in ("open", "started", "done", "withdrawn"))
    assert by_status == listed and float(states["done"]) >= 1
    last_year = re.search(r"^courtval_holiday_calendar_last_year (\S+)$", metrics, re.M)
    assert last_year is not None and float(last_year.group(1)) == covered_years()[-1]


def test_a_sale_is_recorded_against_its_inquiry_and_studied(
    court: CourtServer, body: dict[str, Any]
) -> None:
    judge = court.client(Role.JUDGE)
    today = dt.datetime.now(CHINA).date()
    answer = _value(court, body).json()
    path = f"/v1/inquiries/{answer['inquiry']['id']}/sale"
    price = round(answer["value"] * 1.05, 2)
    sale = {"price": f"{price:.2f}", "sold_on": today.isoformat(), "round": "一拍"}

    def refused(change: dict[str, Any]) -> tuple[int, Any]:
        response = judge.post(path, json={**sale, **change})
        return response.status_code, response.json()["detail"][0]["loc"]

    tomorrow, long_ago = today + dt.timedelta(days=1), today - dt.timedelta(days=400)
    assert refused({"sold_on": tomorrow.isoformat()}) == (422, ["body", "sold_on"])
    assert refused({"sold_on": long_ago.isoformat()}) == (422, ["body", "sold_on"])
    assert refused({"price": "0"}) == (422, ["body", "price"])
    assert refused({"round": "三拍"}) == (422, ["body", "round"])
    other = _limited_client(court, QuotaOverride())  # another judge: not their inquiry
    assert other.post(path, json=sale).status_code == 403
    assert judge.post("/v1/inquiries/999999/sale", json=sale).status_code == 404
    study = court.client(Role.AUDITOR).get("/v1/sales/study")
    assert study.status_code == 200 and study.json()["n"] == 0

    theirs = {"platform": "某平台", "value": f"{price * 1.2:.2f}", "inquiry_date": str(today)}
    mine = {"inquiry_id": answer["inquiry"]["id"]}
    reference = {"case_number": body["case_number"], "results": [theirs, mine]}
    assert judge.post("/v1/reference-price", json=reference).status_code == 200
    recorded = judge.post(path, json={**sale, "note": "京东拍卖，竞价 12 次"})
    assert recorded.status_code == 201, recorded.text
    fee = recorded.json()["fee"]  # Art. 31: ours at +/-5%, theirs at +20%
    assert [d["platform"] for d in fee["platforms"]] == ["courtval", "某平台"]
    assert (fee["closest"], fee["ours"], fee["ours_closest"]) == (["courtval"], "courtval", True)
    listed = judge.get("/v1/inquiries", params={"limit": 5}).json()["items"]
    (mine_listed,) = [i for i in listed if i["id"] == answer["inquiry"]["id"]]
    assert mine_listed["sale"]["price"] == f"{price:.2f}"
    assert mine_listed["sale"]["fee"]["closest"] == ["courtval"]
    assert recorded.headers["X-Inquiry-Id"].isdigit()  # the sale's own ledger entry
    got = recorded.json()
    assert (got["kind"], got["estimate"], got["round"]) == ("property", answer["value"], "一拍")
    assert got["ratio"] == pytest.approx(answer["value"] / price)
    assert got["within_interval"] == (
        answer["interval"]["lower"] <= price <= answer["interval"]["upper"]
    )
    again = judge.post(path, json=sale)
    assert again.status_code == 409 and "已登记成交" in again.json()["detail"]
    assert judge.put(path, json=sale).json()["detail"][0]["loc"] == ["body", "reason"]
    fixed = judge.put(path, json={**sale, "price": f"{price + 100:.2f}", "reason": "录入错误"})
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["ratio"] == pytest.approx(answer["value"] / (price + 100))
    correction = court.client(Role.AUDITOR).get(
        "/v1/ledger", params={"case_number": body["case_number"], "limit": 1000}
    )
    (entry,) = [e for e in correction.json()["items"] if e["inputs"].get("reason") == "录入错误"]
    assert entry["endpoint"] == path and entry["outputs"]["price"] == f"{price + 100:.2f}"
    got = fixed.json()

    for role in (Role.JUDGE, Role.AUDITOR, Role.DATA_SCIENTIST):
        study = court.client(role).get("/v1/sales/study", params={"kind": "property"}).json()
        assert study["n"] == 1
        assert study["metrics"]["median_ape"] == pytest.approx(abs(got["ratio"] - 1))
        assert study["fee"] == {"with_reference": 1, "ours_closest": 1, "ours_closest_share": 1.0}
    scrape = court.client(Role.AUDITOR).get("/metrics").text  # for an alert on drift
    assert 'courtval_sales_last_year{kind="property"} 1.0' in scrape
    assert 'courtval_sales_last_year{kind="vehicle"} 0.0' in scrape
    ape = re.search(
        r'^courtval_sales_accuracy_last_year\{figure="median_ape",kind="property"\} (\S+)$',
        scrape,
        re.M,
    )
    assert ape is not None and float(ape.group(1)) == pytest.approx(abs(got["ratio"] - 1))
    assert 'courtval_sales_accuracy_last_year{figure="ours_closest",kind="property"} 1.0' in scrape
    assert court.client(Role.TRIAGE).get("/v1/sales/study").status_code == 403
    vehicles = judge.get("/v1/sales/study", params={"kind": "vehicle"}).json()
    assert (vehicles["n"], vehicles["metrics"]) == (0, None)
    assert judge.get("/v1/sales/study", params={"kind": "boat"}).status_code == 422


def test_a_sale_and_its_correction_file_an_inquiry_without_case_under_the_sales(
    court: CourtServer,
) -> None:
    """An inquiry recorded without 案号 (as older entries are): its sale gives one, and the
    correction's ledger entry is filed under it too, though the correction does not repeat it."""
    created = keys_create(
        court.settings.resolved_database_url, ApiKeyCreate(owner="补号法官", role=Role.JUDGE)
    )
    judge = keyed_client(court.url, created.secret.get_secret_value())
    inquiry = record_inquiry(court.engine, created.key, on=dt.datetime.now(CHINA), case_number=None)
    path, number = f"/v1/inquiries/{inquiry}/sale", "（2025）浙1081执555号"
    today = dt.datetime.now(CHINA).date().isoformat()
    sale = {"price": "260000.00", "sold_on": today, "round": "一拍"}
    recorded = judge.post(path, json={**sale, "case_number": number.replace("（", "(")})
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["case_number"] == number
    fixed = judge.put(path, json={**sale, "price": "261000.00", "reason": "补正价格"})
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["case_number"] == number
    ledger = court.client(Role.AUDITOR).get("/v1/ledger", params={"case_number": number})
    filed = [(e["endpoint"], e["inputs"].get("reason")) for e in ledger.json()["items"]]
    assert filed == [(path, None), (path, "补正价格")]  # the sale, then its correction


def test_a_reload_rereads_the_holiday_file_and_settles_provisional_dates(
    trained: TrainResult,
    session_settings: Settings,
    tmp_path: Path,
    body: dict[str, Any],
) -> None:
    """The server starts with an empty holiday file; an objection is registered in a year the
    calendar lacks (provisional dates); a bad file on reload is kept out; the notice for the
    year on the next reload settles the task (not when the ledger cannot record it), and the
    ledger holds the report."""
    year = covered_years()[-1] + 1
    holidays = tmp_path / "holidays.json"
    holidays.write_text("{}", encoding="utf-8")
    settings = make_settings(
        tmp_path,
        tracking_uri=session_settings.resolved_tracking_uri,
        serve_kinds=("property",),
        holiday_file=holidays,
    )
    judge_key = issue_key(settings, Role.JUDGE)
    scientist = issue_key(settings, Role.DATA_SCIENTIST)
    try:
        with running_server(create_app(settings)) as url:
            judge = keyed_client(url, judge_key)
            admin = keyed_client(url, scientist)
            inquiry = judge.post("/v1/valuations/property", json=body).json()["inquiry"]["id"]
            engine = make_engine(settings.resolved_database_url)
            sessions = session_factory(engine)
            request = ObjectionRequest.model_validate(
                {**_objection(dt.date(year, 1, 5)), "submitted_on": f"{year}-01-08"}
            )
            with sessions() as session:
                (key,) = [k for k in list_keys(session) if k.role is Role.JUDGE]
                # Registered on a day of the unknown year, as the court would in January.
                task = file_objection(session, inquiry, request, key=key, today=dt.date(year, 1, 8))
                session.commit()
            assert task.dates_provisional

            unchanged = admin.post("/v1/admin/reload")
            assert unchanged.status_code == 200, unchanged.text
            assert unchanged.json()["calendar"] | {"known_through": 0} == {
                "holiday_file": str(holidays),
                "outcome": "read",
                "file_years": [],
                "known_through": 0,
                "reason": None,
                "settled": [],
            }
            holidays.write_text(json.dumps({year: {"holidays": [f"{year}-02-30"]}}))
            kept = admin.post("/v1/admin/reload").json()["calendar"]
            assert (kept["outcome"], kept["file_years"], kept["settled"]) == ("kept", [], [])
            assert f"'{year}-02-30'" in kept["reason"]

            holidays.write_text(json.dumps({year: {"holidays": [f"{year}-01-01"]}}))
            _refuse_ledger_writes(engine, refuse=True)
            try:  # a reload the ledger cannot record settles nothing
                assert admin.post("/v1/admin/reload").status_code == 503
            finally:
                _refuse_ledger_writes(engine, refuse=False)
            assert [
                t["dates_provisional"] for t in judge.get("/v1/objections").json()["items"]
            ] == [True]
            reloaded = admin.post("/v1/admin/reload")
            calendar = reloaded.json()["calendar"]
            assert (calendar["outcome"], calendar["file_years"]) == ("read", [year])
            assert calendar["known_through"] == year
            (settled,) = calendar["settled"]
            assert (settled["task_id"], settled["inquiry_id"]) == (task.id, inquiry)
            assert settled["provisional_due_on"] == f"{year}-01-11"
            tasks = judge.get("/v1/objections").json()["items"]
            assert [t["dates_provisional"] for t in tasks] == [False]
            assert tasks[0]["due_on"] == settled["settled"]["due_on"]
            ledger = keyed_client(url, issue_key(settings, Role.AUDITOR)).get(
                "/v1/ledger", params={"user": "测试data_scientist"}
            )
            assert ledger.json()["items"][-1]["outputs"]["calendar"]["settled"] == [settled]
            engine.dispose()
    finally:
        supplement_calendar({})


def test_numbers_past_the_database_limits_are_422(court: CourtServer) -> None:
    judge, auditor = court.client(Role.JUDGE), court.client(Role.AUDITOR)
    huge = 2**63  # one past the database's integer (a 500 before)
    today = dt.datetime.now(CHINA).date()
    answers = {
        "report": judge.get(f"/v1/inquiries/{huge}/report.html"),
        "reports": judge.get("/v1/inquiries/reports.zip", params={"first": 1, "last": huge}),
        "objection": judge.post(f"/v1/inquiries/{huge}/objections", json=_objection(today)),
        "inquiries": judge.get("/v1/inquiries", params={"offset": huge}),
        "objections": judge.get("/v1/objections", params={"offset": huge}),
        "ledger": auditor.get("/v1/ledger", params={"offset": huge}),
    }
    assert {name: a.status_code for name, a in answers.items()} == dict.fromkeys(answers, 422)

    def reference(result: dict[str, Any]) -> httpx.Response:
        return judge.post(
            "/v1/reference-price", json={"case_number": CASE["case_number"], "results": [result]}
        )

    ours = reference({"inquiry_id": huge})
    assert ours.status_code == 422, ours.text
    assert ours.json()["detail"][0]["loc"][-1] == "inquiry_id"
    # 1e30 yuan to the fen is past decimal's 28 digits (a 500 before)
    theirs = reference({"platform": "京东拍卖", "value": "1e30", "inquiry_date": today.isoformat()})
    assert theirs.status_code == 422, theirs.text
    assert theirs.json()["detail"][0]["loc"][-1] == "value"


def test_the_report_pdf_has_the_required_sections(court: CourtServer, body: dict[str, Any]) -> None:
    judge = court.client(Role.JUDGE)
    inquiry = _value(court, body).json()["inquiry"]
    response = judge.get(f"/v1/inquiries/{inquiry['id']}/report.pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    pdf_text = "\n".join(page.extract_text() for page in reader.pages).replace("\n", "")
    missing = [h for h in (*HEADINGS, CASE["case_number"]) if h not in pdf_text]
    assert missing == []
    assert inquiry["entry_hash"][:16] in pdf_text
    html = judge.get(f"/v1/inquiries/{inquiry['id']}/report.html")
    assert html.status_code == 200
    assert inquiry["entry_hash"] in html.text
    other = _limited_client(court, QuotaOverride())
    assert other.get(f"/v1/inquiries/{inquiry['id']}/report.pdf").status_code == 403
    # the download itself is recorded
    downloads = court.client(Role.AUDITOR).get(
        "/v1/ledger", params={"case_number": CASE["case_number"], "limit": 1000}
    )
    endpoints = [e["endpoint"] for e in downloads.json()["items"]]
    assert f"/v1/inquiries/{inquiry['id']}/report.pdf" in endpoints


# --- inquiry batches: each item an inquiry of its own ----------------------------------------

BATCH_INQUIRIES = "/v1/valuations/property/batch-inquiries"


def _inquiry_batch(body: dict[str, Any], areas: list[float]) -> dict[str, Any]:
    return batch_body([{**body, "area_m2": area} for area in areas])


def test_each_item_of_an_inquiry_batch_is_an_inquiry_of_its_own(
    court: CourtServer, body: dict[str, Any]
) -> None:
    judge, auditor = court.client(Role.JUDGE), court.client(Role.AUDITOR)
    today = dt.datetime.now(CHINA).date()
    areas = [body["area_m2"], body["area_m2"] + 15, body["area_m2"] + 30]
    before = _ledger_size(court)
    number = "（2025）浙1081执88号"
    batch = {**_inquiry_batch(body, areas), "case_number": number}
    response = judge.post(BATCH_INQUIRIES, json=batch)
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    ids = [item["inquiry"]["id"] for item in items]
    assert ids == list(range(ids[0], ids[0] + 3)) and _ledger_size(court) == before + 3
    # each is the single inquiry's full answer for the same facts
    single = _value(court, {**body, "area_m2": areas[1]}).json()
    assert items[1]["value"] == single["value"]
    assert items[1]["rule_based"] == single["rule_based"]
    assert len(items[1]["comparables"]) == len(single["comparables"]) > 0
    assert items[1]["contributions"] == single["contributions"]
    assert items[1]["inquiry"]["first_auction_start"] == single["inquiry"]["first_auction_start"]

    recorded = auditor.get("/v1/ledger", params={"case_number": number, "limit": 100}).json()
    entries = {e["id"]: e for e in recorded["items"]}
    assert sorted(entries) == ids
    for position, (item, area) in enumerate(zip(items, areas, strict=True), start=1):
        entry = entries[item["inquiry"]["id"]]
        assert entry["endpoint"] == BATCH_INQUIRIES
        assert entry["entry_hash"] == item["inquiry"]["entry_hash"]
        assert (entry["inputs"]["area_m2"], entry["inputs"]["batch_position"]) == (area, position)
        assert entry["outputs"]["value"] == item["value"]
        report = judge.get(f"/v1/inquiries/{item['inquiry']['id']}/report.html")
        assert report.status_code == 200, report.text
        assert f"<td>{area:,.2f}㎡</td>" in report.text
        assert item["inquiry"]["entry_hash"] in report.text

    objected = judge.post(f"/v1/inquiries/{ids[2]}/objections", json=_objection(today))
    assert objected.status_code == 201, objected.text
    listed = {i["id"]: i for i in judge.get("/v1/inquiries", params={"limit": 10}).json()["items"]}
    assert [listed[i]["disputed"] for i in ids] == [False, False, True]
    assert {listed[i]["kind"] for i in ids} == {"property"}
    assert [listed[i]["value"] for i in ids] == [item["value"] for item in items]
    sale = {"price": f"{items[0]['value']:.2f}", "sold_on": today.isoformat(), "round": "一拍"}
    sold = judge.post(f"/v1/inquiries/{ids[0]}/sale", json=sale)
    assert sold.status_code == 201, sold.text
    assert (sold.json()["kind"], sold.json()["estimate"]) == ("property", items[0]["value"])
    assert auditor.get("/v1/ledger/verify").json()["ok"] is True
    _the_batch_reports_in_one_zip(court, ids, number)


def _the_batch_reports_in_one_zip(court: CourtServer, ids: list[int], number: str) -> None:
    judge, auditor = court.client(Role.JUDGE), court.client(Role.AUDITOR)
    zipped = judge.get("/v1/inquiries/reports.zip", params={"first": ids[0], "last": ids[-1]})
    assert zipped.status_code == 200, zipped.text
    assert zipped.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    assert sorted(files) == [f"inquiry-{i}.pdf" for i in ids]
    for inquiry_id in ids:
        reader = pypdf.PdfReader(io.BytesIO(files[f"inquiry-{inquiry_id}.pdf"]))
        pdf_text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
        assert f"台账记录 {inquiry_id} · 第1页" in pdf_text  # each file its own inquiry's report
    (download,) = [
        e
        for e in auditor.get("/v1/ledger", params={"case_number": number, "limit": 100}).json()[
            "items"
        ]
        if e["endpoint"] == "/v1/inquiries/reports.zip"
    ]
    assert download["outputs"]["reports"] == [
        {"inquiry_id": i, "sha256": hashlib.sha256(files[f"inquiry-{i}.pdf"]).hexdigest()}
        for i in ids
    ]
    assert download["outputs"]["sha256"] == hashlib.sha256(zipped.content).hexdigest()
    html = judge.get(
        "/v1/inquiries/reports.zip", params={"first": ids[0], "last": ids[0], "format": "html"}
    )
    with zipfile.ZipFile(io.BytesIO(html.content)) as archive:
        assert archive.namelist() == [f"inquiry-{ids[0]}.html"]
    half_width = number.replace("（", "(").replace("）", ")")  # as a judge may type it
    by_case = judge.get("/v1/inquiries/reports.zip", params={"case_number": half_width})
    with zipfile.ZipFile(io.BytesIO(by_case.content)) as archive:
        assert archive.namelist() == [f"inquiry-{i}.pdf" for i in ids]
    listed = judge.get("/v1/inquiries", params={"case_number": half_width}).json()
    assert (listed["total"], [i["id"] for i in listed["items"]]) == (3, ids[::-1])
    other = _limited_client(court, QuotaOverride())  # none of them is theirs
    mine_only = other.get("/v1/inquiries/reports.zip", params={"first": ids[0], "last": ids[-1]})
    assert mine_only.status_code == 404
    assert other.get("/v1/inquiries", params={"case_number": number}).json()["total"] == 0
    limit = court.settings.reports_per_zip
    for params, field in (
        ({"first": ids[1], "last": ids[0]}, "last"),
        ({"first": 1, "last": limit + 1}, "last"),
        ({"first": ids[0]}, "last"),
        ({}, "case_number"),
    ):
        refused = judge.get("/v1/inquiries/reports.zip", params=params)
        assert refused.status_code == 422, params
        assert refused.json()["detail"][0]["loc"][-1] == field, params


def test_an_inquiry_batch_is_refused_whole(court: CourtServer, body: dict[str, Any]) -> None:
    """Bad input, a batch past its limit, a day without room for every item, a ledger that
    cannot be written: nothing is valued or recorded."""
    client = _limited_client(court, QuotaOverride(requests_per_day=3))
    before = _ledger_size(court)
    bad = _inquiry_batch(body, [body["area_m2"], -5.0])
    invalid = client.post(BATCH_INQUIRIES, json=bad)
    assert invalid.status_code == 422
    assert invalid.json()["detail"][0]["loc"] == ["body", "items", 1, "area_m2"]
    too_many = _inquiry_batch(body, [body["area_m2"]] * (court.settings.inquiry_batch_limit + 1))
    over = client.post(BATCH_INQUIRIES, json=too_many)
    assert over.status_code == 422 and over.json()["detail"][0]["loc"] == ["body", "items"]
    assert _ledger_size(court) == before
    # the two refused requests used two of the day's three: a batch of two has no room
    refused = client.post(BATCH_INQUIRIES, json=_inquiry_batch(body, [body["area_m2"]] * 2))
    assert refused.status_code == 429 and refused.headers["X-Quota-Limit"] == "per_day"
    assert _ledger_size(court) == before

    _refuse_ledger_writes(court.engine, refuse=True)
    try:
        judge = court.client(Role.JUDGE)
        failed = judge.post(BATCH_INQUIRIES, json=_inquiry_batch(body, [body["area_m2"]] * 3))
        assert failed.status_code == 503 and "ledger" in failed.json()["detail"]
        assert _ledger_size(court) == before
    finally:
        _refuse_ledger_writes(court.engine, refuse=False)
