"""Training the difficulty model: clean → time split → landmark rows → fit → compare with the
cash-ratio baseline → log → promote.

The split is by time and leaks nothing. With ``T`` the record date, the holdout is the cases
filed in the ``eval_months`` before ``T − statutory period`` (so each has its whole statutory
period observed); the model learns only from the records as they stood on the day before the
first holdout filing (``training.case_view.cases_as_of``): later stages hidden, cases closed
after it open and censored. Each holdout case is scored the day its network searches came back
(the moment Haidian sorts a new case), the baseline on the same day with the same data.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import mlflow
import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from models.errors import DataError
from models.settings import Settings
from models.triage.baseline import cash_ratio_score
from models.triage.calendar import DAYS_PER_MONTH
from models.triage.columns import CASE_DEBTOR_COLUMNS, INPUT_DTYPES
from models.triage.features import case_features, day_numbers
from models.triage.model import CaseScores, DifficultyModel, TrainingRows
from models.triage.params import DifficultyParams
from models.triage.schemas import PAID_OUTCOMES
from training.case_view import cases_as_of, hide_unknown_findings
from training.cleaning import CleaningReport
from training.cleaning.cases import clean_cases
from training.promotion import Promotion, RowLosses
from training.ranking_metrics import RankingComparison, ScoredRanking
from training.signature import input_example
from training.steps import StepCallback, log_step
from training.tracking import compare_with_champion, register_and_promote, start_tracking
from training.uncertainty import (
    DEFAULT_RESAMPLES,
    Intervals,
    bootstrap_intervals,
    ci95_metrics,
)

logger = logging.getLogger(__name__)

KIND = "difficulty"
PROMOTION_METRIC = "brier_paid_in_period"
#: The columns of a case record the model reads (the request's).
CASE_COLUMNS: tuple[str, ...] = (*INPUT_DTYPES, *CASE_DEBTOR_COLUMNS)


class DifficultyTrainConfig(BaseModel):
    """How the difficulty model is trained and judged."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seed: int = Field(default=0, ge=0)
    eval_months: int = Field(
        default=6, ge=1, le=24, description="Months of filings held out (before T − period)."
    )
    landmarks: tuple[int, ...] = Field(
        default=(0, 1, 30, 60, 90, 120, 150),
        min_length=1,
        description="Ages (days since filing; 0 = the day the searches came back) at which "
        "each training case is described, with what was known that day (the day after filing, "
        "most cases' searches are not back yet).",
    )
    params: DifficultyParams = Field(default_factory=DifficultyParams)


class DifficultyEvaluation(BaseModel):
    """Holdout figures: the ranking comparison and the two heads' own errors."""

    comparison: RankingComparison
    brier_paid_in_period: float
    median_abs_error_days: float = Field(description="On the holdout cases that closed.")
    intervals: Intervals | None = Field(
        default=None,
        description=(
            "95% bootstrap intervals of the comparison's figures (model.…, baseline.…, gain.…), "
            "model and baseline scored on the same resampled cases; None without resamples."
        ),
    )

    def flat(self) -> dict[str, float]:
        """The figures as MLflow metrics."""
        out = {f"model_{k}": v for k, v in self.comparison.model.model_dump().items()}
        out |= {f"baseline_{k}": v for k, v in self.comparison.baseline.model_dump().items()}
        out |= {f"gain_{k}": v for k, v in self.comparison.gain.model_dump().items()}
        out |= ci95_metrics(self.intervals)
        out |= {
            "n_holdout": float(self.comparison.n),
            "brier_paid_in_period": self.brier_paid_in_period,
            "median_abs_error_days": self.median_abs_error_days,
        }
        return out


@dataclass(frozen=True)
class DifficultyTrainResult:
    """What a difficulty training run produced."""

    run_id: str
    version: str
    evaluation: DifficultyEvaluation
    cleaning: CleaningReport
    promotion: Promotion

    def summary(self) -> pd.DataFrame:
        """Model beside baseline for the console (:func:`evaluation_table`)."""
        return evaluation_table(self.evaluation)


@dataclass(frozen=True)
class TimeSplit:
    """The training view (records as of the cut-off) and the holdout cases."""

    cutoff: pd.Timestamp
    train: pd.DataFrame
    holdout: pd.DataFrame


def statutory_days(settings: Settings) -> float:
    """The statutory period in days."""
    return settings.statutory_months * DAYS_PER_MONTH


def time_split(cases: pd.DataFrame, eval_months: int, period_days: float) -> TimeSplit:
    """See the module docstring."""
    record_date = pd.to_datetime(cases["observed_until"]).max()
    end = record_date - pd.Timedelta(days=int(np.ceil(period_days)))
    start = end - pd.DateOffset(months=eval_months)
    filed = pd.to_datetime(cases["filed_at"])
    holdout = cases[(filed > start) & (filed <= end)]
    cutoff = start.normalize()
    train = cases_as_of(cases[filed <= cutoff], cutoff)
    if holdout.empty or train.empty:
        raise DataError(
            f"cannot split: {len(train)} cases filed by {cutoff.date()}, "
            f"{len(holdout)} in the holdout up to {end.date()} (record date {record_date.date()})"
        )
    return TimeSplit(cutoff=cutoff, train=train, holdout=holdout)


def _scoring_day(cases: pd.DataFrame, age: int) -> np.ndarray:
    """Day number of a landmark: the searches' day for 0 (filing + 15 if none), else filing+age."""
    filed = day_numbers(cases["filed_at"])
    if age > 0:
        return filed + age
    searched = day_numbers(cases["searches_at"])
    return np.where(np.isnan(searched), filed + 15, np.maximum(searched, filed))


def _as_dates(days: np.ndarray, index: pd.Index) -> pd.Series:
    """Day numbers (``features.day_numbers``) back as dates, one per row of ``index``."""
    return pd.Series(pd.to_datetime(days, unit="D"), index=index)


def _paid_in_period(cases: pd.DataFrame, period_days: float) -> np.ndarray:
    closed = day_numbers(cases["closed_at"]) - day_numbers(cases["filed_at"])
    paid = cases["outcome"].isin([o.value for o in PAID_OUTCOMES]).to_numpy()
    return paid & (closed <= period_days)


def training_rows(
    view: pd.DataFrame, cutoff: pd.Timestamp, landmarks: tuple[int, ...], period_days: float
) -> TrainingRows:
    """Each case of the training view at each landmark it was still open on (see model.py)."""
    cut = float((cutoff - pd.Timestamp(0)) / pd.Timedelta(days=1))
    filed = day_numbers(view["filed_at"])
    closed_day = day_numbers(view["closed_at"])
    period_over = filed + period_days <= cut
    paid = np.where(period_over, _paid_in_period(view, period_days).astype(float), np.nan)
    parts: list[tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    for age in sorted(set(landmarks)):
        day = _scoring_day(view, age)
        open_then = (day < cut) & ~(closed_day <= day)
        if not open_then.any():
            continue
        rows = view[open_then]
        rows = hide_unknown_findings(rows, _as_dates(day[open_then], rows.index))
        left = np.where(np.isnan(closed_day), cut, closed_day)[open_then] - day[open_then]
        parts.append(
            (
                case_features(rows, day[open_then]),
                np.flatnonzero(open_then),
                paid[open_then],
                np.log(np.maximum(left, 0.5)),
                ~np.isnan(closed_day[open_then]),
            )
        )
    return TrainingRows(
        features=pd.concat([p[0] for p in parts], ignore_index=True),
        case_key=np.concatenate([p[1] for p in parts]),
        paid=np.concatenate([p[2] for p in parts]),
        log_days_left=np.concatenate([p[3] for p in parts]),
        closed=np.concatenate([p[4] for p in parts]),
    )


def _holdout_scores(model: DifficultyModel, holdout: pd.DataFrame) -> CaseScores:
    # Each holdout case as the model saw it the day its searches came back.
    day = _scoring_day(holdout, 0)
    known = hide_unknown_findings(holdout, _as_dates(day, holdout.index))
    return model.scores(known, day)


def row_losses(model: DifficultyModel, holdout: pd.DataFrame, period_days: float) -> RowLosses:
    """Per-case squared errors of the paid-in-period probability (their mean: the Brier)."""
    paid = _paid_in_period(holdout, period_days)
    return RowLosses(
        PROMOTION_METRIC, (_holdout_scores(model, holdout).probability - paid) ** 2, "mean"
    )


def evaluate(
    model: DifficultyModel,
    holdout: pd.DataFrame,
    period_days: float,
    *,
    resamples: int = 0,
    seed: int = 0,
) -> DifficultyEvaluation:
    """Model and baseline on the holdout, each case scored the day its searches came back;
    with ``resamples``, the figures' paired bootstrap intervals."""
    scored = _holdout_scores(model, holdout)
    filed = day_numbers(holdout["filed_at"])
    closed_day = day_numbers(holdout["closed_at"])
    closed = ~np.isnan(closed_day)
    record = day_numbers(holdout["observed_until"])
    days = np.where(closed, closed_day, record) - filed
    paid = _paid_in_period(holdout, period_days)
    ranking = ScoredRanking(
        model=scored.ease,
        baseline=np.asarray(cash_ratio_score(holdout), dtype=np.float64),
        paid_in_period=paid,
        days=days,
        closed=closed,
    )
    error = np.abs(scored.expected_days - days)[closed]
    return DifficultyEvaluation(
        comparison=ranking.metrics(),
        brier_paid_in_period=float(np.mean((scored.probability - paid) ** 2)),
        median_abs_error_days=float(np.median(error)) if error.size else float("nan"),
        intervals=bootstrap_intervals(ranking, resamples=resamples, seed=seed),
    )


def fit_and_evaluate(
    cases: pd.DataFrame, cfg: DifficultyTrainConfig, settings: Settings, *, resamples: int = 0
) -> tuple[DifficultyModel, DifficultyEvaluation, TimeSplit]:
    """Split, fit on the training view, evaluate on the holdout (no MLflow); ``resamples``
    bootstrap resamples of the holdout give the figures' intervals."""
    period = statutory_days(settings)
    split = time_split(cases, cfg.eval_months, period)
    rows = training_rows(split.train, split.cutoff, cfg.landmarks, period)
    logger.info("%d landmark rows from %d training cases", len(rows.paid), len(split.train))
    model = DifficultyModel.fit(rows, statutory_days=period, seed=cfg.seed, params=cfg.params)
    evaluation = evaluate(model, split.holdout, period, resamples=resamples, seed=cfg.seed)
    return model, evaluation, split


def train_difficulty(
    data: pd.DataFrame,
    cfg: DifficultyTrainConfig,
    settings: Settings,
    on_step: StepCallback | None = None,
) -> DifficultyTrainResult:
    """Run the whole difficulty training sequence and return what it produced."""
    step = on_step or log_step
    name = settings.model_name(KIND)
    step("clean")
    cleaned = clean_cases(data).nonempty()
    step("split, fit and evaluate")
    model, evaluation, split = fit_and_evaluate(
        cleaned.frame, cfg, settings, resamples=DEFAULT_RESAMPLES
    )
    step("compare with champion")
    client = start_tracking(settings)
    period = statutory_days(settings)
    comparison = compare_with_champion(
        client,
        settings,
        KIND,
        row_losses(model, split.holdout, period),
        lambda champion: row_losses(champion, split.holdout, period),
        seed=cfg.seed,
    )
    step("log")
    with mlflow.start_run(run_name=f"train-{KIND}") as run:
        mlflow.log_params({"seed": cfg.seed, "eval_months": cfg.eval_months})
        mlflow.log_params({"landmarks": ",".join(map(str, cfg.landmarks))})
        mlflow.log_params({f"params.{k}": v for k, v in cfg.params.model_dump().items()})
        mlflow.log_params(
            {"cutoff": str(split.cutoff.date()), "paid_trees": model.paid.num_trees()}
        )
        log_evaluation(evaluation)
        mlflow.log_metrics(
            {"rows_in": cleaned.report.rows_in, "rows_clean": cleaned.report.rows_out}
        )
        mlflow.log_dict(cleaned.report.model_dump(mode="json"), "cleaning/report.json")
        step("register and promote")
        version, promotion = register_and_promote(
            model,
            kind=KIND,
            name=name,
            input_example=input_example(split.holdout, CASE_COLUMNS),
            bundle_meta={"run_id": run.info.run_id, "evaluation": evaluation.model_dump()},
            client=client,
            alias=settings.champion_alias,
            comparison=comparison,
        )
    logger.info(promotion.describe())
    return DifficultyTrainResult(
        run_id=run.info.run_id,
        version=version,
        evaluation=evaluation,
        cleaning=cleaned.report,
        promotion=promotion,
    )


def log_evaluation(evaluation: DifficultyEvaluation) -> None:
    """Inside an active run: the figures as metrics, the whole evaluation and its table."""
    mlflow.log_metrics(evaluation.flat())
    mlflow.log_dict(evaluation.model_dump(mode="json"), "evaluation/difficulty.json")
    mlflow.log_text(evaluation_table(evaluation).to_csv(index=False), "evaluation/table.csv")


def evaluation_table(evaluation: DifficultyEvaluation) -> pd.DataFrame:
    """Metric, model, baseline and whether the model is ahead."""
    comparison = evaluation.comparison
    ahead = comparison.model_ahead()
    return pd.DataFrame(
        {
            "metric": list(ahead),
            "model": list(comparison.model.model_dump().values()),
            "cash_ratio_baseline": list(comparison.baseline.model_dump().values()),
            "model_ahead": list(ahead.values()),
        }
    )
