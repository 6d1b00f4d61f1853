"""The parts of the report every kind of asset shares: the result, validity, auction prices,
the model record, objections, and the paragraphs of the method that do not depend on the asset.

The per-asset modules (:mod:`serving.reports.property_content`,
:mod:`serving.reports.vehicle_content`) write sections 一 to 三 and call these for the rest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from models.adjustment import MIN_COMPARABLES
from models.court import AppraisalStatus, AppraisalTask
from models.court.repeats import EarlierInquiry, repeat_notice
from models.curve_chart import Chart
from models.schemas import Contribution, ModelInfo, UnseenInput, ValueInterval
from serving.reports import formatting as fmt
from serving.reports.document import (
    HEADINGS,
    Block,
    Figure,
    ReportContent,
    Section,
    Table,
    Text,
)
from serving.reports.model import InquiryReport

#: What a 比准价格 outside the interval asks of the reader. It does not say the estimate is
#: wrong: on the synthetic market's 住宅 such estimates are no more often off by 10% than the
#: others (README); the two methods differ, and an appraiser would reconcile them.
OUTSIDE_INTERVAL_ADVICE = (
    "比准价格落在价格区间之外，比较法与模型测算结果差异较大，宜结合可比案例分析差异原因"
    "（可比案例是否确可比较、财产基本情况是否准确）。"
)

_METRICS = {
    "median_ape": ("中位绝对百分比误差（MdAPE）", True),
    "ppe10": ("误差在±10%以内的比例（PPE10）", True),
    "interval_coverage": ("区间实际覆盖率", True),
    "cod": ("离散系数（COD）", False),
    "prd": ("价格相关差（PRD）", False),
}

Row = tuple[str, ...]


def facts(rows: Sequence[Row], earlier: Sequence[EarlierInquiry] = ()) -> Section:
    """一: the asset's facts as a label/value table, and how a party corrects them; then the
    earlier inquiries of the same asset in the case, and what was typed differently."""
    note = Text(
        "以上情况依据查封记录及承办法官录入的信息；如与实际不符，当事人可依第八部分提出异议。",
        "note",
    )
    repeats = tuple(Text(line) for line in repeat_notice(earlier))
    return Section(HEADINGS[0], (Table(tuple(rows)), note, *repeats))


def observed_sales(counts: Sequence[int], what: str) -> str:
    """How many sales the curve's dots stand for, in a sentence."""
    total = sum(counts)
    return f"图示期间{what}成交{total}宗。" if total else f"图示期间未见{what}成交。"


def samples(header: Row, rows: Sequence[Row], trend: Sequence[Block] = ()) -> Section:
    """二: the comparable sales, numbered, most similar first (``rows`` without the number),
    then the price curve drawn for the inquiry (``trend``, :func:`price_trend`)."""
    if not rows:
        return Section(HEADINGS[1], (Text("本次询价没有检索到可比的近期成交样本。"), *trend))
    numbered = tuple((str(i), *row) for i, row in enumerate(rows, start=1))
    intro = Text(f"估价参考了以下{len(rows)}宗近期同类成交案例，按相似度排列：")
    return Section(HEADINGS[1], (intro, Table(numbered, ("序号", *header), "grid"), *trend))


def price_trend(chart: Chart, asset: str, dots: str, findings: Sequence[str]) -> list[Block]:
    """二 continued: the price curve drawn for the inquiry; ``asset`` names the asset (该财产),
    ``dots`` says what the chart's dots are, ``findings`` what the curve shows, in sentences."""
    intro = Text(
        f"价格走势：下图为本次询价所用模型对{asset}在价值时点前各月末的估值"
        f"（阴影为80%价格区间），圆点为{dots}。" + "".join(findings)
    )
    return [intro, Figure(chart)]


def model_method(model: ModelInfo, inputs: str, data: str) -> Text:
    """三（一）: which model valued the asset, from which ``inputs``, learnt from which ``data``."""
    return Text(
        f"（一）模型估价。本报告采用机器学习估价模型“{model.name}”（版本 {model.version}）。"
        f"模型以{inputs}等情况为输入，从{data}中学习市场价格规律，得出价值时点的市场价值，"
        "并给出价格区间。"
    )


def contributions(items: Sequence[Contribution]) -> list[Block]:
    """The inputs that moved this estimate most, if the model reported them."""
    if not items:
        return []
    effects = "；".join(f"{c.label}（{c.value}）{fmt.signed_percent(c.effect_pct)}" for c in items)
    return [Text(f"对本次估价影响最大的因素：{effects}。", "note")]


def rule_gap(value: float, rule_value: float, rule_name: str) -> Text:
    """How far the model's estimate is from the rule-based figure, which only serves as a check."""
    gap = (value - rule_value) / rule_value
    return Text(
        f"模型估价与{rule_name}结果相差 {gap * 100:+.1f}%。{rule_name}结果仅作参照，"
        "询价结果以模型估价为准。"
    )


def interval_method(interval: ValueInterval, unseen: UnseenInput | None = None) -> Text:
    """三（三）: how the price interval was made, in plain words and in technical terms; for
    an ``unseen`` 小区 (车系), that its interval rests on such valuations' errors."""
    coverage = fmt.percent(interval.coverage)
    own = (
        f"本次{unseen.label}不在成交数据中，区间按交叉验证中未见{unseen.label}的估价误差确定，"
        "较一般估价更宽。"
        if unseen is not None
        else ""
    )
    return Text(
        f"（三）价格区间。区间按交叉验证的估价误差确定，名义覆盖率 {coverage}："
        f"同类估价中约{coverage}的实际成交价落在相应区间内。{own}"
        f"（技术说明：{interval.method}）",
    )


def comparison_check(
    value: float,
    comparables_value: float | None,
    inside: bool | None,
    comparables: Sequence[object],
) -> list[Block]:
    """三（四）: the market comparison check — the comparables' adjusted prices against the
    estimate, and a word when their median falls outside the interval (``inside``: the
    answer's own ``comparables_inside_interval``); when fewer than
    :data:`MIN_COMPARABLES` comparables have adjusted prices, why there is no 比准价格
    (nothing when none has one: a model trained before adjusted prices)."""
    if comparables_value is None:
        known = sum(getattr(c, "adjusted_price", None) is not None for c in comparables)
        if not known:
            return []
        return [
            Text(
                f"（四）比较法校核。有修正后价格的可比案例仅 {known} 宗，少于比较法要求的 "
                f"{MIN_COMPARABLES} 宗，未计算比准价格，亦未作比较法校核。"
            )
        ]
    gap = (value - comparables_value) / comparables_value
    advice = "比准价格在价格区间之内。" if inside else OUTSIDE_INTERVAL_ADVICE
    return [
        Text(
            "（四）比较法校核。将各可比案例的成交价按模型对成交日期及各项差异的估价修正到本财产"
            "（修正后价格 = 成交价 × 本财产估值 ÷ 该案例成交时的估值，见第二部分），其中位数即比准"
            f"价格 {fmt.wan_and_yuan(comparables_value)}，询价结果与之相差 {gap * 100:+.1f}%；"
            + advice
        )
    ]


def adjusted(price: float | None) -> str:
    """A comparable's adjusted price in the samples table (— when the model gave none)."""
    return "—" if price is None else fmt.wan(price, 2)


def result(
    report: InquiryReport,
    subject: str,
    rule_name: str,
    extra: Sequence[Row],
    after: Sequence[Row] = (),
) -> Section:
    """四: the headline value, ``extra`` rows (e.g. the unit price), the interval, the figure.

    Args:
        report: The report.
        subject: What was valued, as the headline names it (该财产, 该车辆).
        rule_name: The rule-based method's name (基准价法, 残值率法).
        extra: Rows shown right after the value.
        after: Rows shown after the rule-based figure (the 政府基准价法 figure).
    """
    v = report.valuation
    rows = (
        ("市场价值（询价结果）", fmt.wan_and_yuan(v.value)),
        *extra,
        (
            f"{fmt.percent(v.interval.coverage)}价格区间",
            f"{fmt.wan(v.interval.lower)} 至 {fmt.wan(v.interval.upper)}"
            f"（{fmt.yuan(v.interval.lower)} 至 {fmt.yuan(v.interval.upper)}）",
        ),
        (f"{rule_name}参照值", fmt.wan_and_yuan(v.rule_based.value)),
        *after,
    )
    headline = Text(
        f"经网络询价，{subject}于{fmt.date(report.request.valuation_date)}的市场价值为"
        f"{fmt.wan_and_yuan(v.value)}。",
        "result",
    )
    caution = (Text(v.unseen_input.notice),) if v.unseen_input is not None else ()
    return Section(HEADINGS[3], (headline, Table(rows), *caution))


def _validity(report: InquiryReport) -> Section:
    text = Text(
        f"本询价结果的有效期为一年，自{fmt.date(report.inquiry_date)}起至"
        f"{fmt.date(report.valid_until)}止（法释〔2018〕15号第二十七条：参考价有效期最长不超过"
        "一年；期间按《民法典》第二百零一条、第二百零二条计算，到期月没有对应日的以月末日为"
        "最后一日）。超过有效期的，应当重新确定参考价。",
        "result",
    )
    return Section(HEADINGS[4], (text,))


def _auction(report: InquiryReport) -> Section:
    a = report.auction
    source = report.reference_and_source[1]
    rows = (
        ("参考价", fmt.wan_and_yuan(a.reference), "100%", f"取{source}"),
        (
            "第一次拍卖起拍价（建议）",
            fmt.wan_and_yuan(a.first_start),
            fmt.percent(a.first_share, 1),
            "不得低于参考价的70%（法释〔2016〕18号第十条）",
        ),
        (
            "第二次拍卖起拍价下限",
            fmt.wan_and_yuan(a.second_start),
            fmt.percent(a.second_share, 1),
            "较第一次起拍价降价不超过20%，即参考价的56%（第二十六条）",
        ),
    )
    notes = (
        Text(
            "建议金额按法定比例计算后向上取整至百元，保证不低于法定比例。第二次拍卖仍流拍的，"
            "可以依法变卖。竞买保证金为起拍价的5%至20%（第十七条）。",
            "note",
        ),
        Text(
            "参考价为多家询价平台结果的平均值（法释〔2018〕15号第十三条）；人民法院以平均值"
            "确定参考价的，应按该参考价重新计算上述金额。",
            "note",
        ),
    )
    table = Table(rows, ("轮次", "金额", "占参考价", "依据"), "grid")
    return Section(HEADINGS[5], (table, *notes))


def _metric_rows(model: ModelInfo) -> list[tuple[str, str]]:
    rows = []
    for key, (label, is_share) in _METRICS.items():
        if key in model.metrics:
            value = model.metrics[key]
            rows.append((label, fmt.percent(value, 1) if is_share else f"{value:.3f}"))
    return rows


def _record(report: InquiryReport) -> Section:
    m = report.valuation.model
    rows = [
        ("模型名称", m.name),
        ("模型版本", m.version + (f"（{m.alias}）" if m.alias else "")),
        ("运行编号（run id）", m.run_id or "—"),
    ]
    if m.trained_at is not None:
        rows.append(("训练时间", m.trained_at.strftime("%Y-%m-%d %H:%M")))
    rows += _metric_rows(m)
    rows.append(("台账记录编号", report.ledger_entry_id))
    # The hash gets the full text width, so all its digits stay on one line.
    ledger_hash = Text(f"记录哈希（SHA-256）：{report.ledger_hash}", "note")
    note = Text(
        "本次询价已自动记入询价台账，可凭记录编号与哈希值核对本报告与台账记录一致。"
        "询价结果仅用于本案。",
        "note",
    )
    return Section(HEADINGS[6], (Table(tuple(rows)), ledger_hash, note))


def _on(day: dt.date | None) -> str:
    return f"于 {fmt.date(day)} " if day is not None else ""


def objection_status(task: AppraisalTask) -> str:
    """What section 八 says of a filed objection: who, when, why, and where its appraisal is."""
    filed = (
        f"本询价结果已被提出异议：{task.party.value}的异议于 {fmt.date(task.registered_on)} "
        f"登记，事由为“{task.ground.value}”。"
    )
    pending = "评估结果作出前，本询价结果不作为确定参考价的依据。"
    if task.status is AppraisalStatus.OPEN:
        provisional = "（节假日安排公布前的暂定日期，须人工核对）" if task.dates_provisional else ""
        stage = f"委托评估应于 {fmt.date(task.due_on)} 前启动{provisional}；{pending}"
    elif task.status is AppraisalStatus.STARTED:
        stage = f"委托评估已{_on(task.started_on)}启动；{pending}"
    elif task.status is AppraisalStatus.DONE:
        value = (
            ""
            if task.appraised_value is None
            else f"，评估价 {fmt.wan_and_yuan(float(task.appraised_value))}"
        )
        stage = f"委托评估已{_on(task.closed_on)}完成{value}，以评估结果为准。"
    else:
        stage = f"该异议已{_on(task.closed_on)}撤回，本询价结果继续有效。"
    return filed + stage


def _objections(report: InquiryReport) -> Section:
    text = Text(
        "当事人、利害关系人认为本报告财产基本情况错误、超出财产范围或者询价程序违法的，"
        "可以在收到本报告之日起五日内以书面形式向人民法院提出异议。"
        "收到书面异议后，人民法院将在三个工作日内启动委托评估。"
    )
    if report.objection is None:
        return Section(HEADINGS[7], (text,))
    return Section(HEADINGS[7], (Text(objection_status(report.objection)), text))


def assemble(
    report: InquiryReport, title: str, own: tuple[Section, Section, Section, Section]
) -> ReportContent:
    """The whole report: the header, the asset's own sections 一 to 四, then 五 to 八."""
    header_rows = [("案号", report.case_number)]
    if report.court:
        header_rows.append(("法院", report.court))
    header_rows += [("承办法官", report.judge_name), ("询价日期", fmt.date(report.inquiry_date))]
    if report.purpose:
        header_rows.append(("询价用途", report.purpose))
    shared = (_validity(report), _auction(report), _record(report), _objections(report))
    return ReportContent(
        title=title,
        header=Table(tuple(header_rows)),
        sections=(*own, *shared),
        signature=f"承办法官：{report.judge_name}　　日期：{fmt.date(report.inquiry_date)}",
        footer=f"{report.case_number} · 台账记录 {report.ledger_entry_id}",
    )
