"""``clean_debtors``: planted versus caught, and the repair that keeps an individual's row."""

from __future__ import annotations

import pytest

from tests.training.planted import planted_outcome
from training.cleaning.debtors import clean_debtors
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
