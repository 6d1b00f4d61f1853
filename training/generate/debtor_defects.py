"""Defects of real enforcement case records, planted into generated debtors; the frame's
finishing steps (labels, order, case ids) around them.

Each kind corrupts distinct clean records (or appends copies of them) and is recorded, so a
test can compare what cleaning caught with what was planted. Only the recorded fields are
corrupted: the outcome and truth columns of a corrupted row keep their clean values.
"""

from collections.abc import Callable, Mapping
from enum import StrEnum

import numpy as np
import pandas as pd

from models.capacity.vocabulary import DebtorType, Outcome
from training.generate.debtor_market import (
    ARCHETYPES,
    CAUSES,
    CREDITORS,
    GRADES,
    REGIONS,
    STATUSES,
    DebtorConfig,
)

Corruption = Callable[[pd.DataFrame, np.ndarray, np.random.Generator], None]
FOUND_VALUE_COLUMNS: tuple[str, ...] = (
    "bank_deposits_found",
    "securities_found",
    "real_estate_value",
    "vehicle_value",
    "equity_value",
)
COMPANY_COLUMNS: tuple[str, ...] = (
    "registered_capital",
    "operating_status",
    "insured_employees",
    "tax_credit_grade",
)
UNIT_ERROR_FACTOR = 10_000.0
UNIT_ERROR_MIN_SOURCE = 200_000.0  # CNY: a corrupted value is at least 2e9 (clean ≤ 3e8)


class DebtorDefectKind(StrEnum):
    """Kinds of planted defects, as recorded in ``GeneratedDebtors.planted``."""

    DUPLICATE_CASE = "duplicate_case"
    NON_POSITIVE_AMOUNT = "non_positive_amount"
    FOUND_VALUE_UNIT_ERROR = "found_value_unit_error"
    VERIFIED_LEADS_EXCEED = "verified_leads_exceed"
    COMPANY_FIELDS_ON_INDIVIDUAL = "company_fields_on_individual"


def defect_counts(n_rows: int, config: DebtorConfig) -> dict[DebtorDefectKind, int]:
    """Rows of each kind: ``round(n_rows × <kind>_share)``."""
    counts = {k: round(n_rows * getattr(config, f"{k.value}_share")) for k in DebtorDefectKind}
    if sum(counts.values()) > n_rows // 2:
        raise ValueError("The defect shares must add up to at most 0.5")
    return counts


def plant_defects(
    frame: pd.DataFrame, counts: dict[DebtorDefectKind, int], rng: np.random.Generator
) -> tuple[pd.DataFrame, np.ndarray]:
    """Corrupt distinct clean rows in place and append duplicates. Returns the combined frame
    and each row's defect ('' for none). A kind with too few eligible rows plants fewer."""
    defects = np.full(len(frame), "", dtype=object)
    free = np.ones(len(frame), dtype=bool)
    order = rng.permutation(len(frame))
    individual = (frame["debtor_type"] == DebtorType.INDIVIDUAL.value).to_numpy()
    large = (frame[list(FOUND_VALUE_COLUMNS)] >= UNIT_ERROR_MIN_SOURCE).any(axis=1).to_numpy()
    eligible = {
        DebtorDefectKind.FOUND_VALUE_UNIT_ERROR: large,
        DebtorDefectKind.COMPANY_FIELDS_ON_INDIVIDUAL: individual & (~individual).any(),
    }
    taken: dict[DebtorDefectKind, np.ndarray] = {}
    for kind, count in counts.items():
        ok = free[order] & eligible.get(kind, np.ones(len(frame), dtype=bool))[order]
        taken[kind] = order[ok][:count]
        free[taken[kind]] = False
    for kind, corrupt in _CORRUPTIONS.items():
        corrupt(frame, taken[kind], rng)
        defects[taken[kind]] = kind.value
    duplicates = frame.iloc[taken[DebtorDefectKind.DUPLICATE_CASE]]
    appended = np.full(len(duplicates), DebtorDefectKind.DUPLICATE_CASE.value, dtype=object)
    combined = pd.concat([frame, duplicates], ignore_index=True)
    return combined, np.concatenate([defects, appended])


def _non_positive_amount(frame: pd.DataFrame, idx: np.ndarray, rng: np.random.Generator) -> None:
    amount = frame["amount_due"].to_numpy()[idx]
    frame.loc[idx, "amount_due"] = np.where(rng.random(idx.size) < 0.4, 0.0, -amount)


def _found_value_unit_error(frame: pd.DataFrame, idx: np.ndarray, rng: np.random.Generator) -> None:
    values = frame.loc[idx, list(FOUND_VALUE_COLUMNS)].to_numpy()
    large = np.nan_to_num(values) >= UNIT_ERROR_MIN_SOURCE
    pick = np.argmax(large * rng.random(large.shape), axis=1)  # one large column at random
    for k, column in enumerate(FOUND_VALUE_COLUMNS):
        rows = idx[pick == k]
        frame.loc[rows, column] = frame.loc[rows, column] * UNIT_ERROR_FACTOR


def _verified_leads_exceed(frame: pd.DataFrame, idx: np.ndarray, rng: np.random.Generator) -> None:
    leads = frame["creditor_leads"].to_numpy()[idx]
    frame.loc[idx, "creditor_leads_verified"] = leads + rng.integers(1, 4, idx.size)


def _company_fields_on_individual(
    frame: pd.DataFrame, idx: np.ndarray, rng: np.random.Generator
) -> None:
    companies = np.flatnonzero((frame["debtor_type"] == DebtorType.COMPANY.value).to_numpy())
    if idx.size == 0:
        return
    source = companies[rng.integers(0, companies.size, idx.size)]
    for column in COMPANY_COLUMNS:
        frame.loc[idx, column] = frame[column].to_numpy()[source]


_CORRUPTIONS: dict[DebtorDefectKind, Corruption] = {
    DebtorDefectKind.NON_POSITIVE_AMOUNT: _non_positive_amount,
    DebtorDefectKind.FOUND_VALUE_UNIT_ERROR: _found_value_unit_error,
    DebtorDefectKind.VERIFIED_LEADS_EXCEED: _verified_leads_exceed,
    DebtorDefectKind.COMPANY_FIELDS_ON_INDIVIDUAL: _company_fields_on_individual,
}


def finish_debtors(
    frame: pd.DataFrame, defects: np.ndarray, dtypes: Mapping[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sort by ``filed_at`` (stable: a duplicate follows its source), number the cases
    ``D000001``…, cast to ``dtypes`` and build the answer key (``case_id``, ``defect``)."""
    order = np.argsort(frame["filed_at"].to_numpy(), kind="stable")
    frame = frame.iloc[order].reset_index(drop=True)
    ids = pd.Series(np.arange(1, len(frame) + 1)).astype("str").str.zfill(6)
    frame.insert(0, "case_id", "D" + ids)
    frame = frame.astype(dict(dtypes))
    defect_of_row = defects[order]
    planted = pd.DataFrame(
        {
            "case_id": frame["case_id"][defect_of_row != ""].to_numpy(),
            "defect": defect_of_row[defect_of_row != ""],
        }
    ).astype("str")
    return frame, planted


def to_frame(rows: dict[str, np.ndarray], dtypes: Mapping[str, str]) -> pd.DataFrame:
    """The frame of the generated rows: codes become their Chinese labels, company fields are
    empty for individuals, columns in the order of ``dtypes`` (``case_id`` comes later)."""
    company = rows["company"]

    def label(values: tuple[str, ...], codes: np.ndarray, only_company: bool = False) -> np.ndarray:
        labels = np.asarray([str(v) for v in values], dtype=object)[codes]
        return np.asarray(np.where(company, labels, None)) if only_company else labels

    share = rows["recovered_share"]
    outcome = np.select([share >= 1, share <= 0], [Outcome.FULL, Outcome.NOTHING], Outcome.PARTIAL)
    data = {
        **{c: rows[c] for c in dtypes if c in rows},
        "debtor_type": np.where(company, DebtorType.COMPANY.value, DebtorType.INDIVIDUAL.value),
        "region": label(tuple(r.region.value for r in REGIONS), rows["region_code"]),
        "registered_capital": np.where(company, rows["registered_capital"], np.nan),
        "operating_status": label(tuple(STATUSES), rows["status_code"], only_company=True),
        "insured_employees": np.where(company, rows["insured_employees"], np.nan),
        "tax_credit_grade": label(tuple(GRADES), rows["grade_code"], only_company=True),
        "creditor_type": label(tuple(CREDITORS), rows["creditor_code"]),
        "case_cause": label(tuple(CAUSES), rows["cause_code"]),
        "outcome": outcome.astype(object),
        "paid_full_6m": share >= 1,
        "archetype": label(tuple(ARCHETYPES), rows["archetype_code"]),
        "filed_at": rows["filed_at"].astype("datetime64[ns]"),
    }
    return pd.DataFrame({c: data[c] for c in dtypes if c != "case_id"})
