"""``clean_debtors`` (and ``clean_cases``): planted versus caught, the repair that keeps an
individual's row, amounts that are not positive numbers."""

from __future__ import annotations

import numpy as np
import pytest

from tests.training.planted import planted_outcome
from training.cleaning.cases import clean_cases
from training.cleaning.debtors import clean_debtors
from training.generate.cases import generate_cases
from training.generate.debtors import DebtorDefectKind, generate_debtors

REPAIRED = DebtorDefectKind.COMPANY_FIELDS_ON_INDIVIDUAL


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_planted_record_is_removed_and_no_clean_one(seed: int) -> None:
    generated = generate_debtors(n_rows=6_000, seed=seed)
    cleaned = clean_debtors(generated.frame)
    outcome = planted_outcome(generated.frame, generated.planted, cleaned.frame, key="case_id")
    removed = outcome.groupby("defect")["removed"].mean()
    for kind in DebtorDefectKind:
        if kind is not REPAIRED and kind.value in removed:
            assert removed[kind.value] == 1.0, kind
    assert removed["clean"] == 0.0
    assert removed.get(REPAIRED.value, 0.0) == 0.0


def test_company_fields_on_an_individual_are_cleared_not_dropped() -> None:
    generated = generate_debtors(n_rows=6_000, seed=0)
    cleaned = clean_debtors(generated.frame)
    ids = generated.planted.loc[generated.planted["defect"].eq(REPAIRED.value), "case_id"]
    rows = cleaned.frame[cleaned.frame["case_id"].isin(ids)]
    assert len(rows) == len(ids) > 0
    assert rows[["registered_capital", "operating_status", "insured_employees"]].isna().all().all()
    assert cleaned.report.repairs[0].rows_changed == len(ids)


def test_an_amount_that_is_not_a_positive_number_is_dropped() -> None:
    """An infinite 执行标的 passed the "≤ 0" check and was trained on."""
    frame = generate_debtors(n_rows=300, seed=0).frame
    frame.loc[frame.index[:3], "amount_due"] = [np.inf, 0.0, -1.0]
    kept = clean_debtors(frame).frame
    assert not kept.index.isin(frame.index[:3]).any()


def test_a_case_amount_that_is_not_a_positive_number_is_dropped() -> None:
    frame = generate_cases(n_cases=300, seed=0).frame
    frame.loc[frame.index[:2], "amount_due"] = [np.inf, -np.inf]
    kept = clean_cases(frame).frame
    assert not kept.index.isin(frame.index[:2]).any()
