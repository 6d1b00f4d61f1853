"""The used-vehicle cleaning rules: name repairs, validity checks, duplicates, re-listings and
price outliers per series and age band."""

import unicodedata
from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from training.cleaning.framework import (
    CleaningResult,
    Repair,
    Rule,
    clean,
    duplicated_rows,
    missing_any,
    relisted_rows,
    rules_from,
)
from training.cleaning.robust import median_polish, robust_outliers

_DATE, _REGISTERED = "transaction_date", "registration_date"
_DAYS_PER_YEAR = 365.25


class VehicleCleaningConfig(BaseModel):
    """Thresholds of ``clean_vehicle``.

    Attributes:
        required_columns: Columns that must be present on every row.
        name_columns: Text columns whose spelling is normalised (NFKC, spaces, case).
        min_price: Smallest plausible price (CNY); a price in 万元 falls below it.
        max_price: Largest plausible price (CNY).
        min_transaction_date: Earliest plausible sale date.
        max_transaction_date: Latest plausible sale date; today when None.
        max_km_per_year: Mileage per year of age above this is a typo (an extra digit).
        max_mileage_km: Mileage above this is a typo whatever the age.
        min_km_per_year: Mileage per year below this on a car at least ``min_age_for_mileage_years``
            old is a placeholder (0 km, 10 km), not a reading.
        min_age_for_mileage_years: Cars younger than this may show almost no mileage.
        min_series_rows: A series name seen fewer times in its brand is taken as a typo...
        min_series_share: ...as is one with less than this share of its brand's rows.
        price_ratio_bounds: Price / new price outside (low, high) x the level its series, age
            band and damage predict (median polish) is a price in the wrong unit (x10, /10).
        relisting_keys: Columns identifying one car (those present in the frame are used).
        relisting_max_km: Largest mileage change between two listings of one car.
        relisting_window_days: Listings of one car this close are one sale; the latest is kept.
        age_band_years: Width of the age bands of the outlier groups.
        max_age_band: Older cars share the last band.
        outlier_k: Robust SDs of the log price residual, within the group, beyond which a row
            is dropped.
        outlier_min_group_size: Smallest group before falling back from (series, age band) to
            series to all rows.
        outlier_min_scale: Lower bound on a group's robust SD of the residual.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    required_columns: tuple[str, ...] = (
        "brand", "series", "fuel", "new_price", _REGISTERED, _DATE, "mileage_km", "price",
    )  # fmt: skip
    name_columns: tuple[str, ...] = ("brand", "series", "region")
    min_price: float = Field(default=1_000.0, gt=0)
    max_price: float = Field(default=30_000_000.0, gt=0)
    min_transaction_date: date = date(2000, 1, 1)
    max_transaction_date: date | None = None
    max_km_per_year: float = Field(default=60_000.0, gt=0)
    max_mileage_km: float = Field(default=1_000_000.0, gt=0)
    min_km_per_year: float = Field(default=300.0, ge=0)
    min_age_for_mileage_years: float = Field(default=1.0, ge=0)
    min_series_rows: int = Field(default=3, ge=1)
    min_series_share: float = Field(default=0.01, ge=0, lt=1)
    price_ratio_bounds: tuple[float, float] = (0.25, 4.0)
    relisting_keys: tuple[str, ...] = (
        "brand", "series", "new_price", "power_kw", _REGISTERED, "color", "region", "seller_type",
    )  # fmt: skip
    relisting_max_km: float = Field(default=1_000.0, ge=0)
    relisting_window_days: int = Field(default=60, ge=0)
    age_band_years: float = Field(default=1.0, gt=0)
    max_age_band: int = Field(default=12, ge=0)
    outlier_k: float = Field(default=6.0, gt=0)
    outlier_min_group_size: int = Field(default=20, ge=1)
    outlier_min_scale: float = Field(default=0.02, ge=0)


VehicleCheck = Callable[[pd.DataFrame, VehicleCleaningConfig], pd.Series]


def normalise_names(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """Undo careless typing in text columns: NFKC (full-width letters and spaces), stray and
    repeated whitespace, and case (each spelling becomes the most frequent one that differs
    only in case). Missing values stay missing."""
    fixed = frame.copy()
    for column in (c for c in columns if c in frame):
        text = frame[column]
        present = text.notna()
        clean = text[present].map(lambda s: " ".join(unicodedata.normalize("NFKC", s).split()))
        key = clean.str.casefold()
        spelling = clean.groupby(key).agg(lambda s: s.value_counts().index[0])
        fixed.loc[present, column] = key.map(spelling)
    return fixed


def _age_years(f: pd.DataFrame) -> pd.Series:
    return (f[_DATE] - f[_REGISTERED]).dt.days / _DAYS_PER_YEAR


def _with_age_band(f: pd.DataFrame, c: VehicleCleaningConfig) -> pd.DataFrame:
    band = np.floor(_age_years(f) / c.age_band_years).clip(0, c.max_age_band)
    return f.assign(age_band=band)


def _km_per_year(f: pd.DataFrame) -> pd.Series:
    return f["mileage_km"] / _age_years(f).clip(lower=1 / 12)


def _impossible_value(f: pd.DataFrame, c: VehicleCleaningConfig) -> pd.Series:
    price = f["price"].lt(c.min_price) | f["price"].gt(c.max_price)
    positive = ["new_price", "power_kw"]
    non_negative = [col for col in ("mileage_km", "transfers") if col in f]
    return price | f[positive].le(0).any(axis=1) | f[non_negative].lt(0).any(axis=1)


def _date_out_of_range(f: pd.DataFrame, c: VehicleCleaningConfig) -> pd.Series:
    latest = pd.Timestamp(c.max_transaction_date or pd.Timestamp.today().normalize())
    return f[_DATE].lt(pd.Timestamp(c.min_transaction_date)) | f[_DATE].gt(latest)


def _mileage_typo(f: pd.DataFrame, c: VehicleCleaningConfig) -> pd.Series:
    return _km_per_year(f).gt(c.max_km_per_year) | f["mileage_km"].gt(c.max_mileage_km)


def _zero_mileage(f: pd.DataFrame, c: VehicleCleaningConfig) -> pd.Series:
    old_enough = _age_years(f).ge(c.min_age_for_mileage_years)
    return old_enough & _km_per_year(f).lt(c.min_km_per_year)


def _unknown_series(f: pd.DataFrame, c: VehicleCleaningConfig) -> pd.Series:
    rows = f.groupby(["brand", "series"])["series"].transform("size")
    brand_rows = f.groupby("brand")["brand"].transform("size")
    return rows.lt(c.min_series_rows) | rows.lt(c.min_series_share * brand_rows)


def _price_residual(f: pd.DataFrame, c: VehicleCleaningConfig) -> tuple[pd.Series, pd.DataFrame]:
    banded = _with_age_band(f, c)
    log_ratio = np.log(f["price"] / f["new_price"])
    return median_polish(log_ratio, banded, ["series", "age_band", "damage"]), banded


def _price_unit_error(f: pd.DataFrame, c: VehicleCleaningConfig) -> pd.Series:
    ratio = np.exp(_price_residual(f, c)[0])
    return ratio.lt(c.price_ratio_bounds[0]) | ratio.gt(c.price_ratio_bounds[1])


def _price_outlier(f: pd.DataFrame, c: VehicleCleaningConfig) -> pd.Series:
    residual, banded = _price_residual(f, c)
    levels = (("series", "age_band"), ("series",), ())
    return robust_outliers(
        residual, banded, levels, c.outlier_k, c.outlier_min_group_size, c.outlier_min_scale
    )


def _relisting(f: pd.DataFrame, c: VehicleCleaningConfig) -> pd.Series:
    keys = [k for k in c.relisting_keys if k in f]
    tolerance = {"mileage_km": c.relisting_max_km}
    return relisted_rows(f, keys, _DATE, c.relisting_window_days, tolerance)


# (name, 中文说明, English description formatted with the config, check), in order.
_VEHICLE_CHECKS: tuple[tuple[str, str, str, VehicleCheck], ...] = (
    ("missing_required", "必填字段缺失", "a required field is missing",
     lambda f, c: missing_any(f, c.required_columns)),
    ("impossible_value", "数值不可能（价格过低或过高、新车价或功率≤0、里程或过户次数为负）",
     "price outside {min_price:,.0f}-{max_price:,.0f} CNY, new price or power <= 0, "
     "or negative mileage or transfers", _impossible_value),
    ("registration_after_transaction", "上牌日期晚于成交日期",
     "registered after the date of sale", lambda f, c: f[_REGISTERED].gt(f[_DATE])),
    ("date_out_of_range", "成交日期超出合理范围",
     "sale date before {min_transaction_date} or after {max_transaction_date}",
     _date_out_of_range),
    ("mileage_typo", "里程不合理（年均里程过高，疑似多输一位）",
     "more than {max_km_per_year:,.0f} km per year of age or {max_mileage_km:,.0f} km in all",
     _mileage_typo),
    ("zero_mileage", "里程为零或过小（车龄一年以上）",
     "under {min_km_per_year:,.0f} km per year on a car at least "
     "{min_age_for_mileage_years} years old",
     _zero_mileage),
    ("unknown_series", "车系名称罕见（疑似错别字）",
     "series name seen under {min_series_rows} times or under {min_series_share} of its brand",
     _unknown_series),
    ("price_unit_error", "价格单位错误（万元或多一位、少一位）",
     "price / new price outside {price_ratio_bounds} x its series, age and damage level",
     _price_unit_error),
    ("exact_duplicate", "完全重复记录（编号除外）", "exact duplicate apart from the id",
     lambda f, c: duplicated_rows(f, ignore=["transaction_id"])),
    ("relisting", "同一车辆重复挂牌，保留最后一次成交",
     "same car (±{relisting_max_km:,.0f} km) listed again within {relisting_window_days} days; "
     "the latest is kept",
     _relisting),
    ("price_outlier", "价格异常（车系×车龄组内稳健离群）",
     "log price residual beyond {outlier_k} robust SDs of its series and age band",
     _price_outlier),
)  # fmt: skip


def vehicle_rules(config: VehicleCleaningConfig) -> list[Rule]:
    """The vehicle cleaning steps, in order: validity rules, then duplicates, then outliers."""
    return rules_from(_VEHICLE_CHECKS, config)


def vehicle_repairs(config: VehicleCleaningConfig) -> list[Repair]:
    """The fixes made before the rules: spelling of brand, series and region."""
    columns = ", ".join(config.name_columns)
    return [
        Repair(
            "normalise_names",
            "名称规范化（全角、空格、大小写）",
            f"{columns}: full-width letters, stray spaces and case unified",
            lambda frame: normalise_names(frame, config.name_columns),
        )
    ]


def clean_vehicle(
    frame: pd.DataFrame, config: VehicleCleaningConfig | None = None
) -> CleaningResult:
    """Clean used-vehicle transactions with ``vehicle_repairs`` and ``vehicle_rules``.

    Args:
        frame: Transactions with the generator's columns (see ``data/README.md``).
        config: Thresholds; ``VehicleCleaningConfig()`` when None.

    Returns:
        The kept rows (original index, every column of ``frame``, names normalised) and the
        cleaning report.
    """
    config = config or VehicleCleaningConfig()
    ordered = frame.sort_values([_DATE, "transaction_id"], kind="stable")
    return clean(ordered, vehicle_rules(config), vehicle_repairs(config))
