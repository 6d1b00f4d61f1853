"""The training run every valuation model goes through.

load → clean → split by time → fit → evaluate → log → register → promote. A model kind plugs
in through :class:`ValuationTask`; the steps themselves do not know about properties or cars.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import mlflow
import numpy as np
import pandas as pd

from models.estimator import EstimatorParams
from models.metrics import ValuationMetrics, valuation_metrics
from models.settings import Settings
from models.valuer import REQUEST_DATE
from training import plots
from training.cleaning import CleaningReport, CleaningResult
from training.config import TrainConfig
from training.promotion import Promotion, RowLosses
from training.scored import ScoredSales
from training.split import split_by_time
from training.steps import StepCallback, log_step
from training.tracking import compare_with_champion, register_and_promote, start_tracking
from training.uncertainty import interval_metrics

logger = logging.getLogger(__name__)


class Valuer(Protocol):
    """What a fitted valuation model offers the pipeline."""

    def predict_frame(self, raw: pd.DataFrame, date_column: str = ...) -> pd.DataFrame:
        """Columns value, lower, upper, rule_based_value for each row of ``raw``."""
        ...


@dataclass(frozen=True)
class ValuationTask:
    """What differs between model kinds: names, columns, cleaning and fitting."""

    kind: str
    model_name: str
    input_columns: tuple[str, ...]
    date_column: str
    target_column: str
    group_column: str
    clean: Callable[[pd.DataFrame], CleaningResult]
    #: fit(training rows, all cleaned rows as evidence for comparables, params, seed) -> valuer
    fit: Callable[[pd.DataFrame, pd.DataFrame, EstimatorParams, int], Valuer]
    estimator: EstimatorParams
    #: ASCII names of the groups for figures (the plotting fonts have no CJK glyphs).
    group_labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TrainResult:
    """What a training run produced."""

    run_id: str
    version: str
    metrics: ValuationMetrics
    rule_metrics: ValuationMetrics
    cleaning: CleaningReport
    promotion: Promotion

    def summary(self) -> pd.DataFrame:
        """Holdout metrics of the model beside the rule-based figure's, for the console."""
        model, rule = self.metrics.model_dump(), self.rule_metrics.model_dump()
        rows = [
            {"holdout metric": k, "model": v, "rule-based": rule.get(k)}
            for k, v in model.items()
            if v is not None
        ]
        return pd.DataFrame(rows)


def request_frame(task: ValuationTask, frame: pd.DataFrame) -> pd.DataFrame:
    """Transactions as requests: the input columns, the sale date as the valuation date."""
    out = frame[list(task.input_columns)].copy()
    out[REQUEST_DATE] = pd.to_datetime(frame[task.date_column])
    return out.reset_index(drop=True)


def score(task: ValuationTask, valuer: Valuer, test: pd.DataFrame) -> pd.DataFrame:
    """Predictions beside the truth for the evaluation rows."""
    scored = valuer.predict_frame(request_frame(task, test), date_column=REQUEST_DATE)
    scored["actual"] = test[task.target_column].to_numpy(dtype="float64")
    scored["group"] = test[task.group_column].astype(str).to_numpy()
    return scored


def metrics_of(scored: pd.DataFrame, column: str = "value") -> ValuationMetrics:
    """Valuation metrics of one prediction column (with the interval for the model's own)."""
    bounds = (scored["lower"], scored["upper"]) if column == "value" else (None, None)
    return valuation_metrics(scored["actual"], scored[column], *bounds)


def metrics_by_group(scored: pd.DataFrame) -> pd.DataFrame:
    """The model's metrics per group, as a table."""
    rows = [
        {"group": group, **metrics_of(part).model_dump()}
        for group, part in scored.groupby("group", sort=True)
    ]
    return pd.DataFrame(rows)


def _log_run(
    task: ValuationTask,
    cfg: TrainConfig,
    cleaning: CleaningReport,
    scored: pd.DataFrame,
    metrics: ValuationMetrics,
    rule_metrics: ValuationMetrics,
) -> None:
    mlflow.log_params(cfg.flat_params())
    mlflow.log_metrics({k: float(v) for k, v in metrics.model_dump().items() if v is not None})
    holdout = ScoredSales(
        prices=scored["actual"].to_numpy(dtype="float64"),
        point=scored["value"].to_numpy(dtype="float64"),
        lower=scored["lower"].to_numpy(dtype="float64"),
        upper=scored["upper"].to_numpy(dtype="float64"),
    )
    mlflow.log_metrics(interval_metrics(holdout, seed=cfg.seed))
    mlflow.log_metrics(
        {f"rule_{k}": float(v) for k, v in rule_metrics.model_dump().items() if v is not None}
    )
    mlflow.log_metrics({"rows_in": cleaning.rows_in, "rows_clean": cleaning.rows_out})
    mlflow.log_dict(cleaning.model_dump(mode="json"), "cleaning/report.json")
    mlflow.log_text(cleaning.to_frame().to_csv(index=False), "cleaning/report.csv")
    by_group = metrics_by_group(scored)
    mlflow.log_text(by_group.to_csv(index=False), "evaluation/metrics_by_group.csv")
    mlflow.log_figure(
        plots.predicted_vs_actual(
            scored["actual"].to_numpy(), scored["value"].to_numpy(), f"{task.kind}: holdout"
        ),
        "evaluation/predicted_vs_actual.png",
    )
    labelled = by_group.assign(group=by_group["group"].map(lambda g: task.group_labels.get(g, g)))
    mlflow.log_figure(plots.error_by_group(labelled, "group"), "evaluation/error_by_group.png")


def row_losses(scored: pd.DataFrame, metric: str) -> RowLosses:
    """Per-row losses of a scored table whose reduction is ``metric`` of :func:`metrics_of`."""
    value, actual = scored["value"].to_numpy(), scored["actual"].to_numpy()
    if metric == "median_ape":
        return RowLosses(metric, np.abs(value / actual - 1.0), "median")
    if metric == "rmsle":
        return RowLosses(metric, (np.log1p(value) - np.log1p(actual)) ** 2, "root_mean")
    raise ValueError(f"no per-row losses for {metric!r}")


def train(
    task: ValuationTask,
    data: pd.DataFrame,
    cfg: TrainConfig,
    settings: Settings,
    on_step: StepCallback | None = None,
) -> TrainResult:
    """Run the whole training sequence and return what it produced."""
    step = on_step or log_step
    cfg = cfg.model_copy(update={"estimator": cfg.estimator or task.estimator})
    assert cfg.estimator is not None
    step("clean")
    cleaned = task.clean(data).nonempty()
    step("split")
    past, recent = split_by_time(cleaned.frame, task.date_column, cfg.eval_months)
    step("fit")
    valuer = task.fit(past, cleaned.frame, cfg.estimator, cfg.seed)
    step("evaluate")
    scored = score(task, valuer, recent)
    metrics, rule_metrics = metrics_of(scored), metrics_of(scored, "rule_based_value")
    step("compare with champion")
    client = start_tracking(settings)
    comparison = compare_with_champion(
        client,
        settings,
        task.kind,
        row_losses(scored, cfg.promotion_metric),
        lambda champion: row_losses(score(task, champion, recent), cfg.promotion_metric),
        seed=cfg.seed,
    )
    step("log")
    with mlflow.start_run(run_name=f"train-{task.kind}") as run:
        _log_run(
            task,
            cfg,
            cleaning=cleaned.report,
            scored=scored,
            metrics=metrics,
            rule_metrics=rule_metrics,
        )
        step("register and promote")
        version, promotion = register_and_promote(
            valuer,
            kind=task.kind,
            name=task.model_name,
            input_example=request_frame(task, recent.head(5)),
            bundle_meta={"run_id": run.info.run_id, "metrics": metrics.model_dump()},
            client=client,
            alias=settings.champion_alias,
            comparison=comparison,
        )
    logger.info(promotion.describe())
    return TrainResult(
        run_id=run.info.run_id,
        version=version,
        metrics=metrics,
        rule_metrics=rule_metrics,
        cleaning=cleaned.report,
        promotion=promotion,
    )
