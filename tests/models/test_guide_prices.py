"""The government's base prices (models.property.guide_prices, serving.guide_prices): which
price holds on a day, the figure, a court's file read or refused by row and column, and the
server's copy following the file."""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from pathlib import Path

import pandas as pd
import pytest

from models.errors import DataError
from models.property.guide_prices import (
    GUIDE_PRICE_LABELS,
    GuidePrice,
    GuidePriceTable,
    read_guide_prices,
)
from serving.guide_prices import guide_prices, load_guide_prices
from training.generate.guide_prices import generate_guide_prices

SOURCE = "温岭市税务局2026年度存量房交易计税基准价"


def _row(**changes: object) -> dict[str, object]:
    row = {
        "街道/镇": "太平街道",
        "小区": "锦园小区",
        "物业类型": "住宅",
        "基准单价（元/㎡）": "6,800",
        "执行日期": "2026-01-01",
        "发布机关及文件": SOURCE,
    }
    return {**row, **changes}


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    pd.DataFrame(rows).to_csv(path, index=False, encoding="gbk")
    return path


def _price(price: float, day: str, kind: str | None = "住宅") -> GuidePrice:
    return GuidePrice(
        district="太平街道",
        community="锦园小区",
        property_type=kind,  # type: ignore[arg-type]
        price_per_m2=price,
        effective_from=dt.date.fromisoformat(day),
        source=SOURCE,
    )


def test_the_price_in_effect_on_the_day_and_for_the_type() -> None:
    table = GuidePriceTable.of(
        [_price(7000, "2026-01-01"), _price(6500, "2025-01-01"), _price(9000, "2025-06-01", None)]
    )
    find = table.find
    assert find("太平街道", "锦园小区", "住宅", dt.date(2026, 3, 1)).price_per_m2 == 7000  # type: ignore[union-attr]
    assert find("太平街道", "锦园小区", "住宅", dt.date(2025, 12, 31)).price_per_m2 == 6500  # type: ignore[union-attr]
    # A type without its own row takes the 小区's blank-type row, once it is in effect.
    assert find(" 太平街道", "锦园小区 ", "商铺", dt.date(2026, 3, 1)).price_per_m2 == 9000  # type: ignore[union-attr]
    assert find("太平街道", "锦园小区", "商铺", dt.date(2025, 3, 1)) is None
    assert find("太平街道", "锦园小区", "住宅", dt.date(2024, 12, 31)) is None
    assert find("城东街道", "锦园小区", "住宅", dt.date(2026, 3, 1)) is None  # another 街道's
    assert len(table) == 3


def test_the_figure_is_the_price_times_the_coefficients_and_area() -> None:
    table = GuidePriceTable.of([_price(7000, "2026-01-01")], sha256="ab" * 32)
    figure = table.figure(_price(7000, "2026-01-01"), 89.5, 1.02, 0.97)
    assert figure.value_per_m2 == pytest.approx(7000 * 1.02 * 0.97)
    assert figure.value == pytest.approx(7000 * 1.02 * 0.97 * 89.5)
    assert (figure.source, figure.effective_from) == (SOURCE, dt.date(2026, 1, 1))
    assert figure.file_sha256 == "ab" * 32


def test_a_courts_gbk_csv_is_read_with_its_chinese_headers(tmp_path: Path) -> None:
    path = _write(tmp_path / "计税基准价.csv", [_row(), _row(物业类型="", 执行日期="2025-01-01")])
    table = read_guide_prices(path)
    assert len(table) == 2 and len(table.sha256) == 64
    found = table.find("太平街道", "锦园小区", "办公", dt.date(2026, 5, 1))
    assert found is not None and found.property_type is None and found.price_per_m2 == 6800


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([_row(), _row(**{"基准单价（元/㎡）": "-5"})], "data row 2, column 基准单价（元/㎡）"),
        ([_row(执行日期="去年")], "data row 1, column 执行日期"),
        ([_row(物业类型="别墅")], "data row 1, column 物业类型"),
        ([_row(), _row()], "data rows 1 and 2 both price 锦园小区"),
        ([{k: v for k, v in _row().items() if k != "小区"}], "missing columns: 小区"),
    ],
)
def test_a_bad_file_is_refused_naming_the_row_and_column(
    tmp_path: Path, rows: list[dict[str, object]], message: str
) -> None:
    with pytest.raises(DataError, match=re.escape(message)):
        read_guide_prices(_write(tmp_path / "bad.csv", rows))


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=re.escape("none.csv: cannot read the guide price file")):
        read_guide_prices(tmp_path / "none.csv")


def _next_table(path: Path, old: GuidePriceTable | None) -> GuidePriceTable | None:
    """The table in use once the background read of a changed file is done."""
    deadline = time.monotonic() + 10
    while (table := guide_prices(path)) is old and time.monotonic() < deadline:
        time.sleep(0.01)
    return table


def test_the_server_follows_the_file_and_keeps_the_last_good_copy(tmp_path: Path) -> None:
    path = _write(tmp_path / "g.csv", [_row()])
    assert guide_prices(None) is None and load_guide_prices(None) is None
    first = load_guide_prices(path)
    assert guide_prices(path) is first  # unchanged: not read again
    _write(path, [_row(**{"基准单价（元/㎡）": 7100}), _row(执行日期="2025-01-01")])
    os.utime(path, ns=(1, 2))  # a changed file, whatever the clock's resolution
    assert guide_prices(path) is first  # in use while the new copy is read in the background
    second = _next_table(path, first)
    assert second is not None and len(second) == 2
    assert guide_prices(path, wait=True) is second  # read once, not again
    _write(path, [_row(执行日期="去年")])  # a bad copy: the last good table stays
    os.utime(path, ns=(3, 4))
    assert guide_prices(path, wait=True) is second
    assert guide_prices(path) is second
    path.unlink()  # and a vanished file too
    assert guide_prices(path) is second
    with pytest.raises(DataError):  # but never a bad file at the start
        load_guide_prices(_write(tmp_path / "bad.csv", [_row(执行日期="去年")]))


def test_the_generated_table_is_deterministic_and_readable(tmp_path: Path) -> None:
    table = generate_guide_prices(3)
    assert list(table.columns) == list(GUIDE_PRICE_LABELS.values())
    pd.testing.assert_frame_equal(table, generate_guide_prices(3))
    assert not table.equals(generate_guide_prices(4))
    path = tmp_path / "g.csv"
    table.to_csv(path, index=False)
    read = read_guide_prices(path)
    assert len(read) == len(table) and len(read.prices) == len(table) // 3
    with pytest.raises(ValueError, match="coverage"):
        generate_guide_prices(0, coverage=0)
