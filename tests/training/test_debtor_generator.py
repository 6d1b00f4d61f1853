"""Tests of the synthetic enforcement debtors: contract, determinism, calibration, defects."""

from enum import StrEnum
from functools import cache

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from models.capacity.vocabulary import (
    CaseCause,
    CreditorType,
    DebtorType,
    OperatingStatus,
    Outcome,
    Region,
    TaxCreditGrade,
    Tier,
)
from training.generate.debtor_defects import (
    COMPANY_COLUMNS,
    FOUND_VALUE_COLUMNS,
    UNIT_ERROR_FACTOR,
)
from training.generate.debtors import (
    COLUMN_DTYPES,
    FEATURE_COLUMNS,
    DebtorConfig,
    DebtorDefectKind,
    GeneratedDebtors,
    generate_debtors,
)

N_ROWS = 5_000
SEEDS = [0, 1, 2]
CONSUMPTION = [
    "flights_12m", "rail_trips_12m", "hotel_nights_12m", "luxury_spend_12m",
    "private_school_fees_12m", "online_shopping_12m",
]  # fmt: skip
UNIT_ERROR_RULE = 1e9  # CNY: a found value at least this large is a unit error


@cache
def _generated(seed: int) -> GeneratedDebtors:
    return generate_debtors(n_rows=N_ROWS, seed=seed)


@cache
def _clean(seed: int) -> pd.DataFrame:
    generated = _generated(seed)
    frame = generated.frame
    return frame[~frame["case_id"].isin(generated.planted["case_id"])]


def _found_total(frame: pd.DataFrame) -> pd.Series:
    return frame[list(FOUND_VALUE_COLUMNS)].fillna(0.0).sum(axis=1)


def test_same_seed_gives_identical_frames() -> None:
    first = generate_debtors(n_rows=2_000, seed=7)
    second = generate_debtors(n_rows=2_000, seed=7)
    pd.testing.assert_frame_equal(first.frame, second.frame)
    pd.testing.assert_frame_equal(first.planted, second.planted)


def test_different_seeds_give_different_frames() -> None:
    first = generate_debtors(n_rows=2_000, seed=7)
    second = generate_debtors(n_rows=2_000, seed=8)
    assert not first.frame["amount_due"].equals(second.frame["amount_due"])


@pytest.mark.parametrize("n_rows", [1, 137, 2_001])
def test_row_count_is_exact(n_rows: int) -> None:
    assert len(generate_debtors(n_rows=n_rows, seed=0).frame) == n_rows


def test_columns_and_dtypes_match_the_contract() -> None:
    frame = _generated(0).frame
    assert list(frame.columns) == list(COLUMN_DTYPES)
    assert {c: str(frame[c].dtype) for c in frame.columns} == COLUMN_DTYPES


def test_features_exclude_ids_dates_creditor_fields_and_truth() -> None:
    excluded = {"case_id", "filed_at", "creditor_type", "case_cause", "creditor_hardship"}
    truth = set(list(COLUMN_DTYPES)[list(COLUMN_DTYPES).index("outcome") :])
    assert set(FEATURE_COLUMNS) == set(COLUMN_DTYPES) - excluded - truth
    assert "debtor_type" in FEATURE_COLUMNS and "hidden_capacity" not in FEATURE_COLUMNS


def test_cases_are_numbered_in_filing_order_over_sixty_months() -> None:
    frame = _generated(0).frame
    assert frame["case_id"].is_unique
    assert frame["case_id"].str.fullmatch(r"D\d{6}").all()
    assert frame["case_id"].iloc[0] == "D000001"
    assert frame["filed_at"].is_monotonic_increasing
    assert frame["filed_at"].min() >= pd.Timestamp("2021-11-01")
    assert frame["filed_at"].max() <= pd.Timestamp("2026-10-31")
    assert frame["filed_at"].dt.to_period("M").nunique() == 60


@pytest.mark.parametrize(
    ("column", "vocabulary"),
    [
        ("debtor_type", DebtorType),
        ("region", Region),
        ("operating_status", OperatingStatus),
        ("tax_credit_grade", TaxCreditGrade),
        ("creditor_type", CreditorType),
        ("case_cause", CaseCause),
        ("outcome", Outcome),
        ("archetype", Tier),
    ],
)
def test_categorical_values_are_in_the_vocabulary(column: str, vocabulary: type[StrEnum]) -> None:
    assert set(_generated(0).frame[column].dropna()) <= {v.value for v in vocabulary}


def test_debtor_types_and_amounts_have_the_documented_shape() -> None:
    rows = _clean(0)
    company = rows["debtor_type"] == DebtorType.COMPANY.value
    assert company.mean() == pytest.approx(0.2, abs=0.03)
    assert rows.loc[~company, "amount_due"].median() == pytest.approx(50_000, rel=0.25)
    assert rows.loc[company, "amount_due"].median() == pytest.approx(300_000, rel=0.3)
    assert (rows["amount_due"] > 0).all()
    assert (rows["months_since_judgment"] >= 0).all()


def test_company_fields_are_filled_only_for_companies() -> None:
    rows = _clean(0)
    company = rows["debtor_type"] == DebtorType.COMPANY.value
    fields = rows[list(COMPANY_COLUMNS)]
    assert fields[~company].isna().all().all()
    assert fields[company].notna().all().all()
    assert rows.loc[~company, "employer_found"].notna().mean() > 0.9
    assert rows.loc[company, "employer_found"].isna().all()


def test_closed_companies_have_no_insured_employees() -> None:
    rows = _clean(0)
    closed = rows["operating_status"].isin([OperatingStatus.REVOKED, OperatingStatus.DEREGISTERED])
    assert closed.sum() > 50
    assert (rows.loc[closed, "insured_employees"] == 0).all()


def test_searches_are_sometimes_not_done() -> None:
    missing = _clean(0)[list(FOUND_VALUE_COLUMNS)].isna().mean()
    assert missing.between(0.01, 0.06).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_outcome_shares_match_the_national_figures(seed: int) -> None:
    shares = _clean(seed)["outcome"].value_counts(normalize=True)
    assert shares[Outcome.NOTHING.value] == pytest.approx(0.40, abs=0.05)
    assert 0.35 <= shares[Outcome.FULL.value] <= 0.45
    assert 0.15 <= shares[Outcome.PARTIAL.value] <= 0.30


@pytest.mark.parametrize("seed", SEEDS)
def test_hidden_capacity_share(seed: int) -> None:
    assert 0.08 <= _clean(seed)["hidden_capacity"].mean() <= 0.18


@pytest.mark.parametrize("seed", SEEDS)
def test_hidden_capacity_debtors_spend_more_but_have_less_found(seed: int) -> None:
    rows = _clean(seed)
    hidden = rows["hidden_capacity"]
    spend = rows.groupby(hidden)[CONSUMPTION].mean()
    assert (spend.loc[True] > spend.loc[False]).all()
    found = _found_total(rows)
    assert found[hidden].mean() < 0.2 * found[~hidden].mean()
    assert (found[hidden] < 0.5 * rows.loc[hidden, "amount_due"]).all()


def test_impossible_to_enforce_debtors_exist() -> None:
    rows = _clean(0)
    unable = (_found_total(rows) == 0) & (rows["outcome"] == Outcome.NOTHING.value)
    assert unable.mean() > 0.15
    typical = rows[unable & (rows["archetype"] == Tier.UNABLE.value)]
    others = rows[rows["archetype"] == Tier.ABLE.value]
    assert typical["other_open_cases"].mean() > 2 * others["other_open_cases"].mean()
    assert typical["social_insurance_active"].mean() < others["social_insurance_active"].mean()
    assert typical["flights_12m"].mean() < others["flights_12m"].mean()


@pytest.mark.parametrize("seed", SEEDS)
def test_recovered_share_agrees_with_the_outcome(seed: int) -> None:
    rows = _clean(seed)
    share = rows["recovered_share"]
    assert share.between(0, 1).all()
    assert ((share == 1) == (rows["outcome"] == Outcome.FULL.value)).all()
    assert ((share == 0) == (rows["outcome"] == Outcome.NOTHING.value)).all()
    assert (rows["paid_full_6m"] == (rows["outcome"] == Outcome.FULL.value)).all()
    np.testing.assert_allclose(rows["recovered_amount"], share * rows["amount_due"], atol=0.01)


def test_hidden_capacity_follows_its_definition() -> None:
    rows = _clean(0)
    config = DebtorConfig()
    seen = rows["employer_found"].fillna(False) | rows["social_insurance_active"].fillna(False)
    individual = rows["debtor_type"] == DebtorType.INDIVIDUAL.value
    unseen_income = rows["income_12m"].where(individual & ~seen, 0.0)
    unseen = rows["hidden_assets"] + config.payable_income_share * unseen_income
    threshold = config.hidden_capacity_threshold * rows["amount_due"]
    expected = (unseen >= threshold) & (_found_total(rows) < threshold)
    assert (rows["hidden_capacity"] == expected).all()


def test_latent_truth_is_consistent() -> None:
    rows = _clean(0)
    assert (rows["true_capacity"] >= rows["hidden_assets"] - 0.01).all()
    assert rows["resistance"].between(0, 1).all()
    hard = rows["archetype"] == Tier.HARD.value
    assert rows.loc[hard, "resistance"].mean() > rows.loc[~hard, "resistance"].mean() + 0.2
    assert (rows["creditor_leads_verified"] <= rows["creditor_leads"]).all()


def test_more_cash_found_means_more_full_payments() -> None:
    rows = _clean(0)
    ratio = rows["bank_deposits_found"].fillna(0) / rows["amount_due"]
    full = rows["paid_full_6m"]
    assert full[ratio >= 1].mean() > full[ratio < 0.1].mean() + 0.3


def test_creditor_fields_follow_the_case() -> None:
    rows = _clean(0)
    support = rows["case_cause"] == CaseCause.SUPPORT.value
    assert (rows.loc[support, "debtor_type"] == DebtorType.INDIVIDUAL.value).all()
    hardship = rows["creditor_hardship"]
    assert (rows.loc[hardship, "creditor_type"] == CreditorType.INDIVIDUAL.value).all()


def test_planted_defects_match_the_configured_shares() -> None:
    generated = _generated(0)
    config = DebtorConfig()
    counts = generated.planted["defect"].value_counts()
    for kind in DebtorDefectKind:
        assert counts.get(kind.value, 0) == round(N_ROWS * getattr(config, f"{kind}_share"))
    assert generated.planted["case_id"].is_unique
    assert generated.planted["case_id"].isin(generated.frame["case_id"]).all()


def _rule(frame: pd.DataFrame, kind: DebtorDefectKind) -> pd.Series:
    """The documented detection rule of each kind, row by row."""
    if kind is DebtorDefectKind.DUPLICATE_CASE:
        return frame.drop(columns="case_id").duplicated(keep="first")
    if kind is DebtorDefectKind.NON_POSITIVE_AMOUNT:
        return frame["amount_due"] <= 0
    if kind is DebtorDefectKind.FOUND_VALUE_UNIT_ERROR:
        return (frame[list(FOUND_VALUE_COLUMNS)] >= UNIT_ERROR_RULE).any(axis=1)
    if kind is DebtorDefectKind.VERIFIED_LEADS_EXCEED:
        return frame["creditor_leads_verified"] > frame["creditor_leads"]
    individual = frame["debtor_type"] == DebtorType.INDIVIDUAL.value
    return individual & frame[list(COMPANY_COLUMNS)].notna().any(axis=1)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", list(DebtorDefectKind))
def test_each_planted_kind_is_exactly_what_its_rule_finds(
    seed: int, kind: DebtorDefectKind
) -> None:
    generated = _generated(seed)
    planted = generated.planted.loc[generated.planted["defect"] == kind.value, "case_id"]
    flagged = generated.frame.loc[_rule(generated.frame, kind), "case_id"]
    assert set(flagged) == set(planted)


def test_unit_errors_multiply_one_found_value() -> None:
    generated = _generated(0)
    planted = generated.planted.loc[
        generated.planted["defect"] == DebtorDefectKind.FOUND_VALUE_UNIT_ERROR.value, "case_id"
    ]
    values = generated.frame.set_index("case_id").loc[planted, list(FOUND_VALUE_COLUMNS)]
    assert ((values >= UNIT_ERROR_RULE).sum(axis=1) == 1).all()
    assert UNIT_ERROR_FACTOR == 10_000


def test_config_rejects_unknown_knobs_and_too_many_defects() -> None:
    with pytest.raises(ValidationError):
        DebtorConfig(hiden_share=0.1)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        DebtorConfig(detection=(0.9, 0.9, 1.5, 0.9, 0.9))
    config = DebtorConfig(duplicate_case_share=0.2, non_positive_amount_share=0.1,
                          found_value_unit_error_share=0.1, verified_leads_exceed_share=0.1,
                          company_fields_on_individual_share=0.1)  # fmt: skip
    with pytest.raises(ValueError, match=r"at most 0\.5"):
        generate_debtors(n_rows=1_000, config=config)
    with pytest.raises(ValueError, match="positive"):
        generate_debtors(n_rows=0)


def test_without_companies_no_company_fields_are_planted() -> None:
    generated = generate_debtors(n_rows=1_000, seed=3, config=DebtorConfig(company_share=0.0))
    assert generated.frame["registered_capital"].isna().all()
    assert DebtorDefectKind.COMPANY_FIELDS_ON_INDIVIDUAL.value not in set(
        generated.planted["defect"]
    )
