"""An asset asked about again in the same case: which earlier inquiry it repeats, and what the
judge typed differently this time.

An inquiry result is valid for a year (法释〔2018〕15号 Art. 27); asking again within it spends
the judge's quota and, when the facts typed change (a larger area, a better decoration), gives a
second price for one asset. Neither is forbidden — the facts may have been wrong the first
time — but the judge, the parties and an auditor should see both inquiries side by side. So an
answer, and its report, name the earlier still-valid inquiries of the same asset in the case
and every fact that differs.

The same asset is the same 不动产权证号, 坐落, 号牌号码 or VIN: an inquiry that gave none of
them is not matched (two flats of one 小区 look alike by their facts alone). Identifiers are
compared without spaces, full-width forms or letter case; a 坐落 by its 小区, building, unit
and room when they can be read (锦园小区三号楼2单元501室 and 太平街道锦园3-2-501 are one flat),
else by its text without the province, city and county it may begin with.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, Field

from models.asset_identity import IDENTITY_FIELDS_OF, compact
from models.labels import PROPERTY_LABELS, VEHICLE_LABELS
from models.property.address import address_key, without_city

#: The identifying field compared by its reading (:func:`models.property.address.address_key`),
#: and the fact that names its 街道/镇 there.
ADDRESS, DISTRICT = "address", "district"
LABELS_OF: dict[str, Mapping[str, str]] = {"property": PROPERTY_LABELS, "vehicle": VEHICLE_LABELS}
#: Facts that are expected to differ between two inquiries of one asset.
_NOT_COMPARED = frozenset({"valuation_date"})
#: The most earlier inquiries an answer names (newest first).
MAX_EARLIER = 10


class FactChange(BaseModel):
    """A fact typed differently from the earlier inquiry."""

    field: str
    label: str = Field(description="The field's Chinese label.")
    before: str | float | int | bool | None
    after: str | float | int | bool | None


class EarlierInquiry(BaseModel):
    """An earlier, still valid inquiry of the same asset in the same case."""

    id: int = Field(ge=1, description="Its 询价编号.")
    inquired_on: dt.date
    value: float | None = Field(description="Its estimate (CNY).")
    valid_until: dt.date
    disputed: bool = Field(description="A party's objection to it stands.")
    matched_on: list[str] = Field(
        description="The identifying fields both inquiries gave alike (their labels)."
    )
    changes: list[FactChange] = Field(
        description="The facts this inquiry typed differently (the valuation date aside)."
    )
    address_written: str | None = Field(
        default=None,
        description="Its 坐落 as it was written, when it reads as this inquiry's flat but is "
        "written otherwise (锦园小区3号楼402室 against 太平街道锦园3-402).",
    )
    sold_on: dt.date | None = Field(default=None, description="成交之日, once a sale is recorded.")
    sale_price: float | None = Field(default=None, description="成交价 (CNY).")
    sale_round: str | None = Field(default=None, description="一拍、二拍或变卖.")


def _key(value: Any) -> str:
    """An identifier compared without spaces, full-width forms or letter case."""
    return compact(str(value)).upper()


def identity(kind: str, facts: Mapping[str, Any]) -> dict[str, str]:
    """The identifying fields ``facts`` gives, each in its compared form (an address as
    :func:`models.property.address.address_key`: its 小区, building, unit and room when they
    can be read)."""
    given = [name for name in IDENTITY_FIELDS_OF[kind] if facts.get(name) not in (None, "")]
    return {
        name: address_key(str(facts[name]), facts.get(DISTRICT))
        if name == ADDRESS
        else _key(facts[name])
        for name in given
    }


def matched_on(kind: str, now: Mapping[str, str], before: Mapping[str, Any]) -> list[str]:
    """The labels of the identifying fields (``now``: :func:`identity`) ``before`` gives alike."""
    earlier = identity(kind, before)
    labels = LABELS_OF[kind]
    # 车辆识别代号（VIN） as 车辆识别代号: the sentence puts the labels in brackets already.
    return [labels[name].split("（")[0] for name, key in now.items() if earlier.get(name) == key]


def address_written(before: Mapping[str, Any], after: Mapping[str, Any]) -> str | None:
    """``before``'s 坐落 when it is written otherwise than ``after``'s (spaces, full-width
    forms, letter case and a leading province, city and county aside), else ``None``."""
    earlier, now = before.get(ADDRESS), after.get(ADDRESS)
    if not earlier or not now:
        return None
    written = [_key(without_city(str(text))) for text in (earlier, now)]
    return str(earlier) if written[0] != written[1] else None


def fact_changes(
    kind: str, before: Mapping[str, Any], after: Mapping[str, Any], fields: Sequence[str]
) -> list[FactChange]:
    """The model facts among ``fields`` that ``after`` gives differently from ``before``."""
    identifying = set(IDENTITY_FIELDS_OF[kind])
    labels = LABELS_OF[kind]
    return [
        FactChange(
            field=name, label=labels.get(name, name), before=before.get(name), after=after.get(name)
        )
        for name in fields
        if name not in identifying
        and name not in _NOT_COMPARED
        and before.get(name) != after.get(name)
    ]


def _shown(value: str | float | int | bool | None) -> str:
    if value is None:
        return "（未填）"
    if isinstance(value, bool):
        return "有" if value else "无"
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return str(value)


def _money(value: float) -> str:
    return f"{value / 1e4:.1f}万元（{value:,.0f}元）"


def repeat_notice(earlier: Sequence[EarlierInquiry]) -> list[str]:
    """One Chinese sentence per earlier inquiry, for the page and the report."""
    lines = []
    for e in earlier:
        value = f"结果 {_money(e.value)}，" if e.value is not None else ""
        disputed = "，已被提出异议" if e.disputed else ""
        if e.sold_on is not None and e.sale_price is not None:
            disputed += (
                f"；该财产已于 {e.sold_on.isoformat()} {e.sale_round or ''}成交，成交价 "
                f"{_money(e.sale_price)}，请核对是否仍需询价"
            )
        written = f"，原坐落写作“{e.address_written}”" if e.address_written else ""
        head = (
            f"本案已于 {e.inquired_on.isoformat()} 就同一财产"
            f"（{'、'.join(e.matched_on)}相同{written}）询价：询价编号 {e.id}，{value}"
            f"有效期至 {e.valid_until.isoformat()}{disputed}。"
        )
        if not e.changes:
            lines.append(head + "本次填写的财产情况与之相同。")
            continue
        changed = "；".join(f"{c.label} {_shown(c.before)} → {_shown(c.after)}" for c in e.changes)
        lines.append(f"{head}本次填写的财产情况与之不同：{changed}。")
    return lines


class RepeatedInquiry(BaseModel):
    """One of the inquiries of an asset asked about more than once."""

    id: int = Field(ge=1, description="询价编号.")
    inquired_on: dt.date
    judge: str = Field(description="Who asked (the key's owner).")
    value: float | None = Field(description="The estimate (CNY).")
    disputed: bool = Field(description="A party's objection to it stands.")


class RepeatedAsset(BaseModel):
    """An asset of one case inquired about more than once (the same 不动产权证号, 坐落, 号牌号码
    or VIN), for the auditor: who asked when, and what was typed differently."""

    kind: str = Field(description="property or vehicle.")
    case_number: str
    asset: str = Field(description="The asset in one line, as its latest inquiry names it.")
    inquiries: list[RepeatedInquiry] = Field(description="Oldest first.")
    changed: list[str] = Field(
        description="The labels of the facts typed differently between them (the valuation "
        "date and the identifiers aside); empty when every inquiry gave the same facts."
    )
    value_spread: float | None = Field(
        description="The highest estimate over the lowest, minus one (0.12 = 12% apart)."
    )


class RepeatedAssetPage(BaseModel):
    """The assets asked about more than once since ``since``, most recently asked first."""

    items: list[RepeatedAsset]
    total: int = Field(ge=0, description="All such assets, every page.")
    since: dt.date


def changed_labels(
    kind: str, inputs: Sequence[Mapping[str, Any]], fields: Sequence[str]
) -> list[str]:
    """The labels of the model facts among ``fields`` on which ``inputs`` do not all agree."""
    if len(inputs) < 2:
        return []
    first = inputs[0]
    changed = {c.field for later in inputs[1:] for c in fact_changes(kind, first, later, fields)}
    return [LABELS_OF[kind].get(name, name) for name in fields if name in changed]
