"""Tests of the cleaning framework (on tiny hand-made frames) and of ``clean_property``."""

from datetime import date
from functools import cache

import numpy as np
import pandas as pd
import pytest

from models.errors import DataError
from tests.training.planted import planted_outcome
from training.cleaning import (
    CleaningReport,
    CleaningResult,
    PropertyCleaningConfig,
    Rule,
    clean,
    clean_property,
    duplicated_rows,
    median_polish,
    missing_any,
    relisted_rows,
    robust_outliers,
)
from training.generate import DefectKind, generate_property_transactions

SEEDS = [0, 1, 2]


@pytest.fixture
def tiny() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["a", "b", "c", "d", "e"],
            "unit": ["u1", "u1", "u2", "u1", None],
            "value": [1.0, 1.0, np.nan, 5.0, 2.0],
            "when": pd.to_datetime(
                ["2024-01-01", "2024-01-01", "2024-01-10", "2024-02-15", "2024-03-01"]
            ),
        }
    )


def test_clean_applies_rules_in_order_and_counts_add_up(tiny: pd.DataFrame) -> None:
    rules = [
        Rule("no_value", "缺值", "missing value", lambda f: missing_any(f, ["value"])),
        Rule("big", "过大", "value above 1", lambda f: f["value"].gt(1)),
        Rule("big_again", "再次过大", "value above 1 again", lambda f: f["value"].gt(1)),
    ]
    result = clean(tiny, rules)
    assert isinstance(result, CleaningResult)
    assert [s.rows_removed for s in result.report.steps] == [1, 2, 0]
    assert list(result.frame["id"]) == ["a", "b"]
    report = result.report
    assert report.rows_in - sum(s.rows_removed for s in report.steps) == report.rows_out
    assert len(tiny) == 5  # the input is left alone


def test_a_result_without_rows_names_the_rules_that_removed_them(tiny: pd.DataFrame) -> None:
    rules = [
        Rule("no_value", "缺值", "missing value", lambda f: missing_any(f, ["value"])),
        Rule("any", "全部", "every row", lambda f: f["value"].notna()),
    ]
    assert clean(tiny, rules[:1]).nonempty().report.rows_out == 4
    with pytest.raises(DataError, match=r"none of the 5 rows: no_value 1 .*; any 4 \(every row\)"):
        clean(tiny, rules).nonempty()


def test_clean_rejects_a_mask_on_another_index(tiny: pd.DataFrame) -> None:
    rule = Rule("bad", "坏", "bad", lambda f: pd.Series([True]))
    with pytest.raises(ValueError, match="bad"):
        clean(tiny, [rule])


def test_missing_any_sees_none_nan_and_blank_text() -> None:
    frame = pd.DataFrame({"name": ["x", None, " ", "y"], "n": [1.0, 2.0, 3.0, np.nan]})
    assert list(missing_any(frame, ["name", "n"])) == [False, True, True, True]


def test_duplicated_rows_ignores_the_id_and_keeps_the_first(tiny: pd.DataFrame) -> None:
    assert list(duplicated_rows(tiny, ignore=["id"])) == [False, True, False, False, False]
    assert not duplicated_rows(tiny).any()


def test_relisted_rows_keeps_the_latest_within_the_window(tiny: pd.DataFrame) -> None:
    mask = relisted_rows(tiny, keys=["unit"], date_column="when", window_days=60)
    # u1: a and b (same day) are followed by d within 60 days; d is the latest and stays.
    assert list(mask) == [True, True, False, False, False]
    narrow = relisted_rows(tiny, keys=["unit"], date_column="when", window_days=10)
    assert list(narrow) == [True, False, False, False, False]


def test_relisted_rows_follows_chains_and_ignores_frame_order() -> None:
    frame = pd.DataFrame(
        {
            "unit": ["u", "u", "u", "v"],
            "when": pd.to_datetime(["2024-03-01", "2024-01-01", "2024-02-01", "2024-01-01"]),
        },
        index=[10, 11, 12, 13],
    )
    mask = relisted_rows(frame, keys=["unit"], date_column="when", window_days=40)
    assert mask.index.equals(frame.index)
    assert list(mask) == [False, True, True, False]


def _two_groups() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    narrow = rng.normal(0.0, 0.05, 200)
    wide = rng.normal(0.0, 0.5, 200)
    return pd.DataFrame(
        {"group": ["narrow"] * 200 + ["wide"] * 200, "value": np.concatenate([narrow, wide])}
    )


def test_robust_outliers_use_each_groups_own_scale() -> None:
    frame = _two_groups()
    frame.loc[0, "value"] = 1.0  # 20 SDs out in the narrow group
    frame.loc[200, "value"] = 1.0  # 2 SDs out in the wide group: a tail, not an error
    mask = robust_outliers(frame["value"], frame, levels=[["group"]], k=5)
    assert mask[0]
    assert not mask[200]
    assert mask.sum() == 1


def test_robust_outliers_fall_back_to_a_coarser_level_for_small_groups() -> None:
    frame = _two_groups().assign(sub="big")
    frame.loc[[0, 1, 2], "sub"] = "small"
    frame.loc[[0, 1, 2], "value"] = [3.0, 3.0, 3.0]  # a tight tiny group, far from its parent
    fine_only = robust_outliers(frame["value"], frame, [["group", "sub"]], k=5, min_group_size=1)
    with_fallback = robust_outliers(
        frame["value"], frame, [["group", "sub"], ["group"]], k=5, min_group_size=10
    )
    assert not fine_only[[0, 1, 2]].any()
    assert with_fallback[[0, 1, 2]].all()


def test_robust_outliers_never_flag_missing_values_and_guard_zero_mad() -> None:
    frame = pd.DataFrame({"value": [1.0, 1.0, 1.0, 1.0, np.nan, 1.001]})
    unguarded = robust_outliers(frame["value"], frame, levels=[[]], k=5)
    guarded = robust_outliers(frame["value"], frame, levels=[[]], k=5, min_scale=0.01)
    assert list(unguarded) == [False, False, False, False, False, True]
    assert not guarded.any()


def test_median_polish_recovers_an_additive_table_and_exposes_a_cell_error() -> None:
    rows = pd.DataFrame(
        [(r, c) for r in ["r1", "r2", "r3"] for c in ["c1", "c2", "c3"]], columns=["r", "c"]
    )
    effects = {"r1": 0.0, "r2": 1.0, "r3": 2.0, "c1": 0.0, "c2": 10.0, "c3": 20.0}
    values = rows["r"].map(effects) + rows["c"].map(effects)
    assert median_polish(values, rows, ["r", "c"]).abs().max() == pytest.approx(0.0)
    values[4] += 5.0  # one cell (r2, c2) off by 5
    residual = median_polish(values, rows, ["r", "c"])
    assert residual[4] == pytest.approx(5.0)
    assert residual.drop(index=4).abs().max() == pytest.approx(0.0)


def test_report_renders_as_frame_and_markdown(tiny: pd.DataFrame) -> None:
    rule = Rule("big", "过大", "value above 1", lambda f: f["value"].gt(1))
    report = clean(tiny, [rule]).report
    table = report.to_frame()
    assert list(table.columns) == ["name", "description_zh", "description_en", "rows_removed"]
    assert table["rows_removed"].tolist() == [2]
    text = report.to_markdown()
    assert "| big | 过大 | value above 1 | 2 |" in text
    assert CleaningReport.model_validate_json(report.model_dump_json()) == report


@cache
def _property_outcome(seed: int) -> pd.DataFrame:
    """Each generated row with its planted defect ('clean' if none) and whether it was removed."""
    generated = generate_property_transactions(n_rows=5_000, seed=seed)
    kept = clean_property(generated.frame).frame
    return planted_outcome(generated.frame, generated.planted, kept)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", list(DefectKind))
def test_clean_property_removes_planted_defects(seed: int, kind: DefectKind) -> None:
    outcome = _property_outcome(seed)
    removed = outcome.loc[outcome["defect"].eq(kind.value), "removed"]
    dedupe = {DefectKind.EXACT_DUPLICATE, DefectKind.RELISTING}
    assert len(removed) > 0
    assert removed.mean() >= (0.95 if kind in dedupe else 0.9)


@pytest.mark.parametrize("seed", SEEDS)
def test_clean_property_keeps_clean_rows(seed: int) -> None:
    outcome = _property_outcome(seed)
    assert outcome.loc[outcome["defect"].eq("clean"), "removed"].mean() <= 0.02


def test_clean_property_report_adds_up() -> None:
    frame = generate_property_transactions(n_rows=2_000, seed=3).frame
    report = clean_property(frame).report
    assert report.rows_in == 2_000
    assert report.rows_in - sum(s.rows_removed for s in report.steps) == report.rows_out
    assert [s.name for s in report.steps][-3:] == ["exact_duplicate", "relisting", "price_outlier"]


def test_clean_property_drops_prices_that_are_not_positive_numbers() -> None:
    """A negative or infinite price passed every rule (its log is NaN) and then stopped the
    fit with a traceback."""
    frame = generate_property_transactions(300, seed=0).frame
    bad = frame.index[:4]
    frame.loc[bad, "price"] = [-500_000.0, 0.0, np.inf, -np.inf]
    result = clean_property(frame)
    assert not result.frame.index.isin(bad).any()
    step = next(s for s in result.report.steps if s.name == "bad_price")
    assert step.rows_removed == 4


def test_clean_property_drops_dates_outside_the_configured_range() -> None:
    frame = generate_property_transactions(n_rows=2_000, seed=3).frame
    config = PropertyCleaningConfig(max_transaction_date=date(2025, 12, 31))
    result = clean_property(frame, config)
    assert result.frame["transaction_date"].max() <= pd.Timestamp("2025-12-31")
    step = next(s for s in result.report.steps if s.name == "date_out_of_range")
    assert step.rows_removed > 0
    assert "2025-12-31" in step.description_en
