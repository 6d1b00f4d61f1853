"""Hidden-asset leads: which searches to run next, and the evidence that points there.

Rules over the request's own values, in priority order: spending that the assets found
cannot explain first (Wuxi: debtors paying private-school fees while nothing is found), then
income and accounts the searches do not cover, the creditor's unverified leads, and last any
of the "5" searches not yet run. Thresholds come from the settings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from models.capacity.features import SEARCHES
from models.capacity.options import CapacityOptions
from models.capacity.schemas import AssetLead
from models.capacity.vocabulary import DebtorType, OperatingStatus
from models.text import cny, flag, known

Row = Mapping[str, Any]
Rule = Callable[[Row, CapacityOptions], AssetLead | None]

_SEARCH_NAMES = {
    "bank": "银行存款",
    "securities": "股票、基金",
    "real_estate": "不动产",
    "vehicles": "车辆",
    "equity": "股权",
}


def _number(row: Row, field: str) -> float:
    value = row.get(field)
    return float(value) if known(value) else 0.0


def _little_found(row: Row) -> bool:
    """No deposits found and no (or unsearched) liquid assets worth a tenth of the debt."""
    liquid = _number(row, "bank_deposits_found") + _number(row, "securities_found")
    return liquid < 0.1 * float(row["amount_due"])


def _travel(row: Row, options: CapacityOptions) -> AssetLead | None:
    flights, nights = _number(row, "flights_12m"), _number(row, "hotel_nights_12m")
    if not _little_found(row) or (
        flights < options.lead_flights and nights < options.lead_hotel_nights
    ):
        return None
    return AssetLead(
        code="PAYMENT_ACCOUNTS",
        action="调取第三方支付（微信、支付宝）账户和信用卡流水，追查出行、住宿的付款账户",
        why=f"近12个月乘坐飞机{int(flights)}次、住宿酒店{int(nights)}晚，与查到的存款不符",
    )


def _school(row: Row, options: CapacityOptions) -> AssetLead | None:
    fees = _number(row, "private_school_fees_12m")
    if fees <= 0 or not _little_found(row):
        return None
    return AssetLead(
        code="SCHOOL_FEES",
        action="向子女就读的私立学校调查学费缴纳人和付款账户",
        why=f"近12个月支付私立学校学费{cny(fees)}，但未查到相应存款",
    )


@dataclass(frozen=True)
class _Spending:
    """Spending of at least ``lead_spend`` while little is found points to a payer's account."""

    code: str
    field: str
    action: str
    phrase: str

    def __call__(self, row: Row, options: CapacityOptions) -> AssetLead | None:
        spend = _number(row, self.field)
        if spend < options.lead_spend or not _little_found(row):
            return None
        return AssetLead(
            code=self.code, action=self.action, why=f"近12个月{self.phrase}{cny(spend)}"
        )


_luxury = _Spending(
    "LUXURY_SPENDING",
    "luxury_spend_12m",
    "调取高消费的支付记录，追查资金来源账户；依法限制高消费",
    "高消费",
)
_online = _Spending(
    "E_COMMERCE",
    "online_shopping_12m",
    "向电商平台调取收货地址、绑定手机号和账户余额（贺兰法院做法）",
    "网购消费",
)


def _wages(row: Row, options: CapacityOptions) -> AssetLead | None:
    if row.get("debtor_type") != DebtorType.INDIVIDUAL:
        return None
    if not (flag(row.get("social_insurance_active")) or flag(row.get("employer_found"))):
        return None
    return AssetLead(
        code="WAGES",
        action="向工作单位查询工资收入，依法冻结、扣划收入",
        why="正在缴纳社保或查到工作单位，有稳定收入来源",
    )


def _company_accounts(row: Row, options: CapacityOptions) -> AssetLead | None:
    if row.get("debtor_type") != DebtorType.COMPANY:
        return None
    employees = _number(row, "insured_employees")
    if row.get("operating_status") != OperatingStatus.OPERATING or employees <= 0:
        return None
    return AssetLead(
        code="RECEIVABLES",
        action="查询对公账户往来、应收账款和到期债权，依法冻结、提取",
        why=f"企业仍在经营，参保职工{int(employees)}人，但可供执行的存款不足",
    )


def _equity(row: Row, options: CapacityOptions) -> AssetLead | None:
    equity = _number(row, "equity_value")
    if equity <= 0:
        return None
    return AssetLead(
        code="EQUITY",
        action="冻结股权并评估其价值，查询被投资企业的分红和利润分配",
        why=f"持有股权估值约{cny(equity)}",
    )


def _creditor_leads(row: Row, options: CapacityOptions) -> AssetLead | None:
    unverified = int(_number(row, "creditor_leads") - _number(row, "creditor_leads_verified"))
    if unverified <= 0:
        return None
    return AssetLead(
        code="CREDITOR_LEADS",
        action=f"核查申请执行人提供的{unverified}条未核实财产线索",
        why="申请执行人提供的线索尚未核实",
    )


def _spouse(row: Row, options: CapacityOptions) -> AssetLead | None:
    if row.get("debtor_type") != DebtorType.INDIVIDUAL or not flag(
        row.get("household_registration_found")
    ):
        return None
    if not _little_found(row):
        return None
    return AssetLead(
        code="MARITAL_PROPERTY",
        action="依户籍信息查询配偶名下财产，核查夫妻共同财产",
        why="已查到户籍，但本人名下可供执行的财产不足",
    )


def _unsearched(row: Row, options: CapacityOptions) -> AssetLead | None:
    if row.get("searches_missing") == 0:  # counted with the features already
        return None
    missing = [
        _SEARCH_NAMES[name]
        for name, fields in SEARCHES.items()
        if not any(known(row.get(field)) for field in fields)
    ]
    if not missing:
        return None
    return AssetLead(
        code="SEARCHES_MISSING",
        action=f"完成{'、'.join(missing)}查询（“5+X+Y”中的“5”）",
        why="尚未取得这些查询的结果",
    )


RULES: tuple[Rule, ...] = (
    _school,
    _travel,
    _luxury,
    _online,
    _wages,
    _company_accounts,
    _equity,
    _creditor_leads,
    _spouse,
    _unsearched,
)


def asset_leads(row: Row, options: CapacityOptions) -> list[AssetLead]:
    """Up to ``options.leads`` leads for one debtor, most telling first."""
    leads: list[AssetLead] = []
    for rule in RULES:
        if len(leads) >= options.leads:
            break
        lead = rule(row, options)
        if lead is not None:
            leads.append(lead)
    return leads
