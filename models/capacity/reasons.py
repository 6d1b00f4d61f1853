"""Reason codes: the model's signed contributions, grouped by topic, as Chinese sentences.

Every feature belongs to one topic (a derived ratio to the input it is read from); a topic's
effect is the sum of its features' log-odds contributions. The largest effects become
sentences built from the request's own values, e.g. "近12个月乘坐飞机 18 次，但未查到存款".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from models.capacity.schemas import CapacityReason
from models.text import cny, flag, known, pct

Row = Mapping[str, Any]

#: Feature → topic. Context features (region, debtor type) give no reason of their own.
TOPIC_OF: dict[str, str] = {
    "bank_deposits_found": "deposits",
    "cash_ratio": "deposits",
    "liquid_ratio": "deposits",
    "securities_found": "securities",
    "real_estate_count": "real_estate",
    "real_estate_value": "real_estate",
    "vehicle_count": "vehicles",
    "vehicle_value": "vehicles",
    "equity_value": "equity",
    "asset_ratio": "assets",
    "searches_missing": "searches",
    "creditor_leads": "leads",
    "creditor_leads_verified": "leads",
    "leads_unverified": "leads",
    "social_insurance_active": "employment",
    "employer_found": "employment",
    "household_registration_found": "household",
    "flights_12m": "flights",
    "rail_trips_12m": "rail",
    "hotel_nights_12m": "hotel",
    "luxury_spend_12m": "luxury",
    "private_school_fees_12m": "school",
    "online_shopping_12m": "online",
    "spend_ratio": "spending",
    "dishonest_listed": "dishonest",
    "dishonest_history": "dishonest",
    "other_open_cases": "other_cases",
    "months_since_judgment": "judgment_age",
    "amount_due": "amount",
    "operating_status": "operating_status",
    "insured_employees": "employees",
    "tax_credit_grade": "tax_grade",
    "registered_capital": "capital",
}


def _no_deposits(row: Row) -> bool:
    deposits = row.get("bank_deposits_found")
    return not known(deposits) or float(deposits) <= 0


@dataclass(frozen=True)
class _Found:
    """A search with one amount: not run, found nothing, or found this much."""

    code: str
    field: str
    noun: str
    found: str  # "查到银行存款" …

    def __call__(self, row: Row) -> tuple[str, str]:
        value = row.get(self.field)
        if not known(value):
            return f"{self.code}_NOT_SEARCHED", f"尚未完成{self.noun}查询"
        amount = float(value)
        if amount <= 0:
            return f"{self.code}_NONE", f"未查到{self.noun}"
        share = amount / float(row["amount_due"])
        return f"{self.code}_FOUND", f"{self.found}{cny(amount)}，为执行标的的{pct(share)}"


def _counted(
    row: Row, name: str, noun: str, unit: str, count_field: str, value_field: str
) -> tuple[str, str]:
    count, value = row.get(count_field), row.get(value_field)
    if not known(count):
        return f"{name}_NOT_SEARCHED", f"尚未完成{noun}查询"
    if int(count) == 0:
        return f"{name}_NONE", f"名下未查到{noun}"
    worth = f"，估值约{cny(float(value))}" if known(value) and float(value) > 0 else ""
    return f"{name}_FOUND", f"名下有{noun}{int(count)}{unit}{worth}"


#: The asset values the "5" searches report.
_ASSET_VALUES = (
    "bank_deposits_found",
    "securities_found",
    "real_estate_value",
    "vehicle_value",
    "equity_value",
)


def _assets(row: Row) -> tuple[str, str]:
    values = [float(row[c]) for c in _ASSET_VALUES if known(row.get(c))]
    if not values:
        return "ASSETS_NOT_SEARCHED", "尚无任何财产查询结果"
    total = sum(values)
    if total <= 0:
        if int(row.get("searches_missing") or 0):  # not "every search": some are not back
            return "ASSETS_NONE", "已反馈的财产查询均未查到财产"
        return "ASSETS_NONE", "各项查询均未查到财产"
    return (
        "ASSETS_FOUND",
        f"查到的财产合计{cny(total)}，为执行标的的{pct(total / row['amount_due'])}",
    )


def _searches(row: Row) -> tuple[str, str]:
    missing = int(row.get("searches_missing") or 0)
    if missing:
        return "SEARCHES_MISSING", f"五项财产查询中尚有{missing}项未完成"
    return "SEARCHES_DONE", "五项财产查询均已完成"


def _leads(row: Row) -> tuple[str, str]:
    leads, verified = (
        int(row.get("creditor_leads") or 0),
        int(row.get("creditor_leads_verified") or 0),
    )
    if leads == 0:
        return "LEADS_NONE", "申请执行人未提供财产线索"
    return "LEADS", f"申请执行人提供财产线索{leads}条，已核实{verified}条"


def _flag(value: Any, yes: str, no: str, unknown: str) -> str:
    if not known(value):
        return unknown
    return yes if bool(value) else no


def _employment(row: Row) -> tuple[str, str]:
    insured = _flag(
        row.get("social_insurance_active"), "正在缴纳社保", "未查到社保缴纳", "尚未核查社保"
    )
    employer = _flag(
        row.get("employer_found"), "查到工作单位", "未查到工作单位", "尚未核查工作单位"
    )
    code = (
        "EMPLOYED"
        if flag(row.get("social_insurance_active")) or flag(row.get("employer_found"))
        else "NOT_EMPLOYED"
    )
    return code, f"{insured}，{employer}"


def _household(row: Row) -> tuple[str, str]:
    text = _flag(
        row.get("household_registration_found"), "已查到户籍住所", "未找到户籍住所", "尚未核查户籍"
    )
    return "HOUSEHOLD", text


@dataclass(frozen=True)
class _Spending:
    """A consumption signal: a count or an amount over the last 12 months."""

    code: str
    field: str
    phrase: str
    is_money: bool
    unit: str = "次"

    def __call__(self, row: Row) -> tuple[str, str]:
        value = row.get(self.field)
        if not known(value):
            return f"{self.code}_UNKNOWN", f"尚未取得近12个月{self.phrase}记录"
        amount = float(value)
        if amount <= 0:
            return f"{self.code}_NONE", f"近12个月无{self.phrase}记录"
        shown = cny(amount) if self.is_money else f" {int(amount)} {self.unit}"
        text = f"近12个月{self.phrase}{shown}"
        if _no_deposits(row):
            return f"{self.code}_WITHOUT_DEPOSITS", f"{text}，但未查到存款"
        return self.code, text


def _spending(row: Row) -> tuple[str, str]:
    values = [
        float(row[c])
        for c in ("luxury_spend_12m", "private_school_fees_12m", "online_shopping_12m")
        if known(row.get(c))
    ]
    if not values:
        return "SPENDING_UNKNOWN", "尚未取得近12个月消费记录"
    total = sum(values)
    if total <= 0:
        return "SPENDING_NONE", "近12个月无高消费、学费或网购记录"
    # The feature is the spending over the amount due: say so, which also keeps this reason
    # from repeating the luxury one when luxury is all the debtor spent.
    text = f"近12个月高消费、学费、网购合计{cny(total)}"
    amount = row.get("amount_due")
    if known(amount) and float(amount) > 0:
        text += f"，为执行标的的{pct(total / float(amount))}"
    if _no_deposits(row):
        return "SPENDING_WITHOUT_DEPOSITS", f"{text}，但未查到存款"
    return "SPENDING", text


def _dishonest(row: Row) -> tuple[str, str]:
    history = int(row.get("dishonest_history") or 0)
    before = f"，此前曾{history}次被纳入" if history else ""
    if flag(row.get("dishonest_listed")):
        return "DISHONEST_LISTED", f"已被纳入失信被执行人名单{before}"
    return (
        ("DISHONEST_HISTORY", f"此前曾{history}次被纳入失信名单")
        if history
        else ("NOT_DISHONEST", "未被纳入失信被执行人名单")
    )


def _other_cases(row: Row) -> tuple[str, str]:
    count = int(row.get("other_open_cases") or 0)
    if count:
        return "OTHER_CASES", f"另有{count}起未结执行案件"
    return "NO_OTHER_CASES", "无其他未结执行案件"


def _company(
    code: str, field: str, label: str, render: Callable[[Any], str]
) -> Callable[[Row], tuple[str, str]]:
    def sentence(row: Row) -> tuple[str, str]:
        value = row.get(field)
        return code, render(value) if known(value) else f"{label}未知"

    return sentence


SENTENCES: dict[str, Callable[[Row], tuple[str, str]]] = {
    "deposits": _Found("DEPOSITS", "bank_deposits_found", "银行存款", "查到银行存款"),
    "securities": _Found("SECURITIES", "securities_found", "股票、基金", "查到股票、基金"),
    "real_estate": lambda r: _counted(
        r, "REAL_ESTATE", "不动产", "处", "real_estate_count", "real_estate_value"
    ),
    "vehicles": lambda r: _counted(r, "VEHICLES", "车辆", "辆", "vehicle_count", "vehicle_value"),
    "equity": _Found("EQUITY", "equity_value", "股权", "持有股权估值约"),
    "assets": _assets,
    "searches": _searches,
    "leads": _leads,
    "employment": _employment,
    "household": _household,
    "flights": _Spending("FLIGHTS", "flights_12m", "乘坐飞机", False),
    "rail": _Spending("RAIL", "rail_trips_12m", "乘坐高铁", False),
    "hotel": _Spending("HOTEL", "hotel_nights_12m", "住宿酒店", False, "晚"),
    "luxury": _Spending("LUXURY", "luxury_spend_12m", "高消费", True),
    "school": _Spending("SCHOOL", "private_school_fees_12m", "支付私立学校学费", True),
    "online": _Spending("ONLINE", "online_shopping_12m", "网购消费", True),
    "spending": _spending,
    "dishonest": _dishonest,
    "other_cases": _other_cases,
    "judgment_age": lambda r: (
        "JUDGMENT_AGE",
        f"判决生效已{float(r['months_since_judgment']):.0f}个月",
    ),
    "amount": lambda r: ("AMOUNT", f"执行标的{cny(float(r['amount_due']))}"),
    "operating_status": _company(
        "OPERATING_STATUS", "operating_status", "企业经营状态", lambda v: f"企业经营状态为{v}"
    ),
    "employees": _company(
        "EMPLOYEES", "insured_employees", "参保职工人数", lambda v: f"参保职工{int(v)}人"
    ),
    "tax_grade": _company(
        "TAX_GRADE", "tax_credit_grade", "纳税信用等级", lambda v: f"纳税信用等级为{v}级"
    ),
    "capital": _company(
        "CAPITAL", "registered_capital", "注册资本", lambda v: f"注册资本{cny(float(v))}"
    ),
}


def topic_effects(contributions: Mapping[str, float]) -> dict[str, float]:
    """Per-topic sums of per-feature contributions (context features dropped)."""
    effects: dict[str, float] = {}
    for feature, value in contributions.items():
        topic = TOPIC_OF.get(feature)
        if topic is not None:
            effects[topic] = effects.get(topic, 0.0) + float(value)
    return effects


def top_reasons(
    contributions: Mapping[str, float], row: Row, n: int, outcome: str
) -> list[CapacityReason]:
    """The ``n`` topics with the largest effects as reasons; ``outcome`` names what they move
    (e.g. 履行可能 or 隐匿财产可能)."""
    effects = topic_effects(contributions)
    ranked = sorted(effects.items(), key=lambda kv: abs(kv[1]), reverse=True)[:n]
    reasons = []
    for topic, effect in ranked:
        code, text = SENTENCES[topic](row)
        reasons.append(
            CapacityReason(
                code=code,
                feature=next(f for f, t in TOPIC_OF.items() if t == topic),
                text=text,
                effect=round(effect, 4),
                direction=("提高" if effect >= 0 else "降低") + outcome,
            )
        )
    return reasons
