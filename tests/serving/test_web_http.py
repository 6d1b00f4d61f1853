"""The web page's side of the API over real HTTP: sign-in sessions (cookie + anti-forgery
token), batch files as jobs, and ranking queue files."""

from __future__ import annotations

import io
import re
import time
from typing import Any

import httpx
import openpyxl
import pandas as pd
import pytest

from courtval.bench_triage import request_table
from models.labels import PROPERTY_LABELS
from models.property.schemas import PropertyRequest
from models.settings import Settings
from serving.court import ApiKeyCreate, Role
from serving.court.admin import keys_create, keys_revoke
from serving.web.pages import PAGES
from tests.conftest import CASE, auth, keyed_client

CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def signed_in(base_url: str, secret: str) -> tuple[httpx.Client, str]:
    """A browser-like client signed in with ``secret``, and the page's anti-forgery token."""
    client = httpx.Client(base_url=base_url, timeout=60)
    answer = client.post("/signin", data={"api_key": secret}, follow_redirects=True)
    assert answer.status_code == 200, answer.text
    token = CSRF.search(answer.text)
    assert token is not None
    return client, token.group(1)


@pytest.fixture
def inquiry(flat: PropertyRequest) -> dict[str, Any]:
    return {**CASE, **flat.model_dump(mode="json")}


def test_pages_need_a_session_and_forbid_inline_scripts(live_server: str) -> None:
    page = httpx.get(live_server + "/property")
    assert page.status_code == 303 and page.headers["location"] == "/"
    sign_in_page = httpx.get(live_server + "/")
    assert "script-src 'self'" in sign_in_page.headers["content-security-policy"]
    assert "<script>" not in sign_in_page.text


@pytest.mark.parametrize("role", list(Role))
def test_every_page_renders_for_every_role(
    live_server: str, keys: dict[Role, str], role: Role
) -> None:
    """Each role gets each page or the Chinese 403 page, never an error: the templates are
    strict, so a name a page was not given would be a 500 here, not an empty attribute."""
    client, _ = signed_in(live_server, keys[role])
    for page in PAGES:
        answer = client.get(page.path)
        expected = 200 if role in page.roles else 403
        assert answer.status_code == expected, (page.path, answer.text[:300])
        assert "<title>" in answer.text and "执行询价与案件分流" in answer.text
    signed_out = httpx.get(live_server + "/")
    assert signed_out.status_code == 200 and "API 密钥" in signed_out.text


def test_a_wrong_key_does_not_sign_in(live_server: str) -> None:
    answer = httpx.post(live_server + "/signin", data={"api_key": "cv_wrong"})
    assert answer.status_code == 401 and "密钥无效" in answer.text
    assert "courtval_session" not in answer.headers.get("set-cookie", "")


def test_the_session_cookie_is_http_only_and_strict(
    live_server: str, keys: dict[Role, str]
) -> None:
    answer = httpx.post(live_server + "/signin", data={"api_key": keys[Role.JUDGE]})
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert keys[Role.JUDGE].lower() not in cookie


def test_a_session_posts_only_with_its_token(
    live_server: str, keys: dict[Role, str], inquiry: dict[str, Any]
) -> None:
    client, token = signed_in(live_server, keys[Role.JUDGE])
    url = "/v1/valuations/property"
    assert client.post(url, json=inquiry).status_code == 403
    assert client.post(url, json=inquiry, headers={"X-CSRF-Token": "x" + token}).status_code == 403
    answer = client.post(url, json=inquiry, headers={"X-CSRF-Token": token})
    assert answer.status_code == 200, answer.text
    assert client.get("/v1/inquiries").status_code == 200  # reading needs no token


def test_a_revoked_key_ends_its_sessions(
    live_server: str, session_settings: Settings, inquiry: dict[str, Any]
) -> None:
    created = keys_create(
        session_settings.resolved_database_url, ApiKeyCreate(owner="将离任法官", role=Role.JUDGE)
    )
    client, _ = signed_in(live_server, created.secret.get_secret_value())
    assert client.get("/v1/inquiries").status_code == 200
    keys_revoke(session_settings.resolved_database_url, created.key.id)
    time.sleep(session_settings.key_cache_seconds + 0.2)
    assert client.get("/v1/inquiries").status_code == 401
    assert client.get("/property").status_code == 303


def test_a_judge_session_cannot_rank_cases(live_server: str, keys: dict[Role, str]) -> None:
    client, token = signed_in(live_server, keys[Role.JUDGE])
    answer = client.post(
        "/v1/cases/rank-file", data={"queue": "x"}, headers={"X-CSRF-Token": token}
    )
    assert answer.status_code == 403


#: A 小区 no training sale had (the results' 提示 column says so).
NEW_COMMUNITY = "新建未售小区"


def _batch_csv(clean_property_data: pd.DataFrame, rows: int, unseen_row: int = -1) -> bytes:
    sample = clean_property_data.head(rows)
    table = sample[[c for c in PROPERTY_LABELS if c in sample]].rename(columns=PROPERTY_LABELS)
    table["估价时点"] = "2026-10-15"
    if unseen_row >= 0:
        table.iloc[unseen_row, table.columns.get_loc("小区")] = NEW_COMMUNITY
    return table.to_csv(index=False).encode("gbk")


def _unseen_rows(table: pd.DataFrame) -> list[int]:
    """The rows whose 提示 says their 小区 is not in the sales."""
    notes = table["提示"]
    assert notes.dropna().str.startswith("小区不在成交数据中").all()
    return [int(i) for i in notes.index[notes.notna()]]


def _job(client: httpx.Client, job: dict[str, Any]) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while job["status"] == "running" and time.monotonic() < deadline:
        time.sleep(0.1)
        job = client.get(f"/v1/jobs/{job['id']}").json()
    return job


def test_a_batch_file_runs_as_a_job_with_its_ledger_entry(
    live_server: str, keys: dict[Role, str], clean_property_data: pd.DataFrame
) -> None:
    judge = keyed_client(live_server, keys[Role.JUDGE])
    files = {"file": ("批量.csv", _batch_csv(clean_property_data, 700, 5), "text/csv")}
    started = judge.post("/v1/valuations/property/batch-file", data=CASE, files=files)
    assert started.status_code == 202, started.text
    job = _job(judge, started.json())
    assert (job["status"], job["done"], job["total"]) == ("done", 700, 700)
    result = judge.get(f"/v1/jobs/{job['id']}/result", params={"format": "csv"})
    table = pd.read_csv(io.BytesIO(result.content))
    assert len(table) == 700 and (table["询价结果（元）"] > 0).all()
    assert set(table["询价台账编号"]) == {job["inquiry_id"]}
    assert _unseen_rows(table) == [5]
    check = table["可比案例比准价格（元）"]  # the market comparison check per row
    checked = check.notna()
    assert checked.mean() > 0.9 and (check[checked] > 0).all()
    inside = check.between(table["区间下限（元）"], table["区间上限（元）"])
    expected = inside.map({True: "是", False: "否（宜结合可比案例分析差异原因）"})
    assert (table.loc[checked, "比准价格在区间内"] == expected[checked]).all()
    assert (table.loc[checked, "比准价格在区间内"] == "是").mean() > 0.8
    stranger = httpx.get(live_server + f"/v1/jobs/{job['id']}", headers=auth(keys[Role.AUDITOR]))
    assert stranger.status_code == 403


def test_each_row_of_a_batch_file_may_be_an_inquiry_of_its_own(
    live_server: str, keys: dict[Role, str], clean_property_data: pd.DataFrame
) -> None:
    judge = keyed_client(live_server, keys[Role.JUDGE])
    separate = {**CASE, "case_number": "（2025）浙1081执321号", "separate_inquiries": "true"}
    files = {"file": ("逐项.csv", _batch_csv(clean_property_data, 3, 1), "text/csv")}
    started = judge.post("/v1/valuations/property/batch-file", data=separate, files=files)
    assert started.status_code == 202, started.text
    job = _job(judge, started.json())
    assert (job["status"], job["done"]) == ("done", 3), job
    result = judge.get(f"/v1/jobs/{job['id']}/result", params={"format": "csv"})
    table = pd.read_csv(io.BytesIO(result.content))
    ids = table["询价编号"].tolist()
    assert ids == list(range(job["inquiry_id"], job["inquiry_id"] + 3))
    assert "询价台账编号" not in table
    assert _unseen_rows(table) == [1]
    assert "本案此前同一财产询价编号" not in table  # no row names its asset
    auditor = keyed_client(live_server, keys[Role.AUDITOR])
    ledger = auditor.get("/v1/ledger", params={"case_number": separate["case_number"]}).json()
    entries = {e["id"]: e for e in ledger["items"]}
    assert sorted(entries) == ids
    for position, inquiry_id in enumerate(ids, start=1):
        entry = entries[inquiry_id]
        assert entry["endpoint"] == "/v1/valuations/property/batch-file/inquiries"
        assert (entry["inputs"]["batch_position"], entry["inputs"]["file"]) == (
            position,
            "逐项.csv",
        )
        assert round(entry["outputs"]["value"], 2) == table.loc[position - 1, "询价结果（元）"]
        report = judge.get(f"/v1/inquiries/{inquiry_id}/report.html")
        assert report.status_code == 200 and entry["entry_hash"] in report.text
    over = _batch_csv(clean_property_data, 1_001)  # past COURTVAL_INQUIRY_BATCH_LIMIT
    refused = judge.post(
        "/v1/valuations/property/batch-file",
        data=separate,
        files={"file": ("多.csv", over, "text/csv")},
    )
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "file"]


def test_a_file_row_repeating_an_asset_names_the_earlier_inquiry(
    live_server: str, keys: dict[Role, str], clean_property_data: pd.DataFrame
) -> None:
    """Two rows of one flat (the same 不动产权证号) in a file of separate inquiries."""
    table = pd.read_csv(io.BytesIO(_batch_csv(clean_property_data, 3)), encoding="gbk")
    table["不动产权证号"] = [
        "浙（2022）温岭市不动产权第0090001号",
        "",
        "浙(2022)温岭市不动产权第0090001号",
    ]
    judge = keyed_client(live_server, keys[Role.JUDGE])
    separate = {**CASE, "case_number": "（2025）浙1081执322号", "separate_inquiries": "true"}
    files = {"file": ("重复.csv", table.to_csv(index=False).encode(), "text/csv")}
    job = _job(
        judge, judge.post("/v1/valuations/property/batch-file", data=separate, files=files).json()
    )
    assert job["status"] == "done", job
    result = judge.get(f"/v1/jobs/{job['id']}/result", params={"format": "csv"})
    answered = pd.read_csv(io.BytesIO(result.content), dtype={"本案此前同一财产询价编号": str})
    earlier = answered["本案此前同一财产询价编号"]
    assert earlier.isna().tolist() == [True, True, False]
    assert earlier[2] == str(job["inquiry_id"])  # the first row's inquiry


def test_a_file_of_addresses_alone_is_read_into_the_facts(
    live_server: str, keys: dict[Role, str], clean_property_data: pd.DataFrame
) -> None:
    """A seizure list gives the 坐落, not the 街道/镇, 小区 and floor: they are read from it,
    shown in columns of their own, and a row whose 坐落 does not state them is named."""
    table = pd.read_csv(io.BytesIO(_batch_csv(clean_property_data, 3)), encoding="gbk")
    sample = clean_property_data.head(3).reset_index(drop=True)
    table["坐落"] = [
        f"温岭市{d}{c}2幢{f}01室"
        for d, c, f in zip(sample["district"], sample["community"], sample["floor"], strict=True)
    ]
    plain = table.drop(columns=["街道/镇", "小区", "所在楼层"])
    judge = keyed_client(live_server, keys[Role.JUDGE])
    files = {"file": ("坐落.csv", plain.to_csv(index=False).encode(), "text/csv")}
    started = judge.post("/v1/valuations/property/batch-file", data=CASE, files=files)
    assert started.status_code == 202, started.text
    job = _job(judge, started.json())
    assert job["status"] == "done", job
    result = judge.get(f"/v1/jobs/{job['id']}/result", params={"format": "csv"})
    answered = pd.read_csv(io.BytesIO(result.content))
    assert answered["街道/镇（据坐落识别）"].tolist() == sample["district"].tolist()
    assert answered["小区（据坐落识别）"].tolist() == sample["community"].tolist()
    assert answered["所在楼层（据坐落识别）"].tolist() == sample["floor"].tolist()
    # The same values typed into their own columns give the same answers.
    typed = judge.post(
        "/v1/valuations/property/batch-file",
        data=CASE,
        files={"file": ("列.csv", table.to_csv(index=False).encode(), "text/csv")},
    )
    same = pd.read_csv(
        io.BytesIO(
            judge.get(
                f"/v1/jobs/{_job(judge, typed.json())['id']}/result", params={"format": "csv"}
            ).content
        )
    )
    assert same["询价结果（元）"].tolist() == answered["询价结果（元）"].tolist()
    assert "街道/镇（据坐落识别）" not in same
    # A 坐落 that names no floor: the row and the field are named.
    plain.loc[1, "坐落"] = f"温岭市{sample['district'][1]}{sample['community'][1]}"
    files = {"file": ("坐落.csv", plain.to_csv(index=False).encode(), "text/csv")}
    refused = judge.post("/v1/valuations/property/batch-file", data=CASE, files=files)
    assert refused.status_code == 422
    assert [e["loc"] for e in refused.json()["detail"]] == [["body", "file", 1, "floor"]]


def test_a_result_file_holds_no_formula_from_the_upload(
    live_server: str, keys: dict[Role, str], clean_property_data: pd.DataFrame
) -> None:
    """A cell or column of the upload written as a formula comes back as text."""
    table = pd.read_csv(io.BytesIO(_batch_csv(clean_property_data, 2)), encoding="gbk")
    table["小区"] = table["小区"].iloc[0]  # a known community, so the row is valued
    table['=HYPERLINK("http://x")'] = ["=1+1", "@SUM(1)"]
    judge = keyed_client(live_server, keys[Role.JUDGE])
    files = {"file": ("b.csv", table.to_csv(index=False).encode(), "text/csv")}
    started = judge.post("/v1/valuations/property/batch-file", data=CASE, files=files)
    job = _job(judge, started.json())
    assert job["status"] == "done", job
    result = judge.get(f"/v1/jobs/{job['id']}/result", params={"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(result.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert {'\'=HYPERLINK("http://x")', "'=1+1", "'@SUM(1)"} <= texts


def test_a_job_is_the_asking_keys_only(
    live_server: str,
    session_settings: Settings,
    keys: dict[Role, str],
    clean_property_data: pd.DataFrame,
) -> None:
    judge = keyed_client(live_server, keys[Role.JUDGE])
    files = {"file": ("b.csv", _batch_csv(clean_property_data, 5), "text/csv")}
    job = judge.post("/v1/valuations/property/batch-file", data=CASE, files=files).json()
    other = keys_create(
        session_settings.resolved_database_url, ApiKeyCreate(owner="另一法官", role=Role.JUDGE)
    )
    colleague = keyed_client(live_server, other.secret.get_secret_value())
    assert colleague.get(f"/v1/jobs/{job['id']}").status_code == 404


@pytest.mark.parametrize(
    ("content", "name", "field", "text"),
    [
        (b"a,b\n1,2\n", "x.csv", "file", "缺少列"),
        (b"\x00\x01", "x.xlsx", "file", "无法读取文件"),
        (b"PK\x03\x04 a damaged zip", "x.xlsx", "file", "无法读取文件"),  # was a 500
        (b"x", "x.doc", "file", "无法读取文件"),
    ],
)
def test_a_bad_batch_file_is_a_422_in_chinese(
    live_server: str, keys: dict[Role, str], content: bytes, name: str, field: str, text: str
) -> None:
    judge = keyed_client(live_server, keys[Role.JUDGE])
    answer = judge.post(
        "/v1/valuations/property/batch-file", data=CASE, files={"file": (name, content)}
    )
    assert answer.status_code == 422
    (error,) = answer.json()["detail"]
    assert error["loc"][:2] == ["body", field] and text in error["msg_zh"]


def test_a_batch_file_needs_its_case_number(live_server: str, keys: dict[Role, str]) -> None:
    judge = keyed_client(live_server, keys[Role.JUDGE])
    answer = judge.post(
        "/v1/valuations/property/batch-file",
        data={"purpose": "确定财产处置参考价"},
        files={"file": ("x.csv", b"a\n1\n")},
    )
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "case_number"]


def test_the_template_has_the_chinese_headers(live_server: str, keys: dict[Role, str]) -> None:
    answer = keyed_client(live_server, keys[Role.JUDGE]).get(
        "/v1/valuations/property/batch-template.csv"
    )
    assert answer.status_code == 200
    assert (
        answer.content.decode("utf-8-sig")
        .splitlines()[0]
        .startswith("坐落,不动产权证号,街道/镇,小区")
    )


def test_a_queue_file_is_ranked_and_a_bad_record_named(
    live_server: str, keys: dict[Role, str], case_data: pd.DataFrame
) -> None:
    triage = keyed_client(live_server, keys[Role.TRIAGE])
    queue = request_table(case_data.tail(50)).reset_index(drop=True)
    good = {"file": ("q.csv", queue.to_csv(index=False).encode())}
    ranked = triage.post("/v1/cases/rank-file", files=good, data={"as_of": "2026-06-30"})
    assert ranked.status_code == 200, ranked.text
    assert len(ranked.json()["items"]) == 50 and "X-Inquiry-Id" in ranked.headers
    queue.loc[7, "amount_due"] = -1
    bad = {"file": ("q.csv", queue.to_csv(index=False).encode())}
    refused = triage.post("/v1/cases/rank-file", files=bad)
    assert refused.status_code == 422
    (error,) = refused.json()["detail"]
    assert error["loc"] == ["body", "file", 7, "amount_due"]
    assert error["msg_zh"].startswith("数据第 8 行（表格第 9 行）")


@pytest.mark.parametrize("name", ["../secrets/session.key", "none.csv", ""])
def test_only_listed_queue_files_can_be_named(
    live_server: str, keys: dict[Role, str], name: str
) -> None:
    triage = keyed_client(live_server, keys[Role.TRIAGE])
    answer = triage.post("/v1/cases/rank-file", data={"queue": name})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "queue"]
