"""The difficulty (triage) model's pieces: attribution, survival objective, lanes, the cash-ratio
baseline, the case records, the stage features and the reasons."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from models.errors import InvalidInputError
from models.triage.attribution import PathAttribution
from models.triage.baseline import cash_ratio, cash_ratio_order, cash_ratio_score
from models.triage.features import FEATURES, STAGE_AGES, case_features, day_numbers
from models.triage.lanes import assign_lanes, rank_order
from models.triage.reasons import (
    EASIER,
    HARDER,
    TOPICS,
    cny_text,
    reason_texts,
    top_topics,
    topic_index,
)
from models.triage.records import CaseRecordError, case_frame
from models.triage.survival import (
    aft_objective,
    fit_sigma,
    negative_log_likelihood,
    probability_within,
)
from models.triage.vocabulary import Lane
from tests.triage_cases import AS_OF, ago, case, frame, numbered

FAST, NORMAL, COMPLEX = Lane.FAST.value, Lane.NORMAL.value, Lane.COMPLEX.value

# --- attribution -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def booster_data() -> tuple[lgb.Booster, np.ndarray]:
    """A 20-tree binary booster on 400 noisy rows with NaNs; column 5 is constant (never split)."""
    rng = np.random.default_rng(7)
    x = rng.normal(size=(400, 6))
    x[rng.random(x.shape) < 0.2] = np.nan
    x[:, 5] = 1.0
    signal = np.nan_to_num(x[:, 0]) + 0.7 * np.nan_to_num(x[:, 1]) - 0.5 * np.nan_to_num(x[:, 2])
    y = (signal + rng.normal(size=len(x)) > 0).astype(int)
    params = {
        "objective": "binary",
        "num_leaves": 8,
        "min_data_in_leaf": 5,
        "verbose": -1,
        "seed": 0,
        "deterministic": True,
        "num_threads": 1,
    }
    booster = lgb.train(params, lgb.Dataset(x, y), num_boost_round=20)
    return booster, x


def _credits(booster: lgb.Booster, x: np.ndarray, group_of: list[int]) -> tuple[np.ndarray, float]:
    groups = np.array(group_of, dtype=np.int64)
    attribution = PathAttribution.from_booster(booster, groups, int(groups.max()) + 1)
    return attribution.contributions(booster.predict(x, pred_leaf=True)), attribution.bias


def test_contributions_plus_bias_add_up_to_the_raw_score(
    booster_data: tuple[lgb.Booster, np.ndarray],
) -> None:
    booster, x = booster_data
    credits, bias = _credits(booster, x, [0, 1, 2, 3, 4, 5])
    assert credits.shape == (len(x), 6)
    raw = booster.predict(x, raw_score=True)
    np.testing.assert_allclose(credits.sum(axis=1) + bias, raw, atol=1e-4)


def test_a_feature_never_split_on_gets_no_credit(
    booster_data: tuple[lgb.Booster, np.ndarray],
) -> None:
    booster, x = booster_data
    assert booster.feature_importance("split")[5] == 0
    credits, _ = _credits(booster, x, [0, 1, 2, 3, 4, 5])
    assert np.all(credits[:, 5] == 0.0)
    assert np.abs(credits[:, 0]).max() > 0


def test_grouped_features_get_the_sum_of_their_separate_credits(
    booster_data: tuple[lgb.Booster, np.ndarray],
) -> None:
    booster, x = booster_data
    apart, bias_apart = _credits(booster, x, [0, 1, 2, 3, 4, 5])
    together, bias_together = _credits(booster, x, [0, 0, 1, 2, 3, 4])
    np.testing.assert_allclose(together[:, 0], apart[:, 0] + apart[:, 1], atol=1e-5)
    np.testing.assert_allclose(together[:, 1:], apart[:, 2:], atol=1e-6)
    assert bias_together == bias_apart


# --- survival ----------------------------------------------------------------------------


def _nll_derivatives(
    likelihood: Callable[[np.ndarray, np.ndarray, np.ndarray, float], np.ndarray],
    log_time: np.ndarray,
    event: np.ndarray,
    location: np.ndarray,
    sigma: float,
    h: float = 1e-4,
) -> tuple[np.ndarray, np.ndarray]:
    """Central finite differences of a per-row negative log-likelihood in the location."""

    def nll(loc: np.ndarray) -> np.ndarray:
        return likelihood(log_time, event, loc, sigma)

    grad = (nll(location + h) - nll(location - h)) / (2 * h)
    hess = (nll(location + h) - 2 * nll(location) + nll(location - h)) / h**2
    return grad, hess


def _objective_inputs(closed: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, lgb.Dataset]:
    rng = np.random.default_rng(1)
    log_time = rng.normal(4.0, 1.0, size=50)
    location = log_time + rng.uniform(-2.5, 2.5, size=50)
    event = np.full(50, closed)
    data = lgb.Dataset(np.zeros((50, 1)), label=log_time, free_raw_data=False).construct()
    return log_time, location, event, data


@pytest.mark.parametrize(
    "closed",
    [True, False],
    ids=["closed", "censored"],
)
@pytest.mark.parametrize("sigma", [0.5, 1.3])
def test_aft_gradient_and_hessian_match_finite_differences(closed: bool, sigma: float) -> None:
    log_time, location, event, data = _objective_inputs(closed)

    grad, hess = aft_objective(event, sigma)(location, data)

    want_grad, want_hess = _nll_derivatives(
        negative_log_likelihood, log_time, event, location, sigma
    )
    np.testing.assert_allclose(grad, want_grad, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(hess, want_hess, rtol=1e-3, atol=1e-4)
    assert np.all(hess > 0)


def _right_censored_nll(
    log_time: np.ndarray, event: np.ndarray, location: np.ndarray, sigma: float
) -> np.ndarray:
    """The documented likelihood: density if closed, survival ``1 - Phi(z)`` if still open."""
    z = (log_time - location) / sigma
    return np.where(event, -norm.logpdf(z) + np.log(sigma), -norm.logsf(z))


@pytest.mark.parametrize("sigma", [0.5, 1.3])
def test_aft_objective_of_open_rows_is_the_derivative_of_minus_log_survival(sigma: float) -> None:
    log_time, location, event, data = _objective_inputs(closed=False)

    grad, hess = aft_objective(event, sigma)(location, data)

    want_grad, want_hess = _nll_derivatives(_right_censored_nll, log_time, event, location, sigma)
    np.testing.assert_allclose(grad, want_grad, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(hess, want_hess, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize(
    ("shift", "censored"),
    [(0.59, 0.30), (0.0, 0.50)],
    ids=["30pct", "50pct"],
)
def test_fit_sigma_recovers_the_scale_with_censoring(shift: float, censored: float) -> None:
    rng = np.random.default_rng(5)
    n, sigma = 4_000, 0.8
    location = rng.normal(4.5, 0.7, size=n)
    log_t = location + sigma * rng.normal(size=n)
    # independent censoring times; ``shift`` sets the share of rows censored
    log_c = location + shift + sigma * rng.normal(size=n)
    event = log_t <= log_c
    observed = np.minimum(log_t, log_c)
    assert 1 - event.mean() == pytest.approx(censored, abs=0.05)

    fitted = fit_sigma(observed, event, location)

    assert fitted == pytest.approx(sigma, rel=0.15)


def test_probability_within_grows_with_days() -> None:
    days = np.arange(0.0, 3_000.0, 7.0)
    p = probability_within(days, np.array([5.0]), 0.9)
    assert p[0] == 0.0
    assert np.all(np.diff(p) >= 0)
    assert p[-1] > 0.99
    assert probability_within(np.exp(5.0), np.array([5.0]), 0.9)[0] == pytest.approx(0.5)


# --- lanes -------------------------------------------------------------------------------

PROBABILITY = np.array([0.9, 0.95, 0.9, 0.1, 0.99, 0.7, 0.85])
IS_OPEN = np.array([True, True, True, True, False, True, True])


def _lanes(probability: np.ndarray, is_open: np.ndarray, capacity: int) -> list[str | None]:
    order = rank_order(probability, is_open)
    lanes = assign_lanes(
        probability,
        is_open,
        order,
        fast_probability=0.8,
        complex_probability=0.3,
        fast_capacity=capacity,
    )
    return list(lanes)


def test_rank_order_puts_open_cases_by_probability_ties_in_order_and_closed_last() -> None:
    order = rank_order(PROBABILITY, IS_OPEN)
    assert order.tolist() == [1, 0, 2, 6, 5, 3, 4]


def test_rank_order_keeps_input_order_among_equal_and_closed_cases() -> None:
    order = rank_order(np.array([0.5, 0.9, 0.5, 0.5, 0.2]), np.array([1, 0, 1, 1, 0], bool))
    assert order.tolist() == [0, 2, 3, 1, 4]


@pytest.mark.parametrize(
    ("capacity", "fast"),
    [(0, []), (1, [1]), (2, [1, 0]), (3, [1, 0, 2]), (4, [1, 0, 2, 6]), (100, [1, 0, 2, 6])],
)
def test_fast_lane_takes_the_easiest_candidates_up_to_capacity(
    capacity: int, fast: list[int]
) -> None:
    lanes = _lanes(PROBABILITY, IS_OPEN, capacity)
    assert [i for i, lane in enumerate(lanes) if lane == FAST] == sorted(fast)
    assert lanes[3] == COMPLEX  # below complex_probability
    assert lanes[4] is None  # closed, even with the highest probability
    assert lanes[5] == NORMAL  # open, below fast_probability, above complex_probability
    for i in {0, 1, 2, 6} - set(fast):  # candidates over capacity stay 普通
        assert lanes[i] == NORMAL


def test_no_case_below_the_fast_threshold_is_fast_even_with_room() -> None:
    probability = np.array([0.79, 0.5, 0.2])
    lanes = _lanes(probability, np.ones(3, dtype=bool), capacity=10)
    assert lanes == [NORMAL, NORMAL, COMPLEX]


def test_closed_cases_are_in_no_lane() -> None:
    lanes = _lanes(np.array([0.9, 0.1, 0.5]), np.zeros(3, dtype=bool), capacity=10)
    assert lanes == [None, None, None]


# --- baseline ----------------------------------------------------------------------------


def test_cash_ratio_is_deposits_over_amount_and_unsearched_ranks_last() -> None:
    cases = frame(
        case(case_id="C1", bank_deposits_found=0.0, amount_due=50_000.0),
        case(case_id="C2", bank_deposits_found=np.nan, amount_due=10.0),
        case(case_id="C3", bank_deposits_found=50_000.0, amount_due=100_000.0),
        case(case_id="C4", bank_deposits_found=0.0, amount_due=100_000.0),
        case(case_id="C5", bank_deposits_found=10_000.0, amount_due=20_000.0),
        case(case_id="C6", bank_deposits_found=300_000.0, amount_due=100_000.0),
        case(case_id="C7", bank_deposits_found=np.nan, amount_due=100_000.0),
    )
    np.testing.assert_allclose(
        cash_ratio(cases), [0.0, np.nan, 0.5, 0.0, 0.5, 3.0, np.nan], equal_nan=True
    )
    np.testing.assert_allclose(cash_ratio_score(cases), [0.0, -1.0, 0.5, 0.0, 0.5, 3.0, -1.0])
    order = cash_ratio_order(cases)
    assert cases["case_id"].iloc[order].tolist() == ["C6", "C3", "C5", "C1", "C4", "C2", "C7"]


def test_cash_ratio_order_keeps_queue_order_among_equal_ratios() -> None:
    cases = frame(*numbered(6, bank_deposits_found=0.0))
    assert cash_ratio_order(cases).tolist() == [0, 1, 2, 3, 4, 5]


# --- records -----------------------------------------------------------------------------


def _raw(**changes: Any) -> pd.DataFrame:
    """Three good records (no outcome columns) with ``changes`` applied to the second one."""
    records = numbered(3)
    records[1] = {**records[1], **changes}
    return frame(*records, outcome=False)


def test_case_frame_types_good_rows() -> None:
    out = case_frame(_raw(seized_at=ago(5), dishonest_listed=True))
    assert len(out) == 3
    assert out["filed_at"].dtype == "datetime64[ns]"
    assert out["seized_at"].dtype == "datetime64[ns]"
    assert str(out["neighbourhood_checked"].dtype) == "boolean"
    assert str(out["dishonest_listed"].dtype) == "boolean"
    assert out["amount_due"].dtype == np.float64
    assert out["real_estate_count"].dtype == np.float64
    assert out.loc[1, "seized_at"] == ago(5)
    assert out["seized_at"].isna().tolist() == [True, False, True]


def test_case_frame_reads_csv_like_text() -> None:
    text = frame(*numbered(3), outcome=False).to_csv(index=False)
    raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False).replace("", None)
    raw["filed_at"] = ["2024-01-05", "2024-01-06", "2024-01-07"]
    raw["searches_at"] = ["2024-01-10", None, "2024-01-07"]
    raw["neighbourhood_checked"] = ["是", "否", None]
    raw["dishonest_listed"] = ["true", "False", "1"]
    raw["amount_due"] = ["1200.5", "30000", "7"]

    out = case_frame(raw)

    assert out["filed_at"].tolist() == [pd.Timestamp(f"2024-01-0{d}") for d in (5, 6, 7)]
    assert out["searches_at"].isna().tolist() == [False, True, False]
    assert out["neighbourhood_checked"].tolist() == [True, False, pd.NA]
    assert out["dishonest_listed"].tolist() == [True, False, True]
    assert out["amount_due"].tolist() == [1200.5, 30000.0, 7.0]
    assert out["real_estate_count"].tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("changes", "column"),
    [
        ({"amount_due": 0.0}, "amount_due"),
        ({"amount_due": -10.0}, "amount_due"),
        ({"seized_at": ago(31)}, "seized_at"),
        ({"closed_at": ago(40)}, "closed_at"),
        ({"region": "火星"}, "region"),
        ({"debtor_type": "机器人"}, "debtor_type"),
        ({"creditor_leads": 2, "creditor_leads_verified": 3}, "creditor_leads_verified"),
        ({"registered_capital": 1e6}, "registered_capital"),
        ({"operating_status": "存续"}, "operating_status"),
        ({"debtor_id": None}, "debtor_id"),
        ({"archived_at": ago(1)}, "archived_at"),
    ],
)
def test_case_frame_names_the_bad_row_and_column(changes: dict[str, Any], column: str) -> None:
    with pytest.raises(CaseRecordError) as caught:
        case_frame(_raw(**changes))
    assert (caught.value.row, caught.value.column) == (1, column)
    assert "C2" in str(caught.value)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("filed_at", "2024-13-45"),
        ("searches_at", "yesterday"),
        ("dishonest_listed", "maybe"),
        ("amount_due", "lots"),
        ("vehicle_count", "two"),
    ],
)
def test_case_frame_rejects_unreadable_values(column: str, value: str) -> None:
    raw = _raw().astype({column: object})
    raw.loc[1, column] = value
    with pytest.raises(CaseRecordError) as caught:
        case_frame(raw)
    assert (caught.value.row, caught.value.column) == (1, column)


def test_case_frame_names_a_missing_required_column() -> None:
    with pytest.raises(InvalidInputError, match="region") as caught:
        case_frame(_raw().drop(columns=["region"]))
    assert not isinstance(caught.value, CaseRecordError)
    assert caught.value.field == "columns"


def test_case_frame_blames_the_non_iso_date_not_a_later_good_one() -> None:
    raw = _raw().astype({"filed_at": object})
    raw["filed_at"] = ["2024/01/05", "2024-01-06", "2024-01-07"]
    try:  # accepting both spellings would be fine too
        case_frame(raw)
    except CaseRecordError as error:
        assert error.row == 0, "the error must not name a row whose date is YYYY-MM-DD"


def test_case_frame_reads_each_date_as_written_whatever_its_zone() -> None:
    raw = _raw().astype({"searches_at": object})
    raw["searches_at"] = ["2025-06-01T23:00:00+08:00", "2025-06-02T01:00:00+00:00", None]
    days = case_frame(raw)["searches_at"]
    assert days.iloc[0] == pd.Timestamp("2025-06-01")
    assert days.iloc[1] == pd.Timestamp("2025-06-02")
    assert pd.isna(days.iloc[2])


# --- features ----------------------------------------------------------------------------


def _features(*records: dict[str, Any]) -> pd.DataFrame:
    cases = frame(*records)
    as_of = day_numbers(pd.Series([AS_OF] * len(cases)))
    return case_features(cases, as_of)


def test_features_hide_stages_after_as_of_and_age_the_others() -> None:
    f = _features(
        case(case_id="C1", filed_at=ago(40), assets_found_at=ago(12), seized_at=ago(10)),
        case(case_id="C2", filed_at=ago(40), assets_found_at=ago(0), seized_at=ago(-3)),
    )
    assert list(f.columns) == list(FEATURES)
    assert f["age_days"].tolist() == [40.0, 40.0]
    assert f["days_since_searches"].tolist() == [25.0, 25.0]
    assert f["days_since_assets_found"].tolist() == [12.0, 0.0]
    assert f["days_since_seized"].iloc[0] == 10.0
    assert np.isnan(f["days_since_seized"].iloc[1])
    assert np.isnan(f["measure_days_left"].iloc[1])  # the hidden seizure has no measure yet


@pytest.mark.parametrize("stage", STAGE_AGES)
def test_every_stage_is_hidden_after_as_of(stage: str) -> None:
    name = f"days_since_{stage.removesuffix('_at')}"
    f = _features(
        case(case_id="C1", filed_at=ago(60), **{stage: ago(20)}),
        case(case_id="C2", filed_at=ago(60), **{stage: ago(-1)}),
    )
    assert f[name].iloc[0] == 20.0
    assert np.isnan(f[name].iloc[1])


def test_age_days_is_as_of_minus_filing() -> None:
    f = _features(*(case(case_id=f"C{d}", filed_at=ago(d), searches_at=None) for d in (0, 7, 365)))
    assert f["age_days"].tolist() == [0.0, 7.0, 365.0]


# --- reasons -----------------------------------------------------------------------------


def test_topic_index_covers_every_feature() -> None:
    index = topic_index()
    assert index.shape == (len(FEATURES),)
    assert index.min() >= 0
    assert index.max() < len(TOPICS)


def test_top_topics_are_the_largest_contributions_by_size_in_order() -> None:
    rng = np.random.default_rng(3)
    contributions = rng.normal(size=(30, len(TOPICS)))
    top = top_topics(contributions, 4)
    want = np.argsort(-np.abs(contributions), axis=1)[:, :4]
    assert top.tolist() == want.tolist()
    assert top_topics(contributions, 100).shape == (30, len(TOPICS))
    assert top_topics(contributions, 0).shape == (30, 0)


def test_reason_texts_are_chinese_sentences_with_the_effects_direction() -> None:
    cases = frame(
        case(
            case_id="C1", bank_deposits_found=50_000.0, assets_found_at=ago(12), seized_at=ago(10)
        ),
        case(
            case_id="C2",
            debtor_type="法人",
            operating_status="存续",
            insured_employees=12,
            registered_capital=1e6,
            bank_deposits_found=np.nan,
        ),
    )
    as_of = day_numbers(pd.Series([AS_OF, AS_OF]))
    top = np.tile(np.arange(len(TOPICS)), (2, 1))
    effects = np.tile(np.where(np.arange(len(TOPICS)) % 2 == 0, 0.3, -0.3), (2, 1))

    texts = reason_texts(cases, as_of, top, effects)

    assert texts.shape == top.shape
    for sentence, effect in zip(texts.ravel(), effects.ravel(), strict=True):
        assert sentence.endswith(EASIER if effect > 0 else HARDER)
        assert sentence.endswith("利于执行到位" if effect > 0 else "增加执行难度")
    cash = TOPICS.index("CASH")
    assert texts[0, cash] == "已查到存款5.0万元，现金可执行率50%，利于执行到位"
    assert texts[1, cash] == "尚未查询银行存款，利于执行到位"
    control = TOPICS.index("CONTROL")
    assert texts[0, control] == "财产已控制10天" + (EASIER if effects[0, control] > 0 else HARDER)
    assert texts[1, TOPICS.index("COMPANY")].startswith("企业经营状态：存续，参保职工12人")


def test_searches_reason_agrees_with_the_searches_missing_feature() -> None:
    cases = frame(case(real_estate_count=0, real_estate_value=None, vehicle_count=0))
    as_of = day_numbers(pd.Series([AS_OF]))
    assert case_features(cases, as_of)["searches_missing"].iloc[0] == 0.0
    top = np.array([[TOPICS.index("SEARCHES")]])
    text = reason_texts(cases, as_of, top, np.array([[1.0]]))[0, 0]
    assert "未完成" not in text


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0.0, "0元"),
        (np.nan, "0元"),
        (9_800.0, "9800元"),
        (10_000.0, "1.0万元"),
        (123_456.0, "12.3万元"),
        (12_345_678.0, "1234.6万元"),
        (1e8, "1.00亿元"),
        (2.5e8, "2.50亿元"),
        (123_456_789.0, "1.23亿元"),
    ],
)
def test_cny_text(amount: float, text: str) -> None:
    assert cny_text(pd.Series([amount])).tolist() == [text]


def test_assets_not_yet_searched_are_not_said_to_be_absent() -> None:
    unsearched = {c: None for c in ("real_estate_value", "vehicle_value", "equity_value")}
    cases = frame(case(**unsearched, real_estate_count=None, vehicle_count=None), case())
    as_of = day_numbers(pd.Series([AS_OF, AS_OF]))
    top = np.full((2, 1), TOPICS.index("OTHER_ASSETS"))
    texts = reason_texts(cases, as_of, top, np.full((2, 1), -0.3))
    assert texts[0, 0].startswith("尚未查询不动产")
    assert texts[1, 0].startswith("未查到不动产")


@pytest.mark.parametrize(
    ("found", "text"),
    [
        (
            {"real_estate_count": 1, "real_estate_value": 7e6},
            "查到不动产1处等财产，估值合计700.0万元",
        ),
        (
            {"real_estate_count": 2, "real_estate_value": 1e6, "vehicle_count": 1,
             "vehicle_value": 1e5, "equity_value": 5e4},
            "查到不动产2处、车辆1辆、股权等财产，估值合计115.0万元",
        ),
        ({"equity_value": 3e5}, "查到股权等财产，估值合计30.0万元"),
        ({"vehicle_count": None, "vehicle_value": 8e4}, "查到财产，估值合计8.0万元"),
    ],
)  # fmt: skip
def test_found_assets_are_named_without_zero_counts(found: dict[str, Any], text: str) -> None:
    nothing = {"real_estate_count": 0, "real_estate_value": 0.0, "vehicle_count": 0}
    cases = frame(case(**{**nothing, "vehicle_value": 0.0, "equity_value": 0.0, **found}))
    as_of = day_numbers(pd.Series([AS_OF]))
    top = np.array([[TOPICS.index("OTHER_ASSETS")]])
    assert reason_texts(cases, as_of, top, np.array([[0.3]]))[0, 0] == text + EASIER
