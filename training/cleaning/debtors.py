"""The debtor cleaning rules: company fields on an individual repaired, then validity checks
and duplicate cases removed.

A court's training table must also carry the outcome columns; rows without them cannot be
learnt from and are dropped as missing.
"""

from collections.abc import Callable

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from models.capacity.features import SEARCH_VALUES
from models.capacity.schemas import COMPANY_FIELDS
from models.capacity.vocabulary import DebtorType
from training.cleaning.framework import (
    CleaningResult,
    Repair,
    Rule,
    clean,
    duplicated_rows,
    missing_any,
    not_positive,
    rules_from,
)


class DebtorCleaningConfig(BaseModel):
    """Thresholds of ``clean_debtors``.

    Attributes:
        required_columns: Columns that must be present on every row (outcomes included).
        max_found_value: A found asset worth more than this (CNY) is a unit error (an amount
            in 分 or 厘 read as 元, or digits repeated); clean records stay far below it.
        id_column: The case identifier, ignored when looking for duplicate cases.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    required_columns: tuple[str, ...] = (
        "debtor_type", "region", "amount_due", "months_since_judgment", "filed_at",
        "paid_full_6m", "recovered_share", "hidden_capacity",
    )  # fmt: skip
    max_found_value: float = Field(default=1e9, gt=0)
    id_column: str = "case_id"


DebtorCheck = Callable[[pd.DataFrame, DebtorCleaningConfig], pd.Series]


def _found_unit_error(f: pd.DataFrame, c: DebtorCleaningConfig) -> pd.Series:
    found = f[list(SEARCH_VALUES)].apply(pd.to_numeric, errors="coerce")
    return found.gt(c.max_found_value).any(axis=1)


def _impossible_value(f: pd.DataFrame, c: DebtorCleaningConfig) -> pd.Series:
    amount = pd.to_numeric(f["amount_due"], errors="coerce")
    share = pd.to_numeric(f["recovered_share"], errors="coerce")
    return not_positive(amount) | share.lt(0) | share.gt(1)


# (name, 中文说明, English description formatted with the config, check), in order.
_DEBTOR_CHECKS: tuple[tuple[str, str, str, DebtorCheck], ...] = (
    ("missing_required", "必填字段缺失（含结果字段）", "a required field is missing",
     lambda f, c: missing_any(f, c.required_columns)),
    ("impossible_value", "数值不可能（执行标的≤0或非有限数，或回收比例超出0–1）",
     "amount due <= 0 or infinite, or recovered share outside 0-1", _impossible_value),
    ("found_value_unit_error", "查到的财产价值异常（疑似单位错误）",
     "a found asset above {max_found_value:,.0f} CNY",
     _found_unit_error),
    ("verified_leads_exceed", "已核实线索数多于提供的线索数",
     "more verified creditor leads than leads",
     lambda f, c: f["creditor_leads_verified"].gt(f["creditor_leads"])),
    ("duplicate_case", "重复案件记录（案件编号除外完全相同）",
     "exact duplicate apart from the case id",
     lambda f, c: duplicated_rows(f, ignore=[c.id_column] if c.id_column in f else [])),
)  # fmt: skip


def debtor_rules(config: DebtorCleaningConfig) -> list[Rule]:
    """The debtor cleaning steps, in order."""
    return rules_from(_DEBTOR_CHECKS, config)


def _blank_company_fields(frame: pd.DataFrame) -> pd.DataFrame:
    fixed = frame.copy()
    individual = fixed["debtor_type"].eq(DebtorType.INDIVIDUAL.value)
    for column in (c for c in COMPANY_FIELDS if c in fixed):
        fixed[column] = fixed[column].mask(individual)
    return fixed


def debtor_repairs() -> list[Repair]:
    """The fixes made before the rules: company fields cleared on individual debtors."""
    return [
        Repair(
            "company_fields_on_individual",
            "自然人记录中误填的企业字段已清除",
            f"{', '.join(COMPANY_FIELDS)} cleared on individual debtors",
            _blank_company_fields,
        )
    ]


def clean_debtors(
    frame: pd.DataFrame, config: DebtorCleaningConfig | None = None
) -> CleaningResult:
    """Clean a table of debtors with ``debtor_repairs`` and ``debtor_rules``.

    Args:
        frame: Debtors with the generator's columns (see ``data/README.md``).
        config: Thresholds; ``DebtorCleaningConfig()`` when None.

    Returns:
        The kept rows (original index, every column of ``frame``) and the cleaning report.
    """
    config = config or DebtorCleaningConfig()
    return clean(frame, debtor_rules(config), debtor_repairs())
