"""The enforcement-case cleaning rules: incomplete records, impossible timelines, duplicates.

A court's export is checked before the difficulty model learns from it: a case needs its
identity, filing date, amount, debtor type and outcome; no stage may precede the filing or
follow the record date; a case id appears once.
"""

from collections.abc import Callable

import pandas as pd
from pydantic import BaseModel, ConfigDict

from models.triage.columns import STAGE_COLUMNS
from training.cleaning.framework import (
    CleaningResult,
    Rule,
    clean,
    missing_any,
    not_positive,
    rules_from,
)


class CaseCleaningConfig(BaseModel):
    """What ``clean_cases`` requires.

    Attributes:
        required_columns: Columns that must be present on every row (the outcome included).
        id_column: The case identifier; a repeated one is a duplicate record.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    required_columns: tuple[str, ...] = (
        "case_id", "debtor_id", "creditor_id", "filed_at", "amount_due", "debtor_type",
        "outcome", "observed_until",
    )  # fmt: skip
    id_column: str = "case_id"


CaseCheck = Callable[[pd.DataFrame, CaseCleaningConfig], pd.Series]


def _stage_out_of_range(f: pd.DataFrame, c: CaseCleaningConfig) -> pd.Series:
    filed, until = pd.to_datetime(f["filed_at"]), pd.to_datetime(f["observed_until"])
    bad = pd.Series(False, index=f.index)
    for stage in (s for s in STAGE_COLUMNS if s in f and s != "seizure_expires_at"):
        when = pd.to_datetime(f[stage])
        bad |= when.lt(filed) | when.gt(until)
    return bad


_CASE_CHECKS: tuple[tuple[str, str, str, CaseCheck], ...] = (
    ("missing_required", "必填字段缺失（含结果字段）", "a required field is missing",
     lambda f, c: missing_any(f, c.required_columns)),
    ("impossible_amount", "执行标的≤0或非有限数", "amount due <= 0 or infinite",
     lambda f, c: not_positive(pd.to_numeric(f["amount_due"], errors="coerce"))),
    ("stage_out_of_range", "节点日期早于立案或晚于统计日",
     "a stage dated before filing or after the record date", _stage_out_of_range),
    ("duplicate_case", "重复案件编号", "a case id seen before",
     lambda f, c: f[c.id_column].duplicated()),
)  # fmt: skip


def case_rules(config: CaseCleaningConfig) -> list[Rule]:
    """The case cleaning steps, in order."""
    return rules_from(_CASE_CHECKS, config)


def clean_cases(frame: pd.DataFrame, config: CaseCleaningConfig | None = None) -> CleaningResult:
    """Clean a table of enforcement cases with ``case_rules``."""
    return clean(frame, case_rules(config or CaseCleaningConfig()))
