"""Why a case is easy or hard: the paid head's log-odds, credited to topics, as Chinese sentences.

Every feature belongs to one topic (cash, other assets, the amount, the searches, …). The
model's per-topic contributions (``attribution.py``) pick each case's strongest topics; each
topic's sentence states the case's own facts, and the sign says which way it pushes.
Sentences are built per topic for all the rows that need it at once, so a million cases with
four reasons each stay a matter of seconds.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from models.capacity.features import searches_missing
from models.triage.features import FEATURES, stage_age

#: Topic code → the features credited to it.
TOPIC_FEATURES: dict[str, tuple[str, ...]] = {
    "CASH": ("bank_deposits_found", "securities_found", "cash_ratio", "liquid_ratio"),
    "OTHER_ASSETS": (
        "real_estate_count",
        "real_estate_value",
        "vehicle_count",
        "vehicle_value",
        "equity_value",
        "asset_ratio",
    ),
    "AMOUNT": ("amount_due",),
    "SEARCHES": ("searches_missing", "household_registration_found", "neighbourhood_checked"),
    "LEADS": ("creditor_leads", "creditor_leads_verified", "leads_unverified"),
    "INCOME": ("social_insurance_active", "employer_found"),
    "SPENDING": (
        "flights_12m",
        "rail_trips_12m",
        "hotel_nights_12m",
        "luxury_spend_12m",
        "private_school_fees_12m",
        "online_shopping_12m",
        "spend_ratio",
    ),
    "CREDIT_RECORD": ("dishonest_listed", "dishonest_history"),
    "OTHER_CASES": ("other_open_cases",),
    "COMPANY": (
        "debtor_type",
        "registered_capital",
        "operating_status",
        "insured_employees",
        "tax_credit_grade",
    ),
    "CONTROL": ("days_since_assets_found", "days_since_seized", "measure_days_left"),
    "DISPOSAL": ("days_since_disposed", "days_since_money_received", "days_since_paid_out"),
    "CASE_AGE": (
        "age_days",
        "days_since_searches",
        "days_since_second_search",
        "months_since_judgment",
        "region",
    ),
    "TERMINATION": ("days_since_termination_proposed",),
}
TOPICS: tuple[str, ...] = tuple(TOPIC_FEATURES)


def topic_index() -> np.ndarray:
    """Topic of each feature, in ``FEATURES`` order (KeyError for a feature left out)."""
    topic_of = {f: i for i, fs in enumerate(TOPIC_FEATURES.values()) for f in fs}
    return np.array([topic_of[f] for f in FEATURES], dtype=np.int64)


def _num(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(frame[column], errors="coerce").astype("float64")


def cny_text(values: pd.Series) -> pd.Series:
    """Vectorised :func:`models.text.cny` (without its thousands separators):
    元 below ten thousand, 万元 with one decimal below 1e8, else 亿元 with two."""
    v = np.round(values.fillna(0.0).to_numpy(dtype=np.float64))
    text = v.astype(np.int64).astype(str).astype(object) + "元"
    wan = (v >= 1e4) & (v < 1e8)
    text[wan] = np.round(v[wan] / 1e4, 1).astype(str).astype(object) + "万元"
    yi = v >= 1e8
    text[yi] = np.char.mod("%.2f", v[yi] / 1e8).astype(object) + "亿元"
    return pd.Series(text, index=values.index, dtype=object)


def _int_text(values: pd.Series) -> pd.Series:
    whole = np.round(values.fillna(0).to_numpy(dtype=np.float64)).astype(np.int64)
    return pd.Series(whole.astype(str).astype(object), index=values.index, dtype=object)


def _cash(f: pd.DataFrame) -> pd.Series:
    deposits = _num(f, "bank_deposits_found")
    ratio = (deposits / _num(f, "amount_due") * 100).round(0)
    found = "已查到存款" + cny_text(deposits) + "，现金可执行率" + _int_text(ratio) + "%"
    return found.where(deposits > 0, "未查到存款").where(deposits.notna(), "尚未查询银行存款")


def _other_assets(f: pd.DataFrame) -> pd.Series:
    found = [_num(f, c) for c in ("real_estate_value", "vehicle_value", "equity_value")]
    searched = pd.concat(found, axis=1).notna().any(axis=1)
    text = pd.Series("未查到不动产、车辆或股权", index=f.index, dtype=object)
    text[~searched] = "尚未查询不动产、车辆或股权"
    value = sum(v.fillna(0) for v in found)
    some = f[value.to_numpy() > 0]
    if len(some):
        homes = _num(some, "real_estate_count").fillna(0)
        cars = _num(some, "vehicle_count").fillna(0)
        equity = _num(some, "equity_value").fillna(0)
        # Only what was found is named: 不动产1处, not 不动产1处、车辆0辆.
        listed = (
            ("不动产" + _int_text(homes) + "处、").where(homes > 0, "")
            + ("车辆" + _int_text(cars) + "辆、").where(cars > 0, "")
            + pd.Series("股权、", index=some.index, dtype=object).where(equity > 0, "")
        ).str.rstrip("、")
        what = ("查到" + listed + "等财产").where(listed != "", "查到财产")
        text[value > 0] = what + "，估值合计" + cny_text(value[value > 0])
    return text


def _amount(f: pd.DataFrame) -> pd.Series:
    return "执行标的" + cny_text(_num(f, "amount_due"))


def _searches(f: pd.DataFrame) -> pd.Series:
    missing = pd.Series(searches_missing(f), index=f.index)
    text = pd.Series("“5”项网络查询均已完成", index=f.index, dtype=object)
    if (missing > 0).any():
        text[missing > 0] = "“5”项网络查询尚有" + _int_text(missing[missing > 0]) + "项未完成"
    return text


def _leads(f: pd.DataFrame) -> pd.Series:
    leads = _num(f, "creditor_leads").fillna(0)
    text = pd.Series("申请人未提供财产线索", index=f.index, dtype=object)
    if (leads > 0).any():
        verified = _num(f[leads > 0], "creditor_leads_verified")
        text[leads > 0] = (
            "申请人提供线索"
            + _int_text(leads[leads > 0])
            + "条，已核实"
            + _int_text(verified)
            + "条"
        )
    return text


def _income(f: pd.DataFrame) -> pd.Series:
    seen = (_num(f, "social_insurance_active") == 1) | (_num(f, "employer_found") == 1)
    text = np.where(seen, "查到社保缴纳或工作单位", "未查到社保缴纳或工作单位")
    return pd.Series(text, f.index, dtype=object)


def _spending(f: pd.DataFrame) -> pd.Series:
    spend = sum(
        _num(f, c).fillna(0)
        for c in ("luxury_spend_12m", "private_school_fees_12m", "online_shopping_12m")
    )
    return (
        "近12个月乘机" + _int_text(_num(f, "flights_12m")) + "次、住酒店"
        + _int_text(_num(f, "hotel_nights_12m")) + "晚、消费" + cny_text(spend)
    )  # fmt: skip


def _credit_record(f: pd.DataFrame) -> pd.Series:
    listed = _num(f, "dishonest_listed") == 1
    history = _int_text(_num(f, "dishonest_history"))
    return ("已被列入失信名单，曾被列入" + history + "次").where(listed, "未被列入失信名单")


def _other_cases(f: pd.DataFrame) -> pd.Series:
    other = _num(f, "other_open_cases").fillna(0)
    return ("被执行人另有" + _int_text(other) + "件未结执行案件").where(
        other > 0, "被执行人无其他未结执行案件"
    )


def _company(f: pd.DataFrame) -> pd.Series:
    status = f["operating_status"].astype("object").where(f["operating_status"].notna(), "不详")
    staff = _int_text(_num(f, "insured_employees"))
    text = "企业经营状态：" + status.astype(str) + "，参保职工" + staff + "人"
    return text.where(f["debtor_type"].astype(str) == "法人", "被执行人为自然人")


def _control(f: pd.DataFrame, as_of: np.ndarray) -> pd.Series:
    days = _since(f, "seized_at", as_of)
    found = _since(f, "assets_found_at", as_of)
    text = ("财产已控制" + _int_text(days) + "天").where(days.notna(), "查到财产尚未控制")
    return text.where(found.notna() | days.notna(), "尚未查到可控制的财产")


def _disposal(f: pd.DataFrame, as_of: np.ndarray) -> pd.Series:
    received = _since(f, "money_received_at", as_of)
    disposed = _since(f, "disposed_at", as_of)
    text = pd.Series("财产尚未处置", f.index, dtype=object).where(disposed.isna(), "财产已处置")
    return ("执行款已到账" + _int_text(received) + "天").where(received.notna(), text)


def _case_age(f: pd.DataFrame, as_of: np.ndarray) -> pd.Series:
    return "已立案" + _int_text(_since(f, "filed_at", as_of)) + "天"


def _termination(f: pd.DataFrame, as_of: np.ndarray) -> pd.Series:
    days = _since(f, "termination_proposed_at", as_of)
    return ("已拟终本" + _int_text(days) + "天").where(days.notna(), "未拟终本")


def _since(f: pd.DataFrame, column: str, as_of: np.ndarray) -> pd.Series:
    return pd.Series(stage_age(f[column], as_of), f.index)


_FACTS: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
    "CASH": _cash,
    "OTHER_ASSETS": _other_assets,
    "AMOUNT": _amount,
    "SEARCHES": _searches,
    "LEADS": _leads,
    "INCOME": _income,
    "SPENDING": _spending,
    "CREDIT_RECORD": _credit_record,
    "OTHER_CASES": _other_cases,
    "COMPANY": _company,
}
_STAGE_FACTS: dict[str, Callable[[pd.DataFrame, np.ndarray], pd.Series]] = {
    "CONTROL": _control,
    "DISPOSAL": _disposal,
    "CASE_AGE": _case_age,
    "TERMINATION": _termination,
}
#: The record columns each topic's sentence reads.
_COLUMNS: dict[str, tuple[str, ...]] = {
    "CASH": ("bank_deposits_found", "amount_due"),
    "OTHER_ASSETS": (
        "real_estate_count",
        "vehicle_count",
        "real_estate_value",
        "vehicle_value",
        "equity_value",
    ),
    "AMOUNT": ("amount_due",),
    "SEARCHES": (
        "amount_due",
        "bank_deposits_found",
        "securities_found",
        "real_estate_count",
        "real_estate_value",
        "vehicle_count",
        "vehicle_value",
        "equity_value",
    ),
    "LEADS": ("creditor_leads", "creditor_leads_verified"),
    "INCOME": ("social_insurance_active", "employer_found"),
    "SPENDING": (
        "flights_12m",
        "hotel_nights_12m",
        "luxury_spend_12m",
        "private_school_fees_12m",
        "online_shopping_12m",
    ),
    "CREDIT_RECORD": ("dishonest_listed", "dishonest_history"),
    "OTHER_CASES": ("other_open_cases",),
    "COMPANY": ("debtor_type", "operating_status", "insured_employees"),
    "CONTROL": ("seized_at", "assets_found_at"),
    "DISPOSAL": ("money_received_at", "disposed_at"),
    "CASE_AGE": ("filed_at",),
    "TERMINATION": ("termination_proposed_at",),
}
EASIER, HARDER = "，利于执行到位", "，增加执行难度"


def top_topics(contributions: np.ndarray, k: int) -> np.ndarray:
    """Indices of each row's ``k`` largest contributions by size (rows × k)."""
    k = min(k, contributions.shape[1])
    if k == 0:
        return np.empty((contributions.shape[0], 0), dtype=np.int64)
    size = np.abs(contributions)
    top = np.argpartition(-size, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(size, top, axis=1), axis=1, kind="stable")
    return np.take_along_axis(top, order, axis=1)


def reason_texts(
    cases: pd.DataFrame, as_of: np.ndarray, top: np.ndarray, effects: np.ndarray
) -> np.ndarray:
    """Sentences (rows × k, object) for the topics in ``top`` with their signed ``effects``."""
    out = np.empty(top.shape, dtype=object)
    positions = np.arange(len(cases))
    for t, topic in enumerate(TOPICS):
        rows, slots = np.nonzero(top == t)
        if rows.size == 0:
            continue
        subset = cases[list(_COLUMNS[topic])].iloc[rows]
        if topic in _FACTS:
            facts = _FACTS[topic](subset)
        else:
            facts = _STAGE_FACTS[topic](subset, as_of[positions[rows]])
        sign = np.where(effects[rows, slots] > 0, EASIER, HARDER)
        out[rows, slots] = facts.to_numpy(dtype=object) + sign
    return out
