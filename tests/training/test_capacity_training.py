"""Training the capacity model: logged run, calibration figures, promotion and determinism."""

from __future__ import annotations

from pathlib import Path

import mlflow
import pandas as pd
import pytest

from models.capacity.features import INPUT_COLUMNS
from models.classification.params import ClassifierParams
from models.errors import DataError
from models.registry import LoadedModel, client_for
from models.settings import Settings
from tests.conftest import make_settings
from training.capacity_task import CapacityTrainConfig, CapacityTrainResult, train_capacity
from training.signature import input_example


def test_run_is_logged_with_calibration_figures_and_model(
    trained_capacity: CapacityTrainResult,
    session_settings: Settings,
    capacity_champion: LoadedModel,
) -> None:
    client = client_for(session_settings.resolved_tracking_uri)
    run = client.get_run(trained_capacity.run_id)
    for metric in ("full_auc", "full_brier", "full_ece", "hidden_auc", "hard_recall"):
        assert metric in run.data.metrics
    low, high = run.data.metrics["full_auc_ci95_low"], run.data.metrics["full_auc_ci95_high"]
    assert low < run.data.metrics["full_auc"] < high
    model = capacity_champion.model  # this run's model: the session's only capacity version
    assert run.data.params["full.beta_map"] == model.full.beta_map.describe()
    assert run.data.params["hidden.beta_map"] == model.hidden.beta_map.describe()
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id, "evaluation")}
    assert {"evaluation/reliability.png", "evaluation/reliability.csv"} <= artifacts
    version = client.get_model_version_by_alias("courtval-capacity", "champion")
    assert version.run_id == trained_capacity.run_id


def test_holdout_figures_are_sane(trained_capacity: CapacityTrainResult) -> None:
    evaluation = trained_capacity.evaluation
    assert evaluation.full.auc > 0.75 and evaluation.full.ece < 0.08
    assert evaluation.hidden.auc > 0.75
    assert evaluation.hard_precision > 0.4 and evaluation.hard_recall > 0.4
    assert (
        sum(evaluation.tier_shares.values()) == 1.0
        or abs(sum(evaluation.tier_shares.values()) - 1.0) < 1e-9
    )


def test_cleaning_repairs_and_removes_the_planted_records(
    trained_capacity: CapacityTrainResult,
) -> None:
    report = trained_capacity.cleaning
    removed = {s.name: s.rows_removed for s in report.steps}
    assert removed["duplicate_case"] > 0 and removed["impossible_value"] > 0
    assert report.repairs[0].rows_changed > 0


#: A quick search (3 inner folds, one smoothing, no randomised thresholds, a high rate): what
#: this test checks is the promotion rule, and it trains twice. About 6 times faster than the
#: default, with the same holdout AUC on these debtors (0.883).
_QUICK = CapacityTrainConfig(
    seed=0,
    classifier=ClassifierParams(
        inner_folds=3, cat_smooth=(100.0,), extra_trees_max_rows=0, learning_rate=0.1
    ),
)


def test_only_a_better_model_takes_champion(tmp_path: Path, debtor_data: pd.DataFrame) -> None:
    settings = make_settings(tmp_path)
    first = train_capacity(debtor_data, _QUICK, settings)
    assert first.promotion.promoted
    # The heads fitted two at a time this time: the same model, so the same figures.
    same = train_capacity(debtor_data, _QUICK.model_copy(update={"workers": 2}), settings)
    assert not same.promotion.promoted  # equal Brier is not better
    assert same.evaluation == first.evaluation  # same seed, same figures
    assert same.promotion.champion_version == first.version


def test_a_holdout_of_one_outcome_is_named(tmp_path: Path, debtor_data: pd.DataFrame) -> None:
    # Its AUC is undefined: this was a ValueError traceback from the metrics.
    data = debtor_data.assign(hidden_capacity=False)
    with pytest.raises(DataError, match="all with the same hidden_capacity; the holdout needs"):
        train_capacity(data, _QUICK, make_settings(tmp_path))


def test_logged_pyfunc_scores_rows_with_missing_searches(
    trained_capacity: CapacityTrainResult, session_settings: Settings, debtor_data: pd.DataFrame
) -> None:
    client = client_for(session_settings.resolved_tracking_uri)
    location = client.get_model_version_download_uri("courtval-capacity", trained_capacity.version)
    pyfunc = mlflow.pyfunc.load_model(location)
    assert set(pyfunc.metadata.get_input_schema().input_names()) == set(INPUT_COLUMNS)
    rows = input_example(debtor_data, INPUT_COLUMNS, rows=20)
    assert rows.isna().any().any()  # not-searched values travel as missing
    scored = pyfunc.predict(rows)
    assert list(scored.columns) == [
        "probability_full_6m",
        "expected_recovered_share",
        "hidden_capacity_probability",
        "cash_ratio",
        "tier",
    ]
    assert scored["probability_full_6m"].between(0, 1).all()
