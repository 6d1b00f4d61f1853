"""The report's text, independent of the output format: HTML and PDF show the same words.

Each section is a heading and a sequence of blocks (paragraphs and tables); the renderers only
lay them out. Headings are numbered as a Chinese court document numbers them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from models.property.schemas import PropertyRequest
from serving.reports import formatting as fmt
from serving.reports.model import InquiryReport

TITLE = "不动产网络询价报告"

#: The section headings, in order; the rule (法释〔2018〕15号 Art. 11) requires 一 to 五.
HEADINGS: tuple[str, ...] = (
    "一、财产基本情况",
    "二、参考样本",
    "三、计算方法",
    "四、询价结果",
    "五、有效期",
    "六、拍卖起拍价建议",
    "七、模型与记录",
    "八、异议",
)

TextStyle = Literal["body", "note", "result", "mono"]


@dataclass(frozen=True)
class Text:
    """A paragraph; ``style`` says how it stands out (``result`` = the headline figure)."""

    text: str
    style: TextStyle = "body"


@dataclass(frozen=True)
class Table:
    """A table: ``fields`` = label/value pairs, ``grid`` = a header row and data rows."""

    rows: tuple[tuple[str, ...], ...]
    header: tuple[str, ...] = ()
    kind: Literal["fields", "grid"] = "fields"


Block = Text | Table


@dataclass(frozen=True)
class Section:
    """One numbered section of the report."""

    heading: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class ReportContent:
    """The whole report as text."""

    title: str
    header: Table
    sections: tuple[Section, ...]
    signature: str
    footer: str


def _floor_text(request: PropertyRequest) -> str:
    floor = f"地下{-request.floor}层" if request.floor < 0 else f"第{request.floor}层"
    return f"{floor}（共{request.total_floors}层）"


def _basic_facts(report: InquiryReport) -> Section:
    p = report.request
    rows = [
        ("坐落", f"{p.district} {p.community}"),
        ("物业类型", p.property_type.value),
        ("建筑面积", fmt.area(p.area_m2)),
        ("所在楼层", _floor_text(p)),
        ("朝向", p.orientation.value),
        ("户型", f"{p.rooms}室" if p.rooms else "—"),
        ("电梯", "有" if p.elevator else "无"),
        ("装修", p.decoration.value),
        ("建成年份", f"{p.build_year}年"),
        ("价值时点", fmt.date(p.valuation_date)),
    ]
    if p.latitude is not None and p.longitude is not None:
        rows.append(("坐标（WGS-84）", f"北纬 {p.latitude:.5f}°，东经 {p.longitude:.5f}°"))
    note = Text(
        "以上情况依据查封记录及承办法官录入的信息；如与实际不符，当事人可依第八部分提出异议。",
        "note",
    )
    return Section(HEADINGS[0], (Table(tuple(rows)), note))


def _samples(report: InquiryReport) -> Section:
    comparables = report.valuation.comparables
    if not comparables:
        return Section(HEADINGS[1], (Text("本次询价没有检索到可比的近期成交样本。"),))
    header = ("序号", "成交日期", "小区", "面积", "楼层", "成交价", "单价", "距离", "相似度")
    rows = tuple(
        (
            str(i),
            c.transaction_date.isoformat(),
            c.community,
            fmt.area(c.area_m2),
            f"{c.floor}/{c.total_floors}",
            fmt.wan(c.price, 2),
            fmt.per_m2(c.price_per_m2),
            "—" if c.distance_km is None else f"{c.distance_km:.1f}km",
            fmt.percent(c.similarity),
        )
        for i, c in enumerate(comparables, start=1)
    )
    intro = Text(f"估价参考了以下{len(comparables)}宗近期同类成交案例，按相似度排列：")
    return Section(HEADINGS[1], (intro, Table(rows, header, "grid")))


_BASE_SOURCE = {
    "community": "本小区的成交数据",
    "district": "所在街道/镇的成交数据（本小区成交样本不足）",
    "type": "同类物业的总体成交数据（本小区及所在街道成交样本不足）",
}

_METRICS = {
    "median_ape": ("中位绝对百分比误差（MdAPE）", True),
    "ppe10": ("误差在±10%以内的比例（PPE10）", True),
    "interval_coverage": ("区间实际覆盖率", True),
    "cod": ("离散系数（COD）", False),
    "prd": ("价格相关差（PRD）", False),
}


def _method(report: InquiryReport) -> Section:
    v, rule = report.valuation, report.valuation.rule_based
    model = Text(
        f"（一）模型估价。本报告采用机器学习估价模型“{v.model.name}”（版本 {v.model.version}）。"
        "模型以坐落、物业类型、面积、楼层、朝向、房龄、装修、电梯等情况为输入，从历史成交与"
        "司法拍卖数据中学习市场价格规律，得出价值时点的市场价值，并给出价格区间。"
    )
    blocks: list[Block] = [model]
    if v.contributions:
        effects = "；".join(
            f"{c.label}（{c.value}）{fmt.signed_percent(c.effect_pct)}" for c in v.contributions
        )
        blocks.append(Text(f"对本次估价影响最大的因素：{effects}。", "note"))
    blocks.append(
        Text(
            "（二）基准价法（参照）。市场价值 = 基准价 × 楼层系数 × 朝向系数 × 建筑面积 × "
            "时间调整系数。基准价取自" + _BASE_SOURCE.get(rule.base_source, rule.base_source) + "；"
            "各系数由历史成交数据估计，时间调整系数为价值时点所在月份与基准月份价格指数之比。"
        )
    )
    blocks.append(
        Text(
            f"{fmt.per_m2(rule.base_price_per_m2)} × {rule.floor_coefficient:.3f} × "
            f"{rule.orientation_coefficient:.3f} × {fmt.area(report.request.area_m2)} × "
            f"{rule.time_index:.3f} = {fmt.wan_and_yuan(rule.value)}",
            "mono",
        )
    )
    gap = (v.value - rule.value) / rule.value
    coverage = fmt.percent(v.interval.coverage)
    blocks.append(
        Text(
            f"模型估价与基准价法结果相差 {gap * 100:+.1f}%。基准价法结果仅作参照，"
            "询价结果以模型估价为准。"
        )
    )
    blocks.append(
        Text(
            f"（三）价格区间。区间按交叉验证的估价误差确定，名义覆盖率 {coverage}："
            f"同类估价中约{coverage}的实际成交价落在相应区间内。"
            f"（技术说明：{v.interval.method}）",
        )
    )
    return Section(HEADINGS[2], tuple(blocks))


def _result(report: InquiryReport) -> Section:
    v = report.valuation
    rows = (
        ("市场价值（询价结果）", fmt.wan_and_yuan(v.value)),
        ("单价", fmt.per_m2(v.value_per_m2)),
        (
            f"{fmt.percent(v.interval.coverage)}价格区间",
            f"{fmt.wan(v.interval.lower)} 至 {fmt.wan(v.interval.upper)}"
            f"（{fmt.yuan(v.interval.lower)} 至 {fmt.yuan(v.interval.upper)}）",
        ),
        ("基准价法参照值", fmt.wan_and_yuan(v.rule_based.value)),
    )
    headline = Text(
        f"经网络询价，该财产于{fmt.date(report.request.valuation_date)}的市场价值为"
        f"{fmt.wan_and_yuan(v.value)}。",
        "result",
    )
    return Section(HEADINGS[3], (headline, Table(rows)))


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
    source = "本次询价结果" if report.reference_price is None else "人民法院确定的参考价"
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


def _metric_rows(report: InquiryReport) -> list[tuple[str, str]]:
    metrics = report.valuation.model.metrics
    rows = []
    for key, (label, is_share) in _METRICS.items():
        if key in metrics:
            value = metrics[key]
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
    rows += _metric_rows(report)
    rows += [("台账记录编号", report.ledger_entry_id), ("记录哈希", report.ledger_hash)]
    note = Text(
        "本次询价已自动记入询价台账，可凭记录编号与哈希值核对本报告与台账记录一致。"
        "询价结果仅用于本案。",
        "note",
    )
    return Section(HEADINGS[6], (Table(tuple(rows)), note))


def _objections() -> Section:
    text = Text(
        "当事人、利害关系人认为本报告财产基本情况错误、超出财产范围或者询价程序违法的，"
        "可以在收到本报告之日起五日内以书面形式向人民法院提出异议。"
        "收到书面异议后，人民法院将在三个工作日内启动委托评估。"
    )
    return Section(HEADINGS[7], (text,))


def report_content(report: InquiryReport) -> ReportContent:
    """The report's full text, ready for either renderer."""
    header_rows = [("案号", report.case_number)]
    if report.court:
        header_rows.append(("法院", report.court))
    header_rows += [("承办法官", report.judge_name), ("询价日期", fmt.date(report.inquiry_date))]
    if report.purpose:
        header_rows.append(("询价用途", report.purpose))
    sections = (
        _basic_facts(report),
        _samples(report),
        _method(report),
        _result(report),
        _validity(report),
        _auction(report),
        _record(report),
        _objections(),
    )
    return ReportContent(
        title=TITLE,
        header=Table(tuple(header_rows)),
        sections=sections,
        signature=f"承办法官：{report.judge_name}　　日期：{fmt.date(report.inquiry_date)}",
        footer=f"{report.case_number} · 台账记录 {report.ledger_entry_id}",
    )
