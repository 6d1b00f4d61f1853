"""The building blocks of a report's text: sections of paragraphs, tables and charts.

The renderers (HTML and PDF) only lay these out; what they say is written in
:mod:`serving.reports.sections` and the per-asset modules. Headings are numbered as a Chinese
court document numbers them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from models.curve_chart import Chart

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


@dataclass(frozen=True)
class Figure:
    """A chart (the price curve); its title is drawn in it."""

    chart: Chart


Block = Text | Table | Figure


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
