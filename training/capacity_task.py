"""Training the capacity model: clean → split by filing date → fit → evaluate → log → promote.

The holdout is the most recent ``eval_months`` of filings. The champion is replaced only when
the candidate's Brier score of full performance on that same holdout is lower.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import mlflow
import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from models.capacity.features import INPUT_COLUMNS
from models.capacity.model import TARGET_FULL, TARGET_HIDDEN, TARGET_SHARE, CapacityModel
from models.capacity.options import CapacityOptions
from models.capacity.vocabulary import Tier
from models.classification.metrics import ClassifierMetrics, classifier_metrics, reliability_table
from models.classification.params import ClassifierParams
from models.errors import DataError
from models.settings import Settings
from training import plots
from training.classifier_cv import ScoredOutcomes
from training.cleaning import CleaningReport
from training.cleaning.debtors import clean_debtors
from training.promotion import Promotion, RowLosses
from training.signature import input_example
from training.split import split_by_time
from training.steps import StepCallback, log_step
from training.tracking import compare_with_champion, register_and_promote, start_tracking
from training.uncertainty import interval_metrics

logger = logging.getLogger(__name__)

KIND = "capacity"
DATE_COLUMN = "filed_at"
PROMOTION_METRIC = "brier"


class CapacityTrainConfig(BaseModel):
    """How the capacity model is trained and judged."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seed: int = Field(default=0, ge=0)
    eval_months: int = Field(
        default=6, ge=1, le=24, description="The most recent months of filings held out."
    )
    classifier: ClassifierParams = Field(default_factory=ClassifierParams)
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Threads for the fit's independent steps; the same model either way.",
    )


class CapacityEvaluation(BaseModel):
    """Holdout figures of every head and of the tiers."""

    full: ClassifierMetrics = Field(description="Full performance within 6 months.")
    hidden: ClassifierMetrics = Field(description="Hidden capacity.")
    share_mae: float = Field(description="Mean absolute error of the recovered share.")
    hard_precision: float = Field(description="Share of 执行难 debtors with hidden capacity.")
    hard_recall: float = Field(description="Share of hidden-capacity debtors tiered 执行难.")
    tier_shares: dict[str, float]

    def flat(self) -> dict[str, float]:
        """The figures as MLflow metrics."""
        out = {f"full_{k}": float(v) for k, v in self.full.model_dump().items()}
        out |= {f"hidden_{k}": float(v) for k, v in self.hidden.model_dump().items()}
        out |= {
            "share_mae": self.share_mae,
            "hard_precision": self.hard_precision,
            "hard_recall": self.hard_recall,
        }
        return out


@dataclass(frozen=True)
class CapacityTrainResult:
    """What a capacity training run produced."""

    run_id: str
    version: str
    evaluation: CapacityEvaluation
    cleaning: CleaningReport
    promotion: Promotion

    def summary(self) -> pd.DataFrame:
        """Holdout figures for the console."""
        flat = self.evaluation.flat()
        return pd.DataFrame({"holdout metric": list(flat), "model": list(flat.values())})


def score(
    model: CapacityModel, test: pd.DataFrame, options: CapacityOptions | None = None
) -> pd.DataFrame:
    """The model's answers (tiers under ``options``) beside the truth for the holdout rows."""
    scored = model.predict_frame(test[list(INPUT_COLUMNS)], options)
    for column in (TARGET_FULL, TARGET_SHARE, TARGET_HIDDEN):
        scored[column] = test[column].to_numpy()
    return scored


def evaluate(scored: pd.DataFrame) -> CapacityEvaluation:
    """Holdout figures of a scored table (see :func:`score`)."""
    full = scored[TARGET_FULL].to_numpy(dtype=int)
    hidden = scored[TARGET_HIDDEN].to_numpy(dtype=bool)
    hard = (scored["tier"] == Tier.HARD).to_numpy()
    shares = scored["tier"].value_counts(normalize=True)
    return CapacityEvaluation(
        full=classifier_metrics(full, scored["probability_full_6m"].to_numpy()),
        hidden=classifier_metrics(hidden.astype(int), scored["hidden_capacity_probability"]),
        share_mae=float(np.mean(np.abs(scored["expected_recovered_share"] - scored[TARGET_SHARE]))),
        hard_precision=float(hidden[hard].mean()) if hard.any() else 0.0,
        hard_recall=float(hard[hidden].mean()) if hidden.any() else 0.0,
        tier_shares={str(t): float(shares.get(str(t), 0.0)) for t in Tier},
    )


def _log_run(
    cfg: CapacityTrainConfig,
    model: CapacityModel,
    cleaning: CleaningReport,
    scored: pd.DataFrame,
    evaluation: CapacityEvaluation,
) -> None:
    mlflow.log_params({"seed": cfg.seed, "eval_months": cfg.eval_months})
    mlflow.log_params({f"classifier.{k}": v for k, v in cfg.classifier.model_dump().items()})
    # What each probability head's last calibration step turned out to be (identity: the
    # stack alone), so two runs compared in MLflow show it.
    heads = {"full": model.full, "hidden": model.hidden}
    mlflow.log_params({f"{name}.beta_map": h.beta_map.describe() for name, h in heads.items()})
    mlflow.log_metrics(evaluation.flat())
    holdout = ScoredOutcomes(
        y=scored[TARGET_FULL].to_numpy(dtype=int),
        probabilities=scored["probability_full_6m"].to_numpy(dtype="float64"),
    )
    mlflow.log_metrics(interval_metrics(holdout, seed=cfg.seed, prefix="full_"))
    mlflow.log_metrics({"rows_in": cleaning.rows_in, "rows_clean": cleaning.rows_out})
    mlflow.log_metrics(
        {f"tier_share_{i}": v for i, v in enumerate(evaluation.tier_shares.values())}
    )
    mlflow.log_dict(evaluation.model_dump(mode="json"), "evaluation/capacity.json")
    mlflow.log_dict(cleaning.model_dump(mode="json"), "cleaning/report.json")
    mlflow.log_text(cleaning.to_frame().to_csv(index=False), "cleaning/report.csv")
    table = reliability_table(scored[TARGET_FULL], scored["probability_full_6m"])
    mlflow.log_text(table.to_csv(index=False), "evaluation/reliability.csv")
    mlflow.log_figure(
        plots.reliability_curve(table, "capacity: full performance in 6 months (holdout)"),
        "evaluation/reliability.png",
    )
    crosstab = pd.crosstab(scored["tier"], scored[TARGET_HIDDEN])
    mlflow.log_text(crosstab.to_csv(), "evaluation/tier_by_hidden_capacity.csv")


def _both_outcomes(holdout: pd.DataFrame, months: int) -> None:
    """The holdout is judged by AUC and calibration: it needs debtors of either outcome."""
    for column in (TARGET_FULL, TARGET_HIDDEN):
        seen = holdout[column].astype(bool)
        if seen.all() or not seen.any():
            raise DataError(
                f"the last {months} months hold {len(holdout)} debtors, all with the same "
                f"{column}; the holdout needs both outcomes to be judged (give more data)"
            )


def row_losses(scored: pd.DataFrame) -> RowLosses:
    """Per-row squared errors of the full-performance probability (their mean: the Brier)."""
    error = scored["probability_full_6m"].to_numpy() - scored[TARGET_FULL].to_numpy()
    return RowLosses(PROMOTION_METRIC, error**2, "mean")


def train_capacity(
    data: pd.DataFrame,
    cfg: CapacityTrainConfig,
    settings: Settings,
    on_step: StepCallback | None = None,
) -> CapacityTrainResult:
    """Run the whole capacity training sequence and return what it produced."""
    step = on_step or log_step
    name = settings.model_name(KIND)
    step("clean")
    cleaned = clean_debtors(data).nonempty()
    step("split")
    past, recent = split_by_time(cleaned.frame, DATE_COLUMN, cfg.eval_months)
    _both_outcomes(recent, cfg.eval_months)
    step("fit")
    model = CapacityModel.fit(past, seed=cfg.seed, params=cfg.classifier, workers=cfg.workers)
    step("evaluate")
    # Tiers under the configured thresholds (the identity key plays no part here).
    options = CapacityOptions.from_settings(settings, identity_key=None)
    scored = score(model, recent, options)
    evaluation = evaluate(scored)
    step("compare with champion")
    client = start_tracking(settings)
    comparison = compare_with_champion(
        client,
        settings,
        KIND,
        row_losses(scored),
        lambda champion: row_losses(score(champion, recent, options)),
        seed=cfg.seed,
    )
    step("log")
    with mlflow.start_run(run_name=f"train-{KIND}") as run:
        _log_run(cfg, model, cleaned.report, scored, evaluation)
        step("register and promote")
        version, promotion = register_and_promote(
            model,
            kind=KIND,
            name=name,
            input_example=input_example(recent, INPUT_COLUMNS),
            bundle_meta={"run_id": run.info.run_id, "evaluation": evaluation.model_dump()},
            client=client,
            alias=settings.champion_alias,
            comparison=comparison,
        )
    logger.info(promotion.describe())
    return CapacityTrainResult(
        run_id=run.info.run_id,
        version=version,
        evaluation=evaluation,
        cleaning=cleaned.report,
        promotion=promotion,
    )
