"""The property cleaning rules: validity checks, duplicates, re-listings, price outliers."""

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from models.property.vocabulary import PropertyType
from training.cleaning.framework import (
    CleaningResult,
    Rule,
    clean,
    duplicated_rows,
    missing_any,
    relisted_rows,
    rules_from,
)
from training.cleaning.robust import median_polish, robust_outliers


class PropertyCleaningConfig(BaseModel):
    """Thresholds of ``clean_property``.

    Attributes:
        required_columns: Columns that must be present on every row.
        max_area_m2: Largest plausible floor area.
        min_residential_area_m2: Smallest plausible 住宅 floor area.
        min_transaction_date: Earliest plausible sale date.
        max_transaction_date: Latest plausible sale date; today when None.
        price_ratio_bounds: A unit price outside (low, high) x the level its community and
            type predict (median polish) is taken as a price recorded in the wrong unit
            (万元, or one digit too many).
        relisting_keys: Columns identifying one unit.
        relisting_window_days: Records of one unit this close are one sale; the latest is kept.
        outlier_k: Robust SDs of log unit price, within the group, beyond which a row is dropped.
        outlier_min_group_size: Smallest group for the medians and scales before falling back
            from (community, type) to (district, type) to type.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    required_columns: tuple[str, ...] = (
        "district", "community", "property_type", "area_m2", "price", "transaction_date",
    )  # fmt: skip
    max_area_m2: float = Field(default=20_000.0, gt=0)
    min_residential_area_m2: float = Field(default=8.0, ge=0)
    min_transaction_date: date = date(2000, 1, 1)
    max_transaction_date: date | None = None
    price_ratio_bounds: tuple[float, float] = (0.15, 5.0)
    relisting_keys: tuple[str, ...] = ("community", "area_m2", "floor", "total_floors")
    relisting_window_days: int = Field(default=60, ge=0)
    outlier_k: float = Field(default=6.0, gt=0)
    outlier_min_group_size: int = Field(default=20, ge=1)


_PRICE_LEVELS = (("community", "property_type"), ("district", "property_type"), ("property_type",))
_DATE = "transaction_date"
PropertyCheck = Callable[[pd.DataFrame, PropertyCleaningConfig], pd.Series]


def _bad_area(f: pd.DataFrame, c: PropertyCleaningConfig) -> pd.Series:
    tiny = f["property_type"].eq(PropertyType.RESIDENTIAL.value) & f["area_m2"].lt(
        c.min_residential_area_m2
    )
    return f["area_m2"].le(0) | f["area_m2"].gt(c.max_area_m2) | tiny


def _date_out_of_range(f: pd.DataFrame, c: PropertyCleaningConfig) -> pd.Series:
    latest = pd.Timestamp(c.max_transaction_date or pd.Timestamp.today().normalize())
    return f[_DATE].lt(pd.Timestamp(c.min_transaction_date)) | f[_DATE].gt(latest)


def _price_unit_error(f: pd.DataFrame, c: PropertyCleaningConfig) -> pd.Series:
    log_unit_price = np.log(f["price"] / f["area_m2"])
    ratio = np.exp(median_polish(log_unit_price, f, ["community", "property_type"]))
    return ratio.lt(c.price_ratio_bounds[0]) | ratio.gt(c.price_ratio_bounds[1])


def _price_outlier(f: pd.DataFrame, c: PropertyCleaningConfig) -> pd.Series:
    log_unit_price = np.log(f["price"] / f["area_m2"])
    return robust_outliers(log_unit_price, f, _PRICE_LEVELS, c.outlier_k, c.outlier_min_group_size)


# (name, 中文说明, English description formatted with the config, check), in order.
_PROPERTY_CHECKS: tuple[tuple[str, str, str, PropertyCheck], ...] = (
    ("missing_required", "必填字段缺失", "a required field is missing",
     lambda f, c: missing_any(f, c.required_columns)),
    ("bad_area", "面积不合理（≤0、过大或住宅过小）",
     "area <= 0, > {max_area_m2} m², or a dwelling < {min_residential_area_m2} m²", _bad_area),
    ("bad_price", "成交价不合理（≤0 或非有限数）", "price <= 0 or not a finite number",
     lambda f, c: ~np.isfinite(f["price"]) | f["price"].le(0)),
    ("impossible_floor", "所在楼层高于总楼层或低于1", "floor above the building's top or below 1",
     lambda f, c: f["floor"].gt(f["total_floors"]) | f["floor"].lt(1)),
    ("future_build_year", "建成年份晚于成交年份", "built after the year of sale",
     lambda f, c: f["build_year"].gt(f[_DATE].dt.year)),
    ("date_out_of_range", "成交日期超出合理范围",
     "sale date before {min_transaction_date} or after {max_transaction_date}",
     _date_out_of_range),
    ("price_unit_error", "价格单位错误（万元或多一位）",
     "unit price outside {price_ratio_bounds} x its community-and-type level", _price_unit_error),
    ("exact_duplicate", "完全重复记录（编号除外）", "exact duplicate apart from the id",
     lambda f, c: duplicated_rows(f, ignore=["transaction_id"])),
    ("relisting", "同一房产重复登记，保留最新一条",
     "same unit re-recorded within {relisting_window_days} days; the latest is kept",
     lambda f, c: relisted_rows(f, c.relisting_keys, _DATE, c.relisting_window_days)),
    ("price_outlier", "单价异常（组内稳健离群）",
     "log unit price beyond {outlier_k} robust SDs of its group", _price_outlier),
)  # fmt: skip


def property_rules(config: PropertyCleaningConfig) -> list[Rule]:
    """The property cleaning steps, in order: validity rules, then duplicates, then outliers."""
    return rules_from(_PROPERTY_CHECKS, config)


def clean_property(
    frame: pd.DataFrame, config: PropertyCleaningConfig | None = None
) -> CleaningResult:
    """Clean property transactions with ``property_rules``.

    Args:
        frame: Transactions with the generator's columns (see ``data/README.md``).
        config: Thresholds; ``PropertyCleaningConfig()`` when None.

    Returns:
        The kept rows (original index) and the cleaning report.
    """
    config = config or PropertyCleaningConfig()
    ordered = frame.sort_values(["transaction_date", "transaction_id"], kind="stable")
    return clean(ordered, property_rules(config))
