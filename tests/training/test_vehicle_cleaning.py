"""Tests of ``clean_vehicle`` (planted versus caught) and of the framework pieces it added:
repairs and re-listing tolerances."""

from datetime import date
from functools import cache

import numpy as np
import pandas as pd
import pytest

from tests.training.planted import planted_outcome
from training.cleaning import (
    CleaningReport,
    Repair,
    Rule,
    VehicleCleaningConfig,
    clean,
    clean_vehicle,
    relisted_rows,
)
from training.cleaning.vehicle import normalise_names
from training.generate.vehicle import VehicleDefectKind, generate_vehicle_transactions
from training.generate.vehicle_market import CATALOGUE

SEEDS = [0, 1, 2]
N_ROWS = 5_000


@cache
def _outcome(seed: int) -> pd.DataFrame:
    """Each generated row with its planted defect ('clean' if none) and whether it was removed."""
    generated = generate_vehicle_transactions(n_rows=N_ROWS, seed=seed)
    kept = clean_vehicle(generated.frame).frame
    return planted_outcome(generated.frame, generated.planted, kept)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", list(VehicleDefectKind))
def test_clean_vehicle_removes_planted_defects(seed: int, kind: VehicleDefectKind) -> None:
    outcome = _outcome(seed)
    removed = outcome.loc[outcome["defect"].eq(kind.value), "removed"]
    dedupe = {VehicleDefectKind.EXACT_DUPLICATE, VehicleDefectKind.RELISTING}
    assert len(removed) > 0
    assert removed.mean() >= (0.95 if kind in dedupe else 0.9)


@pytest.mark.parametrize("seed", SEEDS)
def test_clean_vehicle_keeps_clean_rows(seed: int) -> None:
    outcome = _outcome(seed)
    assert outcome.loc[outcome["defect"].eq("clean"), "removed"].mean() < 0.005


def test_clean_vehicle_keeps_the_final_listing_of_a_relisted_car() -> None:
    generated = generate_vehicle_transactions(n_rows=N_ROWS, seed=4)
    frame, kept = generated.frame, clean_vehicle(generated.frame).frame
    relisted = generated.planted.loc[generated.planted["defect"].eq("relisting"), "transaction_id"]
    keys = ["series", "new_price", "registration_date", "color", "region"]
    earlier = frame[frame["transaction_id"].isin(relisted)]
    pairs = earlier.merge(frame, on=keys, suffixes=("", "_later"))
    later = pairs[pairs["transaction_date_later"] > pairs["transaction_date"]]
    assert set(later["transaction_id"]) == set(relisted)
    assert later["transaction_id_later"].isin(kept["transaction_id"]).mean() > 0.99


def test_clean_vehicle_repairs_messy_names_and_keeps_every_column() -> None:
    frame = generate_vehicle_transactions(n_rows=N_ROWS, seed=3).frame
    result = clean_vehicle(frame)
    assert list(result.frame.columns) == list(frame.columns)
    assert set(result.frame["series"]) <= {s.name for s in CATALOGUE}
    messy = ~frame["series"].isin({s.name for s in CATALOGUE}) & frame["series"].notna()
    assert messy.sum() > 50  # messy spellings and typos
    repair = result.report.repairs[0]
    assert repair.name == "normalise_names"
    assert 0 < repair.rows_changed < messy.sum()
    assert "normalise_names" in result.report.to_markdown()


def test_clean_vehicle_report_adds_up() -> None:
    frame = generate_vehicle_transactions(n_rows=2_000, seed=3).frame
    report = clean_vehicle(frame).report
    assert report.rows_in == 2_000
    assert report.rows_in - sum(s.rows_removed for s in report.steps) == report.rows_out
    assert [s.name for s in report.steps][-3:] == ["exact_duplicate", "relisting", "price_outlier"]
    assert CleaningReport.model_validate_json(report.model_dump_json()) == report


def test_clean_vehicle_drops_dates_outside_the_configured_range() -> None:
    frame = generate_vehicle_transactions(n_rows=2_000, seed=3).frame
    config = VehicleCleaningConfig(max_transaction_date=date(2025, 12, 31))
    result = clean_vehicle(frame, config)
    assert result.frame["transaction_date"].max() <= pd.Timestamp("2025-12-31")
    step = next(s for s in result.report.steps if s.name == "date_out_of_range")
    assert step.rows_removed > 0
    assert "2025-12-31" in step.description_en


def test_normalise_names_undoes_width_space_and_case() -> None:
    frame = pd.DataFrame(
        {"series": ["Model 3", "Model 3", " model  3 ", "Ｍｏｄｅｌ\u30003", "汉\t", None]}
    )
    fixed = normalise_names(frame, ("series",))
    assert fixed["series"].tolist()[:5] == ["Model 3"] * 4 + ["汉"]
    assert pd.isna(fixed["series"].iloc[5])


def test_clean_applies_repairs_before_rules_and_counts_changed_rows() -> None:
    frame = pd.DataFrame({"name": ["a ", "a", "b"], "n": [1.0, 1.0, np.nan]})
    strip = Repair("strip", "去空格", "strip", lambda f: f.assign(name=f["name"].str.strip()))
    dupes = Rule("dup", "重复", "duplicate", lambda f: f.duplicated())
    result = clean(frame, [dupes], [strip])
    assert result.report.repairs[0].rows_changed == 1
    assert result.report.steps[0].rows_removed == 1
    assert result.frame["name"].tolist() == ["a", "b"]
    bad = Repair("bad", "坏", "bad", lambda f: f.drop(columns=["n"]))
    with pytest.raises(ValueError, match="bad"):
        clean(frame, [], [bad])


def test_relisted_rows_respect_tolerances() -> None:
    frame = pd.DataFrame(
        {
            "car": ["c", "c", "c", "d", "d"],
            "km": [10_000.0, 10_200.0, 30_000.0, 5_000.0, 5_100.0],
            "when": pd.to_datetime(
                ["2024-01-01", "2024-01-20", "2024-02-01", "2024-01-01", "2024-01-05"]
            ),
        }
    )
    loose = relisted_rows(frame, ["car"], "when", window_days=60)
    tight = relisted_rows(frame, ["car"], "when", window_days=60, tolerances={"km": 1_000})
    assert list(loose) == [True, True, False, True, False]
    assert list(tight) == [True, False, False, True, False]
