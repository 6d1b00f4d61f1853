"""The vehicle report's own sections: the vehicle's facts, its comparable sales and the
residual-value-rate method (残值率法)."""

from __future__ import annotations

from models.asset_identity import VEHICLE_IDENTITY_FIELDS
from models.labels import VEHICLE_LABELS
from models.vehicle.price_curve import chart
from models.vehicle.schemas import ResidualRateFigure
from models.vehicle.vocabulary import Damage
from serving.reports import formatting as fmt
from serving.reports import sections
from serving.reports.document import HEADINGS, Block, ReportContent, Section, Text
from serving.reports.model import VehicleReport

TITLE = "机动车网络询价报告"
RULE_NAME = "残值率法"

_MODEL_INPUTS = (
    "品牌、车系、车身类型、燃料、变速箱、功率、新车指导价、车龄、里程、过户次数、车况、"
    "排放标准、交易城市"
)
_CONDITION = {
    Damage.NONE: "正常（非事故车、非泡水车）",
    Damage.ACCIDENT: "事故车",
    Damage.FLOOD: "泡水车",
}
#: Where the residual rate came from (the table falls back when a cell has too few sales).
_RATE_SOURCE = {
    "series": "本车系",
    "segment": "同类车型（品牌类别、燃料相同；本车系成交样本不足）",
    "age": "全部车型（本车系及同类车型成交样本不足）",
}


def _label(field: str) -> str:
    """The field's form label without its unit (the value in the report carries the unit)."""
    return VEHICLE_LABELS[field].split("（", 1)[0]


def _basic_facts(report: VehicleReport) -> Section:
    p = report.request
    given = {name: getattr(p, name) for name in VEHICLE_IDENTITY_FIELDS}
    rows = [(_label(name), value) for name, value in given.items() if value]
    rows += [
        (_label("brand"), p.brand),
        (_label("series"), p.series),
        (_label("origin"), p.origin.value),
        (_label("body_type"), p.body_type.value),
        (_label("fuel"), p.fuel.value),
        (_label("gearbox"), p.gearbox.value),
        (_label("power_kw"), f"{p.power_kw:g}kW"),
        (_label("new_price"), fmt.wan_and_yuan(p.new_price)),
        (_label("registration_date"), fmt.date(p.registration_date)),
        ("车龄", f"{report.valuation.age_years:.1f}年"),
        (_label("mileage_km"), fmt.km(p.mileage_km)),
        (_label("transfers"), f"{p.transfers}次"),
        (_label("damage"), _CONDITION[p.damage]),
        (_label("emission_standard"), p.emission_standard.value),
        (_label("seller_type"), p.seller_type.value),
    ]
    if p.color is not None:
        rows.append((_label("color"), p.color.value))
    rows += [(_label("region"), p.region), (_label("valuation_date"), fmt.date(p.valuation_date))]
    return sections.facts(rows, report.earlier)


def _trend(report: VehicleReport) -> list[Block]:
    """The price curve drawn for the inquiry, if one was, and what it shows."""
    curve = report.curve
    if curve is None:
        return []
    findings = [sections.observed_sales([m.count for m in curve.observed], "可比车辆")]
    if curve.projection:
        findings.append(
            f"车龄与里程继续增加、行情保持不变时，此后{len(curve.projection)}个月估值平均每月变动"
            f"{fmt.signed_percent(curve.monthly_depreciation_pct)}（虚线）。"
        )
    dots = "同车系、车龄与新车价相近、车况相同的车辆每月成交价中位数（圆越大成交越多）"
    return sections.price_trend(chart(report.request, curve), "该车辆", dots, findings)


def _samples(report: VehicleReport) -> Section:
    header = (
        "成交日期", "车型", "城市", "车龄", "里程", "车况", "新车价", "成交价", "相似度",
        "修正后价格",
    )  # fmt: skip
    rows = [
        (
            c.transaction_date.isoformat(),
            f"{c.brand} {c.series}",
            c.region,
            f"{c.age_years:.1f}年",
            fmt.km(c.mileage_km),
            "正常" if c.damage == Damage.NONE else c.damage,
            fmt.wan(c.new_price, 2),
            fmt.wan(c.price, 2),
            fmt.percent(c.similarity),
            sections.adjusted(c.adjusted_price),
        )
        for c in report.valuation.comparables
    ]
    return sections.samples(header, rows, _trend(report))


def _rule_method(rule: ResidualRateFigure) -> list[Text]:
    source = _RATE_SOURCE.get(rule.rate_source, rule.rate_source)
    return [
        Text(
            "（二）残值率法（参照）。市场价值 = 新车指导价 × 残值率 × 里程系数 × 车况系数。"
            f"残值率取{source}车龄{rule.age_year}至{rule.age_year + 1}年车辆的水平；里程系数按"
            f"年均里程分档（本车为{rule.mileage_band}）；车况系数反映事故、泡水等情况。"
            "残值率与各系数均由近期成交数据估计。"
        ),
        Text(
            f"{fmt.yuan(rule.new_price)} × {rule.residual_rate:.4f} × "
            f"{rule.mileage_coefficient:.3f} × {rule.condition_coefficient:.3f} = "
            f"{fmt.wan_and_yuan(rule.value)}",
            "mono",
        ),
    ]


def _method(report: VehicleReport) -> Section:
    v = report.valuation
    blocks: list[Block] = [
        sections.model_method(v.model, _MODEL_INPUTS, "历史二手车成交与司法拍卖数据"),
        *sections.contributions(v.contributions),
        *_rule_method(v.rule_based),
        sections.rule_gap(v.value, v.rule_based.value, RULE_NAME),
        sections.interval_method(v.interval, v.unseen_input),
        *sections.comparison_check(
            v.value, v.comparables_value, v.comparables_inside_interval, v.comparables
        ),
    ]
    return Section(HEADINGS[2], tuple(blocks))


def vehicle_content(report: VehicleReport) -> ReportContent:
    """The full text of a vehicle's inquiry report."""
    share = report.valuation.value / report.request.new_price
    own = (
        _basic_facts(report),
        _samples(report),
        _method(report),
        sections.result(
            report, "该车辆", RULE_NAME, [("成新率（市场价值/新车指导价）", fmt.percent(share, 1))]
        ),
    )
    return sections.assemble(report, TITLE, own)
