"""The overdue alerts: every rule at its boundary, settings moving the boundary, the messages."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from models.errors import DataError
from models.settings import Settings
from models.triage.alerts import (
    ALERT_COLUMNS,
    AlertRules,
    alert_summary,
    alerts_per_case,
    find_alerts,
)
from models.triage.calendar import DAYS_PER_MONTH, month_limit_days, months_open
from models.triage.vocabulary import AlertKind, Search
from tests.triage_cases import AS_OF, ago, case, frame

NAN = float("nan")


def rules(**overrides: Any) -> AlertRules:
    return AlertRules.from_settings(Settings(**overrides))


def alerts_of(*records: dict[str, Any], outcome: bool = True, **overrides: Any) -> pd.DataFrame:
    return find_alerts(frame(*records, outcome=outcome), AS_OF, rules(**overrides))


def only(alerts: pd.DataFrame, kind: AlertKind) -> pd.DataFrame:
    return alerts[alerts["kind"] == kind.value].reset_index(drop=True)


def test_a_fresh_case_with_every_search_done_raises_nothing() -> None:
    alerts = alerts_of(case())
    assert alerts.empty
    assert list(alerts.columns) == list(ALERT_COLUMNS)


@pytest.mark.parametrize(("days", "alerted"), [(14, False), (15, False), (16, True)])
def test_assets_not_seized_after_15_days(days: int, alerted: bool) -> None:
    alerts = only(alerts_of(case(assets_found_at=ago(days))), AlertKind.ASSETS_NOT_SEIZED)
    assert len(alerts) == int(alerted)


def test_assets_not_seized_says_how_long_and_how_late() -> None:
    alerts = only(alerts_of(case(assets_found_at=ago(16))), AlertKind.ASSETS_NOT_SEIZED)
    assert alerts.loc[0, "days_overdue"] == 1
    assert alerts.loc[0, "message"] == "查到财产已16天未控制，超过15天期限1天"


@pytest.mark.parametrize(
    "changes",
    [{"seized_at": ago(5)}, {"closed_at": ago(1), "outcome": "执行完毕", "archived_at": ago(1)}],
)
def test_seized_or_closed_cases_are_not_late_to_seize(changes: dict[str, Any]) -> None:
    alerts = alerts_of(case(assets_found_at=ago(40), **changes))
    assert only(alerts, AlertKind.ASSETS_NOT_SEIZED).empty


@pytest.mark.parametrize(("days", "alerted"), [(16, False), (20, False), (21, True)])
def test_the_seize_limit_comes_from_the_settings(days: int, alerted: bool) -> None:
    alerts = alerts_of(case(assets_found_at=ago(days)), alert_seize_days=20)
    assert len(only(alerts, AlertKind.ASSETS_NOT_SEIZED)) == int(alerted)


@pytest.mark.parametrize(
    ("expires_in", "days_left", "days_overdue", "text"),
    [
        (31, None, None, None),
        (30, 30, 0, "查封冻结措施30天后到期，尚未处置"),
        (0, 0, 0, "查封冻结措施今日到期，尚未处置"),
        (-5, 0, 5, "查封冻结措施已到期5天，尚未处置"),
    ],
)
def test_measure_expiring_within_30_days_or_expired(
    expires_in: int, days_left: int | None, days_overdue: int | None, text: str | None
) -> None:
    record = case(seized_at=ago(300), seizure_expires_at=ago(-expires_in))
    alerts = only(alerts_of(record), AlertKind.MEASURE_EXPIRING)
    if text is None:
        assert alerts.empty
        return
    assert (alerts.loc[0, "days_left"], alerts.loc[0, "days_overdue"]) == (days_left, days_overdue)
    assert alerts.loc[0, "message"] == text


def test_a_disposed_measure_is_not_expiring() -> None:
    record = case(seized_at=ago(300), seizure_expires_at=ago(5), disposed_at=ago(10))
    assert only(alerts_of(record), AlertKind.MEASURE_EXPIRING).empty


@pytest.mark.parametrize(("days", "alerted"), [(30, False), (31, True)])
def test_payout_overdue_after_30_days(days: int, alerted: bool) -> None:
    alerts = only(alerts_of(case(money_received_at=ago(days))), AlertKind.PAYOUT_OVERDUE)
    assert len(alerts) == int(alerted)
    if alerted:
        assert alerts.loc[0, "message"] == "执行款到账已31天未发放，超过30天期限1天"


def test_paid_out_money_is_not_overdue() -> None:
    record = case(money_received_at=ago(60), paid_out_at=ago(40))
    assert only(alerts_of(record), AlertKind.PAYOUT_OVERDUE).empty


def test_six_months_are_182_whole_days() -> None:
    assert month_limit_days(6) == 182
    assert month_limit_days(2.5) == 76
    assert months_open(pd.Series([ago(183)]), AS_OF)[0] == pytest.approx(183 / DAYS_PER_MONTH)


@pytest.mark.parametrize(("days", "alerted"), [(182, False), (183, True)])
def test_open_longer_than_the_statutory_6_months(days: int, alerted: bool) -> None:
    alerts = only(alerts_of(case(filed_at=ago(days))), AlertKind.OPEN_TOO_LONG)
    assert len(alerts) == int(alerted)
    if alerted:
        assert alerts.loc[0, "message"] == "立案已183天未结案，超过6个月期限（182天）1天"


def test_the_statutory_period_comes_from_the_settings() -> None:
    alerts = only(alerts_of(case(filed_at=ago(100)), statutory_months=3), AlertKind.OPEN_TOO_LONG)
    assert alerts.loc[0, "days_overdue"] == 100 - month_limit_days(3)


@pytest.mark.parametrize(("months", "alerted"), [(2.4, False), (2.6, True)])
def test_second_investigation_after_2_5_months(months: float, alerted: bool) -> None:
    record = case(filed_at=ago(round(months * DAYS_PER_MONTH)))
    assert len(only(alerts_of(record), AlertKind.SECOND_INVESTIGATION)) == int(alerted)


def test_a_second_investigation_done_or_a_later_limit_silences_it() -> None:
    done = case(filed_at=ago(79), second_search_at=ago(3))
    assert only(alerts_of(done), AlertKind.SECOND_INVESTIGATION).empty
    later = alerts_of(case(filed_at=ago(79)), second_investigation_months=3)
    assert only(later, AlertKind.SECOND_INVESTIGATION).empty


@pytest.mark.parametrize(("days", "alerted"), [(30, False), (31, True)])
def test_archive_overdue_30_days_after_closing(days: int, alerted: bool) -> None:
    record = case(closed_at=ago(days), outcome="执行完毕")
    alerts = only(alerts_of(record), AlertKind.ARCHIVE_OVERDUE)
    assert len(alerts) == int(alerted)
    if alerted:
        assert alerts.loc[0, "message"] == "结案已31天未归档，超过30天期限1天"


def test_an_archived_case_is_not_overdue() -> None:
    record = case(closed_at=ago(90), archived_at=ago(50), outcome="执行完毕")
    assert alerts_of(record).empty


def test_missing_searches_named_in_checklist_order() -> None:
    record = case(
        termination_proposed_at=ago(1),
        bank_deposits_found=NAN,
        real_estate_count=None,
        real_estate_value=NAN,
        creditor_leads=2,
        creditor_leads_verified=1,
        social_insurance_active=None,
        neighbourhood_checked=False,
    )
    alerts = only(alerts_of(record), AlertKind.MISSING_SEARCHES)
    expected = (
        Search.DEPOSITS,
        Search.REAL_ESTATE,
        Search.CREDITOR_LEADS,
        Search.SOCIAL_INSURANCE,
        Search.NEIGHBOURHOOD_COMMITTEE,
    )
    assert alerts.loc[0, "missing"] == tuple(s.value for s in expected)
    assert alerts.loc[0, "message"] == "拟终本前“5+X+Y”查询未完成：" + "、".join(expected)


@pytest.mark.parametrize(
    "changes",
    [
        {},  # every search done
        {"real_estate_count": None, "real_estate_value": 0.0},  # either field shows it done
        {"creditor_leads": 3, "creditor_leads_verified": 3},
    ],
)
def test_no_missing_searches_when_all_are_done(changes: dict[str, Any]) -> None:
    record = case(termination_proposed_at=ago(1), **changes)
    assert only(alerts_of(record), AlertKind.MISSING_SEARCHES).empty


def test_searches_are_not_audited_before_termination_is_proposed() -> None:
    record = case(bank_deposits_found=NAN, household_registration_found=None)
    assert only(alerts_of(record), AlertKind.MISSING_SEARCHES).empty


@pytest.mark.parametrize("outcome", [True, False])
def test_a_closed_termination_is_audited(outcome: bool) -> None:
    record = case(
        termination_proposed_at=ago(20),
        closed_at=ago(10),
        archived_at=ago(5),
        outcome="终本",
        vehicle_count=None,
        vehicle_value=NAN,
    )
    alerts = only(alerts_of(record, outcome=outcome), AlertKind.MISSING_SEARCHES)
    assert alerts.loc[0, "message"] == "终本案件“5+X+Y”查询未完成：车辆"


def test_a_closed_case_paid_in_full_is_not_audited() -> None:
    record = case(closed_at=ago(10), archived_at=ago(5), outcome="执行完毕", equity_value=NAN)
    assert alerts_of(record).empty


def test_dates_after_as_of_have_not_happened_yet() -> None:
    later_seizure = case(assets_found_at=ago(20), seized_at=ago(-3))
    filed_later = case(filed_at=ago(-10), assets_found_at=ago(-5))
    alerts = alerts_of(later_seizure, filed_later)
    assert alerts["row"].tolist() == [0]
    assert alerts["kind"].tolist() == [AlertKind.ASSETS_NOT_SEIZED.value]


def test_alerts_are_ordered_by_case_then_kind_and_attach_to_their_cases() -> None:
    records = [
        case(case_id="C1"),
        case(case_id="C2", filed_at=ago(200), assets_found_at=ago(150)),
        case(case_id="C3", money_received_at=ago(40)),
    ]
    alerts = alerts_of(*records)
    assert alerts["row"].tolist() == [1, 1, 1, 2]
    assert alerts["case_id"].tolist() == ["C2", "C2", "C2", "C3"]
    kinds = [AlertKind.ASSETS_NOT_SEIZED, AlertKind.OPEN_TOO_LONG, AlertKind.SECOND_INVESTIGATION]
    assert alerts["kind"].tolist()[:3] == [k.value for k in kinds]
    per_case = alerts_per_case(alerts, len(records))
    assert [len(a) for a in per_case] == [0, 3, 1]
    assert per_case[2][0] == {
        "kind": "PAYOUT_OVERDUE",
        "title": "执行款发放超期",
        "days_overdue": 10,
        "days_left": None,
        "message": "执行款到账已40天未发放，超过30天期限10天",
        "missing": [],
    }


def test_the_summary_counts_each_kind_and_names_the_oldest() -> None:
    records = [
        case(case_id="C1", assets_found_at=ago(20)),
        case(case_id="C2", assets_found_at=ago(40)),
        case(case_id="C3"),
    ]
    cases = frame(*records)
    summary = alert_summary(find_alerts(cases, AS_OF, rules()), cases).set_index("kind")
    assert list(summary.index) == [k.value for k in AlertKind]
    seize = summary.loc[AlertKind.ASSETS_NOT_SEIZED.value]
    assert (seize["count"], seize["oldest_days"], seize["oldest_case_id"]) == (2, 25, "C2")
    assert seize["share"] == pytest.approx(2 / 3)
    payout = summary.loc[AlertKind.PAYOUT_OVERDUE.value]
    assert (payout["count"], payout["oldest_days"], payout["oldest_case_id"]) == (0, 0, None)


def test_a_missing_column_is_named() -> None:
    cases = frame(case()).drop(columns="seized_at")
    with pytest.raises(DataError, match="seized_at"):
        find_alerts(cases, AS_OF, rules())


def test_many_cases_give_the_same_alerts_as_one_at_a_time() -> None:
    rng = np.random.default_rng(0)
    records = [
        case(
            case_id=f"C{i}",
            filed_at=ago(int(rng.integers(0, 300))),
            assets_found_at=ago(int(rng.integers(0, 40))) if rng.random() < 0.5 else None,
            money_received_at=ago(int(rng.integers(0, 60))) if rng.random() < 0.5 else None,
        )
        for i in range(40)
    ]
    together = alerts_of(*records)
    one_by_one = [alerts_of(r)["message"].tolist() for r in records]
    assert together.groupby("row")["message"].apply(list).to_dict() == {
        i: m for i, m in enumerate(one_by_one) if m
    }
