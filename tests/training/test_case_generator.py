"""Tests of the synthetic enforcement cases and of the as-of view: contract, determinism,
timeline consistency, shared debtors and assets, outcome calibration, no future in the view."""

from functools import cache

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError
from sklearn.metrics import roc_auc_score

from models.triage.columns import (
    CASE_DEBTOR_COLUMNS,
    INPUT_DTYPES,
    OUTCOME_DTYPES,
    STAGE_COLUMNS,
)
from models.triage.vocabulary import CaseOutcome
from training.case_view import cases_as_of
from training.generate.case_market import SIX_MONTHS, CaseConfig
from training.generate.cases import COLUMN_DTYPES, GeneratedCases, generate_cases
from training.generate.debtors import COLUMN_DTYPES as DEBTOR_DTYPES

N_CASES = 4_000
SEEDS = [0, 1]
WHEN = pd.Timestamp("2024-03-15")
CLOSED_OUTCOMES = {CaseOutcome.FULL.value, CaseOutcome.SETTLEMENT.value, CaseOutcome.TERMINATED}


@cache
def _generated(seed: int) -> GeneratedCases:
    return generate_cases(N_CASES, seed)


@cache
def _view(seed: int) -> pd.DataFrame:
    return cases_as_of(_generated(seed).frame, WHEN)


def _closed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["outcome"] != CaseOutcome.OPEN.value]


def test_same_seed_gives_identical_frames() -> None:
    pd.testing.assert_frame_equal(generate_cases(N_CASES, 0).frame, _generated(0).frame)


def test_different_seeds_give_different_frames() -> None:
    assert not _generated(0).frame["amount_due"].equals(_generated(1).frame["amount_due"])


@pytest.mark.parametrize("seed", SEEDS)
def test_columns_and_dtypes_follow_the_contract(seed: int) -> None:
    frame = _generated(seed).frame
    assert len(frame) == N_CASES
    assert frame.dtypes.astype(str).to_dict() == COLUMN_DTYPES
    contract = INPUT_DTYPES | OUTCOME_DTYPES
    contract |= {c: DEBTOR_DTYPES[c] for c in CASE_DEBTOR_COLUMNS}
    assert {c: str(frame[c].dtype) for c in contract} == contract


def test_ids_and_case_numbers() -> None:
    frame = _generated(0).frame
    assert frame["case_id"].is_unique
    assert frame["case_id"].iloc[0] == "C0000001"
    assert frame["filed_at"].is_monotonic_increasing
    assert frame["case_number"].is_unique
    assert frame["debtor_id"].str.fullmatch(r"B\d{6}").all()
    pattern = r"（(\d{4})）[京沪粤浙苏津川陕宁]\d{4}执\d+号"
    years = frame["case_number"].str.extract(pattern)[0].astype(int)
    assert (years == frame["filed_at"].dt.year).all()


def test_each_debtor_reads_the_same_in_all_its_cases() -> None:
    searched = _generated(0).frame.dropna(subset=["searches_at"])
    fixed = ["debtor_type", "region", "flights_12m", "resistance", "archetype"]
    assert (searched.groupby("debtor_id")[fixed].nunique() <= 1).all().all()


def test_debtors_and_assets_are_shared() -> None:
    frame = _generated(0).frame
    cases = frame.groupby("debtor_id").size()
    companies = frame.loc[frame["debtor_type"] == "法人", "debtor_id"]
    assert (cases[companies.unique()] >= 5).any()  # 执转破 candidates
    assert 1.2 < cases.mean() < 2.5
    by_creditor = frame.groupby("creditor_id").size()
    assert by_creditor.max() >= 20  # a bank
    assert (by_creditor == 1).mean() > 0.8
    assets = frame.dropna(subset=["seized_asset_id"])
    property_cases = assets[assets["seized_asset_id"].str.contains("-R")]
    shared = property_cases.groupby("seized_asset_id")["creditor_id"].nunique()
    assert (shared >= 2).any()  # 轮候查封


def test_later_cases_of_a_debtor_queue_behind_earlier_ones() -> None:
    frame = _generated(0).frame
    first = ~frame.duplicated("debtor_id")
    assert (frame.loc[first, "claims_ahead"] == 0).all()
    assert (frame.loc[~first, "claims_ahead"] > 0).all()
    covered = frame["bank_deposits_found"] >= frame["amount_due"]
    recovered = frame["recovered_amount"] / frame["amount_due"]
    closed = frame["outcome"] != CaseOutcome.OPEN.value
    assert recovered[covered & first & closed].mean() > recovered[covered & ~first & closed].mean()


@pytest.mark.parametrize("seed", SEEDS)
def test_stage_dates_are_consistent(seed: int) -> None:
    f = _generated(seed).frame
    until = _generated(seed).observed_until
    pairs = [
        ("filed_at", "searches_at"),
        ("searches_at", "assets_found_at"),
        ("assets_found_at", "seized_at"),
        ("seized_at", "disposed_at"),
        ("money_received_at", "paid_out_at"),
        ("filed_at", "money_received_at"),
        ("second_search_at", "closed_at"),
        ("termination_proposed_at", "closed_at"),
        ("money_received_at", "closed_at"),
        ("closed_at", "archived_at"),
    ]
    for early, late in pairs:
        both = f[early].notna() & f[late].notna()
        assert (f.loc[both, early] <= f.loc[both, late]).all(), (early, late)
    events = [c for c in STAGE_COLUMNS if c != "seizure_expires_at"]
    assert (f[events].max() <= until).all()
    assert (f["searches_at"] - f["filed_at"]).dt.days.dropna().between(2, 15).all()
    assert (f["seized_at"].notna() | f["seizure_expires_at"].isna()).all()
    assert (f["seizure_expires_at"] > f["seized_at"]).where(f["seized_at"].notna(), True).all()
    assert (f["observed_until"] == until).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_open_and_closed_cases_are_recorded_apart(seed: int) -> None:
    f = _generated(seed).frame
    is_open = f["outcome"] == CaseOutcome.OPEN.value
    assert f.loc[is_open, ["closed_at", "archived_at"]].isna().all().all()
    assert f.loc[is_open, "days_to_close"].isna().all()
    assert f.loc[~is_open, "closed_at"].notna().all()
    assert f.loc[f["termination_proposed_at"].notna() & ~is_open, "outcome"].eq("终本").all()
    assert 0.02 < is_open.mean() < 0.25
    paid = f["paid_within_6m"]
    assert (f.loc[paid, "days_to_close"] <= SIX_MONTHS).all()
    assert f.loc[paid, "outcome"].isin([CaseOutcome.FULL, CaseOutcome.SETTLEMENT]).all()
    assert (f.loc[f["outcome"] == CaseOutcome.FULL, "recovered_amount"] > 0).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_outcome_shares_are_plausible(seed: int) -> None:
    closed = _closed(_generated(seed).frame)
    shares = closed["outcome"].value_counts(normalize=True)
    assert 0.25 <= shares[CaseOutcome.TERMINATED] <= 0.55
    assert 0.2 <= shares[CaseOutcome.FULL] <= 0.5
    assert 0.05 <= shares[CaseOutcome.SETTLEMENT] <= 0.3
    days = closed.groupby("outcome")["days_to_close"].median()
    assert 80 <= days[CaseOutcome.TERMINATED] <= 200  # 终本 after about 3-6 months


def test_cash_covered_cases_close_fast() -> None:
    closed = _closed(_generated(0).frame)
    covered = closed["bank_deposits_found"] >= closed["amount_due"]
    days = closed["days_to_close"]
    assert days[covered].median() < 30
    assert days[covered].median() < days[~covered].median() / 3
    assert (days[covered] < 30).mean() > 0.5


def test_found_assets_are_mostly_seized_within_15_days() -> None:
    f = _generated(0).frame
    delay = (f["seized_at"] - f["assets_found_at"]).dt.days.dropna()
    assert 0.8 < (delay <= 15).mean() < 0.99


def test_missing_searches_occur_before_some_terminations() -> None:
    f = _generated(0).frame
    proposed = f[f["termination_proposed_at"].notna()]
    unverified = proposed["creditor_leads"] > proposed["creditor_leads_verified"]
    no_visit = proposed["neighbourhood_checked"].isna()
    assert 0.05 < (unverified | no_visit).mean() < 0.9


def test_cash_ratio_is_informative_but_imperfect() -> None:
    generated = _generated(0)
    frame = generated.frame
    window = frame[frame["filed_at"] <= generated.observed_until - pd.Timedelta(days=183)]
    ratio = window["bank_deposits_found"].fillna(0) / window["amount_due"]
    assert 0.6 < roc_auc_score(window["paid_within_6m"], ratio) < 0.85


def test_latent_capacity_drives_the_outcome() -> None:
    closed = _closed(_generated(0).frame)
    terminated = closed["outcome"] == CaseOutcome.TERMINATED.value
    by_archetype = terminated.groupby(closed["archetype"]).mean()
    assert by_archetype["能够履行"] < by_archetype["执行难"] < by_archetype["执行不能"]


def test_as_of_view_hides_the_future() -> None:
    frame, view = _generated(0).frame, _view(0)
    assert (view["filed_at"] <= WHEN).all()
    assert len(view) == int((frame["filed_at"] <= WHEN).sum())
    events = [c for c in STAGE_COLUMNS if c != "seizure_expires_at"]
    assert (view[events].max() <= WHEN).all()
    assert (view["observed_until"] == WHEN).all()
    assert view.dtypes.equals(frame.dtypes)
    later = frame.loc[frame["filed_at"] <= WHEN, "closed_at"].gt(WHEN).to_numpy()
    assert later.any()
    assert (view.loc[later, "outcome"] == CaseOutcome.OPEN.value).all()
    assert view.loc[later, "days_to_close"].isna().all()
    assert not view.loc[later, "paid_within_6m"].any()
    unsearched = view["searches_at"].isna()
    assert view.loc[unsearched, "bank_deposits_found"].isna().all()


def test_as_of_view_keeps_what_had_happened() -> None:
    frame, view = _generated(0).frame, _view(0)
    past = frame[frame["filed_at"] <= WHEN].reset_index(drop=True)
    done = (past["closed_at"] <= WHEN).to_numpy()
    for column in ["outcome", "recovered_amount", "days_to_close", "paid_within_6m"]:
        pd.testing.assert_series_equal(view.loc[done, column], past.loc[done, column])
    assert (view["recovered_amount"] <= past["recovered_amount"]).all()


def test_as_of_the_record_date_changes_nothing() -> None:
    generated = _generated(1)
    again = cases_as_of(generated.frame, generated.observed_until)
    pd.testing.assert_frame_equal(again, generated.frame)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="n_cases"):
        generate_cases(0, 0)
    with pytest.raises(ValidationError):
        CaseConfig(observed_until=pd.Timestamp("2025-01-01").date())
    with pytest.raises(ValidationError):
        CaseConfig(unknown_knob=1)  # type: ignore[call-arg]


def test_a_tiny_dataset_is_generated() -> None:
    frame = generate_cases(3, 5).frame
    assert len(frame) == 3
    assert np.isin(frame["outcome"], list(CLOSED_OUTCOMES | {CaseOutcome.OPEN.value})).all()
