"""The pure court rules: 案号, working days, objections, reference price and auction floors.

Holiday dates are the State Council arrangements as ``chinese-calendar`` 1.11.0 holds them:
National Day 2024 (10-01..10-07 off, Sun 09-29 and Sat 10-12 worked), Spring Festival 2025
(01-28..02-04 off, Sun 01-26 and Sat 02-08 worked), National Day 2025 (10-01..10-08 off, Sun
09-28 and Sat 10-11 worked), Spring Festival 2026 (02-15..02-23 off, Sat 02-14 and 02-28
worked), National Day 2026 (10-01..10-07 off, Sat 10-10 worked).
"""

from __future__ import annotations

import datetime as dt
import random
import re
from decimal import Decimal

import numpy as np
import pytest
from pydantic import BaseModel, ValidationError

from models.court import (
    AppraisalStatus,
    CalendarNotCoveredError,
    CaseNumber,
    CaseNumberError,
    ExclusionReason,
    NoUsableResultError,
    ObjectionGround,
    ObjectionRejectedError,
    ObjectionRequest,
    Party,
    PlatformResult,
    add_working_days,
    auction_start_prices,
    calendar_warning,
    covered_years,
    is_working_day,
    objection_deadline,
    open_appraisal_task,
    parse_case_number,
    reference_price,
)
from models.court.case_number import CASE_NUMBER_PATTERN, PROVINCES
from models.court.sales import attribute_fee, median_interval
from models.errors import InvalidInputError

D = dt.date
TODAY = D(2026, 6, 1)


# --- 案号 -------------------------------------------------------------------------------------


VALID_CASE_NUMBERS = [
    ("（2024）浙1081执1234号", "（2024）浙1081执1234号", "浙", "1081", "基层", "执", 1234),
    ("(2024)浙1081执1234号", "（2024）浙1081执1234号", "浙", "1081", "基层", "执", 1234),
    ("（2024)京0108执恢7号", "（2024）京0108执恢7号", "京", "0108", "基层", "执恢", 7),
    (" (２０２３)京01执123号 ", "（2023）京01执123号", "京", "01", "中级", "执", 123),
    ("（2023）京执45号", "（2023）京执45号", "京", "", "高级", "执", 45),
    ("（2021）最高法执监344号", "（2021）最高法执监344号", "最高法", "", "最高", "执监", 344),
    ("（2016）内01执异1号", "（2016）内01执异1号", "内", "01", "中级", "执异", 1),
]


@pytest.mark.parametrize(
    ("text", "normal", "province", "code", "level", "case_type", "sequence"), VALID_CASE_NUMBERS
)
def test_valid_case_numbers_are_split_and_normalised(
    text: str, normal: str, province: str, code: str, level: str, case_type: str, sequence: int
) -> None:
    parts = parse_case_number(text, today=TODAY)
    assert (parts.text, parts.province, parts.court_code) == (normal, province, code)
    assert (parts.court_level, parts.case_type, parts.sequence) == (level, case_type, sequence)


#: Wrong 案号 and what the refusal names; the first two are wrong only in their year.
INVALID_CASE_NUMBERS = [
    ("（2015）浙1081执1号", "收案年度 2015 超出范围"),
    ("（2027）浙1081执1号", "收案年度 2027 超出范围"),
    ("", "案号为空"),
    ("2024浙1081执1234号", "括号中的收案年度"),
    ("（24）浙1081执1号", "4 位数字"),
    ("（2014）杭西执民字第12号", "旧格式"),
    ("（2024）浙1081执1234", "须以“号”结尾"),
    ("（2024）港1081执1号", "法院代字“港”不是省级简称"),
    ("（2024）浙108执1号", "2 位（中级法院"),
    ("（2024）最高法01执1号", "“最高法”后不应有数字"),
    ("（2024）浙1081民初1号", "类型代字“民初”"),
    ("（2024）浙1081执号", "缺少案件编号"),
    ("（2024）浙1081执0123号", "案件编号“0123”"),
    ("（2024）浙1081执12345678号", "1 至 7 位"),
    ("（2024）浙1081执12a3号", "在年度之后应为 法院代字"),
    ("（٢٠٢٤）浙1081执1号", "括号中的收案年度"),  # digits of another script
    ("（2024）浙1081执١号", "类型代字“执١”"),
]


@pytest.mark.parametrize(("text", "names"), INVALID_CASE_NUMBERS)
def test_invalid_case_numbers_name_the_problem(text: str, names: str) -> None:
    with pytest.raises(CaseNumberError, match=names) as caught:
        parse_case_number(text, today=TODAY)
    assert " / " in str(caught.value)  # Chinese / English
    assert caught.value.field == "case_number"


class _Request(BaseModel):
    case_number: CaseNumber


def test_case_number_type_normalises_in_a_schema() -> None:
    assert _Request(case_number="(2024)浙1081执1234号").case_number == "（2024）浙1081执1234号"


def test_case_number_type_rejects_with_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="类型代字"):
        _Request(case_number="（2024）浙1081民初1号")


def test_the_schema_offers_the_case_number_pattern() -> None:
    """A client reads the 案号's shape from the OpenAPI schema: each valid example fits it, and
    each wrong one but a future year does not."""
    schema = _Request.model_json_schema()["properties"]["case_number"]
    assert schema["pattern"] == CASE_NUMBER_PATTERN
    pattern = re.compile(CASE_NUMBER_PATTERN)
    assert all(pattern.match(text) for text, *_ in VALID_CASE_NUMBERS)
    assert [text for text, _ in INVALID_CASE_NUMBERS if pattern.match(text)] == [
        "（2027）浙1081执1号"  # a future year: only the server knows today
    ]


def _case_number_like(draw: random.Random) -> str:
    """A string built from a 案号's elements, each right (most often) or wrong in one of the
    ways a typist or a careless client gets it wrong."""

    def either(right: str, *wrong: str) -> str:
        return right if draw.random() < 0.85 else draw.choice(wrong)

    def number(lengths: list[int], digits: str = "0123456789０１２３") -> str:
        return "".join(draw.choice(digits) for _ in range(draw.choice(lengths)))

    year = either(
        str(draw.randint(2016, TODAY.year)), "24", "20240", "２０２４", "2015", "٢٠٢٤", ""
    )
    province = either(draw.choice(["最高法", *PROVINCES]), "港", "民", "最高")
    code = either(number([0, 2, 4]), number([1, 3, 5, 6]))
    case_type = either(draw.choice(["执", "执恢", "执异", "执他"]), "民初", "执字第", "", "执执")
    sequence = either(draw.choice("123456789") + number([0, 2, 6]), "0" + number([1, 3]), "")
    sequence += either("", number([1], digits="a０١")) if sequence else ""
    opening, closing = either(draw.choice("（("), "[", ""), either(draw.choice("）)"), "]", "")
    end, pad = either("号", "", "号号"), draw.choice(["", " ", "\t"])
    court = province + ("" if province == "最高法" and draw.random() < 0.85 else code)
    return f"{pad}{opening}{year}{closing}{court}{case_type}{sequence}{end}{pad}"


def test_the_case_number_pattern_accepts_what_the_server_accepts() -> None:
    """Over 5,000 strings made of a 案号's elements, right and wrong (no future year), the
    pattern and the server's check agree on every one: a client that checks against the
    schema is refused for nothing it let through, and refuses nothing the server takes."""
    pattern, draw = re.compile(CASE_NUMBER_PATTERN), random.Random(0)
    disagree, accepted = [], 0
    for _ in range(5_000):
        text = _case_number_like(draw)
        try:
            parse_case_number(text, today=TODAY)
            valid = True
        except CaseNumberError:
            valid = False
        accepted += valid
        if valid != bool(pattern.match(text)):
            disagree.append(text)
    assert disagree == []
    assert 500 < accepted < 4_500  # both sides of the line are exercised


# --- working days -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2024, 9, 29), True),  # Sunday, 调休 working day
        (D(2024, 10, 7), False),  # Monday inside National Day
        (D(2024, 10, 12), True),  # Saturday, 调休
        (D(2025, 1, 26), True),  # Sunday before Spring Festival, 调休
        (D(2025, 2, 3), False),  # Monday inside Spring Festival
        (D(2026, 2, 14), True),  # Saturday, 调休
        (D(2026, 2, 21), False),  # Saturday inside Spring Festival
        (D(2026, 3, 7), False),  # ordinary Saturday
    ],
)
def test_is_working_day_respects_holidays_and_adjusted_days(day: dt.date, working: bool) -> None:
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (D(2024, 9, 27), D(2024, 10, 8)),  # Fri before National Day: Sun 29, Mon 30, Tue 8
        (D(2024, 10, 12), D(2024, 10, 16)),  # on the 调休 Saturday itself
        (D(2025, 1, 24), D(2025, 2, 5)),  # Fri before Spring Festival: Sun 26, Mon 27, Wed 5
        (D(2025, 9, 26), D(2025, 9, 30)),  # Fri before National Day: Sun 28, Mon 29, Tue 30
        (D(2026, 2, 13), D(2026, 2, 25)),  # Fri before Spring Festival: Sat 14, Tue 24, Wed 25
        (D(2026, 9, 30), D(2026, 10, 10)),  # into National Day: Thu 8, Fri 9, Sat 10 (调休)
        (D(2026, 3, 2), D(2026, 3, 5)),  # an ordinary Monday
    ],
)
def test_three_working_days_over_holidays(start: dt.date, due: dt.date) -> None:
    assert add_working_days(start, 3) == due


def test_zero_working_days_is_the_start_and_negative_is_refused() -> None:
    assert add_working_days(D(2024, 10, 5), 0) == D(2024, 10, 5)
    with pytest.raises(ValueError, match=">= 0"):
        add_working_days(D(2024, 10, 5), -1)


def test_years_outside_the_calendar_raise_a_domain_error() -> None:
    last = covered_years()[-1]
    with pytest.raises(CalendarNotCoveredError, match=f"{last + 1} 年"):
        is_working_day(D(last + 1, 1, 5))
    with pytest.raises(CalendarNotCoveredError, match="upgrade chinese-calendar"):
        add_working_days(D(last, 12, 30), 5)


# --- objections -------------------------------------------------------------------------------


def objection(received: dt.date, submitted: dt.date, **changes: object) -> ObjectionRequest:
    fields: dict[str, object] = {
        "party": Party.DEBTOR,
        "ground": ObjectionGround.BASIC_FACTS,
        "grounds": "询价报告所列建筑面积与不动产登记簿不符。",
        "received_report_on": received,
        "submitted_on": submitted,
    }
    return ObjectionRequest.model_validate(fields | changes)


@pytest.mark.parametrize(
    ("received", "deadline"),
    [
        (D(2026, 3, 2), D(2026, 3, 9)),  # Mon + 5 = Sat 7 -> next working day Mon 9
        (D(2026, 3, 3), D(2026, 3, 9)),  # Tue + 5 = Sun 8 -> Mon 9
        (D(2026, 3, 4), D(2026, 3, 9)),  # Wed + 5 = Mon 9
        (D(2024, 9, 24), D(2024, 9, 29)),  # lands on the 调休 Sunday: a working day, no extension
        (D(2024, 9, 26), D(2024, 10, 8)),  # lands on Tue 1 Oct: extended past National Day
    ],
)
def test_objection_deadline_is_five_calendar_days_extended_past_rest_days(
    received: dt.date, deadline: dt.date
) -> None:
    assert objection_deadline(received) == deadline


def test_objection_on_the_fifth_day_opens_an_appraisal_due_in_three_working_days() -> None:
    request = objection(D(2026, 3, 4), D(2026, 3, 9))
    task = open_appraisal_task(request, registered_on=D(2026, 3, 9))
    assert (task.objection_deadline, task.due_on) == (D(2026, 3, 9), D(2026, 3, 12))
    assert task.status is AppraisalStatus.OPEN
    assert not task.is_overdue(D(2026, 3, 12))
    assert task.is_overdue(D(2026, 3, 13))


def test_objection_on_the_sixth_day_is_late() -> None:
    with pytest.raises(ObjectionRejectedError, match=r"异议已超过期限.*2026-03-09") as caught:
        open_appraisal_task(objection(D(2026, 3, 4), D(2026, 3, 10)), registered_on=D(2026, 3, 10))
    assert "objection late" in str(caught.value)


def test_posted_objection_counts_from_the_postmark_and_due_from_registration() -> None:
    request = objection(D(2024, 9, 26), D(2024, 10, 8))  # posted on the last day
    task = open_appraisal_task(request, registered_on=D(2024, 10, 10))
    assert (task.objection_deadline, task.due_on) == (D(2024, 10, 8), D(2024, 10, 14))
    # due: Fri 11, Sat 12 (调休 working day), Mon 14


def test_objection_grounds_may_span_lines() -> None:
    grounds = "一、建筑面积与登记簿不符；\n二、\t装修情况有误。"
    assert objection(D(2026, 3, 4), D(2026, 3, 5), grounds=grounds).grounds == grounds


@pytest.mark.parametrize(
    ("changes", "names"),
    [
        ({"grounds": "太贵了"}, "at least 10 characters"),
        ({"grounds": "询价报告所列建筑面积\u0000与登记簿不符。"}, "control characters"),
        ({"party": "法官"}, "party"),
        ({"submitted_on": D(2026, 3, 1)}, "早于收到报告日"),
        ({"reason": "x"}, "Extra inputs"),
    ],
)
def test_objection_request_bounds(changes: dict[str, object], names: str) -> None:
    with pytest.raises(ValidationError, match=names):
        objection(D(2026, 3, 4), D(2026, 3, 5), **changes)


def test_objection_past_the_calendar_is_registered_with_the_earliest_dates() -> None:
    """Beyond the holiday calendar the objection is still registered: deadline the unextended
    fifth day, lateness undecided, appraisal due 3 calendar days on; both marked provisional."""
    last = covered_years()[-1]
    received, registered = D(last + 1, 1, 4), D(last + 1, 1, 20)  # submitted 16 days late
    task = open_appraisal_task(objection(received, registered), registered_on=registered)
    assert task.dates_provisional
    assert (task.objection_deadline, task.due_on) == (D(last + 1, 1, 9), D(last + 1, 1, 23))


def test_only_the_date_past_the_calendar_is_estimated() -> None:
    """Late December: the deadline is still in the calendar's last year and exact; the due date
    runs into the next year and is the earliest it can be."""
    last = covered_years()[-1]
    received, registered = D(last, 12, 22), D(last, 12, 30)
    task = open_appraisal_task(objection(received, D(last, 12, 27)), registered_on=registered)
    assert task.objection_deadline == objection_deadline(received)
    assert (task.due_on, task.dates_provisional) == (D(last + 1, 1, 2), True)


def test_objection_inside_the_calendar_has_exact_dates() -> None:
    task = open_appraisal_task(objection(D(2026, 3, 4), D(2026, 3, 9)), registered_on=D(2026, 3, 9))
    assert not task.dates_provisional


@pytest.mark.parametrize(
    ("today", "warns"),
    [((0, 6, 1), False), ((0, 11, 1), True), ((-1, 12, 31), False), ((1, 1, 5), True)],
)
def test_calendar_warning_from_november_when_next_year_is_missing(
    today: tuple[int, int, int], warns: bool
) -> None:
    """Offsets from the calendar's last year: June of it is fine, November of it is not."""
    last = covered_years()[-1]
    year_offset, month, day = today
    warning = calendar_warning(D(last + year_offset, month, day))
    assert (warning is not None) == warns
    if warning:
        assert "upgrade" in warning and str(last) in warning


def test_registration_before_submission_is_refused() -> None:
    with pytest.raises(ObjectionRejectedError, match="登记日"):
        open_appraisal_task(objection(D(2026, 3, 4), D(2026, 3, 6)), registered_on=D(2026, 3, 5))


# --- reference price and auction floors --------------------------------------------------------


def result(platform: str, value: str, inquiry: dt.date, **changes: object) -> PlatformResult:
    fields = {"platform": platform, "value": value, "inquiry_date": inquiry} | changes
    return PlatformResult.model_validate(fields)


DECISION = D(2025, 3, 1)


def test_reference_price_is_the_simple_average_rounded_half_up_to_the_fen() -> None:
    results = [
        result("A", "1000000.00", D(2025, 2, 1)),
        result("B", "1000000.01", D(2025, 2, 1)),
        result("C", "1100000.00", D(2025, 2, 1)),
    ]
    price = reference_price(results, decision_date=DECISION)
    assert price.value == Decimal("1033333.34")  # 3100000.01 / 3 = 1033333.336...
    assert price.excluded == []


def test_disputed_results_are_excluded_with_the_reason() -> None:
    results = [
        result("A", "900000", D(2025, 2, 1)),
        result("B", "1200000", D(2025, 2, 1), disputed=True),
    ]
    price = reference_price(results, decision_date=DECISION)
    assert price.value == Decimal("900000.00")
    assert [e.reason for e in price.excluded] == [ExclusionReason.DISPUTED]
    assert "第十三条" in price.excluded[0].detail


@pytest.mark.parametrize(
    ("inquiry", "valid_until", "expired"),
    [
        (D(2024, 3, 1), None, False),  # one year to the day: still valid
        (D(2024, 2, 29), None, True),  # valid to 2025-02-28
        (D(2025, 1, 1), D(2025, 2, 28), True),  # the platform's own, shorter validity
        (D(2025, 1, 1), D(2025, 3, 1), False),
        (D(2023, 3, 1), D(2026, 1, 1), True),  # a longer stated validity is capped at one year
    ],
)
def test_expired_results_are_excluded_on_the_decision_date(
    inquiry: dt.date, valid_until: dt.date | None, expired: bool
) -> None:
    results = [
        result("A", "800000", D(2025, 2, 1)),
        result("B", "1000000", inquiry, valid_until=valid_until),
    ]
    price = reference_price(results, decision_date=DECISION)
    assert price.value == (Decimal("800000.00") if expired else Decimal("900000.00"))
    assert [e.reason for e in price.excluded] == ([ExclusionReason.EXPIRED] if expired else [])


def test_reference_price_is_valid_until_its_earliest_result_expires() -> None:
    results = [result("A", "1", D(2025, 2, 1)), result("B", "2", D(2024, 6, 30))]
    assert reference_price(results, decision_date=DECISION).valid_until == D(2025, 6, 30)


def test_no_usable_result_lists_every_exclusion() -> None:
    results = [
        result("A", "900000", D(2025, 2, 1), disputed=True),
        result("B", "950000", D(2023, 1, 1)),
    ]
    with pytest.raises(NoUsableResultError, match=r"A：询价报告被提出异议.*B：询价结果有效期至"):
        reference_price(results, decision_date=DECISION)
    with pytest.raises(NoUsableResultError, match="未提供询价结果"):
        reference_price([], decision_date=DECISION)


@pytest.mark.parametrize(
    ("results", "names"),
    [
        ([result("A", "1", D(2025, 1, 1)), result("A", "2", D(2025, 1, 2))], "询价平台重复：A"),
        ([result("A", "1", D(2025, 3, 2))], "晚于决定日"),
    ],
)
def test_bad_result_lists_are_refused(results: list[PlatformResult], names: str) -> None:
    with pytest.raises(InvalidInputError, match=names):
        reference_price(results, decision_date=DECISION)


@pytest.mark.parametrize("value", ["0", "-1", "NaN"])
def test_platform_value_must_be_positive(value: str) -> None:
    with pytest.raises(ValidationError, match="value"):
        result("A", value, D(2025, 1, 1))


def test_auction_floors_run_100_70_56_rounded_up() -> None:
    floors = auction_start_prices(Decimal("1000000.01"))
    assert floors.first_round_min == Decimal("700000.01")  # 700000.007 rounded up
    assert floors.second_round_min == Decimal("560000.01")  # 560000.008 rounded up
    assert floors.first_round_min >= Decimal("1000000.01") * Decimal("0.7")


def test_second_floor_follows_the_actual_first_start_price() -> None:
    floors = auction_start_prices(Decimal("1000000"), first_start=Decimal("900000"))
    assert floors.second_round_min == Decimal("720000.00")
    with pytest.raises(InvalidInputError, match="低于参考价的 70%"):
        auction_start_prices(Decimal("1000000"), first_start=Decimal("699999.99"))


def test_auction_floors_take_a_reference_price() -> None:
    price = reference_price([result("A", "500000", D(2025, 2, 1))], decision_date=DECISION)
    assert auction_start_prices(price).second_round_min == Decimal("280000.00")


def test_the_fee_goes_to_the_closest_result_and_a_tie_names_both() -> None:
    """Art. 31: closeness is |result − price| in yuan, both sides alike; ties are all named."""
    results = [
        PlatformResult(platform=name, value=Decimal(value), inquiry_date=dt.date(2025, 3, 1))
        for name, value in (("甲", "310000"), ("courtval", "290000.00"), ("乙", "330000"))
    ]
    fee = attribute_fee(
        results, Decimal("300000"), ours="courtval", reference_id=7, decided_on=DECISION
    )
    assert [d.platform for d in fee.platforms] == ["courtval", "甲", "乙"]  # ties by name
    assert [d.difference for d in fee.platforms] == [-10_000, 10_000, 30_000]
    assert fee.closest == ["courtval", "甲"] and fee.ours_closest
    assert fee.platforms[2].deviation == pytest.approx(0.1)
    alone = attribute_fee(
        results[::2], Decimal("300000"), ours="courtval", reference_id=7, decided_on=DECISION
    )
    assert alone.closest == ["甲"] and not alone.ours_closest  # ours was not used


def test_the_median_interval_is_the_order_statistics_of_the_binomial_table() -> None:
    values = list(range(1, 101))
    # The published 95% ranks: n 6 → 1st-6th, 10 → 2nd-9th, 20 → 6th-15th, 100 → 40th-61st
    for n, ranks in ((6, (1, 6)), (10, (2, 9)), (20, (6, 15)), (100, (40, 61))):
        assert median_interval(values[:n]) == (float(ranks[0]), float(ranks[1])), n
    assert median_interval(values[:5]) is None and median_interval([]) is None
    assert median_interval([3.0, 1.0, 2.0, 6.0, 5.0, 4.0]) == (1.0, 6.0)  # order, not position


def test_the_median_interval_holds_the_median_95_times_in_100() -> None:
    rng = np.random.default_rng(0)
    true_median = float(np.exp(0.0))  # of a lognormal(0, 0.4): skewed, as ratios are
    trials = [median_interval(rng.lognormal(0.0, 0.4, 30)) for _ in range(2000)]
    held = np.mean([t is not None and t[0] <= true_median <= t[1] for t in trials])
    # 30 values: the 10th to the 21st, 95.7% by the binomial; 2,000 trials have SE 0.45 points
    assert 0.94 <= held <= 0.975, held
