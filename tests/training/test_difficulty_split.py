"""The difficulty model's evaluation and data split: ranking metrics, the time split that leaks
nothing, and the landmark training rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.settings import Settings
from models.triage.columns import STAGE_COLUMNS
from models.triage.features import STAGE_AGES, day_numbers
from models.triage.model import TrainingRows
from models.triage.vocabulary import CaseOutcome
from training.difficulty_task import (
    DifficultyTrainConfig,
    TimeSplit,
    statutory_days,
    time_split,
    training_rows,
)
from training.generate.cases import generate_cases
from training.ranking_metrics import concordance_index, ndcg_at

# --- ranking metrics ---------------------------------------------------------------------


def test_ndcg_of_a_perfect_ranking_is_one() -> None:
    relevant = np.array([1.0, 1.0, 0.0, 0.0, 1.0, 0.0])
    assert ndcg_at(relevant * 10 + np.arange(6) * 0.1, relevant, 3) == pytest.approx(1.0)
    assert ndcg_at(relevant, relevant, 6) == pytest.approx(1.0)


def test_ndcg_of_a_reversed_ranking_is_lower() -> None:
    score = np.arange(6.0)[::-1]
    relevant = np.array([1.0, 1.0, 1.0, 0.0, 0.0, 0.0])
    best = ndcg_at(score, relevant, 6)
    worst = ndcg_at(-score, relevant, 6)
    assert best == pytest.approx(1.0)
    assert 0.0 < worst < best
    assert ndcg_at(-score, relevant, 3) == 0.0


def test_ndcg_by_hand() -> None:
    # ranked: relevant, not, relevant -> (1 + 1/log2 4) / (1 + 1/log2 3)
    value = ndcg_at(np.array([3.0, 2.0, 1.0]), np.array([1.0, 0.0, 1.0]), 10)
    assert value == pytest.approx(1.5 / (1 + 1 / np.log2(3)))


def test_ndcg_keeps_input_order_among_equal_scores() -> None:
    ties = np.zeros(4)
    assert ndcg_at(ties, np.array([1.0, 0.0, 0.0, 0.0]), 4) == pytest.approx(1.0)
    assert ndcg_at(ties, np.array([0.0, 0.0, 0.0, 1.0]), 4) == pytest.approx(1 / np.log2(5))
    assert ndcg_at(ties, np.array([0.0, 0.0, 0.0, 1.0]), 3) == 0.0


def test_ndcg_without_relevant_cases_is_zero() -> None:
    assert ndcg_at(np.arange(5.0), np.zeros(5), 3) == 0.0


def _harrell_brute_force(score: np.ndarray, time: np.ndarray, event: np.ndarray) -> float:
    """O(n²) Harrell's C: pairs where ``i`` closed strictly before ``j`` was last seen."""
    concordant = pairs = 0.0
    for i in np.flatnonzero(event):
        later = time > time[i]
        pairs += later.sum()
        concordant += (score[i] > score[later]).sum() + 0.5 * (score[i] == score[later]).sum()
    return concordant / pairs


@pytest.mark.parametrize(
    ("seed", "n"), [(seed, 300) for seed in range(6)] + [(7, 4), (8, 5), (9, 37)]
)
def test_concordance_index_equals_brute_force(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    score = rng.integers(0, 25, size=n).astype(float)  # many ties in the score
    time = rng.integers(1, 60, size=n).astype(float)  # and in the time
    event = rng.random(n) < 0.6  # 40% censored

    assert concordance_index(score, time, event) == pytest.approx(
        _harrell_brute_force(score, time, event), abs=1e-12
    )


def test_concordance_index_is_one_when_the_score_orders_the_events() -> None:
    time = np.arange(1.0, 11.0)
    event = np.ones(10, dtype=bool)
    assert concordance_index(-time, time, event) == pytest.approx(1.0)
    assert concordance_index(time, time, event) == pytest.approx(0.0)
    assert concordance_index(np.zeros(10), time, event) == pytest.approx(0.5)
    assert concordance_index(np.zeros(1), time[:1], event[:1]) == 0.5  # no pair at all
    assert concordance_index(np.zeros(0), time[:0], event[:0]) == 0.5  # no case at all


# --- time split --------------------------------------------------------------------------

PERIOD_DAYS = statutory_days(Settings())
CONFIG = DifficultyTrainConfig()


@pytest.fixture(scope="module")
def cases() -> pd.DataFrame:
    """6,000 generated case records (one record date)."""
    return generate_cases(6_000, seed=3).frame


@pytest.fixture(scope="module")
def split(cases: pd.DataFrame) -> TimeSplit:
    return time_split(cases, CONFIG.eval_months, PERIOD_DAYS)


@pytest.fixture(scope="module")
def rows(split: TimeSplit) -> TrainingRows:
    return training_rows(split.train, split.cutoff, CONFIG.landmarks, PERIOD_DAYS)


def test_the_training_view_has_no_date_after_the_cutoff(split: TimeSplit) -> None:
    view = split.train
    assert (view["filed_at"] <= split.cutoff).all()
    # seizure_expires_at is a deadline, known on the day of the seizure: it may lie ahead
    for column in (c for c in STAGE_COLUMNS if c != "seizure_expires_at"):
        assert not (view[column] > split.cutoff).any(), column
    assert (view["seizure_expires_at"].isna() | view["seized_at"].notna()).all()
    assert (view["observed_until"] == split.cutoff).all()


def test_cases_closed_after_the_cutoff_are_open_in_the_view(
    cases: pd.DataFrame, split: TimeSplit
) -> None:
    later = cases.loc[cases["closed_at"] > split.cutoff, "case_id"]
    view = split.train.set_index("case_id")
    seen = later[later.isin(view.index)]
    assert len(seen) > 50
    assert (view.loc[seen, "outcome"] == CaseOutcome.OPEN.value).all()
    assert view.loc[seen, "closed_at"].isna().all()
    assert (view.loc[view["closed_at"].isna(), "outcome"] == CaseOutcome.OPEN.value).all()


def test_holdout_cases_are_filed_after_the_cutoff_with_their_period_observed(
    split: TimeSplit,
) -> None:
    holdout = split.holdout
    assert len(holdout) > 100
    assert (holdout["filed_at"] > split.cutoff).all()
    period_end = holdout["filed_at"] + pd.Timedelta(days=PERIOD_DAYS)
    assert (period_end <= holdout["observed_until"]).all()
    assert not holdout["case_id"].isin(split.train["case_id"]).any()


# --- landmark training rows --------------------------------------------------------------


def _row_cases(split: TimeSplit, rows: TrainingRows) -> pd.DataFrame:
    return split.train.iloc[rows.case_key].reset_index(drop=True)


def _landmark_days(split: TimeSplit, rows: TrainingRows) -> np.ndarray:
    """Each row's scoring day: every landmark day is on or after the filing day."""
    return day_numbers(_row_cases(split, rows)["filed_at"]) + rows.features["age_days"].to_numpy()


def test_landmark_rows_show_no_stage_reached_after_their_day(
    split: TimeSplit, rows: TrainingRows
) -> None:
    row_cases = _row_cases(split, rows)
    day = _landmark_days(split, rows)
    hidden = 0
    for stage in STAGE_AGES:
        reached = day_numbers(row_cases[stage])
        shown = rows.features[f"days_since_{stage.removesuffix('_at')}"].to_numpy()
        later = reached > day
        hidden += int(later.sum())
        assert np.isnan(shown[later]).all(), stage
        np.testing.assert_array_equal(
            shown[~later], np.where(np.isnan(reached), np.nan, day - reached)[~later]
        )
    assert hidden > 1_000  # the check bites: many stages lie between landmark and cut-off


def test_landmark_rows_are_of_cases_open_before_the_cutoff(
    split: TimeSplit, rows: TrainingRows
) -> None:
    day = _landmark_days(split, rows)
    closed = day_numbers(_row_cases(split, rows)["closed_at"])
    cut = day_numbers(pd.Series([split.cutoff]))[0]
    assert (day < cut).all()
    assert not (closed <= day).any()


def test_paid_is_unknown_until_the_statutory_period_is_over(
    split: TimeSplit, rows: TrainingRows
) -> None:
    filed = day_numbers(_row_cases(split, rows)["filed_at"])
    cut = day_numbers(pd.Series([split.cutoff]))[0]
    running = filed + PERIOD_DAYS > cut
    assert running.any()
    assert (~running).any()
    assert np.isnan(rows.paid[running]).all()
    assert set(np.unique(rows.paid[~running])) == {0.0, 1.0}


def test_censored_rows_are_not_closed(split: TimeSplit, rows: TrainingRows) -> None:
    open_at_cutoff = _row_cases(split, rows)["closed_at"].isna().to_numpy()
    assert open_at_cutoff.any()
    assert rows.closed.dtype == bool
    np.testing.assert_array_equal(rows.closed, ~open_at_cutoff)
    cut = day_numbers(pd.Series([split.cutoff]))[0]
    day = _landmark_days(split, rows)
    np.testing.assert_allclose(
        rows.log_days_left[open_at_cutoff],
        np.log(np.maximum(cut - day[open_at_cutoff], 0.5)),
    )


def test_what_was_not_known_on_the_day_is_hidden() -> None:
    from training.case_view import hide_unknown_findings

    cases = generate_cases(2_000, seed=5).frame
    day = cases["filed_at"] + pd.Timedelta(days=1)
    known = hide_unknown_findings(cases, day)
    not_back = cases["searches_at"] > day
    assert not_back.any()
    assert known.loc[not_back, "bank_deposits_found"].isna().all()
    back = ~not_back & cases["bank_deposits_found"].notna()
    assert (known.loc[back, "bank_deposits_found"] == cases.loc[back, "bank_deposits_found"]).all()
    visited_later = cases["neighbourhood_checked"].notna() & ~(
        (cases["second_search_at"] <= day) | (cases["termination_proposed_at"] <= day)
    )
    assert visited_later.any() and known.loc[visited_later, "neighbourhood_checked"].isna().all()
