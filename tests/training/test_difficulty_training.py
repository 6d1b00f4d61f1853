"""Training the difficulty model: logged run, the model against the cash ratio, promotion,
determinism."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from models.registry import LoadedModel, client_for
from models.settings import Settings
from tests.conftest import make_settings
from training.difficulty_task import (
    DifficultyTrainConfig,
    DifficultyTrainResult,
    fit_and_evaluate,
    train_difficulty,
)


def test_run_logs_model_and_baseline_figures_and_registers_the_champion(
    trained_difficulty: DifficultyTrainResult, session_settings: Settings
) -> None:
    client = client_for(session_settings.resolved_tracking_uri)
    run = client.get_run(trained_difficulty.run_id)
    for metric in ("model_auc_paid_in_period", "baseline_ndcg_100", "model_c_index"):
        assert metric in run.data.metrics
    # The holdout's paired bootstrap intervals, beside the gains they bound.
    metrics = run.data.metrics
    for figure in ("auc_paid_in_period", "c_index"):
        low, high = (metrics[f"gain_{figure}_ci95_{end}"] for end in ("low", "high"))
        assert low <= metrics[f"gain_{figure}"] <= high
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id, "evaluation")}
    assert "evaluation/table.csv" in artifacts
    version = client.get_model_version_by_alias("courtval-difficulty", "champion")
    assert version.run_id == trained_difficulty.run_id


def test_model_ranks_better_than_the_cash_ratio_on_the_holdout(
    trained_difficulty: DifficultyTrainResult,
) -> None:
    comparison = trained_difficulty.evaluation.comparison
    assert comparison.n > 300
    # 8,000 cases: the payment figures separate clearly; the speed figures need the full run
    # (`courtval evaluate difficulty`, 100,000 cases, in the README).
    assert comparison.model.auc_paid_in_period > comparison.baseline.auc_paid_in_period + 0.05
    assert comparison.model.ndcg_1000 > comparison.baseline.ndcg_1000


def test_registered_model_loads_and_scores_cases(
    difficulty_champion: LoadedModel, case_data: pd.DataFrame
) -> None:
    scored = difficulty_champion.model.predict_frame(case_data.tail(50), pd.Timestamp("2026-06-30"))
    assert scored["probability_paid_in_period"].between(0, 1).all()
    assert (scored["expected_days_to_close"] > 0).all()


def test_same_seed_same_figures(case_data: pd.DataFrame) -> None:
    settings = Settings()
    _, first, _ = fit_and_evaluate(case_data, DifficultyTrainConfig(seed=4), settings)
    _, again, _ = fit_and_evaluate(case_data, DifficultyTrainConfig(seed=4), settings)
    assert first == again


def test_only_a_better_model_takes_champion(tmp_path: Path, case_data: pd.DataFrame) -> None:
    settings = make_settings(tmp_path)
    first = train_difficulty(case_data, DifficultyTrainConfig(seed=0), settings)
    assert first.promotion.promoted
    same = train_difficulty(case_data, DifficultyTrainConfig(seed=0), settings)
    assert not same.promotion.promoted  # an equal Brier score is not better
