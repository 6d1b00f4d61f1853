"""How a valuation's reasons read to a judge: each input named in Chinese, shown with its unit,
and inputs that say one thing together (a floor, its building's floors and their ratio) given
as one reason.

The estimator's SHAP values are additive, so a group's effect is the sum of its members'.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from models.clock import month_label
from models.schemas import Contribution
from models.text import known

#: How one feature's value reads to a judge, given the whole feature row (so a derived
#: feature can be shown by what it is made of: the floor ratio as "6/18层").
ValueFormat = Callable[[Mapping[str, Any]], str]
#: What a missing input (an optional field left out) reads as.
NOT_GIVEN = "未填"


def format_value(name: str, value: Any) -> str:
    """An input value as a judge reads it, when its kind has no format of its own: the
    market month as YYYY-MM, amounts with thousands separators, small numbers to four
    significant digits."""
    if not known(value):
        return NOT_GIVEN
    if isinstance(value, float):
        if name == "t_months":
            return month_label(value)
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    return str(value)


@dataclass(frozen=True)
class FeatureDisplay:
    """A kind's features as its reasons show them.

    Attributes:
        labels: Chinese name of each feature and group.
        formats: How a feature's or a group's value reads, from the whole feature row (the
            rest by :func:`format_value`).
        groups: Group name → the features whose effects it sums; a member is never shown
            on its own.
    """

    labels: Mapping[str, str]
    formats: Mapping[str, ValueFormat] = field(default_factory=dict)
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unformatted = [group for group in self.groups if group not in self.formats]
        if unformatted:  # a group has no value of its own to fall back on
            raise ValueError(f"groups without a format: {unformatted}")

    def grouped(self, effects: Mapping[str, float]) -> dict[str, float]:
        """``effects`` with each group's members summed under the group's name."""
        out = dict(effects)
        for group, members in self.groups.items():
            present = [out.pop(m) for m in members if m in out]
            if present:
                out[group] = math.fsum(present)
        return out

    def value(self, name: str, row: Mapping[str, Any]) -> str:
        """Feature or group ``name`` of ``row`` as a judge reads it (:data:`NOT_GIVEN` when an
        input it is made of was left out)."""
        members = self.groups.get(name, (name,))
        if not all(known(row.get(m)) for m in members):
            return NOT_GIVEN
        form = self.formats.get(name)
        return format_value(name, row.get(name)) if form is None else form(row)

    def contributions(
        self, effects: Mapping[str, float], row: Mapping[str, Any], n: int
    ) -> list[Contribution]:
        """The ``n`` largest effects (log scale, groups summed) as signed percentages."""
        grouped = self.grouped(effects)
        ranked = sorted(grouped.items(), key=lambda kv: abs(kv[1]), reverse=True)[:n]
        return [
            Contribution(
                feature=name,
                label=self.labels.get(name, name),
                value=self.value(name, row),
                effect_pct=round(math.expm1(effect) * 100.0, 2),
            )
            for name, effect in ranked
        ]
