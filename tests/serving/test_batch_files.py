"""Batch files: their rows become requests (Chinese headers, 是/否, dates), bad cells are named,
and the job book runs them one at a time for the key that asked."""

from __future__ import annotations

import threading
import time
from typing import Any

import pandas as pd
import pytest
from fastapi.exceptions import RequestValidationError

from models.errors import InvalidInputError
from models.labels import PROPERTY_LABELS
from models.property.schemas import PropertyRequest
from serving.batch_files import KINDS, file_requests, inquiry_context, template_table
from serving.jobs import Job, JobBook, JobNotFoundError

SPEC = KINDS["property"]


def _row(**changes: Any) -> dict[str, Any]:
    row = {
        "街道/镇": "太平街道",
        "小区": "锦园小区",
        "物业类型": "住宅",
        "建筑面积（㎡）": 89.5,
        "总楼层": 18,
        "所在楼层": 6,
        "朝向": "南",
        "电梯": "有",
        "装修": "简装",
        "估价时点": pd.Timestamp("2026-10-15"),
        "建成年份": 2012,
        "备注": "一楼商铺除外",
    }
    return {**row, **changes}


def test_chinese_headers_yes_no_and_dates_become_requests() -> None:
    frame = pd.DataFrame([_row(), _row(电梯="否", 房间数=3)])
    first, second = file_requests(frame, SPEC, limit=10)
    assert isinstance(first, PropertyRequest)
    assert first.elevator is True and second.elevator is False
    assert first.rooms == 0 and second.rooms == 3  # a blank cell takes the default
    assert str(first.valuation_date) == "2026-10-15"


def test_english_field_names_work_too() -> None:
    frame = pd.DataFrame([_row()]).rename(columns={v: k for k, v in PROPERTY_LABELS.items()})
    assert len(file_requests(frame, SPEC, limit=10)) == 1


def test_a_bad_cell_is_named_by_row_and_field() -> None:
    frame = pd.DataFrame([_row(), _row(), _row(**{"建筑面积（㎡）": -1})])
    with pytest.raises(RequestValidationError) as caught:
        file_requests(frame, SPEC, limit=10)
    (error,) = caught.value.errors()
    assert error["loc"] == ("body", "file", 2, "area_m2")


def test_missing_columns_are_listed_by_label() -> None:
    frame = pd.DataFrame([_row()]).drop(columns=["小区", "朝向"])
    with pytest.raises(InvalidInputError, match="缺少列：小区、朝向"):
        file_requests(frame, SPEC, limit=10)


@pytest.mark.parametrize(("rows", "match"), [(0, "没有数据行"), (3, "每批至多 2 行")])
def test_empty_or_oversized_files_are_refused(rows: int, match: str) -> None:
    frame = pd.DataFrame([_row()] * rows, columns=list(_row()))
    with pytest.raises(InvalidInputError, match=match):
        file_requests(frame, SPEC, limit=2)


def test_the_case_number_of_a_batch_is_checked() -> None:
    assert inquiry_context("(2024)浙1081执1234号", "确定财产处置参考价").case_number.startswith(
        "（"
    )
    with pytest.raises(RequestValidationError) as caught:
        inquiry_context("浙执1号", "确定财产处置参考价")
    assert caught.value.errors()[0]["loc"] == ("body", "case_number")


def test_the_template_has_every_field_by_its_label() -> None:
    assert list(template_table(SPEC).columns) == [
        PROPERTY_LABELS[name] for name in PropertyRequest.model_fields
    ]


def _wait(job: Job) -> None:
    deadline = time.monotonic() + 10
    while job.public().status == "running" and time.monotonic() < deadline:
        time.sleep(0.01)


def test_a_job_reports_progress_and_its_result_to_its_key_only() -> None:
    book = JobBook(ttl_seconds=60)
    gate = threading.Event()

    def work(job: Job) -> tuple[str, int]:
        job.advance(5)
        gate.wait(5)
        return "table", 42

    job = book.start("property", key_id=1, total=10, work=work)
    time.sleep(0.05)
    assert book.get(job.id, 1).public().done == 5
    gate.set()
    _wait(job)
    public = book.get(job.id, 1).public()
    assert (public.status, public.done, public.inquiry_id) == ("done", 10, 42)
    with pytest.raises(JobNotFoundError):
        book.get(job.id, 2)
    book.close()


def test_a_failing_job_says_why_and_the_worker_goes_on() -> None:
    book = JobBook(ttl_seconds=60)

    def broken(job: Job) -> tuple[str, int]:
        raise InvalidInputError("file", "账本不可写 / ledger down")

    failed = book.start("property", 1, 1, broken)
    _wait(failed)
    assert failed.public().status == "failed" and "账本不可写" in (failed.public().error or "")
    fine = book.start("property", 1, 1, lambda job: ("ok", 1))
    _wait(fine)
    assert fine.public().status == "done"
    book.close()


def test_finished_jobs_expire() -> None:
    book = JobBook(ttl_seconds=0)
    job = book.start("property", 1, 1, lambda j: ("ok", 1))
    _wait(job)
    book.start("property", 1, 1, lambda j: ("ok", 2))  # starting a job sweeps old ones
    with pytest.raises(JobNotFoundError):
        book.get(job.id, 1)
    book.close()
