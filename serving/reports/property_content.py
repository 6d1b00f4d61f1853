"""The property report's own sections: the property's facts, its comparable sales and the
base-price method (基准价法)."""

from __future__ import annotations

from models.property.guide_prices import GuidePriceFigure
from models.property.price_curve import chart
from models.property.schemas import PropertyRequest
from serving.reports import formatting as fmt
from serving.reports import sections
from serving.reports.document import HEADINGS, Block, ReportContent, Section, Text
from serving.reports.model import PropertyReport

TITLE = "不动产网络询价报告"
RULE_NAME = "基准价法"

_BASE_SOURCE = {
    "community": "本小区的成交数据",
    "district": "所在街道/镇的成交数据（本小区成交样本不足）",
    "type": "同类物业的总体成交数据（本小区及所在街道成交样本不足）",
}


def _floor_text(request: PropertyRequest) -> str:
    floor = f"地下{-request.floor}层" if request.floor < 0 else f"第{request.floor}层"
    return f"{floor}（共{request.total_floors}层）"


def _basic_facts(report: PropertyReport) -> Section:
    p = report.request
    place = f"{p.district} {p.community}"
    rows = [("坐落", p.address), ("街道/镇、小区", place)] if p.address else [("坐落", place)]
    if p.certificate_number:
        rows.append(("不动产权证号", p.certificate_number))
    rows += [
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
    return sections.facts(rows, report.earlier)


def _trend(report: PropertyReport) -> list[Block]:
    """The price curve drawn for the inquiry, if one was, and what it shows."""
    curve = report.curve
    if curve is None:
        return []
    findings = []
    if curve.change_12_months_pct is not None:
        since = curve.history[-12].date  # the month-end 12 months before the valuation month
        findings.append(
            f"自{fmt.date(since)}至价值时点，模型估值变动"
            f"{fmt.signed_percent(curve.change_12_months_pct)}。"
        )
    findings.append(sections.observed_sales([m.count for m in curve.observed], "同小区同类物业"))
    dots = "同小区同类物业每月成交单价中位数乘以本财产面积（圆越大成交越多）"
    return sections.price_trend(chart(report.request, curve), "该财产", dots, findings)


def _samples(report: PropertyReport) -> Section:
    header = ("成交日期", "小区", "面积", "楼层", "成交价", "单价", "距离", "相似度", "修正后价格")
    rows = [
        (
            c.transaction_date.isoformat(),
            c.community,
            fmt.area(c.area_m2),
            f"{c.floor}/{c.total_floors}",
            fmt.wan(c.price, 2),
            fmt.per_m2(c.price_per_m2),
            "—" if c.distance_km is None else f"{c.distance_km:.1f}km",
            fmt.percent(c.similarity),
            sections.adjusted(c.adjusted_price),
        )
        for c in report.valuation.comparables
    ]
    return sections.samples(header, rows, _trend(report))


def _guide(guide: GuidePriceFigure, area_m2: float) -> list[Block]:
    """The 政府基准价法 figure and where its price comes from (a third kind of price data)."""
    return [
        Text(
            f"政府基准价（参照）：取自{guide.source}（{fmt.date(guide.effective_from)}起执行），"
            "乘以上述楼层系数、朝向系数和建筑面积，不作时间调整。"
        ),
        Text(
            f"{fmt.per_m2(guide.base_price_per_m2)} × {guide.floor_coefficient:.3f} × "
            f"{guide.orientation_coefficient:.3f} × {fmt.area(area_m2)} = "
            f"{fmt.wan_and_yuan(guide.value)}",
            "mono",
        ),
    ]


def _method(report: PropertyReport) -> Section:
    v, rule = report.valuation, report.valuation.rule_based
    data = "历史成交与司法拍卖数据" + ("及政府基准价" if v.guide_price is not None else "")
    blocks: list[Block] = [
        sections.model_method(v.model, "坐落、物业类型、面积、楼层、朝向、房龄、装修、电梯", data),
        *sections.contributions(v.contributions),
        Text(
            "（二）基准价法（参照）。市场价值 = 基准价 × 楼层系数 × 朝向系数 × 建筑面积 × "
            "时间调整系数。基准价取自" + _BASE_SOURCE.get(rule.base_source, rule.base_source) + "；"
            "各系数由历史成交数据估计，时间调整系数为价值时点所在月份与基准月份价格指数之比。"
        ),
        Text(
            f"{fmt.per_m2(rule.base_price_per_m2)} × {rule.floor_coefficient:.3f} × "
            f"{rule.orientation_coefficient:.3f} × {fmt.area(report.request.area_m2)} × "
            f"{rule.time_index:.3f} = {fmt.wan_and_yuan(rule.value)}",
            "mono",
        ),
        sections.rule_gap(v.value, rule.value, RULE_NAME),
        *(_guide(v.guide_price, report.request.area_m2) if v.guide_price is not None else []),
        sections.interval_method(v.interval, v.unseen_input),
        *sections.comparison_check(
            v.value, v.comparables_value, v.comparables_inside_interval, v.comparables
        ),
    ]
    return Section(HEADINGS[2], tuple(blocks))


def property_content(report: PropertyReport) -> ReportContent:
    """The full text of a property's inquiry report."""
    unit_price = ("单价", fmt.per_m2(report.valuation.value_per_m2))
    guide = report.valuation.guide_price
    after = [("政府基准价法参照值", fmt.wan_and_yuan(guide.value))] if guide is not None else []
    own = (
        _basic_facts(report),
        _samples(report),
        _method(report),
        sections.result(report, "该财产", RULE_NAME, [unit_price], after),
    )
    return sections.assemble(report, TITLE, own)
