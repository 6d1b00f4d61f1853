"""The cleaning framework: rules, the report, and generic row checks.

It knows nothing about any data set: a ``Rule`` is a named, described function from a frame to
a boolean mask of rows to drop, and ``clean`` applies rules in order, each to what the previous
ones left, and reports how many rows each removed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from models.errors import DataError

logger = logging.getLogger(__name__)

RowMask = Callable[[pd.DataFrame], pd.Series]


def not_positive(amount: pd.Series) -> pd.Series:
    """Rows whose amount is ≤ 0 or infinite (a missing one is left to the required-field
    rule)."""
    return amount.le(0) | np.isinf(amount)


ConfigT = TypeVar("ConfigT", bound=BaseModel)
#: A rule before binding: name, Chinese description, English description template (formatted
#: with the config's values), and the check taking the frame and the config.
CheckRow = tuple[str, str, str, Callable[[pd.DataFrame, ConfigT], pd.Series]]


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


@dataclass(frozen=True)
class Repair:
    """A fix applied before the rules: rows are corrected in place and kept.

    Attributes:
        name: Short machine name, e.g. ``"normalise_names"``.
        description_zh: What the fix corrects, in Chinese.
        description_en: The same in English.
        fix: Function from a frame to the corrected frame (same index and columns).
    """

    name: str
    description_zh: str
    description_en: str
    fix: Callable[[pd.DataFrame], pd.DataFrame]


class CleaningStep(BaseModel):
    """What one rule removed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    description_zh: str
    description_en: str
    rows_removed: int = Field(ge=0)


class CleaningRepairStep(BaseModel):
    """What one repair corrected."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    description_zh: str
    description_en: str
    rows_changed: int = Field(ge=0)


class CleaningReport(BaseModel):
    """Rows in, rows out, the rows each step removed, in order, and the rows repairs changed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rows_in: int = Field(ge=0)
    rows_out: int = Field(ge=0)
    steps: list[CleaningStep]
    repairs: list[CleaningRepairStep] = Field(default_factory=list)

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
        if self.repairs:
            lines += ["", "| 修正 repair | 说明 | description | 修正行数 rows changed |"]
            lines.append("| --- | --- | --- | ---: |")
            lines += [
                f"| {r.name} | {r.description_zh} | {r.description_en} | {r.rows_changed:,} |"
                for r in self.repairs
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

    def nonempty(self) -> CleaningResult:
        """This result, or a :class:`DataError` naming the rules that removed every row (a
        file whose price column is empty ended in a traceback at the time split)."""
        if self.report.rows_out > 0:
            return self
        removed = "; ".join(
            f"{step.name} {step.rows_removed:,} ({step.description_en})"
            for step in self.report.steps
            if step.rows_removed
        )
        raise DataError(f"cleaning kept none of the {self.report.rows_in:,} rows: {removed}")


def clean(
    frame: pd.DataFrame, rules: Sequence[Rule], repairs: Sequence[Repair] = ()
) -> CleaningResult:
    """Apply repairs, then rules in order, each rule to the rows the previous ones kept.

    Args:
        frame: Raw data; not modified.
        rules: The steps, in order.
        repairs: Fixes applied to every row before the rules, in order.

    Returns:
        The kept rows (original index, repaired values) and the report.

    Raises:
        ValueError: If a rule's mask is not a boolean Series on the frame's index, or a repair
            changes the index or the columns.
    """
    kept, repaired = _repair(frame, repairs)
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
    report = CleaningReport(rows_in=len(frame), rows_out=len(kept), steps=steps, repairs=repaired)
    logger.info("Cleaning kept %d of %d rows", report.rows_out, report.rows_in)
    return CleaningResult(frame=kept, report=report)


def _repair(
    frame: pd.DataFrame, repairs: Sequence[Repair]
) -> tuple[pd.DataFrame, list[CleaningRepairStep]]:
    done: list[CleaningRepairStep] = []
    for repair in repairs:
        fixed = repair.fix(frame)
        if not (fixed.index.equals(frame.index) and fixed.columns.equals(frame.columns)):
            raise ValueError(f"Repair {repair.name!r} must keep the frame's index and columns")
        changed = (fixed.ne(frame) & ~(fixed.isna() & frame.isna())).any(axis=1)
        descriptions = {
            "description_zh": repair.description_zh,
            "description_en": repair.description_en,
        }
        done.append(
            CleaningRepairStep(name=repair.name, rows_changed=int(changed.sum()), **descriptions)
        )
        logger.debug("Repair %s changed %d rows", repair.name, int(changed.sum()))
        frame = fixed
    return frame, done


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
    frame: pd.DataFrame,
    keys: Sequence[str],
    date_column: str,
    window_days: int,
    tolerances: Mapping[str, float] | None = None,
) -> pd.Series:
    """Rows followed by a record of the same ``keys`` within ``window_days``; the latest is kept.

    Rows with a missing key never match. Records on the same date are ordered as in the frame.

    Args:
        frame: The records.
        keys: Columns that identify one item (a flat, a car); all must be equal.
        date_column: Date of each record.
        window_days: Largest gap between a record and the next one of the same item.
        tolerances: Numeric columns that may drift between records, with the largest absolute
            change allowed (e.g. a car's mileage between two listings).

    Returns:
        True for every record but the latest of each chain.
    """
    tolerances = dict(tolerances or {})
    columns = [*keys, date_column, *(c for c in tolerances if c not in keys)]
    ordered = frame[columns].sort_values([*keys, date_column], kind="stable")
    following = ordered.groupby(list(keys), dropna=True, sort=False)[columns].shift(-1)
    close = (following[date_column] - ordered[date_column]).le(pd.Timedelta(days=window_days))
    for column, tolerance in tolerances.items():
        close &= (following[column] - ordered[column]).abs().le(tolerance)
    drop = close.fillna(False).astype(bool)
    return drop.reindex(frame.index)


def rules_from(checks: Sequence[CheckRow[ConfigT]], config: ConfigT) -> list[Rule]:
    """Bind each check to ``config`` and fill its description with the config's thresholds.

    A config's ``max_transaction_date`` of None reads "today" in the descriptions.
    """
    settings = config.model_dump()
    if settings.get("max_transaction_date", "") is None:
        settings["max_transaction_date"] = "today"
    return [
        Rule(name, zh, en.format(**settings), _bind(check, config))
        for name, zh, en, check in checks
    ]


def _bind(check: Callable[[pd.DataFrame, ConfigT], pd.Series], config: ConfigT) -> RowMask:
    return lambda frame: check(frame, config)
