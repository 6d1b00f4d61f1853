"""Cleaning of transaction data: generic rules, de-duplication and robust outliers.

The generic part knows nothing about any data set: a ``Rule`` is a named, described function
from a frame to a boolean mask of rows to drop, and ``clean`` applies rules in order, each to
what the previous ones left, and reports how many rows each removed. ``clean_property`` is the
thin property-specific list of rules; a used-vehicle cleaner will be another such list.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from models.property.vocabulary import PropertyType

logger = logging.getLogger(__name__)

RowMask = Callable[[pd.DataFrame], pd.Series]
Levels = Sequence[Sequence[str]]
_MAD_TO_SD = 1.4826  # MAD x this = SD for a normal distribution


@dataclass(frozen=True)
class Rule:
    """A cleaning step: rows for which ``drop`` is True are removed.

    Attributes:
        name: Short machine name, e.g. ``"impossible_floor"``.
        description_zh: What the step removes, in Chinese (shown to court users).
        description_en: The same in English.
        drop: Function from a frame to a boolean Series (same index): True = drop the row.
    """

    name: str
    description_zh: str
    description_en: str
    drop: RowMask


class CleaningStep(BaseModel):
    """What one rule removed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    description_zh: str
    description_en: str
    rows_removed: int = Field(ge=0)


class CleaningReport(BaseModel):
    """Rows in, rows out, and the rows each step removed, in order."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rows_in: int = Field(ge=0)
    rows_out: int = Field(ge=0)
    steps: list[CleaningStep]

    def to_frame(self) -> pd.DataFrame:
        """One row per step: name, descriptions and rows removed."""
        columns = list(CleaningStep.model_fields)
        return pd.DataFrame([step.model_dump() for step in self.steps], columns=columns)

    def to_markdown(self) -> str:
        """A short markdown table of the steps, for logs and MLflow artifacts."""
        lines = [
            "| 步骤 step | 说明 | description | 删除行数 rows removed |",
            "| --- | --- | --- | ---: |",
        ]
        lines += [
            f"| {s.name} | {s.description_zh} | {s.description_en} | {s.rows_removed:,} |"
            for s in self.steps
        ]
        removed = self.rows_in - self.rows_out
        lines.append(f"\n输入 rows in: {self.rows_in:,} · 删除 removed: {removed:,}")
        lines.append(f"输出 rows out: {self.rows_out:,}")
        return "\n".join(lines)


@dataclass(frozen=True)
class CleaningResult:
    """The cleaned frame and the report of how it was cleaned."""

    frame: pd.DataFrame
    report: CleaningReport


def clean(frame: pd.DataFrame, rules: Sequence[Rule]) -> CleaningResult:
    """Apply rules in order, each to the rows the previous ones kept.

    Args:
        frame: Raw data; not modified.
        rules: The steps, in order.

    Returns:
        The kept rows (original index) and the report.

    Raises:
        ValueError: If a rule's mask is not a boolean Series on the frame's index.
    """
    kept = frame
    steps: list[CleaningStep] = []
    for rule in rules:
        mask = rule.drop(kept)
        if not (isinstance(mask, pd.Series) and mask.index.equals(kept.index)):
            raise ValueError(f"Rule {rule.name!r} must return a Series on the frame's index")
        mask = mask.fillna(False).astype(bool)
        kept, removed = kept[~mask], int(mask.sum())
        descriptions = {
            "description_zh": rule.description_zh,
            "description_en": rule.description_en,
        }
        steps.append(CleaningStep(name=rule.name, rows_removed=removed, **descriptions))
        logger.debug("Cleaning step %s removed %d rows", rule.name, removed)
    report = CleaningReport(rows_in=len(frame), rows_out=len(kept), steps=steps)
    logger.info("Cleaning kept %d of %d rows", report.rows_out, report.rows_in)
    return CleaningResult(frame=kept, report=report)


def missing_any(frame: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """Rows where any of ``columns`` is missing (NaN, None, NaT or blank text)."""
    missing = frame[list(columns)].isna()
    for column in columns:
        if pd.api.types.is_string_dtype(frame[column]):
            missing[column] |= frame[column].astype("str").str.strip().eq("")
    return missing.any(axis=1)


def duplicated_rows(frame: pd.DataFrame, ignore: Sequence[str] = ()) -> pd.Series:
    """Rows equal on every column but ``ignore`` to an earlier row; the first one is kept."""
    return frame.drop(columns=list(ignore)).duplicated(keep="first")


def relisted_rows(
    frame: pd.DataFrame, keys: Sequence[str], date_column: str, window_days: int
) -> pd.Series:
    """Rows followed by a record of the same ``keys`` within ``window_days``; the latest is kept.

    Rows with a missing key never match. Records on the same date are ordered as in the frame.
    """
    ordered = frame[[*keys, date_column]].sort_values([*keys, date_column], kind="stable")
    following = ordered.groupby(list(keys), dropna=True, sort=False)[date_column].shift(-1)
    gap = following - ordered[date_column]
    drop = gap.le(pd.Timedelta(days=window_days)).fillna(False).astype(bool)
    return drop.reindex(frame.index)


def group_center_scale(
    values: pd.Series, frame: pd.DataFrame, levels: Levels, min_group_size: int
) -> tuple[pd.Series, pd.Series]:
    """Median and robust SD (1.4826 x MAD) of each row's group, from the finest level that fits.

    Args:
        values: Numbers aligned with ``frame``.
        frame: Holds the grouping columns.
        levels: Groupings from finest to coarsest, e.g. ``[["model", "year"], ["model"], []]``;
            an empty grouping is the whole frame.
        min_group_size: A row takes the first level where its group has this many values;
            the last level is used regardless.

    Returns:
        The centre and the scale of each row's group (NaN where the group has no values).
    """
    if not levels:
        raise ValueError("levels needs at least one grouping, e.g. [[]] for the whole frame")
    center = pd.Series(np.nan, index=frame.index)
    scale = pd.Series(np.nan, index=frame.index)
    for i, columns in enumerate(levels):
        keys = [frame[c] for c in columns] or [pd.Series(0, index=frame.index)]
        med = values.groupby(keys, dropna=False).transform("median")
        count = values.groupby(keys, dropna=False).transform("count")
        mad = (values - med).abs().groupby(keys, dropna=False).transform("median")
        is_last = i == len(levels) - 1
        take = center.isna() & med.notna() & (count.ge(min_group_size) | is_last)
        center[take] = med[take]
        scale[take] = _MAD_TO_SD * mad[take]
    return center, scale


def robust_outliers(
    values: pd.Series,
    frame: pd.DataFrame,
    levels: Levels,
    k: float,
    min_group_size: int = 20,
    min_scale: float = 0.0,
) -> pd.Series:
    """Rows more than ``k`` robust SDs from the median of their own group.

    The scale is each group's own, so a group that is wide by nature (e.g. factories) keeps
    its tails while a narrow one is checked tightly. Missing values are never flagged.

    Args:
        values: Numbers aligned with ``frame`` (typically a log unit price).
        frame: Holds the grouping columns.
        levels: Groupings from finest to coarsest (see ``group_center_scale``).
        k: Threshold in robust SDs.
        min_group_size: Smallest group used at a level before falling back to the next.
        min_scale: Lower bound on a group's scale (guards against MAD = 0).

    Returns:
        True for the outliers.
    """
    center, scale = group_center_scale(values, frame, levels, min_group_size)
    deviation = (values - center).abs()
    return deviation.gt(k * scale.clip(lower=min_scale)).fillna(False).astype(bool)


def median_polish(
    values: pd.Series, frame: pd.DataFrame, factors: Sequence[str], iterations: int = 3
) -> pd.Series:
    """Residuals of an additive fit ``value ~ sum of per-level effects``, by median polish.

    Each pass subtracts, factor by factor, the median of the residuals within each level. A
    row's own error barely moves its levels' medians, so a sparse cell (a rare type in one
    community) still gets a sharp reference from its row and column.

    Args:
        values: Numbers aligned with ``frame`` (typically a log unit price).
        frame: Holds the factor columns.
        factors: Columns whose levels have additive effects, e.g. ``["community", "type"]``.
        iterations: Passes over all factors.

    Returns:
        The residuals (NaN where the value is missing).
    """
    residual = values.astype("float64")
    for _ in range(iterations):
        for factor in factors:
            effect = residual.groupby(frame[factor], dropna=False).transform("median")
            residual = residual - effect.fillna(0.0)
    return residual


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
    latest = config.max_transaction_date or "today"
    settings = config.model_dump() | {"max_transaction_date": latest}
    return [
        Rule(name, zh, en.format(**settings), _bind(check, config))
        for name, zh, en, check in _PROPERTY_CHECKS
    ]


def _bind(check: PropertyCheck, config: PropertyCleaningConfig) -> RowMask:
    return lambda frame: check(frame, config)


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
