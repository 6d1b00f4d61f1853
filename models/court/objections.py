"""Objections to an inquiry report, and the formal appraisal an accepted objection opens.

The rules, and where they come from:

* **Time limit** — 法释〔2018〕15号 art. 22: a party or interested person may object in writing
  *within five days of receiving* the report (art. 23 gives the same five days for objections to
  an appraisal's standards, method or result). The days are **calendar days**, counted by the
  Civil Procedure Law's rule on periods (民事诉讼法 art. 85; art. 82 before the 2021 revision):
  the day of receipt is not counted, and when the last day is a statutory rest day the period
  ends on the first working day after it. Rest days are weekends and public holidays, as the
  Supreme People's Court applies the rule (weekends and 五一, 十一, 春节 … extend a period, a
  holiday inside the period does not shorten it); a 调休 weekend day is a working day and so
  extends nothing. A written objection posted before the period ends is in time (art. 85:
  periods exclude time in the post), so the date that counts is the postmark's.
* **Appraisal** — Wenling court's safeguard (SPC Judicial Reform Cases (4), case 7): on a written
  objection a formal appraisal starts within **3 working days**; the clock runs from the day
  the court registers the objection.
* **Progress** — the judge records each step of the appraisal with the day it happened:
  待启动 → 已启动 (the appraiser instructed) → 已完成 (its report received), or 已撤回 (the
  party withdrew the objection) before it is done; a closed task is final, and no step is dated
  in the future, before the registration, or before the start. A task still 待启动 after its due
  day is overdue.
* **Years the holiday calendar does not know yet** — an objection is still registered, never
  refused for want of a calendar. Its dates are then the earliest they can be and are marked
  ``dates_provisional``: the deadline is the unextended fifth day and lateness is not decided
  (the party keeps the benefit of the doubt; the judge checks by hand), and the appraisal is due
  3 *calendar* days after registration, so it can only start early, never late. Once the
  calendar knows the year, :func:`settle_dates` gives the exact dates, and says whether the
  objection, accepted on the benefit of the doubt, was in fact late.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from models.court.calendar import add_working_days, next_working_day_on_or_after
from models.court.errors import AppraisalStepError, CalendarNotCoveredError, ObjectionRejectedError
from models.errors import InvalidInputError
from models.schemas import FreeText, OneLine

logger = logging.getLogger(__name__)

#: 法释〔2018〕15号 art. 22: calendar days from receiving the report.
OBJECTION_PERIOD_DAYS = 5
#: Working days from registering an objection to the start of the formal appraisal.
APPRAISAL_DUE_WORKING_DAYS = 3
#: The shortest written grounds accepted, in characters.
MIN_GROUNDS_CHARS = 10
#: The longest note a judge may add to a step of an appraisal task, in characters.
PROGRESS_NOTE_MAX_CHARS = 500
#: The largest appraised value accepted, in yuan (as the reference price's platform results).
MAX_APPRAISED_CNY = Decimal("1e12")


class Party(StrEnum):
    """Who objects."""

    CREDITOR = "申请执行人"
    DEBTOR = "被执行人"
    INTERESTED_PERSON = "利害关系人"


class ObjectionGround(StrEnum):
    """What the objection says is wrong (法释〔2018〕15号 arts. 22–23)."""

    BASIC_FACTS = "财产基本信息错误"
    SCOPE = "超出财产范围或者遗漏财产"
    PROCEDURE = "询价或评估程序违法"
    VALUATION = "参照标准、计算方法或者结果有误"


class AppraisalStatus(StrEnum):
    """Where the formal appraisal opened by an objection stands."""

    OPEN = "待启动"
    STARTED = "已启动"
    DONE = "已完成"
    WITHDRAWN = "已撤回"


class ObjectionRequest(BaseModel):
    """A party's written objection to an inquiry report, as the judge enters it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    party: Party = Field(description="提出异议的一方.")
    ground: ObjectionGround = Field(description="异议事由.")
    grounds: Annotated[str, FreeText] = Field(
        min_length=MIN_GROUNDS_CHARS,
        max_length=5000,
        description="书面异议的理由（当事人原文）.",
    )
    received_report_on: dt.date = Field(description="当事人收到询价报告的日期.")
    submitted_on: dt.date = Field(
        description="异议提交法院之日；邮寄的，以交邮日（邮戳）为准.",
    )

    @model_validator(mode="after")
    def _submitted_after_receipt(self) -> Self:
        if self.submitted_on < self.received_report_on:
            raise ValueError(
                f"异议提交日 {self.submitted_on} 早于收到报告日 {self.received_report_on} / "
                f"submitted_on {self.submitted_on} is before received_report_on "
                f"{self.received_report_on}"
            )
        return self


class AppraisalTask(BaseModel):
    """The formal appraisal an accepted objection opens."""

    model_config = ConfigDict(extra="forbid")

    party: Party
    ground: ObjectionGround
    objection_deadline: dt.date = Field(description="异议期限届满日.")
    registered_on: dt.date = Field(description="法院登记异议之日.")
    due_on: dt.date = Field(description="委托评估最迟启动日（登记后第 3 个工作日）.")
    status: AppraisalStatus = AppraisalStatus.OPEN
    dates_provisional: bool = Field(
        default=False,
        description="节假日安排未知时为真：异议期限取第五日（未顺延，未判断是否逾期），"
        "评估启动日取登记后第 3 个自然日（最早可能的日期），须人工核对.",
    )

    started_on: dt.date | None = Field(default=None, description="委托评估启动之日.")
    closed_on: dt.date | None = Field(
        default=None, description="评估完成或异议撤回之日（任务结束之日）."
    )
    progress_note: str | None = Field(
        default=None, description="最近一次进展的说明（如评估机构、撤回原因）."
    )
    objection_late: bool = Field(
        default=False,
        description="受理时节假日安排未知、按其后确定的期限异议已逾期：须法官核对处理.",
    )
    appraised_value: Decimal | None = Field(
        default=None, description="评估价（元），评估完成时记录；此后以评估结果为准."
    )

    def is_overdue(self, today: dt.date) -> bool:
        """Whether the appraisal should have started by ``today`` and has not."""
        return is_overdue(self.status, self.due_on, today)


def is_overdue(status: AppraisalStatus, due_on: dt.date, today: dt.date) -> bool:
    """Whether an appraisal in ``status``, due to start by ``due_on``, is late on ``today``:
    still 待启动 after its due day (the due day itself is not late)."""
    return status is AppraisalStatus.OPEN and today > due_on


#: The steps a judge may record, from each status: 待启动 → 已启动 → 已完成, and a withdrawn
#: objection (已撤回) before the appraisal is done. A closed task (已完成, 已撤回) is final.
NEXT_STATUSES: Mapping[AppraisalStatus, frozenset[AppraisalStatus]] = {
    AppraisalStatus.OPEN: frozenset({AppraisalStatus.STARTED, AppraisalStatus.WITHDRAWN}),
    AppraisalStatus.STARTED: frozenset({AppraisalStatus.DONE, AppraisalStatus.WITHDRAWN}),
    AppraisalStatus.DONE: frozenset(),
    AppraisalStatus.WITHDRAWN: frozenset(),
}


class AppraisalProgress(BaseModel):
    """A step of an appraisal task as the judge records it: started, done, or withdrawn."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    status: AppraisalStatus = Field(
        description="新的状态：已启动（已委托评估机构）、已完成（已收到评估报告）或已撤回（当事人撤回异议）."
    )
    on: dt.date = Field(
        description="该进展发生之日：委托评估之日、收到评估报告之日或撤回异议之日；不晚于今天."
    )
    note: Annotated[str, OneLine] | None = Field(
        default=None,
        max_length=PROGRESS_NOTE_MAX_CHARS,
        description="说明，如评估机构名称、撤回原因（可选）.",
    )
    appraised_value: Decimal | None = Field(
        default=None,
        gt=0,
        le=MAX_APPRAISED_CNY,
        max_digits=15,
        decimal_places=2,
        description="评估价（元），记录「已完成」时填写（可选）；其后询价报告的参考价与起拍价以此为准.",
    )

    @model_validator(mode="after")
    def _not_back_to_open(self) -> Self:
        if self.status is AppraisalStatus.OPEN:
            raise ValueError(
                "不能改回「待启动」；可记录已启动、已完成或已撤回 / a task cannot go back to "
                f"{AppraisalStatus.OPEN.value}; record {AppraisalStatus.STARTED.value}, "
                f"{AppraisalStatus.DONE.value} or {AppraisalStatus.WITHDRAWN.value}"
            )
        if self.appraised_value is not None and self.status is not AppraisalStatus.DONE:
            raise ValueError(
                "评估价只在记录「已完成」时填写 / appraised_value goes with "
                f"{AppraisalStatus.DONE.value} only"
            )
        return self


def check_progress(
    task: AppraisalTask, step: AppraisalProgress, *, task_id: int, today: dt.date
) -> None:
    """Whether ``step`` may be recorded on ``task`` (see :data:`NEXT_STATUSES`) on ``today``.

    Raises:
        AppraisalStepError: the task's status does not lead to ``step.status`` (409).
        InvalidInputError: ``step.on`` is in the future, before the objection was registered,
            or before the appraisal started, for a task that started (422, naming ``on``).
    """
    if step.status not in NEXT_STATUSES[task.status]:
        nexts = [s.value for s in AppraisalStatus if s in NEXT_STATUSES[task.status]]
        allowed = "、".join(nexts) or "无（任务已结束）"
        raise AppraisalStepError(
            f"评估任务 {task_id} 当前为「{task.status.value}」，不能记为「{step.status.value}」；"
            f"可记录：{allowed}",
            f"appraisal task {task_id} is {task.status.value}; it cannot become "
            f"{step.status.value}",
        )
    if step.on > today:
        raise InvalidInputError(
            "on", f"日期 {step.on} 晚于今天 {today} / {step.on} is in the future"
        )
    earliest, what = task.registered_on, "异议登记日"
    if task.started_on is not None:  # done or withdrawn after the start: not before it
        earliest, what = task.started_on, "评估启动日"
    if step.on < earliest:
        raise InvalidInputError(
            "on", f"日期 {step.on} 早于{what} {earliest} / {step.on} is before {earliest}"
        )


def objection_deadline(received_report_on: dt.date) -> dt.date:
    """The last day an objection to a report received on ``received_report_on`` is in time.

    Five calendar days, the day of receipt not counted, extended to the next working day
    when the fifth day is a weekend or public holiday.
    """
    fifth_day = received_report_on + dt.timedelta(days=OBJECTION_PERIOD_DAYS)
    return next_working_day_on_or_after(fifth_day)


def check_objection_in_time(received_report_on: dt.date, submitted_on: dt.date) -> dt.date:
    """The deadline, if an objection submitted on ``submitted_on`` meets it.

    Raises:
        ObjectionRejectedError: the objection is late, or dated before the report's receipt.
    """
    if submitted_on < received_report_on:
        raise ObjectionRejectedError(
            f"异议提交日 {submitted_on} 早于收到报告日 {received_report_on}",
            f"objection dated {submitted_on}, before the report was received on "
            f"{received_report_on}",
        )
    deadline = objection_deadline(received_report_on)
    if submitted_on > deadline:
        raise ObjectionRejectedError(
            f"异议已超过期限：收到报告日 {received_report_on} 起 {OBJECTION_PERIOD_DAYS} 日内"
            f"（至 {deadline}）可提出，提交日为 {submitted_on}（法释〔2018〕15号第二十二条）",
            f"objection late: allowed within {OBJECTION_PERIOD_DAYS} days of receiving the "
            f"report on {received_report_on} (until {deadline}), submitted on {submitted_on} "
            "(SPC interpretation [2018] No. 15, art. 22)",
        )
    return deadline


def open_appraisal_task(request: ObjectionRequest, *, registered_on: dt.date) -> AppraisalTask:
    """Accept an objection and open its appraisal task, due 3 working days after registration.

    Raises:
        ObjectionRejectedError: the objection is late, or registered before it was submitted.
    """
    if registered_on < request.submitted_on:
        raise ObjectionRejectedError(
            f"登记日 {registered_on} 早于异议提交日 {request.submitted_on}",
            f"registered_on {registered_on} is before submitted_on {request.submitted_on}",
        )
    deadline, deadline_estimated = _exact_or_earliest(
        lambda: check_objection_in_time(request.received_report_on, request.submitted_on),
        request.received_report_on + dt.timedelta(OBJECTION_PERIOD_DAYS),
    )
    due_on, due_estimated = _exact_or_earliest(
        lambda: add_working_days(registered_on, APPRAISAL_DUE_WORKING_DAYS),
        registered_on + dt.timedelta(APPRAISAL_DUE_WORKING_DAYS),
    )
    return AppraisalTask(
        party=request.party,
        ground=request.ground,
        objection_deadline=deadline,
        registered_on=registered_on,
        due_on=due_on,
        dates_provisional=deadline_estimated or due_estimated,
    )


class SettledDates(BaseModel):
    """A provisional task's dates once the holiday calendar knows their years."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    objection_deadline: dt.date = Field(description="异议期限届满日（按节假日安排顺延后）.")
    due_on: dt.date = Field(description="委托评估最迟启动日（登记后第 3 个工作日）.")
    objection_late: bool = Field(
        description="按确定的期限，异议提交日已超过期限（受理时无法判断）：须法官核对处理."
    )


def settle_dates(
    task: AppraisalTask, *, received_report_on: dt.date, submitted_on: dt.date
) -> SettledDates | None:
    """The exact dates of a task registered with provisional ones (:func:`open_appraisal_task`
    when the calendar lacked a year), or None while the calendar still lacks it (or the task's
    dates were exact all along).

    An objection accepted on the benefit of the doubt may now turn out late: the answer says so
    (``objection_late``) and leaves the decision to the judge.
    """
    if not task.dates_provisional:
        return None
    try:
        deadline = objection_deadline(received_report_on)
        due_on = add_working_days(task.registered_on, APPRAISAL_DUE_WORKING_DAYS)
    except CalendarNotCoveredError:
        return None
    return SettledDates(
        objection_deadline=deadline, due_on=due_on, objection_late=submitted_on > deadline
    )


def _exact_or_earliest(exact: Callable[[], dt.date], earliest: dt.date) -> tuple[dt.date, bool]:
    """``exact()`` and ``False``; or, when the holiday calendar lacks its year, ``earliest``
    (the day before any holiday moves it) and ``True``."""
    try:
        return exact(), False
    except CalendarNotCoveredError as exc:
        logger.error("%s; provisionally %s, the earliest the date can be", exc, earliest)
        return earliest, True
