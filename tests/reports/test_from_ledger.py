"""The report is built from the inquiry's ledger entry: property and vehicle entries, not others."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import HTTPException
from pydantic import BaseModel

from serving.court.errors import InquiryUnreadableError
from serving.court.objections import PROPERTY_VALUATION_ENDPOINT, VEHICLE_VALUATION_ENDPOINT
from serving.court.tables import LedgerEntryRow
from serving.reports import InquiryReport, VehicleReport
from serving.routers.reports import _Read, _report
from tests.reports.sample import CASE_NUMBER, LEDGER_HASH, sample_report
from tests.reports.vehicle_sample import sample_vehicle_report

PURPOSE = "确定财产处置参考价"


def _entry(endpoint: str, request: BaseModel, outputs: dict[str, Any]) -> LedgerEntryRow:
    """An entry as the ledger stores an answered inquiry: inputs = case + the asset's facts."""
    return LedgerEntryRow(
        id=7,
        created_at=dt.datetime(2024, 6, 30, 17, 0, tzinfo=dt.UTC),  # 1 July in China
        user_name="王法官",
        case_number=CASE_NUMBER,
        purpose=PURPOSE,
        endpoint=endpoint,
        inputs={"case_number": CASE_NUMBER, "purpose": PURPOSE, **request.model_dump(mode="json")},
        outputs=outputs,
        entry_hash=LEDGER_HASH,
    )


def _reported(entry: LedgerEntryRow) -> InquiryReport:
    """The entry's report, with no objection, earlier inquiry or curve."""
    return _report(_Read(entry, None, [], None), None)


@pytest.mark.parametrize(
    ("endpoint", "sample"),
    [
        (PROPERTY_VALUATION_ENDPOINT, sample_report),
        (VEHICLE_VALUATION_ENDPOINT, sample_vehicle_report),
    ],
)
def test_a_valuation_entry_gives_its_kind_of_report(
    endpoint: str, sample: Callable[[], InquiryReport]
) -> None:
    expected = sample()
    outputs = expected.valuation.model_dump(mode="json")
    report = _reported(_entry(endpoint, expected.request, outputs))
    assert type(report) is type(expected)
    assert report.request == expected.request
    assert report.valuation == expected.valuation
    assert (report.inquiry_date, report.ledger_entry_id) == (dt.date(2024, 7, 1), "7")


def test_the_answer_s_inquiry_record_in_the_outputs_is_accepted() -> None:
    expected = sample_vehicle_report()
    outputs = expected.valuation.model_dump(mode="json")
    outputs["inquiry"] = {
        "id": 7,
        "entry_hash": LEDGER_HASH,
        "case_number": CASE_NUMBER,
        "purpose": PURPOSE,
        "recorded_at": "2024-06-30T17:00:00Z",
        "valid_until": "2025-07-01",
    }
    report = _reported(_entry(VEHICLE_VALUATION_ENDPOINT, expected.request, outputs))
    assert isinstance(report, VehicleReport)
    assert report.valuation.value == expected.valuation.value


def test_other_endpoints_have_no_report() -> None:
    entry = _entry("/v1/reference-price", sample_report().request, {})
    with pytest.raises(HTTPException) as refused:
        _reported(entry)
    assert refused.value.status_code == 404


def test_an_answer_today_s_schema_cannot_read_names_its_fields() -> None:
    expected = sample_report()
    outputs = expected.valuation.model_dump(mode="json")
    del outputs["rule_based"]  # as if an older version had recorded none
    with pytest.raises(InquiryUnreadableError, match=r"valuation\.rule_based"):
        _reported(_entry(PROPERTY_VALUATION_ENDPOINT, expected.request, outputs))
