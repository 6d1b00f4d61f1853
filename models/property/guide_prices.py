"""The government's base prices (政府指导价, e.g. the tax bureau's 存量房计税基准价): a third kind
of price data beside the transactions the model learns from and the auction sales it is
checked against.

法释〔2018〕15号 Arts. 8–9 ask a network-inquiry platform to combine at least three kinds of
price data (past transactions, government-set, government-guided, public market prices), and
Wenling's system values a flat from "the building's base price × floor coefficient ×
orientation coefficient" — the tax-assessment base price. A court that holds such a table
(one price per m² per 小区, and type, from a date on) loads it as a file
(``COURTVAL_GUIDE_PRICE_FILE``); each answer then carries the 政府基准价法 figure beside the
model's estimate and the rule-based figure: the table's price × the floor and orientation
coefficients the rule-based method estimates from the sales × the area. It is not moved in
time: a government price holds from its date until the next one, as published.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from models.errors import DataError
from models.property.vocabulary import PropertyType
from models.schemas import OneLine
from models.table_io import read_table
from models.table_requests import TableSchema, valid_requests

#: The file's column headers (a column may also be named by its field name).
GUIDE_PRICE_LABELS = {
    "district": "街道/镇",
    "community": "小区",
    "property_type": "物业类型",
    "price_per_m2": "基准单价（元/㎡）",
    "effective_from": "执行日期",
    "source": "发布机关及文件",
}


class GuidePrice(BaseModel):
    """One row of the government's table: a 小区's (and type's) price per m² from a date."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    district: Annotated[str, OneLine] = Field(min_length=1, max_length=40, description="街道/镇.")
    community: Annotated[str, OneLine] = Field(min_length=1, max_length=80, description="小区.")
    property_type: PropertyType | None = Field(
        default=None, description="物业类型; blank: every type of the 小区 without its own row."
    )
    price_per_m2: float = Field(gt=0, le=1_000_000, description="Base price in CNY per m².")
    effective_from: dt.date = Field(description="The day the price takes effect.")
    source: Annotated[str, OneLine] = Field(
        min_length=1,
        max_length=200,
        description="Who published it, and in which document (e.g. 温岭市税务局2026年存量房"
        "交易计税基准价).",
    )

    @field_validator("price_per_m2", mode="before")
    @classmethod
    def _thousands(cls, value: object) -> object:
        """A price as a published table prints it: 6,800 (or 6，800)."""
        if isinstance(value, str):
            return value.replace(",", "").replace("，", "").strip()
        return value

    def unit_price(self, floor_coefficient: float, orientation_coefficient: float) -> float:
        """The 政府基准价法 price per m² of a unit with these coefficients."""
        return self.price_per_m2 * floor_coefficient * orientation_coefficient


class GuidePriceFigure(BaseModel):
    """The 政府基准价法 figure of one property: government base price × floor coefficient ×
    orientation coefficient × area (the coefficients are the rule-based method's)."""

    value: float = Field(description="CNY.")
    value_per_m2: float
    base_price_per_m2: float = Field(description="The government's price per m².")
    floor_coefficient: float
    orientation_coefficient: float
    effective_from: dt.date = Field(description="The day the government's price took effect.")
    source: str = Field(description="Who published it, and in which document.")
    file_sha256: str = Field(description="SHA-256 of the table file it was read from.")


class GuidePriceStatus(BaseModel):
    """Which government table the server uses (``GET /v1/guide-prices``)."""

    file: str | None = Field(description="COURTVAL_GUIDE_PRICE_FILE, if set.")
    sha256: str | None = Field(description="SHA-256 of the copy in use (each figure has it too).")
    rows: int
    communities: int = Field(description="The (街道/镇, 小区) pairs it prices.")
    effective_dates: list[dt.date] = Field(description="The dates its prices take effect on.")
    sources: list[str] = Field(description="Who published them, in which documents.")


def _key(district: str, community: str) -> tuple[str, str]:
    return district.strip(), community.strip()


@dataclass(frozen=True)
class GuidePriceTable:
    """The government's prices by (街道/镇, 小区), each 小区's rows oldest first.

    Attributes:
        prices: (district, community) → its rows, by ``effective_from``.
        sha256: SHA-256 of the file's bytes (recorded with every figure).
    """

    prices: dict[tuple[str, str], list[GuidePrice]] = field(default_factory=dict)
    sha256: str = ""

    @classmethod
    def of(cls, rows: Iterable[GuidePrice], sha256: str = "") -> GuidePriceTable:
        """A table of ``rows`` (in any order)."""
        prices: dict[tuple[str, str], list[GuidePrice]] = {}
        for row in rows:
            prices.setdefault(_key(row.district, row.community), []).append(row)
        for found in prices.values():
            found.sort(key=lambda row: row.effective_from)
        return cls(prices=prices, sha256=sha256)

    def __len__(self) -> int:
        return sum(len(rows) for rows in self.prices.values())

    def status(self, file: str) -> GuidePriceStatus:
        """What the table holds, for the operators."""
        rows = [row for found in self.prices.values() for row in found]
        return GuidePriceStatus(
            file=file,
            sha256=self.sha256,
            rows=len(rows),
            communities=len(self.prices),
            effective_dates=sorted({row.effective_from for row in rows}),
            sources=sorted({row.source for row in rows}),
        )

    def find(
        self, district: str, community: str, property_type: str, on: dt.date
    ) -> GuidePrice | None:
        """The price in effect on ``on`` for the 小区's type (its own row before a blank-type
        one), or ``None``: no row for the 小区, or none in effect yet."""
        rows = self.prices.get(_key(district, community), [])
        in_effect = [row for row in rows if row.effective_from <= on]
        for wanted in (property_type, None):
            typed = [row for row in in_effect if row.property_type == wanted]
            if typed:
                return typed[-1]
        return None

    def figure(
        self, row: GuidePrice, area_m2: float, floor_coefficient: float, orientation: float
    ) -> GuidePriceFigure:
        """The figure of a property of ``area_m2`` from ``row`` and the coefficients."""
        per_m2 = row.unit_price(floor_coefficient, orientation)
        return GuidePriceFigure(
            value=per_m2 * area_m2,
            value_per_m2=per_m2,
            base_price_per_m2=row.price_per_m2,
            floor_coefficient=floor_coefficient,
            orientation_coefficient=orientation,
            effective_from=row.effective_from,
            source=row.source,
            file_sha256=self.sha256,
        )


def read_guide_prices(path: Path) -> GuidePriceTable:
    """The government's table from a CSV (UTF-8 or GBK), Excel or Parquet file.

    Raises:
        DataError: The file cannot be read, a column is missing, or cells are bad (the
            message names the first few by data row and column).
    """
    content = _bytes(path)
    frame = read_table(content, path.name)
    table = TableSchema(GuidePrice, GUIDE_PRICE_LABELS)
    names = table.column_fields(frame)
    if missing := table.missing_columns(names):
        raise DataError(f"{path.name}: missing columns: {', '.join(missing)}")
    rows, bad = valid_requests(table, frame, names)
    if bad:
        shown = "; ".join(str(cell) for cell in bad[:5])
        more = f" (and {len(bad) - 5} more)" if len(bad) > 5 else ""
        raise DataError(f"{path.name}: {shown}{more}")
    prices = [row for row in rows if isinstance(row, GuidePrice)]  # no bad row is left
    _refuse_repeats(prices, path.name)
    return GuidePriceTable.of(prices, sha256=hashlib.sha256(content).hexdigest())


def _bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot read the guide price file ({exc.strerror})") from exc


def _refuse_repeats(rows: Sequence[GuidePrice], name: str) -> None:
    """Two prices for one 小区, type and date would make the figure depend on row order."""
    seen: dict[tuple[str, str, str | None, dt.date], int] = {}
    for number, row in enumerate(rows, start=1):
        key = (*_key(row.district, row.community), row.property_type, row.effective_from)
        if key in seen:
            raise DataError(
                f"{name}: data rows {seen[key]} and {number} both price {row.community} "
                f"({row.property_type or 'every type'}) from {row.effective_from}"
            )
        seen[key] = number
